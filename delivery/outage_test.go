package delivery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
)

// TestOutageResumesWhenTheAPIReturns: the Bot API answers 502 to every
// send for a while in the middle of a broadcast. The dispatcher holds its
// senders and probes instead of burning every delivery's attempts, and
// when the API is back every delivery that failed meanwhile is due again
// at once. The engine's clock stands still, so no delivery's own back-off
// ever ends: only the recovery can make them due.
func TestOutageResumesWhenTheAPIReturns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const chats, concurrency = 300, 8
	cs := f.addChats(emulator.ChatPrivate, chats, "city")
	clock := &fakeClock{t: time.Date(2021, 11, 18, 8, 0, 0, 0, time.UTC)}
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(100), Clock: clock.Now, Concurrency: concurrency})
	f.run(e)
	if _, _, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Text: "Mất kết nối với Telegram.", Units: []int64{f.units["city"]}}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := f.emu.WaitMessageCount(wctx, 50); err != nil {
		t.Fatal(err)
	}
	f.emu.SetFaults(emulator.Faults{ServerError: 502})
	time.Sleep(3 * time.Second) // the outage, in real time
	during := f.emu.ServerErrors()
	f.emu.SetFaults(emulator.Faults{})
	if err := waitEmpty(ctx, f.db, 30*time.Second); err != nil {
		t.Fatalf("after the outage: %v (502s answered: %d)", err, during)
	}
	for _, c := range cs {
		if n := len(f.emu.Messages(c.ID)); n != 1 {
			t.Fatalf("chat %d got %d messages, want 1", c.ID, n)
		}
	}
	// The sends in flight when it began, and a probe now and then (1 s,
	// then 2 s apart): not one failure per delivery.
	t.Logf("%d sends answered 502 during a 3 s outage", during)
	if during < outageChatsAtLeast || during > concurrency+5 {
		t.Errorf("%d sends answered 502 during the outage, want %d–%d", during, outageChatsAtLeast, concurrency+5)
	}
	var maxAttempts int
	if err := f.x.QueryRowContext(ctx, `SELECT max(attempts) FROM deliveries`).Scan(&maxAttempts); err != nil {
		t.Fatal(err)
	}
	if maxAttempts > 3 {
		t.Errorf("a delivery used %d attempts in a 3 s outage", maxAttempts)
	}
	if log := f.logs.String(); !strings.Contains(log, "Bot API seems down") || !strings.Contains(log, "sending resumes") {
		t.Errorf("no log of the outage and the recovery")
	}
}

// outageChatsAtLeast is how many failed sends make an outage.
const outageChatsAtLeast = 3
