package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
)

// withBroadcasts adds the real delivery engine (its outbox in PostgreSQL;
// nothing is dispatched: Run is not started) to a directory fixture.
func withBroadcasts(t *testing.T, f *dirFixture) *delivery.Engine {
	t.Helper()
	eng, err := delivery.New(delivery.Config{Store: f.db})
	if err != nil {
		t.Fatal(err)
	}
	f.r = NewRouter(Config{
		Store: f.db, Directory: f.db, Broadcasts: eng, ChatAdmins: f.admins, BotUsername: "loa_bot",
		Lang: messages.Vietnamese, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
	return eng
}

func TestBroadcastPermissions(t *testing.T) {
	f := newDirFixture(t)
	eng := withBroadcasts(t, f)
	ctx := context.Background()
	notAllowed := vi(messages.KeyNotAllowed)
	// A follower so that previews reach someone.
	f.say(dm(member), member, "/subscribe dq-tra-co")

	wantReply(t, f.say(dm(member), member, "/broadcast dq-tra-co Họp lúc 7h"), notAllowed)
	wantReply(t, f.say(dm(stranger), stranger, "/broadcast all Họp lúc 7h"), notAllowed)
	wantReply(t, f.say(dm(officerA), officerA, "/broadcast dq-hai-xuan Họp lúc 7h"), notAllowed)
	wantReply(t, f.say(dm(officerA), officerA, "/broadcast dq-tra-co,dq-hai-xuan Họp lúc 7h"), notAllowed)
	wantReply(t, f.say(dm(officerA), officerA, "/broadcast all Họp lúc 7h"), notAllowed)
	if list, _ := eng.Recent(ctx, 10); len(list) != 0 {
		t.Fatalf("refused broadcasts were stored: %+v", list)
	}

	// The officer's own unit: a preview, nothing sent yet.
	resp := f.say(dm(officerA), officerA, "/broadcast dq-tra-co Họp <b>gấp</b> & đúng giờ")
	if len(resp.Replies) != 1 || len(resp.Replies[0].Buttons) == 0 {
		t.Fatalf("preview = %+v", resp)
	}
	prev := resp.Replies[0]
	if !strings.Contains(prev.Text, "Họp &lt;b&gt;gấp&lt;/b&gt; &amp; đúng giờ") || !strings.Contains(prev.Text, " 1 ") {
		t.Fatalf("preview text = %q", prev.Text)
	}
	send := buttonData(t, prev, ":send")
	list, err := eng.Recent(ctx, 10)
	if err != nil || len(list) != 1 || list[0].State != delivery.StateDraft || list[0].Total != 0 {
		t.Fatalf("after the preview: %+v %v", list, err)
	}
	// Someone else presses Send: nothing happens.
	other := f.press(dm(officerB), officerB, send)
	if !other.CallbackAlert || len(other.Replies) != 0 {
		t.Fatalf("a stranger's Send answered %+v", other)
	}
	if s, _ := eng.Broadcast(ctx, list[0].ID); s.State != delivery.StateDraft {
		t.Fatalf("a stranger's Send changed the state to %s", s.State)
	}
	// The author presses Send: started once; a second press does nothing.
	started := f.press(dm(officerA), officerA, send)
	if len(started.Replies) != 1 || started.Replies[0].EditMessageID == 0 {
		t.Fatalf("Send answered %+v", started)
	}
	s, _ := eng.Broadcast(ctx, list[0].ID)
	if s.State != delivery.StateSending || s.Total != 1 {
		t.Fatalf("after Send: %+v", s)
	}
	again := f.press(dm(officerA), officerA, send)
	if len(again.Replies) != 0 {
		t.Fatalf("a second Send answered %+v", again)
	}
	if s2, _ := eng.Broadcast(ctx, list[0].ID); s2.Total != 1 {
		t.Fatalf("a second Send created deliveries: %+v", s2)
	}
	// /broadcasts: the author sees it, officer B does not; /cancel by B is
	// answered like an unknown broadcast.
	if text := f.say(dm(officerA), officerA, "/broadcasts").Replies[0].Text; !strings.Contains(text, "#") {
		t.Fatalf("/broadcasts for the author: %q", text)
	}
	wantReply(t, f.say(dm(officerB), officerB, "/broadcasts"), vi(messages.KeyBroadcastsEmpty))
	idText := strconv.FormatInt(list[0].ID, 10)
	wantReply(t, f.say(dm(officerB), officerB, "/cancel "+idText), vi(messages.KeyBroadcastUnknown, idText))
	if got := f.say(dm(officerA), officerA, "/cancel "+idText).Replies[0].Text; !strings.HasPrefix(got, "Đã dừng") {
		t.Fatalf("/cancel by the author: %q", got)
	}
	wantReply(t, f.say(dm(officerA), officerA, "/cancel abc"), vi(messages.KeyCancelUsage))
}

func TestBroadcastKeepsFormattingAndCancelButton(t *testing.T) {
	f := newDirFixture(t)
	eng := withBroadcasts(t, f)
	f.say(dm(member), member, "/subscribe dq-tra-co")
	text := "/broadcast dq-tra-co Họp gấp"
	resp := f.send(Request{Kind: KindMessage, Chat: dm(admin), From: admin, Text: text,
		Entities: []messages.Entity{{Type: "bot_command", Offset: 0, Length: 10}, {Type: "bold", Offset: 25, Length: 3}}})
	if !strings.Contains(resp.Replies[0].Text, "Họp <b>gấp</b>") {
		t.Fatalf("formatting lost: %q", resp.Replies[0].Text)
	}
	drop := buttonData(t, resp.Replies[0], ":drop")
	dropped := f.press(dm(admin), admin, drop)
	if len(dropped.Replies) != 1 || dropped.Replies[0].Text != vi(messages.KeyBroadcastDropped) {
		t.Fatalf("Cancel answered %+v", dropped)
	}
	list, _ := eng.Recent(context.Background(), 1)
	if list[0].State != delivery.StateCancelled || list[0].Total != 0 {
		t.Fatalf("after Cancel: %+v", list[0])
	}
	// No unit, no text, nobody following.
	wantReply(t, f.say(dm(admin), admin, "/broadcast"), vi(messages.KeyBroadcastUsage))
	wantReply(t, f.say(dm(admin), admin, "/broadcast dq-tra-co"), vi(messages.KeyBroadcastUsage))
	wantReply(t, f.say(dm(admin), admin, "/broadcast hello everyone"), vi(messages.KeyBroadcastUsage))
	wantReply(t, f.say(dm(admin), admin, "/broadcast dq-hai-xuan Họp"), vi(messages.KeyBroadcastNobody, "Dân quân phường Hải Xuân"))
}
