package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Every button checks the presser's rights as they are at the press: the
// tests below make a button while the presser may use it, take the right
// away, press, and check that the press is refused and nothing changed.

func (f *dirFixture) demote(u User, code string) {
	f.t.Helper()
	f.setRole(u, code, storage.RoleMember)
}

func (f *dirFixture) remove(u User, code string) {
	f.t.Helper()
	if err := f.db.RemoveMembership(context.Background(), admin.ID, u.ID, f.unit(code).ID); err != nil {
		f.t.Fatal(err)
	}
}

func refusedToast(t *testing.T, what string, resp Response, want messages.Key) {
	t.Helper()
	if resp.CallbackText != messages.Plain(messages.Vietnamese, want) || len(resp.Replies) != 0 {
		t.Errorf("%s: answered %+v, want the toast %q and no message", what, resp, want)
	}
}

func TestSendChecksRightsAtThePress(t *testing.T) {
	f := newDirFixture(t)
	eng := withBroadcasts(t, f)
	ctx := context.Background()
	f.say(dm(member), member, "/subscribe dq-tra-co")

	preview := func(u User, text string) (string, int64) {
		t.Helper()
		resp := f.say(dm(u), u, text)
		if len(resp.Replies) != 1 || len(resp.Replies[0].Buttons) == 0 {
			t.Fatalf("%s: %+v", text, resp)
		}
		list, err := eng.Recent(ctx, 1)
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		return buttonData(t, resp.Replies[0], ":send"), list[0].ID
	}
	stillDraft := func(id int64) {
		t.Helper()
		if s, err := eng.Broadcast(ctx, id); err != nil || s.State != delivery.StateDraft || s.Total != 0 {
			t.Errorf("broadcast #%d after a refused Send: %+v, %v", id, s, err)
		}
	}

	// The officer writes, is stepped down, presses Send: nothing goes out.
	send, id := preview(officerA, "/broadcast dq-tra-co Họp lúc 7h")
	f.demote(officerA, "dq-tra-co")
	refusedToast(t, "a demoted author's Send", f.press(dm(officerA), officerA, send), messages.KeyBroadcastNoLongerAllowed)
	stillDraft(id)
	// Given the role back, the same button works.
	f.setRole(officerA, "dq-tra-co", storage.RoleOfficer)
	if resp := f.press(dm(officerA), officerA, send); len(resp.Replies) != 1 {
		t.Fatalf("Send after the role came back: %+v", resp)
	}

	// An admin's "all", pressed after the admin role was taken away.
	if err := f.db.SetUserRole(ctx, storage.SystemActor, officerB.ID, storage.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	send, id = preview(officerB, "/broadcast all Họp toàn thành phố")
	if err := f.db.SetUserRole(ctx, admin.ID, officerB.ID, storage.RoleNone); err != nil {
		t.Fatal(err)
	}
	refusedToast(t, "a former admin's Send to all", f.press(dm(officerB), officerB, send), messages.KeyBroadcastNoLongerAllowed)
	stillDraft(id)

	// Removed from the unit altogether.
	send, id = preview(officerA, "/broadcast dq-tra-co Họp lúc 8h")
	f.remove(officerA, "dq-tra-co")
	refusedToast(t, "a removed author's Send", f.press(dm(officerA), officerA, send), messages.KeyBroadcastNoLongerAllowed)
	stillDraft(id)
}

func TestJoinButtonsCheckRightsAtThePress(t *testing.T) {
	f := newDirFixture(t)
	resp := f.say(dm(stranger), stranger, "/join dq-tra-co")
	var approve string
	for _, r := range resp.Replies {
		if r.ChatID == officerA.ID {
			approve = r.Buttons[0][0].Data
		}
	}
	if approve == "" {
		t.Fatalf("officer A got no buttons: %+v", resp)
	}
	f.demote(officerA, "dq-tra-co")
	for _, data := range []string{approve, strings.TrimSuffix(approve, "a") + "r"} {
		refusedToast(t, "a demoted officer's "+data, f.press(dm(officerA), officerA, data), messages.KeyNotAllowedShort)
	}
	if f.roleIn(stranger, "dq-tra-co") != "" {
		t.Fatal("a demoted officer let the stranger in")
	}
	pending, err := f.db.PendingJoinRequests(context.Background(), nil)
	if err != nil || len(pending) != 1 {
		t.Fatalf("the request is no longer pending: %+v, %v", pending, err)
	}
}

func TestPickButtonsCheckRightsAtThePress(t *testing.T) {
	f := newDirFixture(t)
	unit := fmt.Sprint(f.unit("dq-tra-co").ID)
	// "/members" offered as a choice, pressed after the officer was stepped down.
	f.demote(officerA, "dq-tra-co")
	refusedToast(t, "a demoted officer's pick:members", f.press(dm(officerA), officerA, "pick:members:"+unit), messages.KeyNotAllowedShort)
	// A member removed from a restricted unit may no longer follow it.
	f.remove(member, "dq-tra-co")
	resp := f.press(dm(member), member, "pick:subscribe:"+unit)
	wantReply(t, resp, vi(messages.KeySubscribeRestricted, f.unit("dq-tra-co").Name, "dq-tra-co"))
	if f.subscribed(member.ID, "dq-tra-co") {
		t.Error("a removed member subscribed through a button")
	}
	// In a group, someone who is neither the group's admin nor the unit's
	// officer presses a choice made for somebody else.
	group := Chat{ID: -1001, Type: ChatSupergroup, Title: "Nhóm"}
	resp = f.press(group, stranger, "pick:subscribe:"+fmt.Sprint(f.unit("tuyengiao").ID))
	wantReply(t, resp, vi(messages.KeySubscribeGroupAdminOnly))
	if f.subscribed(group.ID, "tuyengiao") {
		t.Error("a stranger changed what the group follows")
	}
}

func TestTaskButtonsCheckRightsAtThePress(t *testing.T) {
	f := newTaskFixture(t)
	covid := fmt.Sprint(f.ids["covid-19"])
	f.demote(officerA, "dq-tra-co")
	refusedToast(t, "a demoted officer's Done", f.press(dm(officerA), officerA, "tk:d:"+covid+":20211210"), messages.KeyNotAllowedShort)
	refusedToast(t, "a demoted officer's In progress", f.press(dm(officerA), officerA, "tk:p:"+covid+":20211210"), messages.KeyNotAllowedShort)
	if s := f.occurrence("covid-19", "10/12/2021"); s.Status != storage.TaskNotStarted {
		t.Errorf("a demoted officer's press changed the task: %+v", s)
	}
	// Removed from the unit, they no longer even see it.
	f.remove(officerA, "dq-tra-co")
	refusedToast(t, "a removed officer's Open", f.press(dm(officerA), officerA, "tk:o:"+covid), messages.KeyTaskNotFoundToast)
}

func TestLatestButtonChecksRightsAtThePress(t *testing.T) {
	f := newArticlesFixture(t)
	more := "latest:3:" + fmt.Sprint(f.unit("dq-tra-co").ID) + ":0"
	if resp := f.press(dm(member), member, more); len(resp.Replies) != 1 || !strings.Contains(resp.Replies[0].Text, "tuần tra mật") {
		t.Fatalf("a member's More: %+v", resp)
	}
	f.remove(member, "dq-tra-co")
	refusedToast(t, "a removed member's More", f.press(dm(member), member, more), messages.KeyButtonExpired)
}

// TestInviteOfDemotedOfficerAdmitsNobody: the invite an officer made before
// being stepped down no longer makes a stranger an officer, who could
// otherwise make more officer invites.
func TestInviteOfDemotedOfficerAdmitsNobody(t *testing.T) {
	f := newDirFixture(t)
	resp := f.say(dm(officerA), officerA, "/invite dq-tra-co officer")
	text := resp.Replies[0].Text
	i := strings.Index(text, "?start=")
	if i < 0 {
		t.Fatalf("no link in %q", text)
	}
	code := text[i+len("?start=") : i+len("?start=")+22]
	f.demote(officerA, "dq-tra-co")
	wantReply(t, f.say(dm(stranger), stranger, "/start "+code), vi(messages.KeyInviteWasRevoked))
	if role := f.roleIn(stranger, "dq-tra-co"); role != "" {
		t.Fatalf("the stranger became %s", role)
	}
	wantReply(t, f.say(dm(officerA), officerA, "/invite dq-tra-co officer"), vi(messages.KeyNotAllowed))
	log, err := f.db.AuditLog(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log {
		found = found || (e.Action == storage.AuditInviteRevoke && e.ActorID == admin.ID && strings.Contains(e.Detail, "may no longer invite"))
	}
	if !found {
		t.Errorf("no audit row for the revoked invite: %+v", log)
	}
}

func TestJoinLimits(t *testing.T) {
	f := newDirFixture(t)
	units := []string{"dq-hai-xuan", "dq-ka-long", "dq-tran-phu", "dq-hoa-lac"}
	for _, code := range units[:storage.MaxPendingJoins] {
		u := f.unit(code)
		wantReply(t, f.say(dm(stranger), stranger, "/join "+code), vi(messages.KeyJoinRequested, u.Name, code))
	}
	// Asking the same unit again finds the first request.
	u := f.unit(units[0])
	wantReply(t, f.say(dm(stranger), stranger, "/join "+units[0]), vi(messages.KeyJoinAlreadyRequested, u.Name, units[0]))
	// One more unit is over the cap; nobody is bothered.
	resp := f.say(dm(stranger), stranger, "/join "+units[storage.MaxPendingJoins])
	wantReply(t, resp, vi(messages.KeyJoinTooMany, storage.MaxPendingJoins))
	if len(resp.Replies) != 1 {
		t.Errorf("approvers were asked over the cap: %+v", resp.Replies)
	}

	// Refused, the stranger may not ask the same unit again for a day.
	pending, err := f.db.PendingJoinRequests(context.Background(), []int64{u.ID})
	if err != nil || len(pending) != 1 {
		t.Fatal(pending, err)
	}
	f.press(dm(officerB), officerB, fmt.Sprintf("jr:%d:r", pending[0].ID))
	refusedAt := f.now
	f.now = f.now.Add(storage.JoinCooldown - time.Minute)
	resp = f.say(dm(stranger), stranger, "/join "+units[0])
	wantReply(t, resp, vi(messages.KeyJoinCooldown, u.Name, units[0], messages.DateTime(refusedAt.Add(storage.JoinCooldown), time.UTC)))
	if len(resp.Replies) != 1 {
		t.Errorf("approvers were asked during the cooldown: %+v", resp.Replies)
	}
	f.now = refusedAt.Add(storage.JoinCooldown)
	wantReply(t, f.say(dm(stranger), stranger, "/join "+units[0]), vi(messages.KeyJoinRequested, u.Name, units[0]))
}

func TestMembersOnlyInPrivate(t *testing.T) {
	f := newDirFixture(t)
	group := Chat{ID: -1002, Type: ChatSupergroup, Title: "Dân quân Trà Cổ"}
	for _, u := range []User{officerA, admin} {
		resp := f.say(group, u, "/members dq-tra-co")
		wantReply(t, resp, vi(messages.KeyPrivateOnly, "members"))
		if strings.Contains(resp.Replies[0].Text, member.FirstName) || strings.Contains(resp.Replies[0].Text, fmt.Sprint(member.ID)) {
			t.Errorf("/members in a group listed people: %q", resp.Replies[0].Text)
		}
	}
	resp := f.press(group, officerA, "pick:members:"+fmt.Sprint(f.unit("dq-tra-co").ID))
	wantReply(t, resp, vi(messages.KeyPrivateOnly, "members"))
	if text := f.say(dm(officerA), officerA, "/members dq-tra-co").Replies[0].Text; !strings.Contains(text, member.FirstName) {
		t.Errorf("/members in private: %q", text)
	}
}

func TestBroadcastOfInvisibleTextIsRefused(t *testing.T) {
	f := newDirFixture(t)
	eng := withBroadcasts(t, f)
	f.say(dm(member), member, "/subscribe dq-tra-co")
	for _, blank := range []string{"\u200b", "\u3164\u3164", "\u2800 \u200d\u2060\ufeff", "\u00ad\u180e\u115f\u1160\uffa0"} {
		wantReply(t, f.say(dm(admin), admin, "/broadcast dq-tra-co "+blank), vi(messages.KeyBroadcastNothingToRead))
	}
	if list, _ := eng.Recent(context.Background(), 10); len(list) != 0 {
		t.Fatalf("invisible broadcasts were stored: %+v", list)
	}
	if resp := f.say(dm(admin), admin, "/broadcast dq-tra-co \u200bHọp\u200b"); len(resp.Replies[0].Buttons) == 0 {
		t.Errorf("a readable text among fillers was refused: %+v", resp)
	}
}

func TestFloodLimit(t *testing.T) {
	f := newDirFixture(t)
	member := User{ID: 601, FirstName: "Người", LastName: "Vội", LanguageCode: "vi"}
	presser := User{ID: 602, FirstName: "Người", LastName: "Bấm", LanguageCode: "vi"}
	start := f.now
	for i := range FloodLimit {
		if resp := f.say(dm(member), member, "/me"); len(resp.Replies) != 1 || strings.Contains(resp.Replies[0].Text, "quá nhanh") {
			t.Fatalf("command %d of %d: %+v", i+1, FloodLimit, resp)
		}
		f.now = f.now.Add(time.Second)
	}
	// The first over the limit: one polite answer with the wait.
	wait := int(start.Add(FloodWindow).Sub(f.now) / time.Second)
	wantReply(t, f.say(dm(member), member, "/me"), vi(messages.KeySlowDown, wait))
	// Then silence, for messages and buttons alike.
	for range 10 {
		if resp := f.say(dm(member), member, "/me"); len(resp.Replies) != 0 {
			t.Fatalf("a flooded command was answered: %+v", resp)
		}
		if resp := f.press(dm(member), member, "latest:5:0:0"); len(resp.Replies) != 0 || resp.CallbackText != "" {
			t.Fatalf("a flooded press was answered: %+v", resp)
		}
	}
	// Somebody else is not affected.
	if resp := f.say(dm(stranger), stranger, "/me"); len(resp.Replies) != 1 || strings.Contains(resp.Replies[0].Text, "quá nhanh") {
		t.Fatalf("another person was limited: %+v", resp)
	}
	// Talk among people in a group does not count.
	group := Chat{ID: -1003, Type: ChatSupergroup, Title: "Nhóm"}
	for range 3 * FloodLimit {
		f.say(group, stranger, "chào mọi người")
	}
	if resp := f.say(dm(stranger), stranger, "/me"); len(resp.Replies) != 1 || strings.Contains(resp.Replies[0].Text, "quá nhanh") {
		t.Fatalf("group talk counted: %+v", resp)
	}
	// Once the oldest command is a window old, there is room again.
	f.now = start.Add(FloodWindow)
	if resp := f.say(dm(member), member, "/me"); len(resp.Replies) != 1 || strings.Contains(resp.Replies[0].Text, "quá nhanh") {
		t.Fatalf("after the window: %+v", resp)
	}
	// A button is warned with a toast.
	for range FloodLimit {
		f.press(dm(presser), presser, "latest:5:0:0")
	}
	if resp := f.press(dm(presser), presser, "latest:5:0:0"); !resp.CallbackAlert || !strings.Contains(resp.CallbackText, "quá nhanh") {
		t.Fatalf("the first press over the limit: %+v", resp)
	}
}
