package delivery_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
)

// figuresChildEnv makes the test binary the dispatcher process of the
// memory figure (see TestMain).
const figuresChildEnv = "LOA_DELIVERY_FIGURES_CHILD"

// TestDeliveryFigures measures the engine end to end, through PostgreSQL
// and the emulator, and prints the README's figures, each from one run:
//
//	LOA_BENCH=1 go test -run=DeliveryFigures -v -timeout=10m ./delivery/
//
// (a) deliveries per second with no ceiling, 20,000 chats; (b) the rate
// achieved divided by the ceiling, at 30/s and 1,000/s, with the emulator
// enforcing that ceiling in any one second (and 1/s per chat), and the
// 429s it answered; (d) how soon sending resumes, and at what pace, after
// the Bot API answered 502 for two minutes in the middle of a 600-chat
// broadcast; (c) the peak resident memory (VmHWM) of a process that
// dispatches a 100,000-chat broadcast. About five minutes on two cores,
// two of them waiting out the outage.
func TestDeliveryFigures(t *testing.T) {
	if os.Getenv("LOA_BENCH") == "" {
		t.Skip("set LOA_BENCH=1 to measure (about two minutes)")
	}
	for _, concurrency := range []int{16, 32} {
		t.Run(fmt.Sprintf("throughput %d", concurrency), func(t *testing.T) {
			const chats = 20_000
			f := newFixture(t)
			f.addChats(emulator.ChatPrivate, chats, "city")
			ts := &timedSender{Sender: f.sender, inner: f.sender}
			e := f.engine(delivery.Config{Sender: ts, Limiter: delivery.NewLimiter(0), Concurrency: concurrency})
			f.run(e)
			took := f.broadcast(e, chats)
			t.Logf("(a) %d chats, no ceiling, %d senders: %.0f deliveries/s (enqueue to last recorded: %v; sends alone %.0f/s)",
				chats, concurrency, chats/took.Seconds(), took.Round(time.Millisecond), ts.rate())
			if n := f.emu.MessageCount(); n != chats {
				t.Errorf("%d messages, want %d", n, chats)
			}
		})
	}
	for _, c := range []struct {
		ceiling float64
		chats   int
	}{{30, 600}, {1000, 20_000}} {
		t.Run(fmt.Sprintf("ceiling %v", c.ceiling), func(t *testing.T) {
			f := newFixture(t, emulator.WithLimits(emulator.Limits{Global: c.ceiling, PerChat: 1, PerGroupPerMinute: 20}))
			f.addChats(emulator.ChatPrivate, c.chats, "city")
			ts := &timedSender{Sender: f.sender, inner: f.sender}
			e := f.engine(delivery.Config{Sender: ts, Limiter: delivery.NewLimiter(c.ceiling), Concurrency: 32})
			f.run(e)
			took := f.broadcast(e, c.chats)
			tooMany := f.emu.TooManyRequests()
			t.Logf("(b) ceiling %v/s, %d chats: achieved %.1f/s = %.3f of the ceiling (from the first send to the last; %.3f after the first second), %d answers 429, %v in all",
				c.ceiling, c.chats, ts.rate(), ts.rate()/c.ceiling, ts.steadyRate()/c.ceiling, tooMany, took.Round(time.Millisecond))
			if tooMany != 0 || ts.rate()/c.ceiling < 0.95 {
				t.Errorf("want ≥ 0.95 of the ceiling and no 429")
			}
		})
	}
	t.Run("outage", func(t *testing.T) {
		// (d) The Bot API answers 502 to every send for two minutes in the
		// middle of a 600-chat broadcast at 30/s: how soon after it is
		// back does sending resume, and at what pace.
		const chats, outage = 600, 2 * time.Minute
		f := newFixture(t, emulator.WithLimits(emulator.TelegramLimits()))
		f.addChats(emulator.ChatPrivate, chats, "city")
		ts := &timedSender{Sender: f.sender, inner: f.sender}
		e := f.engine(delivery.Config{Sender: ts, Limiter: delivery.NewLimiter(30), Concurrency: 16})
		f.run(e)
		ctx := context.Background()
		if _, _, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Text: "<b>Sự cố</b>", Units: []int64{f.units["city"]}}); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := f.emu.WaitMessageCount(wctx, 150); err != nil {
			t.Fatal(err)
		}
		f.emu.SetFaults(emulator.Faults{ServerError: 502})
		time.Sleep(outage)
		failed := f.emu.ServerErrors()
		f.emu.SetFaults(emulator.Faults{})
		back := time.Now()
		if err := waitEmpty(ctx, f.db, 5*time.Minute); err != nil {
			t.Fatal(err)
		}
		ts.mu.Lock()
		var after []time.Time
		for _, at := range ts.times {
			if at.After(back) {
				after = append(after, at)
			}
		}
		ts.mu.Unlock()
		if len(after) == 0 {
			t.Fatal("nothing sent after the outage")
		}
		t.Logf("(d) 502 for %v in a %d-chat broadcast at 30/s: %d sends answered 502; first send %v after the API was back, the remaining %d sent %v after it (%.3f of the ceiling from the first), %d self-caused 429s",
			outage, chats, failed, after[0].Sub(back).Round(time.Millisecond), len(after), after[len(after)-1].Sub(back).Round(time.Millisecond),
			rateOf(after)/30, f.emu.SelfCausedTooManyRequests())
		if after[0].Sub(back) > 10*time.Second || f.emu.SelfCausedTooManyRequests() != 0 {
			t.Errorf("want sending within 10 s of the API's return and no 429")
		}
	})
	t.Run("memory", func(t *testing.T) {
		const chats = 100_000
		f := newFixture(t)
		f.addChats(emulator.ChatPrivate, chats, "city")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), figuresChildEnv+"=1", "FIGURES_DB="+f.url, "FIGURES_API="+f.emu.URL(),
			"FIGURES_TOKEN="+f.emu.Token(), "FIGURES_UNIT="+strconv.FormatInt(f.units["city"], 10))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		var hwm, chatsSent int
		var rate float64
		if _, err := fmt.Sscanf(string(out), "sent=%d rate=%f vmhwm_kb=%d", &chatsSent, &rate, &hwm); err != nil {
			t.Fatalf("child said %q: %v", out, err)
		}
		t.Logf("(c) %d-chat broadcast: peak resident memory of the dispatching process %.1f MB (VmHWM), %.0f deliveries/s",
			chatsSent, float64(hwm)/1024, rate)
		if n := f.emu.MessageCount(); n != chats || chatsSent != chats {
			t.Errorf("%d messages, child sent %d, want %d", n, chatsSent, chats)
		}
		if hwm > 100*1024 {
			t.Errorf("peak %d kB, want ≤ 100 MB", hwm)
		}
	})
}

// broadcast enqueues a system broadcast to the city and returns how long it
// took until every delivery was recorded.
func (f *fixture) broadcast(e *delivery.Engine, chats int) time.Duration {
	f.t.Helper()
	ctx := context.Background()
	begin := time.Now()
	_, n, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Text: "<b>Đo tốc độ</b>", Units: []int64{f.units["city"]}})
	if err != nil || n != chats {
		f.t.Fatalf("enqueue: %d chats, %v", n, err)
	}
	if err := waitEmpty(ctx, f.db, 10*time.Minute); err != nil {
		f.t.Fatal(err)
	}
	return time.Since(begin)
}

func waitEmpty(ctx context.Context, db *storage.DB, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		n, err := db.PendingDeliveries(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d deliveries still pending after %v", n, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// timedSender notes when each message was accepted.
type timedSender struct {
	delivery.Sender
	inner delivery.Sender
	mu    sync.Mutex
	times []time.Time
}

func (s *timedSender) Send(ctx context.Context, chatID int64, m delivery.Outgoing) ([]int, error) {
	id, err := s.inner.Send(ctx, chatID, m)
	if err == nil {
		s.mu.Lock()
		s.times = append(s.times, time.Now())
		s.mu.Unlock()
	}
	return id, err
}

// rate is messages per second from the first accepted send to the last.
func (s *timedSender) rate() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return rateOf(s.times)
}

// steadyRate leaves out the first second (the limiter has no initial
// burst, so it should be close to rate).
func (s *timedSender) steadyRate() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.times {
		if t.Sub(s.times[0]) >= time.Second {
			return rateOf(s.times[i:])
		}
	}
	return 0
}

func rateOf(ts []time.Time) float64 {
	if len(ts) < 2 {
		return 0
	}
	return float64(len(ts)-1) / ts[len(ts)-1].Sub(ts[0]).Seconds()
}

// figuresChild is the dispatching process of the memory figure: it
// enqueues a broadcast to the unit FIGURES_UNIT, dispatches it until
// nothing is pending, and prints what it sent, how fast, and its peak
// resident memory.
func figuresChild() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "figures child:", err); return 1 }
	db, err := storage.Open(ctx, os.Getenv("FIGURES_DB"))
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	unit, _ := strconv.ParseInt(os.Getenv("FIGURES_UNIT"), 10, 64)
	client := bot.NewClient(os.Getenv("FIGURES_API"), os.Getenv("FIGURES_TOKEN"), 10*time.Second)
	e, err := delivery.New(delivery.Config{
		Store: db, Sender: bot.NewSender(client, false, 32), Limiter: delivery.NewLimiter(0), Concurrency: 32,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		PollEvery: 50 * time.Millisecond,
	})
	if err != nil {
		return fail(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	begin := time.Now()
	_, n, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Text: "<b>Đo bộ nhớ</b>", Units: []int64{unit}})
	if err != nil {
		return fail(err)
	}
	if err := waitEmpty(ctx, db, 10*time.Minute); err != nil {
		return fail(err)
	}
	took := time.Since(begin)
	cancel()
	if err := <-done; err != nil {
		return fail(err)
	}
	hwm, err := vmHWM()
	if err != nil {
		return fail(err)
	}
	fmt.Printf("sent=%d rate=%.1f vmhwm_kb=%d\n", n, float64(n)/took.Seconds(), hwm)
	return 0
}

// vmHWM reads the process's peak resident set size in kB.
func vmHWM() (int, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
