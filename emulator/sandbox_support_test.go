package emulator

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestDeleteMessageAsTelegram(t *testing.T) {
	clock := newFakeClock()
	s := NewT(t, WithClock(clock.Now))
	s.SendText(PrivateChat(lan), lan, "xin chào")
	s.AddChat(unit)
	s.SendText(unit, minh, "trong nhóm")
	sent := func(chat int64) int {
		r := postForm(t, s, "sendMessage", url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "text": {"tin"}})
		var m struct {
			MessageID int `json:"message_id"`
		}
		r.field(t, "result", &m)
		return m.MessageID
	}
	del := func(chat int64, id int) rawResponse {
		return postForm(t, s, "deleteMessage", url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "message_id": {strconv.Itoa(id)}})
	}
	own := sent(lan.ID)
	if r := del(lan.ID, own); r.Status != 200 || string(r.JSON["result"]) != "true" {
		t.Fatalf("delete own message: %d %s", r.Status, r.Body)
	}
	if len(s.Messages(lan.ID)) != 0 {
		t.Errorf("deleted message still there")
	}
	if r := del(lan.ID, own); r.Status != 400 || !json.Valid([]byte(r.Body)) || r.JSON["description"] == nil {
		t.Errorf("delete twice: %d %s", r.Status, r.Body)
	}
	if r := del(lan.ID, 1); r.Status != 200 {
		t.Errorf("delete a person's message in a private chat: %d %s", r.Status, r.Body)
	}
	if r := del(unit.ID, 1); r.Status != 400 {
		t.Errorf("delete a person's message in a group without admin rights: %d %s", r.Status, r.Body)
	}
	old := sent(lan.ID)
	clock.Advance(48 * time.Hour)
	if r := del(lan.ID, old); r.Status != 400 {
		t.Errorf("delete a message 48 h old: %d %s", r.Status, r.Body)
	}
	if r := postForm(t, s, "deleteMessage", url.Values{"chat_id": {strconv.FormatInt(lan.ID, 10)}}); r.Status != 400 {
		t.Errorf("delete without message_id: %d %s", r.Status, r.Body)
	}
}

func TestSnapshotRestoreContinuesAboveOffset(t *testing.T) {
	s := NewT(t)
	s.SendText(PrivateChat(lan), lan, "/start")
	r := postForm(t, s, "sendMessage", url.Values{"chat_id": {strconv.FormatInt(lan.ID, 10)}, "text": {"<b>Chào</b>"}, "parse_mode": {"HTML"},
		"reply_markup": {`{"inline_keyboard":[[{"text":"OK","callback_data":"ok"}]]}`}})
	if r.Status != 200 {
		t.Fatal(r.Body)
	}
	snap := s.Snapshot()
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}

	s2 := NewT(t)
	s2.Restore(back, firstUpdateID+100)
	got := s2.Messages(lan.ID)
	if len(got) != 1 || got[0].Text != "Chào" || got[0].Entities[0].Type != "bold" || got[0].InlineKeyboard[0][0].CallbackData() != "ok" || got[0].HTML != "<b>Chào</b>" {
		t.Fatalf("restored messages %+v", got)
	}
	if ps := s2.PersonMessages(lan.ID); len(ps) != 1 || ps[0].Text != "/start" || ps[0].MessageID != 1 {
		t.Errorf("restored person messages %+v", ps)
	}
	if id := s2.SendText(PrivateChat(lan), lan, "/help"); id != firstUpdateID+101 {
		t.Errorf("update ID after restore = %d, want %d (above the stored offset)", id, firstUpdateID+101)
	}
	// Message IDs continue too: a reply is not confused with an old message.
	if ps := s2.PersonMessages(lan.ID); ps[len(ps)-1].MessageID != 3 {
		t.Errorf("message ID after restore = %d, want 3", ps[len(ps)-1].MessageID)
	}
}

func TestSendPhotoAndDocumentUpdates(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.SendPhoto(PrivateChat(lan), lan, []byte("png bytes"), 640, 480, "ảnh /report")
	s.SendDocument(PrivateChat(lan), lan, []byte("pdf bytes"), "kế hoạch.pdf", "application/pdf", "")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 2 {
		t.Fatalf("updates %d, %v", len(ups), err)
	}
	p := ups[0].Message
	if len(p.Photo) != 2 || p.Photo[1].Width != 640 || p.Photo[1].FileID == "" || p.Photo[0].Width >= 640 || p.Caption != "ảnh /report" || len(p.CaptionEntities) != 1 || p.CaptionEntities[0].Type != "bot_command" {
		t.Errorf("photo message %+v", p)
	}
	d := ups[1].Message
	if d.Document == nil || d.Document.FileName != "kế hoạch.pdf" || d.Document.MimeType != "application/pdf" || d.Document.FileSize != 9 || d.MessageID != 2 {
		t.Errorf("document message %+v", d)
	}
}
