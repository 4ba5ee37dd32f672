package bot_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
	"github.com/loabot/loa/units"
)

var inviteLink = regexp.MustCompile(`https://t\.me/loa_bot\?start=([A-Za-z0-9_-]+)`)

func importUnits(t *testing.T, db *storage.DB) {
	t.Helper()
	if _, err := units.Import(context.Background(), db, "../examples/mongcai/units.yaml", storage.SystemActor); err != nil {
		t.Fatal(err)
	}
}

// ask sends text and returns the bot's next reply in that chat.
func ask(t *testing.T, emu *emulator.Server, chat emulator.Chat, from emulator.User, text string) emulator.Message {
	t.Helper()
	before := len(emu.Messages(chat.ID))
	emu.SendText(chat, from, text)
	msgs := waitN(t, emu, chat.ID, before+1)
	return msgs[before]
}

func TestInviteFlowEndToEnd(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	importUnits(t, db)
	ctx := context.Background()
	chief := emulator.User{ID: 9100, FirstName: "Chỉ huy", LanguageCode: "vi"}
	if err := db.EnsureAdmins(ctx, []int64{chief.ID}); err != nil {
		t.Fatal(err)
	}
	start(t, emu, db, setup{})
	chiefDM := emulator.PrivateChat(chief)

	link := func() string {
		m := ask(t, emu, chiefDM, chief, "/invite dq-tra-co")
		found := inviteLink.FindStringSubmatch(m.Text)
		if found == nil {
			t.Fatalf("no invite link in %q", m.Text)
		}
		return found[1]
	}
	code := link()

	first := emulator.User{ID: 9201, FirstName: "Mới", LastName: "Một", LanguageCode: "vi"}
	second := emulator.User{ID: 9202, FirstName: "Mới", LastName: "Hai", LanguageCode: "vi"}
	if m := ask(t, emu, emulator.PrivateChat(first), first, "/start "+code); !strings.Contains(m.Text, "Chào mừng") {
		t.Fatalf("the stranger was not welcomed: %q", m.Text)
	}
	ms, err := db.Memberships(ctx, first.ID)
	if err != nil || len(ms) != 1 || ms[0].Role != storage.RoleMember {
		t.Fatalf("memberships after joining: %+v %v", ms, err)
	}
	unit, _ := db.UnitByCode(ctx, "dq-tra-co")
	reached, err := db.ChatsReached(ctx, []int64{unit.ID})
	if err != nil || !slices.Contains(reached, first.ID) {
		t.Fatalf("the joiner's chat does not follow the unit: %v %v", reached, err)
	}
	if m := ask(t, emu, emulator.PrivateChat(second), second, "/start "+code); !strings.Contains(m.Text, "hết lượt dùng") {
		t.Fatalf("a single-use link worked twice: %q", m.Text)
	}

	// Expired: an invite whose time is over.
	expired := storage.NewInviteCode()
	if err := db.CreateInvite(ctx, storage.Invite{Code: expired, UnitID: unit.ID, Role: storage.RoleMember, MaxUses: 5,
		ExpiresAt: time.Now().Add(-time.Minute), CreatedBy: chief.ID}); err != nil {
		t.Fatal(err)
	}
	if m := ask(t, emu, emulator.PrivateChat(second), second, "/start "+expired); !strings.Contains(m.Text, "hết hạn") {
		t.Fatalf("an expired link worked: %q", m.Text)
	}

	// Revoked.
	revoked := link()
	if m := ask(t, emu, chiefDM, chief, "/revoke "+revoked); !strings.Contains(m.Text, "thu hồi") {
		t.Fatalf("revoke answered %q", m.Text)
	}
	if m := ask(t, emu, emulator.PrivateChat(second), second, "/start "+revoked); !strings.Contains(m.Text, "thu hồi") {
		t.Fatalf("a revoked link worked: %q", m.Text)
	}
	if ms, _ := db.Memberships(ctx, second.ID); len(ms) != 0 {
		t.Fatalf("failed links changed memberships: %+v", ms)
	}
	for _, e := range emu.Errors() {
		t.Errorf("API error: %+v", e)
	}
}

func TestChatLifeEndToEnd(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	importUnits(t, db)
	ctx := context.Background()
	r := start(t, emu, db, setup{})

	leader := emulator.User{ID: 9300, FirstName: "Trưởng", LastName: "Nhóm", LanguageCode: "vi"}
	grp := emulator.Group(-9301, "Dân quân Trà Cổ")
	emu.BotAdded(grp, leader)
	if m := waitN(t, emu, grp.ID, 1); !strings.Contains(m[0].Text, "Dân quân Trà Cổ") {
		t.Fatalf("no greeting on being added: %q", m[0].Text)
	}
	emu.SetMember(grp.ID, leader.ID, emulator.StatusAdministrator)
	if m := ask(t, emu, grp, leader, "/subscribe@loa_bot tuyengiao"); !strings.Contains(m.Text, "Đã theo dõi") {
		t.Fatalf("group admin could not subscribe: %q", m.Text)
	}
	other := emulator.User{ID: 9302, FirstName: "Thành viên", LanguageCode: "vi"}
	emu.SetMember(grp.ID, other.ID, emulator.StatusMember)
	if m := ask(t, emu, grp, other, "/subscribe@loa_bot chqs"); !strings.Contains(m.Text, "quản trị viên nhóm") {
		t.Fatalf("a plain group member changed subscriptions: %q", m.Text)
	}

	// The group becomes a supergroup: its subscriptions follow the new id.
	const superID = -1001000009301
	emu.Migrate(grp.ID, superID)
	tg, _ := db.UnitByCode(ctx, "tuyengiao")
	deadline := time.Now().Add(10 * time.Second)
	for {
		reached, err := db.ChatsReached(ctx, []int64{tg.ID})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(reached, superID) && !slices.Contains(reached, grp.ID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after migration the unit reaches %v\n%s", reached, r.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Removed from the supergroup: marked left, no longer reached.
	sup := emulator.Supergroup(superID, "Dân quân Trà Cổ")
	emu.BotRemoved(sup, leader)
	settle(t, emu, db)
	c, err := db.Chat(ctx, superID)
	if err != nil || c.Status != storage.ChatLeft {
		t.Fatalf("after removal: %+v %v", c, err)
	}
	if reached, _ := db.ChatsReached(ctx, []int64{tg.ID}); slices.Contains(reached, superID) {
		t.Fatal("a chat the bot left is still reached")
	}
	for _, e := range emu.Errors() {
		t.Errorf("API error: %+v", e)
	}
}
