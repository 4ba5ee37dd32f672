package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
	"github.com/loabot/loa/units"
)

// groupAdmins plays Telegram's getChatMember: who administers which group.
type groupAdmins struct {
	mu sync.Mutex
	m  map[[2]int64]bool
}

func (g *groupAdmins) IsChatAdmin(ctx context.Context, chatID, userID int64) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[[2]int64{chatID, userID}], nil
}

func (g *groupAdmins) set(chatID, userID int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.m[[2]int64{chatID, userID}] = true
}

type dirFixture struct {
	t      *testing.T
	db     *storage.DB
	r      *Router
	admins *groupAdmins
	now    time.Time
	next   int64
}

// People of the tests. Admin is a Loa admin; officerA leads Trà Cổ's
// militia; officerB leads Hải Xuân's; member belongs to Trà Cổ's militia;
// stranger belongs to nothing.
var (
	admin    = User{ID: 100, FirstName: "Quản", LastName: "Trị", LanguageCode: "vi"}
	officerA = User{ID: 201, FirstName: "Cán bộ", LastName: "Trà Cổ", LanguageCode: "vi"}
	officerB = User{ID: 202, FirstName: "Cán bộ", LastName: "Hải Xuân", LanguageCode: "vi"}
	member   = User{ID: 301, FirstName: "Dân quân", LastName: "A", LanguageCode: "vi"}
	stranger = User{ID: 999, FirstName: "Người", LastName: "Lạ", LanguageCode: "vi"}
)

func dm(u User) Chat { return Chat{ID: u.ID, Type: ChatPrivate} }

func newDirFixture(t *testing.T) *dirFixture {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := units.Import(ctx, db, "../examples/mongcai/units.yaml", storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	f := &dirFixture{t: t, db: db, admins: &groupAdmins{m: map[[2]int64]bool{}},
		now: time.Date(2021, 11, 18, 9, 0, 0, 0, time.UTC), next: 1}
	f.r = NewRouter(Config{
		Store: db, Directory: db, ChatAdmins: f.admins, BotUsername: "loa_bot", Lang: messages.Vietnamese,
		Clock: func() time.Time { return f.now }, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
	if err := db.EnsureAdmins(ctx, []int64{admin.ID}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []User{admin, officerA, officerB, member, stranger} {
		f.say(dm(u), u, "/help") // they have talked to the bot
	}
	f.setRole(officerA, "dq-tra-co", storage.RoleOfficer)
	f.setRole(officerB, "dq-hai-xuan", storage.RoleOfficer)
	f.setRole(member, "dq-tra-co", storage.RoleMember)
	return f
}

func (f *dirFixture) unit(code string) storage.Unit {
	f.t.Helper()
	u, err := f.db.UnitByCode(context.Background(), code)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *dirFixture) setRole(u User, code, role string) {
	f.t.Helper()
	if err := f.db.SetMembership(context.Background(), admin.ID, u.ID, f.unit(code).ID, role); err != nil {
		f.t.Fatal(err)
	}
}

func (f *dirFixture) send(req Request) Response {
	f.next++
	req.UpdateID = f.next
	return f.r.Handle(context.Background(), req)
}

func (f *dirFixture) say(chat Chat, from User, text string) Response {
	return f.send(Request{Kind: KindMessage, Chat: chat, From: from, Text: text})
}

func (f *dirFixture) press(chat Chat, from User, data string) Response {
	return f.send(Request{Kind: KindCallback, Chat: chat, From: from, Data: data, CallbackID: "cb", MessageID: 77})
}

func (f *dirFixture) subscribed(chatID int64, code string) bool {
	f.t.Helper()
	ids, err := f.db.Subscriptions(context.Background(), chatID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, id := range ids {
		if id == f.unit(code).ID {
			return true
		}
	}
	return false
}

func (f *dirFixture) roleIn(u User, code string) string {
	f.t.Helper()
	ms, err := f.db.Memberships(context.Background(), u.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range ms {
		if m.UnitID == f.unit(code).ID {
			return m.Role
		}
	}
	return ""
}

func vi(key messages.Key, args ...any) string { return messages.T(messages.Vietnamese, key, args...) }

func wantReply(t *testing.T, resp Response, want string) {
	t.Helper()
	if len(resp.Replies) == 0 || resp.Replies[0].Text != want {
		t.Fatalf("reply = %+v\nwant %q", resp.Replies, want)
	}
}

func TestStrangerIsRefusedEverywhere(t *testing.T) {
	f := newDirFixture(t)
	tc := f.unit("dq-tra-co")
	notAllowed := vi(messages.KeyNotAllowed)

	wantReply(t, f.say(dm(stranger), stranger, "/subscribe dq-tra-co"), vi(messages.KeySubscribeRestricted, tc.Name, tc.Code))
	if f.subscribed(stranger.ID, "dq-tra-co") {
		t.Fatal("a stranger subscribed to a restricted unit")
	}
	wantReply(t, f.say(dm(stranger), stranger, "/members dq-tra-co"), notAllowed)
	wantReply(t, f.say(dm(stranger), stranger, "/invite dq-tra-co"), notAllowed)
	wantReply(t, f.say(dm(stranger), stranger, "/invites"), notAllowed)
	wantReply(t, f.say(dm(stranger), stranger, "/promote 999 admin"), notAllowed)
	wantReply(t, f.say(dm(stranger), stranger, "/demote 100 admin"), notAllowed)
	u, err := f.db.User(context.Background(), stranger.ID)
	if err != nil || u.Role != storage.RoleNone {
		t.Fatalf("stranger's role changed: %+v %v", u, err)
	}
	// A member is no officer either.
	wantReply(t, f.say(dm(member), member, "/members dq-tra-co"), notAllowed)
	wantReply(t, f.say(dm(member), member, "/invite dq-tra-co"), notAllowed)

	// The stranger presses Approve under someone's join request (a forged
	// or forwarded button): refused, nothing decided.
	resp := f.say(dm(officerB), officerB, "/join dq-tra-co")
	if len(resp.Replies) < 2 {
		t.Fatalf("no approver was notified: %+v", resp)
	}
	data := resp.Replies[1].Buttons[0][0].Data
	denied := f.press(dm(stranger), stranger, data)
	if !denied.CallbackAlert || denied.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyNotAllowedShort) {
		t.Fatalf("stranger's approval answered %+v", denied)
	}
	if f.roleIn(officerB, "dq-tra-co") != "" {
		t.Fatal("a stranger's press made someone a member")
	}
}

func TestOfficerActsOnlyForTheirUnits(t *testing.T) {
	f := newDirFixture(t)
	notAllowed := vi(messages.KeyNotAllowed)
	wantReply(t, f.say(dm(officerA), officerA, "/invite dq-hai-xuan"), notAllowed)
	wantReply(t, f.say(dm(officerA), officerA, "/members dq-hai-xuan"), notAllowed)
	if resp := f.say(dm(officerA), officerA, "/members dq-tra-co"); !strings.Contains(resp.Replies[0].Text, "Dân quân A") {
		t.Fatalf("officer cannot list their own unit: %+v", resp)
	}
	// Officer A cannot approve a request to ward B's militia.
	resp := f.say(dm(stranger), stranger, "/join dq-hai-xuan")
	var data string
	for _, r := range resp.Replies[1:] {
		if r.ChatID == officerA.ID {
			t.Fatal("officer A was asked to approve for ward B")
		}
		data = r.Buttons[0][0].Data
	}
	denied := f.press(dm(officerA), officerA, data)
	if !denied.CallbackAlert {
		t.Fatalf("officer A approved for ward B: %+v", denied)
	}
	// Officer B can, once; a second press does nothing.
	ok := f.press(dm(officerB), officerB, data)
	if ok.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyDone) || len(ok.Replies) != 2 || ok.Replies[1].ChatID != stranger.ID {
		t.Fatalf("officer B's approval answered %+v", ok)
	}
	if f.roleIn(stranger, "dq-hai-xuan") != storage.RoleMember || !f.subscribed(stranger.ID, "dq-hai-xuan") {
		t.Fatal("approval did not make the asker a member following the unit")
	}
	again := f.press(dm(officerB), officerB, data)
	if again.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyJoinAlreadyDecided) || len(again.Replies) != 0 {
		t.Fatalf("second press answered %+v", again)
	}
}

func TestFindingUnitsByNameWithoutDiacritics(t *testing.T) {
	f := newDirFixture(t)
	ward := f.unit("p-tra-co")
	for _, q := range []string{"p-tra-co", "P-TRA-CO", "Phường Trà Cổ", "phuong tra co", "Phu\u031bo\u031b\u0300ng Tra\u0300 Cô\u0309", "PHUONG  TRA  CO"} {
		f.say(dm(stranger), stranger, "/unsubscribe p-tra-co")
		resp := f.say(dm(stranger), stranger, "/subscribe "+q)
		wantReply(t, resp, vi(messages.KeySubscribed, ward.Name, ward.Code))
	}
	// "tra co" names the ward and its militia: a choice with buttons.
	resp := f.say(dm(member), member, "/subscribe tra co")
	if len(resp.Replies) != 1 || len(resp.Replies[0].Buttons) != 2 {
		t.Fatalf("ambiguous name answered %+v", resp)
	}
	var militiaData string
	for _, row := range resp.Replies[0].Buttons {
		if strings.Contains(row[0].Text, "Dân quân") {
			militiaData = row[0].Data
		}
	}
	picked := f.press(dm(member), member, militiaData)
	mil := f.unit("dq-tra-co")
	wantReply(t, picked, vi(messages.KeySubscribed, mil.Name, mil.Code))
	if !f.subscribed(member.ID, "dq-tra-co") {
		t.Fatal("the button did not subscribe")
	}
	// The same button pressed by a stranger re-checks their rights.
	wantReply(t, f.press(dm(stranger), stranger, militiaData), vi(messages.KeySubscribeRestricted, mil.Name, mil.Code))

	// Odd input: unknown, too long, markup and zero-width characters.
	for _, q := range []string{"khong co", strings.Repeat("x", 500), "<b>tra</b>'; DROP TABLE units;--", "tra\u200bco"} {
		resp := f.say(dm(member), member, "/subscribe "+q)
		if len(resp.Replies) != 1 || !strings.HasPrefix(resp.Replies[0].Text, "Không tìm thấy đơn vị") {
			t.Fatalf("%q answered %+v", q, resp)
		}
		if strings.Contains(resp.Replies[0].Text, "<b>tra") {
			t.Fatalf("markup from the person was not escaped: %q", resp.Replies[0].Text)
		}
	}
	if n := len(f.r.Handle(context.Background(), Request{Kind: KindMessage, Chat: dm(member), From: member, Text: "/subscribe"}).Replies); n != 1 {
		t.Fatal("no usage for /subscribe without argument")
	}
}

func TestGroupSubscriptions(t *testing.T) {
	f := newDirFixture(t)
	grp := Chat{ID: -5005, Type: ChatGroup, Title: "Trà Cổ"}
	mil := f.unit("dq-tra-co")
	onlyAdmins := vi(messages.KeySubscribeGroupAdminOnly)
	// A group member who is no group admin cannot change what it follows.
	wantReply(t, f.say(grp, member, "/subscribe@loa_bot tuyengiao"), onlyAdmins)
	// A group admin who is a stranger: public yes, restricted no.
	f.admins.set(grp.ID, stranger.ID)
	tg := f.unit("tuyengiao")
	wantReply(t, f.say(grp, stranger, "/subscribe tuyengiao"), vi(messages.KeySubscribed, tg.Name, tg.Code))
	wantReply(t, f.say(grp, stranger, "/subscribe dq-tra-co"), vi(messages.KeySubscribeRestricted, mil.Name, mil.Code))
	// A group admin who is a member of the unit: yes.
	f.admins.set(grp.ID, member.ID)
	wantReply(t, f.say(grp, member, "/subscribe dq-tra-co"), vi(messages.KeySubscribed, mil.Name, mil.Code))
	// The unit's officer, not a group admin, may unsubscribe it; officer B may not.
	wantReply(t, f.say(grp, officerB, "/unsubscribe dq-tra-co"), onlyAdmins)
	wantReply(t, f.say(grp, officerA, "/unsubscribe dq-tra-co"), vi(messages.KeyUnsubscribed, mil.Name, mil.Code))
	if f.subscribed(grp.ID, "dq-tra-co") || !f.subscribed(grp.ID, "tuyengiao") {
		t.Fatal("group subscriptions are not what the commands said")
	}
	audit, err := f.db.AuditLog(context.Background(), 50)
	if err != nil || len(audit) == 0 {
		t.Fatalf("no audit rows: %v", err)
	}
}

func TestInvitesInChat(t *testing.T) {
	f := newDirFixture(t)
	resp := f.say(dm(officerA), officerA, "/invite dq-tra-co member 2 3")
	text := resp.Replies[0].Text
	i := strings.Index(text, "?start=")
	if i < 0 {
		t.Fatalf("no link in %q", text)
	}
	code := text[i+len("?start=") : i+len("?start=")+22]
	if !resp.Replies[0].NoPreview {
		t.Fatal("invite link shown with a preview")
	}
	// In a group the link would be read by everyone: refused.
	wantReply(t, f.say(Chat{ID: -77, Type: ChatGroup}, officerA, "/invite@loa_bot dq-tra-co"), vi(messages.KeyPrivateOnly, "invite"))
	for _, bad := range []string{"/invite", "/invite dq-tra-co admin", "/invite dq-tra-co member 0", "/invite dq-tra-co 5 9999", "/invite dq-tra-co member 1 2 3"} {
		wantReply(t, f.say(dm(officerA), officerA, bad), vi(messages.KeyInviteUsage))
	}
	mil := f.unit("dq-tra-co")
	wantReply(t, f.say(dm(stranger), stranger, "/start "+code), vi(messages.KeyInviteJoined, mil.Name, mil.Code, messages.HTML(vi(messages.KeyRoleMember))))
	if f.roleIn(stranger, "dq-tra-co") != storage.RoleMember || !f.subscribed(stranger.ID, "dq-tra-co") {
		t.Fatal("redeeming did not make a member following the unit")
	}
	// Officer B cannot revoke A's invite, and learns nothing of it.
	wantReply(t, f.say(dm(officerB), officerB, "/revoke "+code), vi(messages.KeyInviteNotFound, code))
	wantReply(t, f.say(dm(officerA), officerA, "/revoke https://t.me/loa_bot?start="+code), vi(messages.KeyInviteRevoked, code))
	wantReply(t, f.say(dm(officerB), officerB, "/start "+code), vi(messages.KeyInviteWasRevoked))
	wantReply(t, f.say(dm(officerB), officerB, "/start made-up-code_0123456789"), vi(messages.KeyInviteInvalid))
	wantReply(t, f.say(dm(officerB), officerB, "/start "+strings.Repeat("x", 65)), vi(messages.KeyInviteInvalid))
	wantReply(t, f.say(dm(officerB), officerB, "/start <b>"), vi(messages.KeyInviteInvalid))
	if f.roleIn(officerB, "dq-tra-co") != "" {
		t.Fatal("a failed redemption changed something")
	}
	// Expiry follows the injected clock.
	resp = f.say(dm(admin), admin, "/invite dq-tra-co officer 5 1")
	text = resp.Replies[0].Text
	i = strings.Index(text, "?start=")
	code = text[i+len("?start=") : i+len("?start=")+22]
	f.now = f.now.Add(25 * time.Hour)
	wantReply(t, f.say(dm(officerB), officerB, "/start "+code), vi(messages.KeyInviteExpired))
}

func TestPromoteAndDemote(t *testing.T) {
	f := newDirFixture(t)
	// By reply: make the member an officer of their unit.
	resp := f.send(Request{Kind: KindMessage, Chat: dm(admin), From: admin, Text: "/promote dq-tra-co", ReplyTo: &member})
	mil := f.unit("dq-tra-co")
	wantReply(t, resp, vi(messages.KeyPromotedOfficer, "Dân quân A", mil.Name, mil.Code))
	if f.roleIn(member, "dq-tra-co") != storage.RoleOfficer {
		t.Fatal("not promoted")
	}
	wantReply(t, f.say(dm(admin), admin, "/promote 999 admin"), vi(messages.KeyPromotedAdmin, "Người Lạ"))
	wantReply(t, f.say(dm(stranger), stranger, "/demote 999 admin"), vi(messages.KeyCannotDemoteSelf))
	wantReply(t, f.say(dm(admin), admin, "/demote 999 admin"), vi(messages.KeyDemotedAdmin, "Người Lạ"))
	wantReply(t, f.say(dm(admin), admin, "/demote 301 dq-tra-co"), vi(messages.KeyDemotedMember, "Dân quân A", mil.Name, mil.Code))
	wantReply(t, f.say(dm(admin), admin, "/demote 301 dq-tra-co"), vi(messages.KeyRemovedFromUnit, "Dân quân A", mil.Name, mil.Code))
	wantReply(t, f.say(dm(admin), admin, "/demote 301 dq-tra-co"), vi(messages.KeyNotInUnit, "Dân quân A", mil.Name, mil.Code))
	// Replying to nobody and giving no id.
	wantReply(t, f.say(dm(admin), admin, "/promote admin"), vi(messages.KeyNeedTarget))
	wantReply(t, f.say(dm(admin), admin, "/promote -5 admin"), vi(messages.KeyNeedTarget))
	// An officer is no admin: /promote is refused.
	wantReply(t, f.say(dm(officerA), officerA, "/promote 301 dq-tra-co"), vi(messages.KeyNotAllowed))
	entries, err := f.db.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	byAdmin := 0
	for _, e := range entries {
		if e.ActorID == admin.ID {
			byAdmin++
		}
	}
	if byAdmin < 5 {
		t.Fatalf("only %d audit rows by the admin", byAdmin)
	}
}

func TestMeAndUnits(t *testing.T) {
	f := newDirFixture(t)
	me := f.say(dm(member), member, "/me").Replies[0].Text
	if !strings.Contains(me, "dq-tra-co") || strings.Contains(me, "dq-hai-xuan") {
		t.Fatalf("/me = %q", me)
	}
	f.say(dm(member), member, "/subscribe tuyengiao")
	list := f.say(dm(member), member, "/units").Replies[0].Text
	if !strings.Contains(list, "✅ Ban Tuyên giáo Thành ủy") || !strings.Contains(list, "🔒 Dân quân phường Hải Xuân") || strings.Contains(list, "🔒 Dân quân phường Trà Cổ") {
		t.Fatalf("/units marks are wrong:\n%s", list)
	}
	if n := messages.Length(list); n > messages.MaxMessageLength {
		t.Fatalf("/units is %d characters", n)
	}
}
