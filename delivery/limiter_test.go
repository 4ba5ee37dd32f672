package delivery

import (
	"context"
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

func TestLimiterKeepsTheRate(t *testing.T) {
	t.Parallel()
	const rate, n = 50, 60
	l := NewLimiter(rate)
	begin := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Wait(context.Background(), int64(1000+i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// The bucket starts with rate/3 messages; the rest come at rate.
	min := time.Duration(float64(n-rate/3-1) / rate * float64(time.Second))
	if took := time.Since(begin); took < min || took > 3*min {
		t.Errorf("%d messages at %d/s took %v, want about %v", n, rate, took, min)
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
// broadcast's do) delay a reply by about their number over the rate, not by
// the size of the broadcast.
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
				_ = l.wait(ctx, 1_000_000*int64(s+1)+i, false)
			}
		}()
	}
	time.Sleep(time.Second) // the queue is full
	begin := time.Now()
	err := l.Wait(context.Background(), 777)
	waited := time.Since(begin)
	cancel()
	wg.Wait()
	bound := time.Duration(float64(senders+1) / rate * float64(time.Second))
	if err != nil || waited > bound+200*time.Millisecond {
		t.Errorf("a reply waited %v behind %d senders at %d/s, want ≤ %v", waited, senders, rate, bound)
	}
}
