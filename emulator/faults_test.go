package emulator

import (
	"errors"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestFaults: an injected outage answers every send with Telegram's error
// shape and sends nothing; Down fails every method; a share of 429s is
// counted as injected, not as the bot's own.
func TestFaults(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))

	s.SetFaults(Faults{ServerError: 502})
	_, err := send(bot, lan.ID, "x")
	var e *tgbotapi.Error
	if !errors.As(err, &e) || e.Code != 502 || e.Message != "Bad Gateway" {
		t.Fatalf("send during the outage: %v", err)
	}
	if n := len(s.Messages(lan.ID)); n != 0 || s.ServerErrors() != 1 {
		t.Fatalf("%d messages stored, %d server errors", n, s.ServerErrors())
	}
	if _, err := bot.GetMe(); err != nil {
		t.Fatalf("getMe with only sends failing: %v", err)
	}

	s.SetFaults(Faults{Down: true})
	if _, err := bot.GetMe(); !errors.As(err, &e) || e.Code != 502 {
		t.Fatalf("getMe while down: %v", err)
	}

	s.SetFaults(Faults{RateLimitFraction: 1, RetryAfter: 3})
	_, err = send(bot, lan.ID, "x")
	wantRetryAfter(t, err, 3)
	s.ForceRetryAfter(lan.ID, 2, 1)
	s.SetFaults(Faults{})
	_, err = send(bot, lan.ID, "x")
	wantRetryAfter(t, err, 2)
	if _, err := send(bot, lan.ID, "x"); err != nil {
		t.Fatal(err)
	}
	if s.InjectedTooManyRequests() != 2 || s.SelfCausedTooManyRequests() != 0 {
		t.Errorf("injected %d, self-caused %d; want 2 and 0", s.InjectedTooManyRequests(), s.SelfCausedTooManyRequests())
	}
}
