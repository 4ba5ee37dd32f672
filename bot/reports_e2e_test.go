package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// reportLoa is Loa with reports on and its delivery engine dispatching
// into the emulator, as main wires them.
func reportLoa(t *testing.T, emu *emulator.Server, db *storage.DB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	client := bot.NewClient(emu.URL(), emu.Token(), 5*time.Second)
	me, err := client.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := delivery.New(delivery.Config{
		Store: db, Sender: bot.NewSender(client, false, 4), PollEvery: 20 * time.Millisecond,
		LockRetry: 100 * time.Millisecond, StatusEvery: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	router := handlers.NewRouter(handlers.Config{
		Store: db, Directory: db, Broadcasts: eng, Reports: db, ReportDelivery: eng,
		ChatAdmins: client, BotUsername: me.UserName, Lang: messages.Vietnamese,
	})
	start(t, emu, db, setup{handler: router})
}

// waitText waits until chatID has a message containing want and returns
// the last such message.
func waitText(t *testing.T, emu *emulator.Server, chatID int64, want string) emulator.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs := emu.Messages(chatID)
		for i := len(msgs) - 1; i >= 0; i-- {
			if strings.Contains(msgs[i].Text, want) {
				return msgs[i]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var got []string
	for _, m := range emu.Messages(chatID) {
		got = append(got, m.Text)
	}
	t.Fatalf("chat %d never got %q; it has:\n%s", chatID, want, strings.Join(got, "\n---\n"))
	return emulator.Message{}
}

func countText(emu *emulator.Server, chatID int64, want string) int {
	n := 0
	for _, m := range emu.Messages(chatID) {
		if strings.Contains(m.Text, want) {
			n++
		}
	}
	return n
}

func buttonData(t *testing.T, m emulator.Message, prefix string) string {
	t.Helper()
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData(), prefix) {
				return b.CallbackData()
			}
		}
	}
	t.Fatalf("no button %s… under %q", prefix, m.Text)
	return ""
}

var thanks = regexp.MustCompile(`Báo cáo số (\d+) đã được gửi`)

// chooseKind presses kind under the newest question of the reporter's
// chat and returns the report's number from the thanks.
func chooseKind(t *testing.T, emu *emulator.Server, u emulator.User, kind string) string {
	t.Helper()
	chat := emulator.PrivateChat(u)
	q := waitText(t, emu, chat.ID, "thuộc loại nào")
	emu.PressButton(chat, u, q.MessageID, buttonData(t, q, "rp:k:")[:len(buttonData(t, q, "rp:k:"))-len("opinion")]+kind)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m, ok := emu.Message(chat.ID, q.MessageID); ok {
			if found := thanks.FindStringSubmatch(m.Text); found != nil {
				return found[1]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	m, _ := emu.Message(chat.ID, q.MessageID)
	t.Fatalf("no thanks after choosing %s: %q", kind, m.Text)
	return ""
}

func TestReportsEndToEnd(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	importUnits(t, db)
	ctx := context.Background()
	member := emulator.User{ID: 9501, FirstName: "Lan", LastName: "Nguyễn Thị", LanguageCode: "vi"}
	officer := emulator.User{ID: 9502, FirstName: "Hùng", LastName: "Trần Văn", LanguageCode: "vi"}
	ward := emulator.User{ID: 9503, FirstName: "Minh", LastName: "Phạm", LanguageCode: "vi"}
	sibling := emulator.User{ID: 9504, FirstName: "Tuấn", LastName: "Lê", LanguageCode: "vi"}
	reportLoa(t, emu, db)
	for _, u := range []emulator.User{member, officer, ward, sibling} {
		ask(t, emu, emulator.PrivateChat(u), u, "/help")
	}
	role := func(u emulator.User, code, r string) {
		unit, err := db.UnitByCode(ctx, code)
		if err == nil {
			err = db.SetMembership(ctx, storage.SystemActor, u.ID, unit.ID, r)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	role(member, "dq-tra-co", storage.RoleMember)
	role(officer, "dq-tra-co", storage.RoleOfficer)
	role(ward, "p-tra-co", storage.RoleOfficer)
	role(sibling, "p-hai-xuan", storage.RoleOfficer)
	dm := emulator.PrivateChat(member)
	officerDM, wardDM, siblingDM := emulator.PrivateChat(officer), emulator.PrivateChat(ward), emulator.PrivateChat(sibling)

	// Each kind, with text; one with a photo, one forwarded, one a location.
	emu.SendText(dm, member, "/baocao Bà con thôn 3 phản ánh đường ngập sau mưa")
	opinion := chooseKind(t, emu, member, "opinion")
	emu.SendText(dm, member, "/baocao Trang này xuyên tạc về đồn biên phòng https://www.facebook.com/tin.gia/posts/9?fbclid=x")
	falseID := chooseKind(t, emu, member, "false")
	_, photo := emu.SendPhoto(dm, member, []byte("ảnh ông Sáu"), 800, 600, "/baocao Ông Sáu hiến 200 m² đất làm đường")
	model := chooseKind(t, emu, member, "model")
	emu.PushRaw(fmt.Sprintf(`{"message":{"message_id":900,"date":%d,"chat":{"id":%d,"type":"private","first_name":"Lan"},
		"from":{"id":%d,"is_bot":false,"first_name":"Lan","language_code":"vi"},
		"location":{"latitude":21.5247,"longitude":107.9654}}}`, time.Now().Unix(), member.ID, member.ID))
	border := chooseKind(t, emu, member, "border")
	emu.PushRaw(fmt.Sprintf(`{"message":{"message_id":901,"date":%d,"chat":{"id":%d,"type":"private","first_name":"Lan"},
		"from":{"id":%d,"is_bot":false,"first_name":"Lan","language_code":"vi"},
		"forward_origin":{"type":"channel","chat":{"id":-1001234,"type":"channel","title":"Tin nóng 24h","username":"tinnong24h"},"message_id":777,"date":%d},
		"text":"Người dân biên giới bị ép bỏ nhà"}}`, time.Now().Unix(), member.ID, member.ID, time.Now().Unix()-3600))
	other := chooseKind(t, emu, member, "other")

	// The unit's officer receives each once, with the buttons; the photo
	// goes by the file_id the member's upload got.
	for _, id := range []string{opinion, falseID, border, other} {
		m := waitText(t, emu, officerDM.ID, "Báo cáo số "+id+" ·")
		buttonData(t, m, "rp:t:"+id)
	}
	waitText(t, emu, officerDM.ID, "Bà con thôn 3")
	waitText(t, emu, officerDM.ID, "facebook.com/tin.gia/posts/9")
	waitText(t, emu, officerDM.ID, "Vị trí: xem trên bản đồ")
	waitText(t, emu, officerDM.ID, "Chuyển tiếp từ: Tin nóng 24h")
	// The photo report arrives as the photo itself, by the member's file_id,
	// its text as the caption.
	pic := waitText(t, emu, officerDM.ID, "Báo cáo số "+model+" ·")
	if pic.Media != "photo" || pic.File.FileID != photo.FileID || !strings.Contains(pic.Text, "Ông Sáu hiến 200 m²") {
		t.Fatalf("the photo report reached the officer as %+v", pic)
	}
	var modelNum int64
	fmt.Sscan(model, &modelNum)
	filed, err := db.Report(ctx, modelNum)
	if err != nil || filed.Kind != "model" {
		t.Fatalf("the photo report: %+v %v", filed, err)
	}
	entries, _ := db.ReportEntries(ctx, modelNum)
	if len(entries) != 1 || !strings.Contains(string(entries[0].Content), photo.FileID) {
		t.Fatalf("the photo is not kept by file_id: %+v", entries)
	}

	// Tiếp nhận, Chuyển lên with a note, Đã xử lý with a note: the
	// reporter hears of each; the escalation reaches the ward's officer.
	notice := waitText(t, emu, officerDM.ID, "Báo cáo số "+falseID+" ·")
	emu.PressButton(officerDM, officer, notice.MessageID, "rp:t:"+falseID)
	waitText(t, emu, dm.ID, "Báo cáo số "+falseID+" của đồng chí đã được cán bộ phụ trách")
	emu.PressButton(officerDM, officer, notice.MessageID, "rp:t:"+falseID) // twice: told once
	emu.PressButton(officerDM, officer, notice.MessageID, "rp:e:"+falseID)
	waitText(t, emu, officerDM.ID, "ghi chú")
	emu.SendText(officerDM, officer, "Trang này lan rộng, đề nghị phường chỉ đạo")
	waitText(t, emu, officerDM.ID, "Đã chuyển báo cáo số "+falseID)
	up := waitText(t, emu, wardDM.ID, "Chuyển lên từ Dân quân")
	if !strings.Contains(up.Text, "Trang này lan rộng") || !strings.Contains(up.Text, "Lan") {
		t.Fatalf("the ward's officer got %q", up.Text)
	}
	waitText(t, emu, dm.ID, "đã được chuyển lên Phường Trà Cổ")
	emu.PressButton(wardDM, ward, up.MessageID, "rp:h:"+falseID)
	waitText(t, emu, wardDM.ID, "kết quả xử lý")
	emu.SendText(wardDM, ward, "Đã đề nghị gỡ bài")
	waitText(t, emu, dm.ID, "đã được xử lý: Đã đề nghị gỡ bài")
	settle(t, emu, db)
	time.Sleep(200 * time.Millisecond) // the dispatcher's last sends

	if n := countText(emu, dm.ID, "đã được cán bộ phụ trách"); n != 1 {
		t.Errorf("the reporter was told %d times of the taking", n)
	}
	for _, id := range []string{opinion, falseID, model, border, other} {
		if n := countText(emu, officerDM.ID, "Báo cáo số "+id+" ·"); n != 1 {
			t.Errorf("the officer received report %s %d times", id, n)
		}
	}
	if n := countText(emu, wardDM.ID, "Báo cáo số "); n != 1 {
		t.Errorf("the ward's officer received %d reports, want the escalated one", n)
	}
	if msgs := emu.Messages(siblingDM.ID); len(msgs) != 1 { // the /help answer only
		t.Errorf("the sibling ward's officer received %d messages", len(msgs))
	}
	for _, e := range emu.Errors() {
		t.Errorf("API error: %+v", e)
	}
}
