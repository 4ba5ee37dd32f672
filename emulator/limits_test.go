package emulator

import (
	"context"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

func wantRetryAfter(t *testing.T, err error, sec int) {
	t.Helper()
	e := asAPIError(t, err)
	want := "Too Many Requests: retry after " + itoa(sec)
	if e.Code != 429 || e.Message != want || e.ResponseParameters.RetryAfter != sec {
		t.Fatalf("error = %d %q retry_after %d, want 429 %q retry_after %d", e.Code, e.Message, e.ResponseParameters.RetryAfter, want, sec)
	}
}

func itoa(n int) string { return string(appendInt(nil, int64(n))) }

func TestGlobalLimit(t *testing.T) {
	clock := newFakeClock()
	s := NewT(t, WithClock(clock.Now), WithLimits(Limits{Global: 30}))
	bot := newBot(t, s)
	chats := s.AddChats(ChatPrivate, 40)
	for i := range 30 { // a burst of one second's worth, all at the same instant
		if _, err := send(bot, chats[i].ID, "tin"); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	_, err := send(bot, chats[30].ID, "tin")
	wantRetryAfter(t, err, 1)
	if len(s.Messages(chats[30].ID)) != 0 {
		t.Error("the refused message was stored")
	}
	r := postForm(t, s, "sendMessage", map[string][]string{"chat_id": {itoa(int(chats[30].ID))}, "text": {"x"}})
	if want := `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`; r.Status != 429 || r.Body != want {
		t.Errorf("raw 429 = %d %s", r.Status, r.Body)
	}
	// A sliding window, not a refilling bucket: one interval later is
	// still inside the second of the first 30.
	clock.Advance(time.Second / 30)
	_, err = send(bot, chats[30].ID, "tin")
	wantRetryAfter(t, err, 1)
	clock.Advance(time.Second - time.Second/30 - time.Nanosecond)
	_, err = send(bot, chats[30].ID, "tin")
	wantRetryAfter(t, err, 1)
	clock.Advance(time.Nanosecond) // the first 30 are a whole second ago
	if _, err := send(bot, chats[30].ID, "tin"); err != nil {
		t.Errorf("a second later: %v", err)
	}
	// Paid broadcasts are outside the bot-wide ceiling.
	if _, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": itoa(int(chats[31].ID)), "text": "x", "allow_paid_broadcast": "true"}); err != nil {
		t.Errorf("paid broadcast: %v", err)
	}
	if s.TooManyRequests() != 4 {
		t.Errorf("TooManyRequests = %d", s.TooManyRequests())
	}
	s.SetLimits(Limits{})
	for i := range 100 {
		if _, err := send(bot, chats[i%40].ID, "tin"); err != nil {
			t.Fatalf("limits off: %v", err)
		}
	}
}

// TestGlobalWindowRefusesThirtyOneInOneSecond: however 31 messages are
// spread inside one second, at 30/s the emulator accepts 30 and refuses the
// last, as Telegram may; a message is accepted again once the first of them
// is a whole second old.
func TestGlobalWindowRefusesThirtyOneInOneSecond(t *testing.T) {
	const second = time.Second
	spreads := map[string]func(i int) time.Duration{
		"all at once":           func(i int) time.Duration { return 0 },
		"evenly":                func(i int) time.Duration { return time.Duration(i) * (second - time.Millisecond) / 30 },
		"one, then 30 at 999ms": func(i int) time.Duration { return min(1, time.Duration(i)) * 999 * time.Millisecond },
		"30, then one at 999ms": func(i int) time.Duration { return time.Duration(i/30) * 999 * time.Millisecond },
		"two bursts of 15 and one": func(i int) time.Duration {
			return time.Duration(i/15) * 499 * time.Millisecond
		},
		"30 at 1/30 s, one more": func(i int) time.Duration { return time.Duration(i) * (second / 31) },
	}
	for name, at := range spreads {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			s := NewT(t, WithClock(clock.Now), WithLimits(TelegramLimits()))
			bot := newBot(t, s)
			chats := s.AddChats(ChatPrivate, 32)
			start := clock.Now()
			for i := range 31 {
				if i > 0 && at(i) < at(i-1) || at(i) >= second {
					t.Fatalf("bad spread: message %d at %v", i, at(i))
				}
				clock.Advance(start.Add(at(i)).Sub(clock.Now()))
				_, err := send(bot, chats[i].ID, "tin")
				if i < 30 && err != nil {
					t.Fatalf("message %d at %v: %v", i+1, at(i), err)
				}
				if i == 30 {
					wantRetryAfter(t, err, 1)
				}
			}
			clock.Advance(start.Add(second).Sub(clock.Now()))
			if _, err := send(bot, chats[31].ID, "tin"); err != nil {
				t.Errorf("a second after the first: %v", err)
			}
			if s.TooManyRequests() != 1 {
				t.Errorf("TooManyRequests = %d, want 1", s.TooManyRequests())
			}
		})
	}
}

func TestPerChatLimit(t *testing.T) {
	clock := newFakeClock()
	s := NewT(t, WithClock(clock.Now), WithLimits(TelegramLimits()))
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	s.AddChat(PrivateChat(minh))
	sent, err := send(bot, lan.ID, "một")
	if err != nil {
		t.Fatal(err)
	}
	_, err = send(bot, lan.ID, "hai")
	wantRetryAfter(t, err, 1)
	edit := tgbotapi.NewEditMessageText(lan.ID, sent.MessageID, "một!")
	_, err = bot.Send(edit)
	wantRetryAfter(t, err, 1) // edits count too
	if _, err := send(bot, minh.ID, "hai"); err != nil {
		t.Errorf("another chat is not limited: %v", err)
	}
	clock.Advance(920 * time.Millisecond) // early, but within the tolerance
	if _, err := send(bot, lan.ID, "hai"); err != nil {
		t.Errorf("after 0.92 s: %v", err)
	}
	clock.Advance(850 * time.Millisecond)
	_, err = send(bot, lan.ID, "ba")
	wantRetryAfter(t, err, 1)
}

func TestPerGroupLimit(t *testing.T) {
	clock := newFakeClock()
	s := NewT(t, WithClock(clock.Now), WithLimits(TelegramLimits()))
	bot := newBot(t, s)
	s.AddChat(unit)
	for i := range 20 { // one a second: within the per-chat limit
		if _, err := send(bot, unit.ID, "tin"); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
		clock.Advance(time.Second)
	}
	// 20 s into the minute: the oldest message leaves the window 40 s from
	// now (39.7 s with the tolerance), so retry after 40.
	_, err := send(bot, unit.ID, "tin")
	wantRetryAfter(t, err, 40)
	clock.Advance(30 * time.Second)
	_, err = send(bot, unit.ID, "tin")
	wantRetryAfter(t, err, 10)
	clock.Advance(10 * time.Second)
	if _, err := send(bot, unit.ID, "tin"); err != nil {
		t.Errorf("a minute after the first: %v", err)
	}
}

func TestForceRetryAfter(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	s.ForceRetryAfter(lan.ID, 7, 2)
	for range 2 {
		_, err := send(bot, lan.ID, "x")
		wantRetryAfter(t, err, 7)
	}
	if _, err := send(bot, lan.ID, "x"); err != nil {
		t.Error(err)
	}
	if s.TooManyRequests() != 2 || len(s.Errors()) != 2 {
		t.Errorf("TooManyRequests = %d", s.TooManyRequests())
	}
}

// TestPacedClientNotRefused: a client that keeps a guard under the global
// ceiling never sees a 429, in real time: 95/s, or a burst of 10 then 85/s,
// leave five messages of every second for arrival jitter. Each case runs
// about one second.
func TestPacedClientNotRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time pacing")
	}
	tests := []struct {
		name   string
		limits Limits
		pace   *rate.Limiter
		chat   func(s *Server, i int) int64
		n      int
	}{
		{"global 100/s, paced at 95/s", Limits{Global: 100}, rate.NewLimiter(95, 1), privateChats(100), 100},
		{"global 100/s, burst 10 then 85/s", Limits{Global: 100}, rate.NewLimiter(85, 10), privateChats(100), 100},
		// Per-chat pacing is not checked in real time: Telegram (and the
		// emulator) count a message when it arrives, so on a loaded machine
		// a delayed request makes the next one look early. TestPacedWithJitter
		// checks it on the fake clock instead.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewT(t, WithLimits(tt.limits))
			bot := newBot(t, s)
			ctx := context.Background()
			for i := range tt.n {
				chat := tt.chat(s, i)
				if err := tt.pace.Wait(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := send(bot, chat, "tin"); err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
			}
			if s.TooManyRequests() != 0 {
				t.Errorf("%d refused", s.TooManyRequests())
			}
		})
	}
}

func privateChats(n int) func(*Server, int) int64 {
	var chats []Chat
	return func(s *Server, i int) int64 {
		if chats == nil {
			chats = s.AddChats(ChatPrivate, n)
		}
		return chats[i%n].ID
	}
}

func oneChat(c Chat) func(*Server, int) int64 {
	return func(s *Server, i int) int64 {
		if i == 0 {
			s.AddChat(c)
		}
		return c.ID
	}
}

// TestPacedWithJitter simulates, on the fake clock, clients pacing at
// exactly the per-chat and per-group ceilings whose messages arrive up to
// 4% of an interval early or late: none is refused.
func TestPacedWithJitter(t *testing.T) {
	clock := newFakeClock()
	s := NewT(t, WithClock(clock.Now), WithLimits(TelegramLimits()))
	bot := newBot(t, s)
	s.AddChat(unit)
	s.AddChat(PrivateChat(lan))
	jitter := func(k int, interval time.Duration) time.Duration {
		return time.Duration(k%5-2) * interval / 50 // -4%, -2%, 0, +2%, +4%
	}
	start := clock.Now()
	for k := range 100 { // 100 minutes' worth of group messages at 20/min
		at := start.Add(time.Duration(k)*3*time.Second + jitter(k, 3*time.Second))
		clock.Advance(at.Sub(clock.Now()))
		if _, err := send(bot, unit.ID, "tin"); err != nil {
			t.Fatalf("group message %d at +%v: %v", k+1, at.Sub(start), err)
		}
	}
	start = clock.Now()
	for k := range 100 { // 1/s into one chat
		at := start.Add(time.Duration(k)*time.Second + jitter(k, time.Second))
		clock.Advance(at.Sub(clock.Now()))
		if _, err := send(bot, lan.ID, "tin"); err != nil {
			t.Fatalf("private message %d at +%v: %v", k+1, at.Sub(start), err)
		}
	}
}

// TestUnpacedClientRefused: the same sends without pacing are refused.
func TestUnpacedClientRefused(t *testing.T) {
	s := NewT(t, WithLimits(Limits{Global: 100}))
	bot := newBot(t, s)
	chats := s.AddChats(ChatPrivate, 300)
	for _, c := range chats {
		_, _ = send(bot, c.ID, "tin")
	}
	if s.TooManyRequests() == 0 {
		t.Error("300 messages as fast as possible were all accepted at 100/s")
	}
}
