package delivery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
)

// TestHealthSeesAStuckQueue: a process that does not dispatch (a standby,
// or one whose dispatcher is gone) still sees deliveries due for minutes
// that nobody claims.
func TestHealthSeesAStuckQueue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addChats(emulator.ChatPrivate, 5, "city")
	clock := &fakeClock{t: time.Date(2021, 11, 18, 8, 0, 0, 0, time.UTC)}
	e := f.engine(delivery.Config{Clock: clock.Now}) // never Run
	if err := e.Health(ctx); err != nil {
		t.Fatalf("empty queue: %v", err)
	}
	if _, _, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Text: "Không ai gửi.", Units: []int64{f.units["city"]}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(4 * time.Minute)
	if err := e.Health(ctx); err != nil {
		t.Fatalf("due for 4 minutes: %v", err)
	}
	clock.Advance(time.Minute)
	err := e.Health(ctx)
	if err == nil || !strings.Contains(err.Error(), "stuck") || !strings.Contains(err.Error(), "5 deliveries due, the oldest for 5m0s") {
		t.Fatalf("due for 5 minutes, nobody claims: Health = %v", err)
	}
	t.Logf("Health: %v", err)

	// A dispatcher starts: the queue drains and Health is content.
	d := f.engine(delivery.Config{Clock: clock.Now, Metrics: prometheus.NewRegistry()})
	f.run(d)
	if err := waitEmpty(ctx, f.db, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := e.Health(ctx); err != nil {
		t.Errorf("after the queue drained: %v", err)
	}
}

// TestHealthSeesFailingSends: while the Bot API answers 5xx, the
// dispatching process says so once sends have failed for a minute with no
// answer, and stops saying it when the API is back; a standby process
// says nothing about sends it does not make. A closed database is
// reported too.
func TestHealthSeesFailingSends(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addChats(emulator.ChatPrivate, 40, "city")
	clock := &fakeClock{t: time.Date(2021, 11, 18, 8, 0, 0, 0, time.UTC)}
	e := f.engine(delivery.Config{Clock: clock.Now, Concurrency: 4})
	f.run(e)
	standby := f.engine(delivery.Config{Clock: clock.Now, Store: f.open(), Metrics: prometheus.NewRegistry()})
	f.emu.SetFaults(emulator.Faults{ServerError: 503})
	if _, _, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Text: "Telegram lỗi.", Units: []int64{f.units["city"]}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three failed sends", func() bool { return f.emu.ServerErrors() >= 3 })
	if err := e.Health(ctx); err != nil {
		t.Fatalf("failing for no time yet: %v", err)
	}
	clock.Advance(61 * time.Second)
	// The next probe fails a minute after the first failure.
	n := f.emu.ServerErrors()
	waitFor(t, "a probe", func() bool { return f.emu.ServerErrors() > n })
	err := e.Health(ctx)
	if err == nil || !strings.Contains(err.Error(), "sends to Telegram have failed for 1m1s") || !strings.Contains(err.Error(), "Service Unavailable") {
		t.Fatalf("failing for a minute: Health = %v", err)
	}
	t.Logf("Health: %v", err)
	if err := standby.Health(ctx); err != nil {
		t.Errorf("the standby, queue claimed a moment ago: %v", err)
	}
	f.emu.SetFaults(emulator.Faults{})
	if err := waitEmpty(ctx, f.db, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := e.Health(ctx); err != nil {
		t.Errorf("after the API came back: %v", err)
	}

	closed := f.open()
	broken := f.engine(delivery.Config{Store: closed, Metrics: prometheus.NewRegistry()})
	closed.Close()
	if err := broken.Health(ctx); err == nil || !strings.Contains(err.Error(), "cannot read the delivery queue") {
		t.Errorf("closed database: Health = %v", err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 20 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
