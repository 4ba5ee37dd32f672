package delivery

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"
)

func TestLimiterPacesOneChatAtOnePerSecond(t *testing.T) {
	t.Parallel()
	l := NewLimiter(0)
	ctx := context.Background()
	var at []time.Time
	for range 3 {
		if err := l.Wait(ctx, 42); err != nil {
			t.Fatal(err)
		}
		at = append(at, time.Now())
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < chatInterval {
			t.Errorf("messages %d and %d into one chat %v apart, want ≥ %v", i-1, i, gap, chatInterval)
		}
	}
	// Another chat is not held up.
	begin := time.Now()
	if err := l.Wait(ctx, 43); err != nil || time.Since(begin) > 100*time.Millisecond {
		t.Errorf("another chat waited %v (%v)", time.Since(begin), err)
	}
}

func TestLimiterPacesAGroupWithinTwentyAMinute(t *testing.T) {
	t.Parallel()
	l := NewLimiter(0)
	cp := newChatPace(true)
	// The bucket: groupBurst at once (1 s apart as a chat), then one per
	// 4 s; simulate a minute of a chat that sends whenever allowed.
	now := time.Unix(1_700_000_000, 0)
	var sent []time.Time
	for t := now; t.Before(now.Add(3 * time.Minute)); t = t.Add(50 * time.Millisecond) {
		if l.chatDelay(cp, t) <= 0 {
			cp.chat.AllowN(t, 1)
			cp.group.AllowN(t, 1)
			sent = append(sent, t)
		}
	}
	for i := range sent {
		n := 0
		for _, s := range sent[i:] {
			if s.Sub(sent[i]) < time.Minute {
				n++
			}
		}
		if n > 20 {
			t.Fatalf("%d messages in the minute from %v", n, sent[i].Sub(now))
		}
	}
	if len(sent) < 3*15 {
		t.Errorf("only %d messages in 3 minutes: the group pace is too slow", len(sent))
	}
}

// TestLimiterSlotsNeverExceedTheWindow: the bot-wide slots keep any window
// of n/r seconds plus the guard to n messages, from the very first slot, after
// a quiet spell and after a bot-wide pause: there is no burst to spend.
func TestLimiterSlotsNeverExceedTheWindow(t *testing.T) {
	t.Parallel()
	for _, perSecond := range []float64{30, 1000, 30.5, 0.5} {
		l := NewLimiter(perSecond)
		n := int(max(1, math.Floor(perSecond)))
		window := time.Duration(float64(n)/perSecond*float64(time.Second)) + globalGuard
		t0 := time.Unix(1_700_000_000, 0)
		var slots []time.Time
		take := func(now time.Time, k int) {
			for range k {
				slots = append(slots, l.reserve(now))
			}
		}
		take(t0, 3*n+5)              // all senders ask at once
		take(t0.Add(time.Hour), 2*n) // after a quiet hour
		l.Backoff(-1, 2*time.Second) // 429s from two chats: a pause
		l.Backoff(-2, 2*time.Second)
		take(time.Now(), 2*n)
		for i := 1; i < len(slots); i++ {
			if slots[i].Before(slots[i-1].Add(l.spacing)) {
				t.Fatalf("%v/s: slots %d and %d only %v apart", perSecond, i-1, i, slots[i].Sub(slots[i-1]))
			}
			if i >= n && slots[i].Sub(slots[i-n]) < window {
				t.Fatalf("%v/s: %d+1 slots within %v, want ≥ %v", perSecond, n, slots[i].Sub(slots[i-n]), window)
			}
		}
		if !slots[3*n+5].Equal(t0.Add(time.Hour)) || !slots[3*n+6].Equal(t0.Add(time.Hour).Add(l.spacing)) {
			t.Errorf("%v/s: after a quiet hour slots at %v, %v", perSecond, slots[3*n+5].Sub(t0), slots[3*n+6].Sub(t0))
		}
		if first := slots[5*n+5]; first.Before(l.pausedUntil) {
			t.Errorf("%v/s: a slot %v before the pause ended", perSecond, l.pausedUntil.Sub(first))
		}
		// 0.962 of the ceiling at 30/s and 1,000/s, and no less: the guard is all
		// that is given up.
		if got := float64(n) / (time.Duration(n) * l.spacing).Seconds() / perSecond; got < 0.95 || got > 0.99 {
			t.Errorf("%v/s: slots give %.3f of the ceiling", perSecond, got)
		}
	}
}

// TestLimiterDepartureWindow: senders held up between their slot and their
// departure (a late timer, a busy machine) cannot bunch up: the n+1st
// departure waits until the first is W + guard old.
func TestLimiterDepartureWindow(t *testing.T) {
	t.Parallel()
	l := NewLimiter(30)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 30 {
		if _, wait, _ := l.depart(t0.Add(time.Duration(i) * time.Millisecond)); wait > 0 {
			t.Fatalf("departure %d refused: %v", i+1, wait)
		}
	}
	at := t0.Add(500 * time.Millisecond)
	_, wait, paused := l.depart(at)
	if want := time.Second + globalGuard - 500*time.Millisecond; wait != want || paused {
		t.Fatalf("31st departure: wait %v (paused %v), want %v", wait, paused, want)
	}
	if _, wait, _ := l.depart(at.Add(wait)); wait > 0 {
		t.Fatalf("31st departure refused again: %v", wait)
	}
	if _, wait, _ := l.depart(at.Add(wait)); wait != time.Millisecond {
		t.Fatalf("32nd departure: wait %v, want 1ms (until the second is W + guard old)", wait)
	}
}

// TestLimiterSlowRoundTripMovesTheWindow: a message whose round trip took
// 100 ms more than the fastest may have reached Telegram that much later
// than it left; the window after it starts that much later less the guard.
// Round trips within the guard change nothing.
func TestLimiterSlowRoundTripMovesTheWindow(t *testing.T) {
	t.Parallel()
	l := NewLimiter(30)
	t0 := time.Unix(1_700_000_000, 0)
	var deps []departure
	for i := range 30 {
		dep, wait, _ := l.depart(t0.Add(time.Duration(i) * 35 * time.Millisecond))
		if wait > 0 {
			t.Fatalf("departure %d refused: %v", i+1, wait)
		}
		deps = append(deps, dep)
	}
	l.sent(deps[1], deps[1].at.Add(2*time.Millisecond))  // the fastest
	l.sent(deps[2], deps[2].at.Add(30*time.Millisecond)) // within the guard
	l.sent(deps[0], deps[0].at.Add(102*time.Millisecond))
	// The 31st must wait until message 1 is W + guard old, counted from
	// 100 - 40 = 60 ms after it left.
	at := t0.Add(time.Second + globalGuard)
	_, wait, _ := l.depart(at)
	if want := 60 * time.Millisecond; wait != want {
		t.Fatalf("31st departure: wait %v, want %v", wait, want)
	}
	dep, wait, _ := l.depart(at.Add(wait))
	if wait > 0 {
		t.Fatalf("31st departure refused again: %v", wait)
	}
	// Message 3's round trip was within the guard: the 32nd leaves on
	// time.
	if _, wait, _ := l.depart(dep.at.Add(35 * time.Millisecond)); wait != 0 {
		t.Fatalf("32nd departure: wait %v", wait)
	}
	// A late answer for a message still in the log moves its window.
	l.sent(deps[3], deps[3].at.Add(500*time.Millisecond))
	if _, wait, _ := l.depart(dep.at.Add(70 * time.Millisecond)); wait != 0 {
		t.Fatalf("33rd departure: wait %v", wait)
	}
	if _, wait, _ := l.depart(t0.Add(1200 * time.Millisecond)); wait != 403*time.Millisecond {
		t.Fatalf("34th departure: wait %v, want 403ms (message 4 may have arrived 458 ms late)", wait)
	}
	// One for a message that left the log bounds every one to come.
	l.sent(deps[1], deps[1].at.Add(time.Second))
	if _, wait, _ := l.depart(t0.Add(1700 * time.Millisecond)); wait != 333*time.Millisecond {
		t.Fatalf("after a late answer for message 2: wait %v, want 333ms", wait)
	}
}

func TestLimiterBackoff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := NewLimiter(0)
	// One chat's 429 holds back that chat only.
	l.Backoff(1, 300*time.Millisecond)
	begin := time.Now()
	if err := l.Wait(ctx, 2); err != nil || time.Since(begin) > 100*time.Millisecond {
		t.Fatalf("another chat waited %v after one chat's 429", time.Since(begin))
	}
	if err := l.Wait(ctx, 1); err != nil || time.Since(begin) < 300*time.Millisecond {
		t.Fatalf("the chat waited only %v of its retry_after", time.Since(begin))
	}
	// 429s from several chats at once pause everyone, for the longest.
	l.Backoff(3, 200*time.Millisecond)
	l.Backoff(4, 500*time.Millisecond)
	begin = time.Now()
	if err := l.Wait(ctx, 5); err != nil || time.Since(begin) < 500*time.Millisecond {
		t.Fatalf("a third chat waited %v, want the bot-wide pause of 500ms", time.Since(begin))
	}
	// A cancelled wait returns at once.
	l.Backoff(6, time.Hour)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := l.Wait(cctx, 6); err == nil {
		t.Fatal("waited out an hour")
	}
}

func TestLimiterForgetsQuietChats(t *testing.T) {
	t.Parallel()
	l := NewLimiter(0)
	for i := range 100 {
		if err := l.Wait(context.Background(), int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	l.Backoff(-5, time.Hour)
	if n := l.tracked(); n != 101 {
		t.Fatalf("tracks %d chats", n)
	}
	time.Sleep(chatInterval + 50*time.Millisecond)
	l.mu.Lock()
	l.swept = time.Time{}
	l.mu.Unlock()
	if err := l.Wait(context.Background(), 1000); err != nil {
		t.Fatal(err)
	}
	// The new chat, and the one still under its retry_after.
	if n := l.tracked(); n != 2 {
		t.Errorf("tracks %d chats after a sweep, want 2", n)
	}
}

// TestRepliesAreNotStarved: senders that keep the bot-wide gate busy (as a
// broadcast's do) delay a reply by about their number of slots, not by the
// size of the broadcast.
func TestRepliesAreNotStarved(t *testing.T) {
	t.Parallel()
	const rate, senders = 20, 16
	l := NewLimiter(rate)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); ctx.Err() == nil; i++ {
				_, _ = l.wait(ctx, 1_000_000*int64(s+1)+i, false)
			}
		}()
	}
	time.Sleep(time.Second) // the queue is full
	begin := time.Now()
	err := l.Wait(context.Background(), 777)
	waited := time.Since(begin)
	cancel()
	wg.Wait()
	bound := time.Duration(senders+1) * l.spacing // a slot each, T apart
	if err != nil || waited > bound+200*time.Millisecond {
		t.Errorf("a reply waited %v behind %d senders at %d/s, want ≤ %v", waited, senders, rate, bound)
	}
}
