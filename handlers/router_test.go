package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var (
	alice   = User{ID: 1001, FirstName: "Lan", LastName: "Nguyễn", LanguageCode: "vi"}
	bob     = User{ID: 1002, FirstName: "Bob", LanguageCode: "en-US"}
	aliceDM = Chat{ID: 1001, Type: ChatPrivate}
	group   = Chat{ID: -4001, Type: ChatGroup, Title: "Dân quân Trà Cổ"}
)

type fixture struct {
	db  *storage.DB
	r   *Router
	log *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := pgtest.New(t)
	var buf bytes.Buffer
	r := NewRouter(Config{
		Store: db, BotUsername: "loa_bot", Lang: messages.Vietnamese,
		Logger: slog.New(slog.NewTextHandler(&buf, nil)),
	})
	return &fixture{db: db, r: r, log: &buf}
}

func (f *fixture) say(chat Chat, from User, text string) Response {
	return f.r.Handle(context.Background(), Request{UpdateID: 1, Kind: KindMessage, Chat: chat, From: from, Text: text})
}

func onlyText(t *testing.T, resp Response) string {
	t.Helper()
	if len(resp.Replies) != 1 {
		t.Fatalf("want one reply, got %d: %+v", len(resp.Replies), resp)
	}
	return resp.Replies[0].Text
}

func TestStartGreetsInVietnameseAndRemembers(t *testing.T) {
	f := newFixture(t)
	text := onlyText(t, f.say(aliceDM, alice, "/start"))
	want := messages.T(messages.Vietnamese, messages.KeyStartGreeting, "Lan") // addressed by the given name, not "Lan Nguyễn"
	if text != want {
		t.Fatalf("greeting = %q, want %q", text, want)
	}
	if !strings.Contains(text, "đồng chí Lan!") {
		t.Fatalf("greeting does not name the person: %q", text)
	}
	ctx := context.Background()
	c, err := f.db.Chat(ctx, aliceDM.ID)
	if err != nil || c.Status != storage.ChatActive || c.Type != "private" {
		t.Fatalf("chat not remembered: %+v, %v", c, err)
	}
	u, err := f.db.User(ctx, alice.ID)
	if err != nil || u.FirstName != "Lan" || u.Role != storage.RoleNone {
		t.Fatalf("user not remembered: %+v, %v", u, err)
	}
}

func TestLanguageFollowsTheAsker(t *testing.T) {
	f := newFixture(t)
	bobDM := Chat{ID: bob.ID, Type: ChatPrivate}
	if got, want := onlyText(t, f.say(bobDM, bob, "/start")), messages.T(messages.English, messages.KeyStartGreeting, "Bob"); got != want {
		t.Fatalf("English speaker got %q, want %q", got, want)
	}
	// In a group everyone reads the answer: the configured language wins.
	if got, want := onlyText(t, f.say(group, bob, "/start@loa_bot")), messages.T(messages.Vietnamese, messages.KeyStartGreeting, "Bob"); got != want {
		t.Fatalf("group got %q, want %q", got, want)
	}
}

func TestHelpListsOnlyWhatTheAskerMayUse(t *testing.T) {
	f := newFixture(t)
	f.r.add(&command{name: "secret", desc: messages.KeyCmdPromote, access: AdminOnly,
		run: func(ctx context.Context, c *Context) (Response, error) { return c.Reply(messages.KeyNotAllowed), nil }})
	help := onlyText(t, f.say(group, alice, "/help@loa_bot"))
	if !strings.Contains(help, "/start") || !strings.Contains(help, "/help") {
		t.Fatalf("help misses the basic commands: %q", help)
	}
	if strings.Contains(help, "/secret") {
		t.Fatalf("help shows an admin command to a stranger: %q", help)
	}
	// The stranger is refused on the server side even when typing it.
	if got := onlyText(t, f.say(aliceDM, alice, "/secret")); got != messages.T(messages.Vietnamese, messages.KeyNotAllowed) {
		t.Fatalf("stranger running an admin command got %q", got)
	}
	if err := f.db.EnsureAdmins(context.Background(), []int64{alice.ID}); err != nil {
		t.Fatal(err)
	}
	if help := onlyText(t, f.say(aliceDM, alice, "/help")); !strings.Contains(help, "/secret") {
		t.Fatalf("admin's help misses the admin command: %q", help)
	}
}

func TestUnknownCommandsAndPlainText(t *testing.T) {
	f := newFixture(t)
	if got := onlyText(t, f.say(aliceDM, alice, "/frobnicate")); !strings.Contains(got, "/frobnicate") || !strings.Contains(got, "/help") {
		t.Fatalf("unknown command hint = %q", got)
	}
	if got := onlyText(t, f.say(aliceDM, alice, "xin chào")); got != messages.T(messages.Vietnamese, messages.KeyPlainTextHint) {
		t.Fatalf("plain text hint = %q", got)
	}
	// In groups: people's chatter, other bots' commands and unknown commands
	// not addressed to Loa get no answer.
	for _, text := range []string{"xin chào", "/help@other_bot", "/frobnicate"} {
		if resp := f.say(group, alice, text); len(resp.Replies) != 0 {
			t.Errorf("group %q answered: %+v", text, resp)
		}
	}
	if resp := f.say(group, alice, "/frobnicate@loa_bot"); len(resp.Replies) != 1 {
		t.Errorf("unknown command addressed to Loa in a group not answered")
	}
}

func TestBotsAndEditsAreIgnored(t *testing.T) {
	f := newFixture(t)
	other := User{ID: 999, IsBot: true, FirstName: "Spam"}
	if resp := f.say(group, other, "/start@loa_bot"); len(resp.Replies) != 0 {
		t.Fatalf("a bot was answered: %+v", resp)
	}
	if _, err := f.db.User(context.Background(), other.ID); err == nil {
		t.Fatal("a bot was stored as a user")
	}
	resp := f.r.Handle(context.Background(), Request{Kind: KindEdited, Chat: aliceDM, From: alice, Text: "/start"})
	if len(resp.Replies) != 0 {
		t.Fatalf("an edited command ran again: %+v", resp)
	}
}

func TestArgumentsTooLong(t *testing.T) {
	f := newFixture(t)
	got := onlyText(t, f.say(aliceDM, alice, "/start "+strings.Repeat("x", MaxArgsLength+1)))
	if got != messages.T(messages.Vietnamese, messages.KeyArgsTooLong, messages.Count(MaxArgsLength)) {
		t.Fatalf("too long args answered %q", got)
	}
}

func TestPanicBecomesAnApology(t *testing.T) {
	f := newFixture(t)
	f.r.add(&command{name: "boom", desc: messages.KeyCmdHelp,
		run: func(ctx context.Context, c *Context) (Response, error) { panic("kaboom") }})
	got := onlyText(t, f.say(aliceDM, alice, "/boom"))
	if got != messages.T(messages.Vietnamese, messages.KeyApology) {
		t.Fatalf("panic answered %q", got)
	}
	if !strings.Contains(f.log.String(), "kaboom") || !strings.Contains(f.log.String(), "update_id=1") {
		t.Fatalf("panic not logged with the update id: %s", f.log.String())
	}
	if strings.Contains(got, "kaboom") || strings.Contains(got, "goroutine") {
		t.Fatalf("panic details leaked to the user: %q", got)
	}
}

func TestMembershipMarksChats(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	added := f.r.Handle(ctx, Request{Kind: KindMembership, Chat: group, From: alice, OldStatus: "left", NewStatus: "member"})
	if len(added.Replies) != 1 || !strings.Contains(added.Replies[0].Text, "Dân quân Trà Cổ") {
		t.Fatalf("no greeting when added to a group: %+v", added)
	}
	status := func(id int64) string {
		c, err := f.db.Chat(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}
	if s := status(group.ID); s != storage.ChatActive {
		t.Fatalf("group status after add = %s", s)
	}
	f.r.Handle(ctx, Request{Kind: KindMembership, Chat: group, From: alice, OldStatus: "member", NewStatus: "kicked"})
	if s := status(group.ID); s != storage.ChatLeft {
		t.Fatalf("group status after removal = %s", s)
	}
	f.say(aliceDM, alice, "/start")
	f.r.Handle(ctx, Request{Kind: KindMembership, Chat: aliceDM, From: alice, OldStatus: "member", NewStatus: "kicked"})
	if s := status(aliceDM.ID); s != storage.ChatBlocked {
		t.Fatalf("private chat after block = %s", s)
	}
	unblocked := f.r.Handle(ctx, Request{Kind: KindMembership, Chat: aliceDM, From: alice, OldStatus: "kicked", NewStatus: "member"})
	if len(unblocked.Replies) != 0 {
		t.Fatalf("unblocking sent a greeting into a private chat: %+v", unblocked)
	}
	if s := status(aliceDM.ID); s != storage.ChatActive {
		t.Fatalf("private chat after unblock = %s", s)
	}
}

func TestMigrationMovesTheChat(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.say(group, alice, "/help@loa_bot")
	f.r.Handle(ctx, Request{Kind: KindMigration, Chat: group, MigrateTo: -1001113717682})
	c, err := f.db.Chat(ctx, -1001113717682)
	if err != nil || c.Type != "supergroup" || c.Status != storage.ChatActive {
		t.Fatalf("new chat after migration: %+v %v", c, err)
	}
}
