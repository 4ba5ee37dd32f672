package faultsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// The broadcast of every scenario: 600 private chats at Telegram's bot-wide
// ceiling, 20 s when nothing goes wrong.
const (
	chats       = 600
	rateLimit   = 30
	concurrency = 16
	faultAt     = 150 // messages sent before the fault starts
	ideal       = chats / rateLimit * time.Second
	// fullPace is the send rate over a 1-s window that counts as back at
	// full pace: 0.9 of the ceiling.
	fullPace = rateLimit * 9 / 10
	// recoveryBound is how soon after the API or the database returns
	// sending must be at full pace again.
	recoveryBound = 10 * time.Second
)

// scenario is one fault and what Loa promises under it.
type scenario struct {
	name string
	slow bool // runs only with LOA_FAULTS=1
	// blocked is how long the fault makes sending impossible, added to the
	// ideal time to finish.
	blocked time.Duration
	// inject applies the fault once faultAt messages are out and returns
	// when it is over.
	inject func(t *testing.T, r *run)
	// restarts is how many times loa or its database connections restart:
	// each may repeat at most the in-flight window.
	restarts int
	// no429 asserts zero self-caused 429s; recovers asserts full pace
	// within recoveryBound of the fault's end.
	no429, recovers bool
}

func scenarios() []scenario {
	return []scenario{
		{name: "baseline", no429: true},
		{name: "PostgreSQL restart", blocked: 2 * time.Second, restarts: 1, no429: true, recovers: true,
			inject: func(t *testing.T, r *run) { r.outage(t, 2*time.Second) }},
		{name: "SIGKILL ×3", restarts: 3, no429: true,
			inject: func(t *testing.T, r *run) {
				for i := range 3 {
					if i > 0 {
						r.waitCount(t, faultAt+i*faultAt)
					}
					r.proc().kill(t)
					r.kills++
					r.start(t)
				}
			}},
		{name: "PostgreSQL down 20 s", slow: true, blocked: 20 * time.Second, restarts: 1, no429: true, recovers: true,
			inject: func(t *testing.T, r *run) { r.outage(t, 20*time.Second) }},
		{name: "Bot API 5xx for 2 min", slow: true, blocked: 2 * time.Minute, recovers: true,
			inject: func(t *testing.T, r *run) {
				r.emu.SetFaults(emulator.Faults{ServerError: 502})
				time.Sleep(2 * time.Minute)
				r.emu.SetFaults(emulator.Faults{})
			}},
		// Each injected 429 asks the bot to wait 3 s, so for 15 s sending
		// is, for a bot that obeys, all but impossible.
		{name: "30 % 429 for 15 s", slow: true, blocked: 15 * time.Second, recovers: true,
			inject: func(t *testing.T, r *run) {
				r.emu.SetFaults(emulator.Faults{RateLimitFraction: 0.3, RetryAfter: 3})
				time.Sleep(15 * time.Second)
				r.emu.SetFaults(emulator.Faults{})
			}},
	}
}

// TestFaults runs the scenarios one after another (rate figures need a
// quiet machine) and prints a line for each and a Markdown table at the end.
func TestFaults(t *testing.T) {
	all := os.Getenv("LOA_FAULTS") == "1"
	var results []result
	for _, sc := range scenarios() {
		if sc.slow && !all {
			continue // the slow ones only with LOA_FAULTS=1
		}
		t.Run(sc.name, func(t *testing.T) {
			// A scenario that stops with t.Fatal still gets its row.
			res := result{name: sc.name, aborted: true}
			defer func() { results = append(results, res) }()
			res = runScenario(t, sc)
			t.Log(res.line())
			res.check(t, sc)
		})
	}
	var b strings.Builder
	b.WriteString("\n| scenario | lost | chats with duplicates (bound) | self-caused 429s (injected) | most in a 1-s window | time to finish (ideal) | full pace after the fault | /healthz during | /healthz after |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range results {
		b.WriteString(r.row())
	}
	if !all {
		b.WriteString("\n(quick scenarios only; LOA_FAULTS=1 runs them all)\n")
	}
	t.Log(b.String())
}

// run is one scenario in progress: the emulator, the database proxy, the
// current loa process and the /healthz log.
type run struct {
	emu   *emulator.Server
	proxy *pgProxy
	vars  map[string]string

	mu    sync.Mutex
	cur   *proc
	kills int

	health *healthLog
}

func (r *run) proc() *proc {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

func (r *run) start(t *testing.T) {
	p := startLoa(t, r.vars)
	r.mu.Lock()
	r.cur = p
	r.mu.Unlock()
}

func (r *run) outage(t *testing.T, d time.Duration) {
	if err := r.proxy.Outage(d); err != nil {
		t.Fatal(err)
	}
}

func (r *run) waitCount(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for r.emu.MessageCount() < n {
		if r.proc().done() {
			t.Fatalf("loa exited (%v) before %d messages:\n%s", r.proc().err, n, tail(r.proc().log()))
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d messages (got %d)", n, r.emu.MessageCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// result is what a scenario measured.
type result struct {
	name             string
	lost, dups       int
	dupBound         int
	self429, inj429  int
	finish, ideal    time.Duration
	rate             float64 // messages per second from the first to the last
	maxPerSecond     int     // most messages in any 1-s window
	recovery         time.Duration
	recoveryMeasured bool
	bestAfter        int // most messages in a 1-s window after the fault
	finished         bool
	healthDuring     string
	healthAfter      string
	note             string
	aborted          bool // stopped before measuring
	// faultHits is how often the fault reached loa (connections dropped,
	// kills, 5xx and 429 answered): a fault that never did proves nothing.
	faultHits int
}

func runScenario(t *testing.T, sc scenario) result {
	ctx := context.Background()
	emu := emulator.NewT(t, emulator.WithToken(token), emulator.WithLimits(emulator.TelegramLimits()))
	dbURL := pgtest.NewURL(t)
	db, err := storage.Open(ctx, dbURL) // the test's own handle, not through the proxy
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{{Code: "city", Name: "Thành phố", Kind: "city", Visibility: storage.Public}}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	city, err := db.UnitByCode(ctx, "city")
	if err != nil {
		t.Fatal(err)
	}
	targets := emu.AddChats(emulator.ChatPrivate, chats)
	pgtest.Followers(t, dbURL, city.ID, emulator.ChatIDs(targets))
	e, err := delivery.New(delivery.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	id, n, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Lang: messages.Vietnamese,
		Text: "<b>Diễn tập</b> phòng thủ khu vực, 7h30 ngày 20/11.", Units: []int64{city.ID}})
	if err != nil || n != chats {
		t.Fatalf("enqueue: %d chats, %v", n, err)
	}

	proxy, proxied := newPGProxy(t, dbURL)
	rec := newRecorder(t, emu)
	r := &run{emu: emu, proxy: proxy, vars: map[string]string{
		"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": proxied, "TELEGRAM_API_ENDPOINT": rec.URL(),
		"LOA_HTTP_ADDR": "127.0.0.1:0", "LOA_OPS_ADDR": "127.0.0.1:0",
		"LOA_RATE_LIMIT": strconv.Itoa(rateLimit), "LOA_DELIVERY_CONCURRENCY": strconv.Itoa(concurrency),
	}}
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	r.health = startHealthLog(sctx, r.proc)
	r.start(t)

	res := result{name: sc.name, ideal: ideal + sc.blocked, dupBound: sc.restarts * concurrency}
	var faultStart, faultEnd time.Time
	if sc.inject != nil {
		r.waitCount(t, faultAt)
		faultStart = time.Now()
		sc.inject(t, r)
		faultEnd = time.Now()
		res.faultHits = proxy.Dropped() + r.kills + emu.ServerErrors() + emu.InjectedTooManyRequests()
	}

	// Wait for the broadcast to be done, or for a generous deadline.
	deadline := time.Now().Add(3*res.ideal + 30*time.Second)
	var exited bool
	for {
		s, err := e.Broadcast(ctx, id)
		if err == nil && s.State == delivery.StateDone {
			res.finished = true
			break
		}
		if r.proc().done() {
			exited = true
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	doneAt := time.Now()
	time.Sleep(time.Second) // a late duplicate still counts, and /healthz after the end
	stopSampling()
	samples := rec.samples()
	healths := r.health.wait()
	if exited {
		res.note = fmt.Sprintf("loa exited: %v", r.proc().err)
		t.Errorf("loa exited during the scenario (%v):\n%s", r.proc().err, tail(r.proc().log()))
	} else if !res.finished {
		res.note = "not done by the deadline"
		t.Errorf("the broadcast was not done %v after the start (%d messages):\n%s", 3*res.ideal+30*time.Second, emu.MessageCount(), tail(r.proc().log()))
	}
	r.proc().stop()

	for _, c := range targets {
		switch k := len(emu.Messages(c.ID)); {
		case k == 0:
			res.lost++
		case k > 1:
			res.dups++
		}
	}
	res.self429, res.inj429 = emu.SelfCausedTooManyRequests(), emu.InjectedTooManyRequests()
	first, last, ok := samples.span()
	if ok {
		res.finish = last.at.Sub(first.at)
		if res.finish > 0 {
			res.rate = float64(last.n-first.n) / res.finish.Seconds()
		}
	}
	res.maxPerSecond = samples.maxPerSecond()
	if sc.inject != nil {
		res.recovery, res.recoveryMeasured = samples.fullPaceAfter(faultEnd)
		res.bestAfter = samples.after(faultEnd).maxPerSecond()
	}
	if sc.inject == nil {
		res.healthDuring = healths.summary(time.Time{}, doneAt)
	} else {
		res.healthDuring = healths.summary(faultStart, faultEnd)
		res.healthAfter = healths.summary(faultEnd, doneAt.Add(time.Second))
	}
	return res
}

// check makes each broken promise a clear failure, with the figure and
// the bound.
func (res result) check(t *testing.T, sc scenario) {
	for _, b := range res.broken(sc) {
		t.Error(b)
	}
}

// broken lists the promises the figures break under the scenario.
func (res result) broken(sc scenario) []string {
	var out []string
	fail := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if sc.inject != nil && res.faultHits == 0 {
		fail("the fault never reached loa (no connection dropped, no kill, no 5xx or 429 answered)")
	}
	if res.lost != 0 {
		fail("%d chats never got the message; want 0", res.lost)
	}
	if res.dups > res.dupBound {
		fail("%d chats got the message more than once; want at most %d (%d in flight × %d restarts)", res.dups, res.dupBound, concurrency, sc.restarts)
	}
	if sc.no429 && res.self429 != 0 {
		fail("%d self-caused 429s; want 0", res.self429)
	}
	// Telegram counts what arrives in any window, whatever the emulator
	// of the day tolerates (issue 9, hole 5): measured here on its own,
	// with the emulator's documented 10 % timing slack.
	if most := rateLimit * 11 / 10; sc.no429 && res.maxPerSecond > most {
		fail("%d messages in one 1-s window; want at most %d (the ceiling %d/s and 10 %% slack)", res.maxPerSecond, most, rateLimit)
	}
	if sc.inject == nil {
		if least := 0.95 * rateLimit; res.rate < least {
			fail("achieved %.1f messages/s = %.2f of the ceiling; want ≥ 0.95 (%.1f/s)", res.rate, res.rate/rateLimit, least)
		}
	}
	if sc.recovers {
		switch {
		case !res.recoveryMeasured:
			fail("sending never got back to full pace (%d/s over 1 s) after the fault, at most %d/s; want within %v", fullPace, res.bestAfter, recoveryBound)
		case res.recovery > recoveryBound:
			fail("full pace (%d/s over 1 s) %.1f s after the fault ended; want within %v", fullPace, res.recovery.Seconds(), recoveryBound)
		}
	}
	return out
}

func (res result) recoveryText() string {
	switch {
	case res.name == "baseline":
		return "–"
	case !res.recoveryMeasured:
		return fmt.Sprintf("never (at most %d/s)", res.bestAfter)
	}
	return fmt.Sprintf("%.1f s", res.recovery.Seconds())
}

func (res result) line() string {
	s := fmt.Sprintf("%s: lost %d; chats with duplicates %d (bound %d); self-caused 429s %d (injected %d); finished in %.1f s against an ideal %.0f s (%.2f×, %.1f msg/s = %.2f of the ceiling, at most %d in a 1-s window); full pace after the fault: %s; /healthz during: %s",
		res.name, res.lost, res.dups, res.dupBound, res.self429, res.inj429, res.finish.Seconds(), res.ideal.Seconds(),
		res.finish.Seconds()/res.ideal.Seconds(), res.rate, res.rate/rateLimit, res.maxPerSecond, res.recoveryText(), res.healthDuring)
	if res.healthAfter != "" {
		s += "; after: " + res.healthAfter
	}
	if res.faultHits != 0 {
		s += fmt.Sprintf("; the fault reached loa %d times", res.faultHits)
	}
	if res.note != "" {
		s += " (" + res.note + ")"
	}
	return s
}

func (res result) row() string {
	if res.aborted {
		return fmt.Sprintf("| %s | aborted, see the test log | | | | | | | |\n", res.name)
	}
	after := res.healthAfter
	if after == "" {
		after = "–"
	}
	finish := fmt.Sprintf("%.1f s (%.0f s)", res.finish.Seconds(), res.ideal.Seconds())
	if res.name == "baseline" {
		finish += fmt.Sprintf(", %.2f of the ceiling", res.rate/rateLimit)
	}
	if res.note != "" {
		finish += ", " + res.note
	}
	return fmt.Sprintf("| %s | %d | %d (%d) | %d (%d) | %d | %s | %s | %s | %s |\n", res.name, res.lost, res.dups, res.dupBound,
		res.self429, res.inj429, res.maxPerSecond, finish, res.recoveryText(), strings.ReplaceAll(res.healthDuring, "|", "\\|"), strings.ReplaceAll(after, "|", "\\|"))
}

// ---- recording the sends ----

// recorder stands in front of the emulator and notes the moment of every
// message the emulator accepted: the emulator's message dates have
// one-second resolution, too coarse for a pace.
type recorder struct {
	api http.Handler
	srv *httptest.Server

	mu   sync.Mutex
	sent []time.Time
}

func newRecorder(t *testing.T, api http.Handler) *recorder {
	rc := &recorder{api: api}
	rc.srv = httptest.NewServer(rc)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *recorder) URL() string { return rc.srv.URL }

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	rc.api.ServeHTTP(sw, r)
	if m := path.Base(r.URL.Path); sw.code == http.StatusOK && strings.HasPrefix(m, "send") && m != "sendChatAction" {
		rc.mu.Lock()
		rc.sent = append(rc.sent, time.Now())
		rc.mu.Unlock()
	}
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// samples returns every accepted message so far with its running count.
func (rc *recorder) samples() samples {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	s := make(samples, len(rc.sent))
	for i, at := range rc.sent {
		s[i] = sample{at, i + 1}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].at.Before(s[j].at) })
	for i := range s {
		s[i].n = i + 1
	}
	return s
}

type sample struct {
	at time.Time
	n  int // messages accepted up to and including this one
}

type samples []sample

// span returns the first and the last message.
func (s samples) span() (first, last sample, ok bool) {
	if len(s) == 0 {
		return sample{}, sample{}, false
	}
	return s[0], s[len(s)-1], true
}

// after returns the messages sent at or after t.
func (s samples) after(t time.Time) samples {
	i := sort.Search(len(s), func(i int) bool { return !s[i].at.Before(t) })
	return s[i:]
}

// maxPerSecond is the most messages accepted in any 1-s window, the figure
// Telegram's bot-wide ceiling is about.
func (s samples) maxPerSecond() int {
	most, j := 0, 0
	for i := range s {
		for s[i].at.Sub(s[j].at) >= time.Second {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// fullPaceAfter is how long after end the first 1-s window begins that
// carries at least fullPace messages (or holds the broadcast's last few,
// sent at least that fast); false when none does.
func (s samples) fullPaceAfter(end time.Time) (time.Duration, bool) {
	if len(s) == 0 {
		return 0, false
	}
	if !s[len(s)-1].at.After(end) {
		return 0, true // everything was out before the fault ended
	}
	j := 0
	for i := range s {
		if s[i].at.Before(end) {
			continue
		}
		j = max(j, i)
		for j+1 < len(s) && s[j+1].at.Sub(s[i].at) < time.Second {
			j++
		}
		k := j - i + 1
		if k >= fullPace {
			return s[i].at.Sub(end), true
		}
		// The broadcast's last few, all within this second: at full pace
		// if they went at least that fast.
		if j == len(s)-1 && k >= 2 && float64(k-1)/s[j].at.Sub(s[i].at).Seconds() >= fullPace {
			return s[i].at.Sub(end), true
		}
	}
	return 0, false
}

// ---- what /healthz said ----

type healthAnswer struct {
	at     time.Time
	answer string // "200", "503 {...}", "no answer"
}

type healths []healthAnswer

type healthLog struct {
	done chan struct{}
	h    healths
}

// startHealthLog asks the current process's /healthz twice a second, one
// request at a time (a request may take seconds while the database is
// gone, and that is part of the answer).
func startHealthLog(ctx context.Context, cur func() *proc) *healthLog {
	hl := &healthLog{done: make(chan struct{})}
	client := &http.Client{Timeout: 7 * time.Second}
	go func() {
		defer close(hl.done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(500 * time.Millisecond):
			}
			p := cur()
			if p == nil {
				continue
			}
			addr := healthAddr(p.log())
			if addr == "" {
				continue
			}
			at := time.Now()
			hl.h = append(hl.h, healthAnswer{at, ask(ctx, client, "http://"+addr+"/healthz")})
		}
	}()
	return hl
}

func (hl *healthLog) wait() healths { <-hl.done; return hl.h }

func ask(ctx context.Context, client *http.Client, url string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "no answer"
	}
	resp, err := client.Do(req)
	if err != nil {
		return "no answer"
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		allOK := true
		for _, v := range m {
			if v != "ok" {
				allOK = false
			}
		}
		if allOK && resp.StatusCode == http.StatusOK {
			return "200"
		}
		body, _ = json.Marshal(m) // compact, keys sorted
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
}

// summary lists the distinct answers asked in [from, to), in the order
// they first came, with how many times.
func (h healths) summary(from, to time.Time) string {
	var order []string
	count := map[string]int{}
	for _, a := range h {
		if a.at.Before(from) || !a.at.Before(to) {
			continue
		}
		if count[a.answer] == 0 {
			order = append(order, a.answer)
		}
		count[a.answer]++
	}
	if len(order) == 0 {
		return "not asked"
	}
	parts := make([]string, len(order))
	for i, a := range order {
		parts[i] = fmt.Sprintf("%s ×%d", a, count[a])
	}
	return strings.Join(parts, ", ")
}

// tail is the end of a log, enough to see why a process stopped.
func tail(log string) string {
	const max = 4000
	if len(log) > max {
		return "…" + log[len(log)-max:]
	}
	return log
}
