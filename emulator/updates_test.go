package emulator

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func updateIDs(ups []tgbotapi.Update) []int {
	ids := make([]int, len(ups))
	for i, u := range ups {
		ids[i] = u.UpdateID
	}
	return ids
}

func TestGetUpdatesOffsets(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	var ids []int
	for i := range 5 {
		ids = append(ids, s.SendText(PrivateChat(lan), lan, "tin "+strconv.Itoa(i)))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			t.Fatalf("update IDs not consecutive: %v", ids)
		}
	}
	get := func(offset, limit int) []int {
		t.Helper()
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		return updateIDs(ups)
	}
	if got := get(0, 0); len(got) != 5 || got[0] != ids[0] {
		t.Fatalf("offset 0 = %v", got)
	}
	if got := get(0, 2); len(got) != 2 {
		t.Errorf("limit 2 = %v", got)
	}
	// offset N confirms everything below N
	if got := get(ids[2], 0); len(got) != 3 || got[0] != ids[2] {
		t.Errorf("offset %d = %v", ids[2], got)
	}
	if s.PendingUpdates() != 3 {
		t.Errorf("pending = %d, want 3", s.PendingUpdates())
	}
	if got := get(0, 0); len(got) != 3 {
		t.Errorf("confirmed updates came back: %v", got)
	}
	// an offset beyond the newest update is ignored
	if got := get(ids[4]+10, 0); len(got) != 3 || s.PendingUpdates() != 3 {
		t.Errorf("offset in the future = %v, pending %d", got, s.PendingUpdates())
	}
	// -1: only the last update, and the others are confirmed
	if got := get(-1, 0); len(got) != 1 || got[0] != ids[4] || s.PendingUpdates() != 1 {
		t.Errorf("offset -1 = %v, pending %d", got, s.PendingUpdates())
	}
	if got := get(ids[4]+1, 0); len(got) != 0 || s.PendingUpdates() != 0 {
		t.Errorf("after the last = %v, pending %d", got, s.PendingUpdates())
	}
	if err := s.WaitConfirmed(ctxT(t, time.Second), ids[4]); err != nil {
		t.Error(err)
	}
	next := s.SendText(PrivateChat(lan), lan, "sau")
	if next != ids[4]+1 {
		t.Errorf("next update ID %d, want %d", next, ids[4]+1)
	}
}

func TestLongPollWakesUp(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	type result struct {
		ups []tgbotapi.Update
		err error
		d   time.Duration
	}
	done := make(chan result)
	go func() {
		start := time.Now()
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 10})
		done <- result{ups, err, time.Since(start)}
	}()
	waitPolling(t, s)
	id := s.SendText(PrivateChat(lan), lan, "/start")
	r := <-done
	if r.err != nil || len(r.ups) != 1 || r.ups[0].UpdateID != id || r.d > 5*time.Second {
		t.Fatalf("long poll = %v %v after %v", r.err, updateIDs(r.ups), r.d)
	}
}

func TestLongPollTimesOut(t *testing.T) {
	s := NewT(t)
	start := time.Now()
	r := postForm(t, s, "getUpdates", url.Values{"timeout": {"1"}})
	if d := time.Since(start); r.Body != `{"ok":true,"result":[]}` || d < 900*time.Millisecond || d > 3*time.Second {
		t.Errorf("getUpdates timeout=1 = %s after %v", r.Body, d)
	}
}

// waitPolling waits until a getUpdates is parked in a long poll.
func waitPolling(t *testing.T, s *Server) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.q.mu.Lock()
		polling := s.q.poll != nil
		s.q.mu.Unlock()
		if polling {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no long poll started")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSecondPollerEndsFirst(t *testing.T) {
	s := NewT(t)
	first := make(chan rawResponse)
	go func() { first <- postForm(t, s, "getUpdates", url.Values{"timeout": {"20"}}) }()
	waitPolling(t, s)
	second := make(chan rawResponse)
	go func() { second <- postForm(t, s, "getUpdates", url.Values{"timeout": {"20"}}) }()
	r := <-first
	want := `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`
	if r.Status != 409 || r.Body != want {
		t.Errorf("first poller = %d %s", r.Status, r.Body)
	}
	id := s.SendText(PrivateChat(lan), lan, "x")
	r = <-second
	var ups []json.RawMessage
	r.field(t, "result", &ups)
	if r.Status != 200 || len(ups) != 1 || !strings.Contains(string(ups[0]), `"update_id":`+strconv.Itoa(id)) {
		t.Errorf("second poller = %d %s", r.Status, r.Body)
	}
}

// TestSameOffsetGuard: Telegram makes a repeated getUpdates with the same
// offset and timeout 0 wait, so a busy loop cannot hammer it.
func TestSameOffsetGuard(t *testing.T) {
	s := NewT(t)
	if r := postForm(t, s, "getUpdates", nil); r.Body != `{"ok":true,"result":[]}` {
		t.Fatal(r.Body)
	}
	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		postForm(t, s, "getUpdates", nil)
		done <- time.Since(start)
	}()
	select {
	case d := <-done:
		t.Fatalf("the repeated poll answered at once (%v)", d)
	case <-time.After(200 * time.Millisecond):
	}
	s.SendText(PrivateChat(lan), lan, "x") // ends the wait early
	if d := <-done; d > 2*time.Second {
		t.Errorf("the repeated poll did not wake up on an update (%v)", d)
	}
}

func TestAllowedUpdates(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"message", "callback_query"}}); err != nil {
		t.Fatal(err)
	}
	if id := s.BotAdded(unit, lan); id != 0 {
		t.Errorf("a my_chat_member update was queued against allowed_updates (%d)", id)
	}
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 1 || ups[0].Message == nil || len(ups[0].Message.NewChatMembers) != 1 {
		t.Errorf("updates = %+v", ups)
	}
	// An empty list restores the default (which excludes chat_member).
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, AllowedUpdates: []string{}}); err != nil {
		t.Fatal(err)
	}
	if id := s.BotRemoved(unit, lan); id == 0 {
		t.Error("my_chat_member dropped after allowed_updates=[]")
	}
}

// TestUpdateShapes compares injected updates with the JSON Telegram sends.
func TestUpdateShapes(t *testing.T) {
	s := NewT(t, WithClock(func() time.Time { return time.Unix(1632176928, 0) }))
	luca := User{ID: 10081232, FirstName: "Luca", LastName: "Patera", Username: "Lukasss93", LanguageCode: "it"}
	s.SendText(PrivateChat(luca), luca, "/test@foo_bot")
	s.SendText(unit, minh, "Xin chào 😆 /tasks@loa_bot")
	r := postForm(t, s, "getUpdates", nil)
	var ups []json.RawMessage
	r.field(t, "result", &ups)
	want := []string{
		`{"update_id":731500001,"message":{"message_id":1,"from":{"id":10081232,"is_bot":false,"first_name":"Luca","last_name":"Patera","username":"Lukasss93","language_code":"it"},"chat":{"id":10081232,"first_name":"Luca","last_name":"Patera","username":"Lukasss93","type":"private"},"date":1632176928,"text":"/test@foo_bot","entities":[{"offset":0,"length":13,"type":"bot_command"}]}}`,
		`{"update_id":731500002,"message":{"message_id":1,"from":{"id":1002,"is_bot":false,"first_name":"Minh","language_code":"vi"},"chat":{"id":-400123,"title":"Tổ dân phòng 5","type":"group"},"date":1632176928,"text":"Xin chào 😆 /tasks@loa_bot","entities":[{"offset":12,"length":14,"type":"bot_command"}]}}`,
	}
	if len(ups) != len(want) {
		t.Fatalf("got %d updates", len(ups))
	}
	for i := range want {
		if string(ups[i]) != want[i] {
			t.Errorf("update %d:\n got %s\nwant %s", i, ups[i], want[i])
		}
	}
}

func TestInjectedUpdates(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	chat := PrivateChat(lan)
	s.SendText(chat, lan, "/start")
	sent, err := send(bot, lan.ID, "<b>Chào</b>")
	if err != nil {
		t.Fatal(err)
	}
	s.ReplyTo(chat, lan, "cảm ơn", sent.MessageID)
	s.EditText(chat, lan, 1, "/start vi")
	s.BotAdded(unit, minh)
	s.BotRemoved(unit, minh)
	s.PushRaw(`{"callback_query":{"id":"1","from":{"id":2002,"is_bot":false,"first_name":"Raw"},"chat_instance":"1","data":"x"}}`)
	rawID := s.PushRaw(`{"update_id":900000000,"message":{"message_id":5,"chat":{"id":-1001538393672,"title":"Mindustry","type":"supergroup"},"date":1,"text":"raw"}}`)

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 8 {
		t.Fatalf("%d updates: %v", len(ups), updateIDs(ups))
	}
	if m := ups[0].Message; m.Text != "/start" || !m.IsCommand() || m.Command() != "start" {
		t.Errorf("command update %+v", m)
	}
	reply := ups[1].Message
	if reply.ReplyToMessage == nil || reply.ReplyToMessage.From.ID != s.BotID() || reply.ReplyToMessage.Text != "Chào" || len(reply.ReplyToMessage.Entities) != 1 {
		t.Errorf("reply = %+v / %+v", reply, reply.ReplyToMessage)
	}
	if e := ups[2].EditedMessage; e == nil || e.MessageID != 1 || e.Text != "/start vi" || e.EditDate == 0 {
		t.Errorf("edited_message = %+v", e)
	}
	if m := ups[3].MyChatMember; m == nil || m.Chat.ID != unit.ID || m.From.ID != minh.ID || m.OldChatMember.Status != "left" || m.NewChatMember.Status != "member" || m.NewChatMember.User.ID != s.BotID() {
		t.Errorf("my_chat_member (added) = %+v", m)
	}
	if m := ups[4].Message; m == nil || len(m.NewChatMembers) != 1 || m.NewChatMembers[0].ID != s.BotID() {
		t.Errorf("new_chat_members = %+v", m)
	}
	if m := ups[5].MyChatMember; m == nil || m.NewChatMember.Status != "kicked" {
		t.Errorf("my_chat_member (removed) = %+v", m)
	}
	if ups[6].CallbackQuery == nil || ups[7].Message == nil || ups[7].UpdateID != 900000000 || rawID != 900000000 {
		t.Errorf("raw updates = %+v %+v", ups[6], ups[7])
	}
	if _, err := send(bot, -1001538393672, "x"); err != nil {
		t.Errorf("a chat met in PushRaw is not known: %v", err)
	}
	_, err = send(bot, unit.ID, "x")
	wantAPIError(t, err, 403, "Forbidden: bot was kicked from the group chat")
}

// TestWritingUnblocks: a user who blocked the bot must unblock it to
// write, and Telegram reports that first.
func TestWritingUnblocks(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.BotBlocked(lan)
	s.SendText(PrivateChat(lan), lan, "/start")
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 3 || ups[1].MyChatMember == nil || ups[1].MyChatMember.NewChatMember.Status != "member" || ups[2].Message == nil {
		t.Fatalf("updates %+v", ups)
	}
	if _, err := send(bot, lan.ID, "chào"); err != nil {
		t.Error(err)
	}
}

// TestTextsAreNotNormalised: people's texts reach the bot byte for byte.
func TestTextsAreNotNormalised(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	nfd := "Nhie\u0323\u0302m vu\u0323 /tasks"
	s.SendText(PrivateChat(lan), lan, nfd)
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 {
		t.Fatal(err)
	}
	m := ups[0].Message
	if m.Text != nfd || len(m.Entities) != 1 || m.Entities[0].Offset != 12 || m.Entities[0].Length != 6 {
		t.Errorf("text %q entities %+v", m.Text, m.Entities)
	}
}
