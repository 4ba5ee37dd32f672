package bot_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/storage/pgtest"
)

func sendErr(t *testing.T, err error) *delivery.SendError {
	t.Helper()
	var se *delivery.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *delivery.SendError", err, err)
	}
	return se
}

// TestSenderClassifiesTelegramsAnswers: what each refusal means for a
// delivery, as the emulator gives them with Telegram's codes and words.
func TestSenderClassifiesTelegramsAnswers(t *testing.T) {
	t.Parallel()
	emu := emulator.NewT(t)
	s := bot.NewSender(bot.NewClient(emu.URL(), emu.Token(), 5*time.Second), true, 4)
	ctx := context.Background()
	user := emulator.User{ID: 6001, FirstName: "Tú"}
	dm := emulator.PrivateChat(user)
	emu.AddChat(dm)
	blocked := emulator.PrivateChat(emulator.User{ID: 6002, FirstName: "Chặn"})
	emu.AddChat(blocked)
	emu.Block(blocked.ID)
	kicked := emulator.Group(-6003, "Nhóm cũ")
	emu.AddChat(kicked)
	emu.Kick(kicked.ID)
	old := emulator.Group(-6004, "Nhóm nâng cấp")
	emu.AddChat(old)
	emu.Migrate(old.ID, -1006004000000)
	emu.ForceRetryAfter(dm.ID, 7, 1)

	se := sendErr(t, must(s.Send(ctx, dm.ID, delivery.Outgoing{Text: "<b>hi</b>", NoPreview: true})))
	if se.Kind != delivery.RateLimited || se.RetryAfter != 7*time.Second {
		t.Errorf("429: %+v", se)
	}
	ids, err := s.Send(ctx, dm.ID, delivery.Outgoing{Text: "<b>hi</b>", NoPreview: true})
	if err != nil || len(ids) != 1 || ids[0] == 0 {
		t.Fatalf("send: %v, %v", ids, err)
	}
	id := ids[0]
	m, _ := emu.Message(dm.ID, id)
	if m.Text != "hi" || !m.DisableWebPagePreview || !m.AllowPaidBroadcast {
		t.Errorf("sent %+v", m)
	}
	if err := s.Edit(ctx, dm.ID, id, "<i>hello</i>", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Edit(ctx, dm.ID, id, "<i>hello</i>", false); err != nil {
		t.Errorf("the same text again: %v", err)
	}
	if m, _ := emu.Message(dm.ID, id); m.Text != "hello" || m.Edits != 1 {
		t.Errorf("edited %+v", m)
	}
	for _, c := range []struct {
		chat   int64
		html   string
		kind   delivery.ErrorKind
		reason string
	}{
		{blocked.ID, "x", delivery.Blocked, "Forbidden: bot was blocked by the user"},
		{kicked.ID, "x", delivery.Blocked, "Forbidden: bot was kicked from the group chat"},
		{old.ID, "x", delivery.Migrated, "Bad Request: group chat was upgraded to a supergroup chat"},
		{424242, "x", delivery.Permanent, "Bad Request: chat not found"},
		{dm.ID, "<b>unclosed", delivery.Permanent, "Bad Request: can't parse entities"},
	} {
		se := sendErr(t, must(s.Send(ctx, c.chat, delivery.Outgoing{Text: c.html, NoPreview: false})))
		if se.Kind != c.kind || !strings.HasPrefix(se.Reason, c.reason) {
			t.Errorf("chat %d: %v %q, want %v %q", c.chat, se.Kind, se.Reason, c.kind, c.reason)
		}
		if c.kind == delivery.Migrated && se.MigrateTo != -1006004000000 {
			t.Errorf("migrate to %d", se.MigrateTo)
		}
	}
	if se := sendErr(t, s.Edit(ctx, dm.ID, 9999, "x", false)); se.Kind != delivery.Permanent {
		t.Errorf("edit of a missing message: %+v", se)
	}

	// Nobody listening: a network error, temporary, without the token.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	down := bot.NewSender(bot.NewClient(dead, emu.Token(), time.Second), false, 1)
	se = sendErr(t, must(down.Send(ctx, dm.ID, delivery.Outgoing{Text: "x", NoPreview: false})))
	if se.Kind != delivery.Temporary || strings.Contains(se.Error(), emu.Token()) {
		t.Errorf("unreachable: %+v", se)
	}
}

func must(_ []int, err error) error { return err }

// TestRepliesArePacedWithTheBroadcasts: with a Pacer, replies into one chat
// keep Telegram's one a second, so the emulator with Telegram's ceilings
// never answers 429 (without one, it would at the second reply).
func TestRepliesArePacedWithTheBroadcasts(t *testing.T) {
	t.Parallel()
	emu := emulator.NewT(t, emulator.WithLimits(emulator.TelegramLimits()))
	emu.AddChat(lanDM)
	emu.AddChat(group)
	lim := delivery.NewLimiter(30)
	b, err := bot.New(bot.Options{
		Client: bot.NewClient(emu.URL(), emu.Token(), 5*time.Second), Store: pgtest.New(t),
		Handler: nopHandler{}, Pacer: lim,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	begin := time.Now()
	var wg sync.WaitGroup
	for i := range 3 {
		for _, chat := range []int64{lanDM.ID, group.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := b.Send(ctx, chat, handlers.Reply{Text: strings.Repeat("!", i+1)}); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if n := emu.TooManyRequests(); n != 0 {
		t.Errorf("%d answers 429", n)
	}
	if took := time.Since(begin); took < 2*time.Second {
		t.Errorf("3 replies into one chat in %v: not paced", took)
	}
	if len(emu.Messages(lanDM.ID)) != 3 || len(emu.Messages(group.ID)) != 3 {
		t.Error("replies missing")
	}
}

type nopHandler struct{}

func (nopHandler) Handle(context.Context, handlers.Request) handlers.Response {
	return handlers.Response{}
}
