package delivery_test

import (
	"testing"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
)

// TestBroadcastCausesNoTooManyRequests: a 600-chat broadcast through the
// real engine at 30/s, against an emulator as strict as Telegram may be (at
// most 30 messages arriving in any one second), gets no 429: the limiter
// has no burst, at the start or anywhere else.
func TestBroadcastCausesNoTooManyRequests(t *testing.T) {
	t.Parallel()
	const chats = 600
	f := newFixture(t, emulator.WithLimits(emulator.TelegramLimits()))
	f.addChats(emulator.ChatPrivate, chats, "city")
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(30), Concurrency: 16})
	f.run(e)
	f.broadcast(e, chats)
	if n := f.emu.TooManyRequests(); n != 0 {
		t.Fatalf("%d answers 429 (%v)", n, firstErrors(f.emu, 5))
	}
	if n := f.emu.MessageCount(); n != chats {
		t.Errorf("%d messages, want %d", n, chats)
	}
}

// TestNoBurstAfterABotWidePause: 429s from two chats at once pause the
// whole bot; when it resumes, the first second carries no more than the
// ceiling (a bucket refilled during the pause would send its burst on top
// of the pace, and Telegram would answer 429 again).
func TestNoBurstAfterABotWidePause(t *testing.T) {
	t.Parallel()
	const chats = 200
	f := newFixture(t, emulator.WithLimits(emulator.TelegramLimits()))
	cs := f.addChats(emulator.ChatPrivate, chats, "city")
	// Four chats in the middle of the queue answer 429 once, within a
	// moment of each other: the whole bot pauses for two seconds with
	// the rest of the broadcast waiting.
	forced := 0
	for _, c := range cs[100:104] {
		f.emu.ForceRetryAfter(c.ID, 2, 1)
		forced++
	}
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(30), Concurrency: 16})
	f.run(e)
	f.broadcast(e, chats)
	if n := f.emu.InjectedTooManyRequests(); n != forced {
		t.Errorf("%d injected 429s answered, want %d", n, forced)
	}
	if n := f.emu.SelfCausedTooManyRequests(); n != 0 {
		t.Fatalf("%d self-caused 429s after the pause (%v)", n, firstErrors(f.emu, 8))
	}
	for _, c := range cs {
		if n := len(f.emu.Messages(c.ID)); n != 1 {
			t.Fatalf("chat %d got %d messages, want 1", c.ID, n)
		}
	}
	if got := f.counter("loa_delivery_rate_limited_total"); got != float64(forced) {
		t.Errorf("rate_limited_total %v, want %d", got, forced)
	}
}
