package delivery_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
)

// fakeClock is the engine's clock in tests that step through hours.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// faultyNetwork stands between the bot and the emulator and breaks the
// sends into some chats the way networks and proxies do: it drops the
// connection, or answers 502. Everything else goes through unchanged.
type faultyNetwork struct {
	proxy *httputil.ReverseProxy
	clock func() time.Time

	mu       sync.Mutex
	faults   map[int64]fault
	attempts map[int64][]time.Time // engine time of each broken send
}

type fault struct {
	kind  string // "drop" or "502"
	times int    // how many sends to break; -1 for all
}

func newFaultyNetwork(t *testing.T, target string, clock func() time.Time) (*faultyNetwork, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	n := &faultyNetwork{proxy: httputil.NewSingleHostReverseProxy(u), clock: clock,
		faults: map[int64]fault{}, attempts: map[int64][]time.Time{}}
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	return n, srv.URL
}

func (n *faultyNetwork) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	chat, _ := strconv.ParseInt(form.Get("chat_id"), 10, 64)
	n.mu.Lock()
	f, broken := n.faults[chat]
	if broken && strings.HasSuffix(r.URL.Path, "/sendMessage") && f.times != 0 {
		f.times--
		n.faults[chat] = f
		n.attempts[chat] = append(n.attempts[chat], n.clock())
	} else {
		broken = false
	}
	n.mu.Unlock()
	if !broken {
		n.proxy.ServeHTTP(w, r)
		return
	}
	if f.kind == "502" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		return
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func (n *faultyNetwork) broken(chat int64) []time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]time.Time(nil), n.attempts[chat]...)
}

// TestTemporaryErrorsBackOffThenFail: network errors and 5xx are retried
// with growing pauses; a chat that recovers gets the message once, one
// that never does fails after MaxRetryAge, counted on the engine's clock.
func TestTemporaryErrorsBackOffThenFail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	chats := f.addChats(emulator.ChatPrivate, 3, "ward")
	ok, flaky, dead := chats[0].ID, chats[1].ID, chats[2].ID
	clock := &fakeClock{t: time.Date(2021, 11, 18, 8, 0, 0, 0, time.UTC)}
	net, endpoint := newFaultyNetwork(t, f.emu.URL(), clock.Now)
	net.faults[flaky] = fault{kind: "502", times: 2}
	net.faults[dead] = fault{kind: "drop", times: -1}
	const maxAge = 15 * time.Minute
	e := f.engine(delivery.Config{
		Sender:  bot.NewSender(bot.NewClient(endpoint, f.emu.Token(), 5*time.Second), false, 4),
		Limiter: delivery.NewLimiter(0), Clock: clock.Now, MaxRetryAge: maxAge, PollEvery: 10 * time.Millisecond,
	})
	f.run(e)
	start := clock.Now()
	id, _, err := e.Enqueue(ctx, f.announce("Thử lại khi mạng lỗi.", "ward"))
	if err != nil {
		t.Fatal(err)
	}
	// The engine's time jumps to the next retry whenever nothing is due
	// or in flight (sends into one chat stay a real second apart).
	deadline := time.Now().Add(60 * time.Second)
	for {
		var due, claimed int
		var next *time.Time
		if err := f.x.QueryRowContext(ctx, `
			SELECT count(*) FILTER (WHERE due_at <= $1 OR claimed_at IS NOT NULL), count(*) FILTER (WHERE claimed_at IS NOT NULL),
				min(due_at) FILTER (WHERE claimed_at IS NULL)
			FROM deliveries WHERE state = 'pending'`, clock.Now()).Scan(&due, &claimed, &next); err != nil {
			t.Fatal(err)
		}
		if next == nil && claimed == 0 {
			break
		}
		if due == 0 && next != nil {
			clock.Advance(next.Sub(clock.Now()))
		}
		if time.Now().After(deadline) {
			t.Fatalf("still retrying after a minute: %d due, %d claimed", due, claimed)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s := f.waitReported(e, id, 20*time.Second)

	if s.Sent != 2 || s.Failed != 1 {
		t.Errorf("summary %+v", s)
	}
	for chat, want := range map[int64]int{ok: 1, flaky: 1, dead: 0} {
		if n := len(f.emu.Messages(chat)); n != want {
			t.Errorf("chat %d got %d messages, want %d", chat, n, want)
		}
	}
	if got := net.broken(flaky); len(got) != 2 {
		t.Errorf("flaky chat: %d broken sends, want 2", len(got))
	}
	var attempts int
	var reason string
	if err := f.x.QueryRowContext(ctx, `SELECT attempts, reason FROM deliveries WHERE broadcast_id = $1 AND chat_id = $2`, id, dead).
		Scan(&attempts, &reason); err != nil {
		t.Fatal(err)
	}
	tries := net.broken(dead)
	if attempts != len(tries) || !strings.HasPrefix(reason, "gave up after "+strconv.Itoa(attempts)+" attempts") {
		t.Errorf("dead chat: %d attempts recorded, %d made, reason %q", attempts, len(tries), reason)
	}
	// Exponential with jitter: each pause between half and all of 5 s,
	// 10 s, 20 s, … 10 min at most; the last attempt only once the chat had
	// been failing for MaxRetryAge.
	for i := 1; i < len(tries); i++ {
		gap, full := tries[i].Sub(tries[i-1]), min(10*time.Minute, 5*time.Second<<(i-1))
		if gap < full/2 || gap > full {
			t.Errorf("pause %d of the dead chat: %v, want %v–%v", i, gap, full/2, full)
		}
	}
	if last := tries[len(tries)-1]; len(tries) < 6 || last.Sub(tries[0]) < maxAge || last.Sub(start) > 2*maxAge {
		t.Errorf("dead chat tried %d times, at %v", len(tries), tries)
	}
	if got, want := f.counter("loa_delivery_retried_total"), float64(2+len(tries)-1); got != want {
		t.Errorf("retried_total %v, want %v", got, want)
	}
	if s.Reasons[0].State != "failed" || !strings.Contains(s.Reasons[0].Reason, "gave up") {
		t.Errorf("reasons %+v", s.Reasons)
	}
}

// leader is one dispatcher of several: its own engine, database handle,
// log and registry, as a process would have.
type leader struct {
	engine *delivery.Engine
	db     *storage.DB
	logs   *syncBuffer
	stop   func() time.Duration
}

func (f *fixture) leader(cfg delivery.Config) *leader {
	l := &leader{db: f.open(), logs: &syncBuffer{}}
	cfg.Store = l.db
	cfg.Logger = slog.New(slog.NewTextHandler(l.logs, nil))
	cfg.Metrics = prometheus.NewRegistry()
	l.engine = f.engine(cfg)
	l.stop = f.run(l.engine)
	return l
}

func waitLog(t *testing.T, l *leader, what string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(l.logs.String(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log after %v:\n%s", what, d, l.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAnotherProcessTakesOver: two dispatchers share a database; one
// dispatches, the other waits. When the first stops in the middle of a
// broadcast, the second takes over within a moment and finishes it, and
// every chat gets the message once: a stopping dispatcher records what it
// sent before it lets go.
func TestAnotherProcessTakesOver(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	chats := f.addChats(emulator.ChatPrivate, 300, "ward")
	cfg := delivery.Config{Limiter: delivery.NewLimiter(100), Concurrency: 8}
	a := f.leader(cfg)
	waitLog(t, a, "now dispatches", 5*time.Second)
	cfg.Limiter = delivery.NewLimiter(100)
	b := f.leader(cfg)
	waitLog(t, b, "waiting to take over", 5*time.Second)

	id, _, err := a.engine.Enqueue(ctx, f.announce("Chuyển giao giữa chừng.", "ward"))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := f.emu.WaitMessageCount(wctx, 100); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	a.stop()
	waitLog(t, b, "now dispatches", 5*time.Second)
	t.Logf("taken over %v after the stop began", time.Since(stopped).Round(time.Millisecond))
	if time.Since(stopped) > 3*time.Second {
		t.Errorf("took over after %v", time.Since(stopped))
	}
	s := f.waitReported(b.engine, id, 30*time.Second)
	for _, c := range chats {
		if n := len(f.emu.Messages(c.ID)); n != 1 {
			t.Errorf("chat %d got %d messages, want 1", c.ID, n)
		}
	}
	if s.Sent != 300 {
		t.Errorf("summary %+v", s)
	}
}

// TestTakeoverWhenTheLeadersDatabaseDies: the leader's connections close
// (as when its process dies) in the middle of a broadcast; the other takes
// over, and no chat misses the message. Those sent but not recorded are
// sent again: at most one per sender.
func TestTakeoverWhenTheLeadersDatabaseDies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	chats := f.addChats(emulator.ChatPrivate, 300, "ward")
	const concurrency = 8
	cfg := delivery.Config{Limiter: delivery.NewLimiter(100), Concurrency: concurrency, ShutdownGrace: time.Second}
	a := f.leader(cfg)
	waitLog(t, a, "now dispatches", 5*time.Second)
	cfg.Limiter = delivery.NewLimiter(100)
	b := f.leader(cfg)
	waitLog(t, b, "waiting to take over", 5*time.Second)

	id, _, err := b.engine.Enqueue(ctx, f.announce("Mất kết nối giữa chừng.", "ward"))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := f.emu.WaitMessageCount(wctx, 100); err != nil {
		t.Fatal(err)
	}
	a.db.Close()
	waitLog(t, b, "now dispatches", 5*time.Second)
	f.waitReported(b.engine, id, 30*time.Second)
	twice := 0
	for _, c := range chats {
		switch n := len(f.emu.Messages(c.ID)); {
		case n == 0:
			t.Errorf("chat %d got nothing", c.ID)
		case n == 2:
			twice++
		case n > 2:
			t.Errorf("chat %d got %d messages", c.ID, n)
		}
	}
	t.Logf("%d chats got the message twice (at most %d allowed)", twice, concurrency)
	if twice > concurrency {
		t.Errorf("%d chats got it twice, more than the %d in flight", twice, concurrency)
	}
}
