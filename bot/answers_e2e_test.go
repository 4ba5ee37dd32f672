package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// TestDrillCallAnswersCountedPerUnitAndChased is acceptance 2: 200
// members across 3 units; half answer, a few change their answer, one
// presses twice, a non-member presses. The counts per unit are exact, the
// list of those who have not answered names exactly the others, "Nhắc
// lại" reaches exactly them (those Loa can reach privately), once; a
// member of another unit, a stranger and a forged callback neither
// record an answer nor read the list.
func TestDrillCallAnswersCountedPerUnitAndChased(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	importUnits(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
	client := bot.NewClient(emu.URL(), emu.Token(), 5*time.Second)
	engine, err := delivery.New(delivery.Config{
		Store: db, Limiter: delivery.NewLimiter(0), Logger: log, Sender: bot.NewSender(client, false, 8),
		StatusEvery: 100 * time.Millisecond, PollEvery: 20 * time.Millisecond, Metrics: prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- engine.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	router := handlers.NewRouter(handlers.Config{
		Store: db, Directory: db, Broadcasts: engine, ChatAdmins: client, BotUsername: "loa_bot",
		Lang: messages.Vietnamese, Logger: log,
	})
	start(t, emu, db, setup{handler: router, workers: 8})

	chief := emulator.User{ID: 9600, FirstName: "Chỉ huy", LanguageCode: "vi"}
	chiefDM := emulator.PrivateChat(chief)
	if err := db.EnsureAdmins(ctx, []int64{chief.ID}); err != nil {
		t.Fatal(err)
	}
	codes := []string{"dq-tran-phu", "dq-hoa-lac", "dq-ninh-duong"}
	sizes := []int{70, 70, 60}
	unitOf := map[int64]string{}
	var members []emulator.User
	// The third unit's last 20 follow through a group only: no private
	// chat with Loa, so no reminder can reach them.
	group := emulator.Group(-9690, "Dân quân Ninh Dương")
	emu.AddChat(group)
	ninh, _ := db.UnitByCode(ctx, codes[2])
	if err := db.UpsertChat(ctx, storage.Chat{ID: group.ID, Type: "group", Title: group.Title}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, storage.SystemActor, group.ID, ninh.ID); err != nil {
		t.Fatal(err)
	}
	groupOnly := map[int64]bool{}
	for ui, code := range codes {
		unit, err := db.UnitByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for i := range sizes[ui] {
			u := emulator.User{ID: int64(100000 + ui*1000 + i), FirstName: fmt.Sprintf("DQ%d-%03d", ui+1, i), LanguageCode: "vi"}
			members = append(members, u)
			unitOf[u.ID] = code
			if err := db.UpsertUser(ctx, storage.User{ID: u.ID, FirstName: u.FirstName}); err != nil {
				t.Fatal(err)
			}
			if err := db.SetMembership(ctx, storage.SystemActor, u.ID, unit.ID, storage.RoleMember); err != nil {
				t.Fatal(err)
			}
			if ui == 2 && i >= 40 {
				groupOnly[u.ID] = true
				emu.SetMember(group.ID, u.ID, emulator.StatusMember)
				continue
			}
			emu.AddChat(emulator.PrivateChat(u))
			if err := db.UpsertChat(ctx, storage.Chat{ID: u.ID, Type: "private", Title: u.FirstName}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Subscribe(ctx, storage.SystemActor, u.ID, unit.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A member of a unit the call does not reach, in the group too; and a
	// stranger with a private chat.
	other := emulator.User{ID: 9700, FirstName: "Người", LastName: "Đơn vị khác", LanguageCode: "vi"}
	otherUnit, _ := db.UnitByCode(ctx, "dq-hai-yen")
	if err := db.UpsertUser(ctx, storage.User{ID: other.ID, FirstName: other.FirstName}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMembership(ctx, storage.SystemActor, other.ID, otherUnit.ID, storage.RoleMember); err != nil {
		t.Fatal(err)
	}
	emu.SetMember(group.ID, other.ID, emulator.StatusMember)
	stranger := emulator.User{ID: 9701, FirstName: "Người", LastName: "Lạ", LanguageCode: "vi"}
	emu.AddChat(emulator.PrivateChat(stranger))

	// The drill call, with its answers, to the three units.
	emu.SendText(chiefDM, chief, "/broadcast "+strings.Join(codes, " ")+" ? Có mặt | Vắng mặt | Đến muộn ? Diễn tập phòng thủ: tập trung 7h00 tại sân UBND.")
	preview := waitN(t, emu, chiefDM.ID, 1)[0]
	var send string
	for _, row := range preview.InlineKeyboard {
		for _, b := range row {
			if strings.HasSuffix(b.Value, ":send") {
				send = b.Value
			}
		}
	}
	if !strings.Contains(preview.Text, "Có mặt | Vắng mặt | Đến muộn") || send == "" {
		t.Fatalf("preview %q", preview.Text)
	}
	id, _ := strconv.ParseInt(strings.Split(send, ":")[1], 10, 64)
	emu.PressButton(chiefDM, chief, preview.MessageID, send)
	copyIn := func(chat int64) emulator.Message {
		t.Helper()
		return waitN(t, emu, chat, 1)[0]
	}
	for _, m := range members {
		if !groupOnly[m.ID] {
			copyIn(m.ID)
		}
	}
	groupCopy := copyIn(group.ID)
	ans := func(i int) string { return delivery.AnswerData(id, i) }

	// Half answer: the first 35/35/30 of each unit; those in the group
	// press there, each for themself.
	answered := map[int64]int{}
	press := func(u emulator.User, i int) {
		chat, msg := emulator.PrivateChat(u), 0
		if groupOnly[u.ID] {
			chat, msg = group, groupCopy.MessageID
		} else {
			msg = copyIn(u.ID).MessageID
		}
		emu.PressButton(chat, u, msg, ans(i))
	}
	for _, m := range members {
		n := m.ID % 1000
		half := int64(sizes[indexOf(codes, unitOf[m.ID])] / 2)
		if unitOf[m.ID] == codes[2] {
			// In the third unit, half of those in the group answer too.
			if !(n < 20 || (n >= 40 && n < 50)) {
				continue
			}
		} else if n >= half {
			continue
		}
		i := int(n % 3)
		press(m, i)
		answered[m.ID] = i
	}
	if len(answered) != 100 {
		t.Fatalf("set up %d answers, want 100", len(answered))
	}
	// A few change their answer; one presses the same answer twice.
	changers := []emulator.User{members[0], members[1], members[71], members[140], members[181]}
	for _, u := range changers {
		answered[u.ID] = (answered[u.ID] + 1) % 3
		press(u, answered[u.ID])
	}
	press(members[2], answered[members[2].ID])
	// Not recorded: a member of another unit and a non-member pressing in
	// the group, and forged presses: a real button's data under a message
	// that is no copy of the call, and under the stranger's own chat.
	emu.PressButton(group, other, groupCopy.MessageID, ans(0))
	outsider := emulator.User{ID: 9702, FirstName: "Khách", LanguageCode: "vi"}
	emu.SetMember(group.ID, outsider.ID, emulator.StatusMember)
	emu.PressButton(group, outsider, groupCopy.MessageID, ans(1))
	forged := func(chat emulator.Chat, from emulator.User, msg int, data string) {
		emu.PushRaw(fmt.Sprintf(`{"callback_query":{"id":"forged-%d-%d","from":{"id":%d,"is_bot":false,"first_name":%q},"chat_instance":"1",
			"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"%s"}},"data":%q}}`, from.ID, msg, from.ID, from.FirstName, msg, chat.ID, chat.Type, data))
	}
	forged(emulator.PrivateChat(stranger), stranger, 1, ans(0))
	unanswered := members[69] // a member who has not answered, forging under a message that is no copy
	forged(emulator.PrivateChat(unanswered), unanswered, 999, ans(2))
	forged(emulator.PrivateChat(unanswered), unanswered, copyIn(unanswered.ID).MessageID, delivery.AnswerData(id+1, 0))
	settle(t, emu, db)

	// Counts per unit, exact.
	board, err := engine.AnswerBoard(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for ui, code := range codes {
		want := make([]int, 3)
		n := 0
		for u, a := range answered {
			if unitOf[u] == code {
				want[a]++
				n++
			}
		}
		var got storage.UnitAnswers
		for _, row := range board {
			if row.UnitID == mustUnit(t, db, code) {
				got = row
			}
		}
		if got.Members != sizes[ui] || fmt.Sprint(got.Answers) != fmt.Sprint(want) {
			t.Errorf("%s: members %d answers %v, want %d %v", code, got.Members, got.Answers, sizes[ui], want)
		}
	}
	// The author's status message shows them, edited in place.
	waitUntil(t, "the status shows the answers", func() bool {
		for _, m := range emu.Messages(chiefDM.ID) {
			if strings.Contains(m.Text, "Trả lời: 100/200 người") {
				return true
			}
		}
		return false
	})
	var status emulator.Message
	for _, m := range emu.Messages(chiefDM.ID) {
		if strings.Contains(m.Text, "Trả lời: 100/200") {
			status = m
		}
	}

	// The list names exactly those who have not answered.
	before := len(emu.Messages(chiefDM.ID))
	emu.PressButton(chiefDM, chief, status.MessageID, "bc:"+strconv.FormatInt(id, 10)+":acks")
	list := waitN(t, emu, chiefDM.ID, before+1)[before].Text
	for _, m := range members {
		_, did := answered[m.ID]
		if strings.Contains(list, m.FirstName) == did {
			t.Errorf("%s (answered %v) in the list: %v\n%s", m.FirstName, did, !did, list)
		}
	}
	// Neither a member of another unit nor a stranger reads it.
	for _, u := range []emulator.User{members[3], stranger} {
		n := len(emu.Messages(u.ID))
		emu.SendText(emulator.PrivateChat(u), u, "/acks "+strconv.FormatInt(id, 10))
		settle(t, emu, db)
		for _, m := range emu.Messages(u.ID)[n:] {
			if strings.Contains(m.Text, "DQ") {
				t.Errorf("%s read the list: %q", u.FirstName, m.Text)
			}
		}
	}

	// "Nhắc lại": exactly the others Loa can reach privately, once each,
	// as a reply to their copy.
	counts := map[int64]int{}
	for _, m := range members {
		if !groupOnly[m.ID] {
			counts[m.ID] = len(emu.Messages(m.ID))
		}
	}
	remind := "bc:" + strconv.FormatInt(id, 10) + ":remind"
	emu.PressButton(chiefDM, chief, status.MessageID, remind)
	wantReminded := 0
	for _, m := range members {
		if _, did := answered[m.ID]; !did && !groupOnly[m.ID] {
			wantReminded++
			got := waitN(t, emu, m.ID, counts[m.ID]+1)[counts[m.ID]]
			if got.ReplyToMessageID != copyIn(m.ID).MessageID || got.InlineKeyboard == nil {
				t.Errorf("reminder to %s: %+v", m.FirstName, got)
			}
		}
	}
	emu.PressButton(chiefDM, chief, status.MessageID, remind) // again: nobody twice
	settle(t, emu, db)
	time.Sleep(300 * time.Millisecond)
	reminded := 0
	for _, m := range members {
		if groupOnly[m.ID] {
			continue
		}
		extra := len(emu.Messages(m.ID)) - counts[m.ID]
		_, did := answered[m.ID]
		switch {
		case did && extra != 0:
			t.Errorf("%s answered but got %d more messages", m.FirstName, extra)
		case !did && extra != 1:
			t.Errorf("%s got %d reminders, want 1", m.FirstName, extra)
		}
		reminded += extra
	}
	if reminded != wantReminded || wantReminded != 100-20+10 {
		t.Errorf("reminded %d, want %d", reminded, wantReminded)
	}
	// An answer under the reminder counts; the reminder of someone else
	// does not take another's answer.
	late := members[60]
	reminder := emu.Messages(late.ID)[counts[late.ID]]
	emu.PressButton(emulator.PrivateChat(late), late, reminder.MessageID, ans(2))
	forged(emulator.PrivateChat(late), members[61], reminder.MessageID, ans(2))
	settle(t, emu, db)
	un, err := engine.Unanswered(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range un {
		if u.UserID == late.ID {
			t.Errorf("the answer under the reminder was not recorded")
		}
	}
	if len(un) != 99 {
		t.Errorf("%d have not answered after one answered the reminder, want 99", len(un))
	}
	// Nobody outside the author's circle can remind.
	n := len(emu.Messages(members[5].ID))
	forged(emulator.PrivateChat(members[5]), members[5], copyIn(members[5].ID).MessageID, remind)
	settle(t, emu, db)
	if got := len(emu.Messages(members[5].ID)); got != n {
		t.Errorf("a member's forged Nhắc lại was answered with %d messages", got-n)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func mustUnit(t *testing.T, db *storage.DB, code string) int64 {
	t.Helper()
	u, err := db.UnitByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
