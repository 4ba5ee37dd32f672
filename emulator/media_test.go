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

// call posts a method with form parameters and returns the answer.
func call(t *testing.T, s *Server, method string, kv ...string) rawResponse {
	t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return postForm(t, s, method, v)
}

func wantDesc(t *testing.T, r rawResponse, desc string) {
	t.Helper()
	var got string
	_ = json.Unmarshal(r.JSON["description"], &got)
	if r.Status != 400 || got != desc {
		t.Errorf("answer %d %q, want 400 %q", r.Status, got, desc)
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestSendFilesByFileID(t *testing.T) {
	s := NewT(t)
	lanChat := PrivateChat(lan)
	_, photo := s.SendPhoto(lanChat, lan, []byte("png"), 800, 600, "")
	_, doc := s.SendDocument(lanChat, lan, []byte("pdf"), "kế hoạch.pdf", "application/pdf", "")
	_, video := s.SendVideo(lanChat, lan, []byte("mp4"), 640, 360, 5, "")
	_, audio := s.SendAudio(lanChat, lan, []byte("mp3"), "Bài ca", "Dàn nhạc", 90, "")
	_, voice := s.SendVoice(lanChat, lan, []byte("ogg"), 3, "")
	for _, f := range []File{photo, doc, video, audio, voice} {
		r := call(t, s, "send"+strings.ToUpper(f.Kind[:1])+f.Kind[1:], "chat_id", id(lan.ID), f.Kind, f.FileID,
			"caption", "<b>Họp</b> lúc 7h", "parse_mode", "HTML", "disable_notification", "true",
			"reply_markup", `{"inline_keyboard":[[{"text":"Đã nhận","callback_data":"ack"}]]}`)
		var m struct {
			Caption         string            `json:"caption"`
			CaptionEntities []json.RawMessage `json:"caption_entities"`
			MessageID       int               `json:"message_id"`
		}
		r.field(t, "result", &m)
		if _, ok := r.JSON["ok"]; !ok || r.Status != 200 || m.Caption != "Họp lúc 7h" || len(m.CaptionEntities) != 1 || !strings.Contains(r.Body, `"`+f.Kind+`":`) {
			t.Errorf("%s: %d %s", f.Kind, r.Status, r.Body)
		}
		got, _ := s.Message(lan.ID, m.MessageID)
		if got.Media != f.Kind || got.File.FileID != f.FileID || got.Text != "Họp lúc 7h" || !got.Silent || got.InlineKeyboard == nil {
			t.Errorf("%s stored as %+v", f.Kind, got)
		}
	}
	// Any file may go as a document; a document cannot go as a photo.
	if r := call(t, s, "sendDocument", "chat_id", id(lan.ID), "document", photo.FileID); r.Status != 200 {
		t.Errorf("photo as document: %s", r.Body)
	}
	if r := call(t, s, "sendPhoto", "chat_id", id(lan.ID), "photo", doc.FileID); r.Status != 400 {
		t.Errorf("document as photo: %s", r.Body)
	}
	wantDesc(t, call(t, s, "sendPhoto", "chat_id", id(lan.ID), "photo", "AgACnotgiven"), "Bad Request: wrong file identifier/HTTP URL specified")
	wantDesc(t, call(t, s, "sendDocument", "chat_id", id(lan.ID), "document", "https://example.org/a.pdf"), "Bad Request: wrong file identifier/HTTP URL specified")
	wantDesc(t, call(t, s, "sendPhoto", "chat_id", id(lan.ID)), "Bad Request: there is no photo in the request")
	// 1024 characters after parsing fit; the markup does not count.
	fits := "<b>" + strings.Repeat("ệ", 1024) + "</b>"
	if r := call(t, s, "sendPhoto", "chat_id", id(lan.ID), "photo", photo.FileID, "caption", fits, "parse_mode", "HTML"); r.Status != 200 {
		t.Errorf("caption of 1024: %s", r.Body)
	}
	wantDesc(t, call(t, s, "sendPhoto", "chat_id", id(lan.ID), "photo", photo.FileID, "caption", strings.Repeat("ệ", 1025)), "Bad Request: message caption is too long")
}

func TestSendMediaGroup(t *testing.T) {
	s := NewT(t)
	lanChat := PrivateChat(lan)
	_, _, files := s.SendAlbum(lanChat, lan, []AlbumItem{{Kind: MediaPhoto, Data: []byte("1")}, {Kind: MediaVideo, Data: []byte("2")}, {Kind: MediaPhoto, Data: []byte("3")}})
	_, docs := s.SendDocument(lanChat, lan, []byte("d"), "a.pdf", "application/pdf", "")
	_, aud := s.SendAudio(lanChat, lan, []byte("a"), "t", "p", 1, "")
	_, voice := s.SendVoice(lanChat, lan, []byte("v"), 1, "")
	item := func(kind, fileID, caption string) string {
		b, _ := json.Marshal(map[string]string{"type": kind, "media": fileID, "caption": caption, "parse_mode": "HTML"})
		return string(b)
	}
	album := "[" + item("photo", files[0].FileID, "<i>Ảnh</i> diễn tập") + "," + item("video", files[1].FileID, "") + "," + item("photo", files[2].FileID, "") + "]"
	r := call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", album)
	var ms []struct {
		MessageID    int    `json:"message_id"`
		MediaGroupID string `json:"media_group_id"`
		Caption      string `json:"caption"`
	}
	r.field(t, "result", &ms)
	if len(ms) != 3 || ms[0].MediaGroupID == "" || ms[1].MediaGroupID != ms[0].MediaGroupID || ms[0].Caption != "Ảnh diễn tập" || ms[1].MessageID != ms[0].MessageID+1 {
		t.Fatalf("album: %s", r.Body)
	}
	if got := s.Messages(lan.ID); len(got) != 3 || got[2].MediaGroupID != ms[0].MediaGroupID || got[1].Media != MediaVideo {
		t.Errorf("stored album %+v", got)
	}
	one := "[" + item("photo", files[0].FileID, "") + "]"
	wantDesc(t, call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", one), "Bad Request: wrong number of media in the message")
	eleven := "[" + strings.TrimSuffix(strings.Repeat(item("photo", files[0].FileID, "")+",", 11), ",") + "]"
	wantDesc(t, call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", eleven), "Bad Request: too many messages to send as an album")
	mixed := "[" + item("photo", files[0].FileID, "") + "," + item("document", docs.FileID, "") + "]"
	wantDesc(t, call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", mixed), "Bad Request: document can't be mixed with other media types")
	mixed = "[" + item("audio", aud.FileID, "") + "," + item("photo", files[0].FileID, "") + "]"
	wantDesc(t, call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", mixed), "Bad Request: audio can't be mixed with other media types")
	if r := call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", "["+item("voice", voice.FileID, "")+","+item("voice", voice.FileID, "")+"]"); r.Status != 400 {
		t.Errorf("voice album: %s", r.Body)
	}
	bad := "[" + item("photo", files[0].FileID, "") + "," + item("photo", "nope", "") + "]"
	wantDesc(t, call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", bad), "Bad Request: wrong file identifier/HTTP URL specified")
	long := "[" + item("photo", files[0].FileID, strings.Repeat("a", 1025)) + "," + item("photo", files[2].FileID, "") + "]"
	wantDesc(t, call(t, s, "sendMediaGroup", "chat_id", id(lan.ID), "media", long), "Bad Request: message caption is too long")
	if n := len(s.Messages(lan.ID)); n != 3 {
		t.Errorf("refused albums left %d messages, want the 3 of the first", n)
	}
}

func TestEditCaptionDeleteAndPin(t *testing.T) {
	clock := newFakeClock()
	s := NewT(t, WithClock(clock.Now))
	_, photo := s.SendPhoto(PrivateChat(lan), lan, []byte("png"), 10, 10, "")
	sent := func(chat int64, method string, kv ...string) int {
		t.Helper()
		r := call(t, s, method, append([]string{"chat_id", id(chat)}, kv...)...)
		var m struct {
			MessageID int `json:"message_id"`
		}
		r.field(t, "result", &m)
		return m.MessageID
	}
	pm := sent(lan.ID, "sendPhoto", "photo", photo.FileID, "caption", "cũ")
	tm := sent(lan.ID, "sendMessage", "text", "chữ")
	if r := call(t, s, "editMessageCaption", "chat_id", id(lan.ID), "message_id", strconv.Itoa(pm), "caption", "<b>mới</b>", "parse_mode", "HTML"); r.Status != 200 {
		t.Errorf("edit caption: %s", r.Body)
	}
	if m, _ := s.Message(lan.ID, pm); m.Text != "mới" || m.Edits != 1 || m.Media != MediaPhoto {
		t.Errorf("edited %+v", m)
	}
	wantDesc(t, call(t, s, "editMessageCaption", "chat_id", id(lan.ID), "message_id", strconv.Itoa(pm), "caption", strings.Repeat("x", 1025)), "Bad Request: message caption is too long")
	wantDesc(t, call(t, s, "editMessageCaption", "chat_id", id(lan.ID), "message_id", strconv.Itoa(tm), "caption", "x"), "Bad Request: there is no caption in the message to edit")
	wantDesc(t, call(t, s, "editMessageText", "chat_id", id(lan.ID), "message_id", strconv.Itoa(pm), "text", "x"), "Bad Request: there is no text in the message to edit")
	wantDesc(t, call(t, s, "editMessageCaption", "chat_id", id(lan.ID), "message_id", "1", "caption", "x"), "Bad Request: message can't be edited")

	// Pinning: always in a private chat; in a group only as an
	// administrator allowed to pin.
	if r := call(t, s, "pinChatMessage", "chat_id", id(lan.ID), "message_id", strconv.Itoa(pm)); r.Status != 200 || s.Pinned(lan.ID) != pm {
		t.Errorf("pin in private: %s", r.Body)
	}
	s.AddChat(unit)
	gm := sent(unit.ID, "sendPhoto", "photo", photo.FileID)
	wantDesc(t, call(t, s, "pinChatMessage", "chat_id", id(unit.ID), "message_id", strconv.Itoa(gm)), "Bad Request: not enough rights to manage pinned messages in the chat")
	s.SetBotRights(unit.ID, true, false)
	wantDesc(t, call(t, s, "pinChatMessage", "chat_id", id(unit.ID), "message_id", strconv.Itoa(gm)), "Bad Request: not enough rights to manage pinned messages in the chat")
	s.SetBotRights(unit.ID, true, true)
	if r := call(t, s, "pinChatMessage", "chat_id", id(unit.ID), "message_id", strconv.Itoa(gm), "disable_notification", "true"); r.Status != 200 || s.Pinned(unit.ID) != gm {
		t.Errorf("pin as admin: %s", r.Body)
	}

	clock.Advance(48 * time.Hour)
	wantDesc(t, call(t, s, "deleteMessage", "chat_id", id(lan.ID), "message_id", strconv.Itoa(pm)), "Bad Request: message can't be deleted for everyone")
}

// TestMediaFloodLimits checks that files and albums count toward the same
// limits as texts: 20 sends a minute in a group, an album being one.
func TestMediaFloodLimits(t *testing.T) {
	clock := newFakeClock()
	s := NewT(t, WithClock(clock.Now), WithLimits(TelegramLimits()))
	_, photo := s.SendPhoto(PrivateChat(lan), lan, []byte("png"), 10, 10, "")
	s.AddChat(unit)
	album := `[{"type":"photo","media":"` + photo.FileID + `"},{"type":"photo","media":"` + photo.FileID + `"}]`
	for i := range 10 { // one album every 2 s
		if r := call(t, s, "sendMediaGroup", "chat_id", id(unit.ID), "media", album); r.Status != 200 {
			t.Fatalf("album %d: %s", i+1, r.Body)
		}
		clock.Advance(2 * time.Second)
	}
	for i := range 10 {
		if r := call(t, s, "sendPhoto", "chat_id", id(unit.ID), "photo", photo.FileID); r.Status != 200 {
			t.Fatalf("photo %d: %s", i+1, r.Body)
		}
		clock.Advance(time.Second)
	}
	if r := call(t, s, "sendPhoto", "chat_id", id(unit.ID), "photo", photo.FileID); r.Status != 429 {
		t.Errorf("21st message of the minute: %s", r.Body)
	}
}

func TestPeopleSendAlbumsAndRepliesWithFiles(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	chat := PrivateChat(lan)
	ups, msgIDs, files := s.SendAlbum(chat, lan, []AlbumItem{{Kind: MediaDocument, Data: []byte("a"), FileName: "a.pdf", Caption: "Tài liệu"}, {Kind: MediaDocument, Data: []byte("b"), FileName: "b.docx"}})
	s.ReplyWithDocument(chat, lan, []byte("c"), "c.xlsx", "/broadcast all", msgIDs[1])
	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(got) != 3 || len(ups) != 2 {
		t.Fatalf("updates %d, %v", len(got), err)
	}
	a, b, c := got[0].Message, got[1].Message, got[2].Message
	if a.MediaGroupID == "" || a.MediaGroupID != b.MediaGroupID || a.Document.FileID != files[0].FileID || a.Caption != "Tài liệu" || b.Document.FileName != "b.docx" {
		t.Errorf("album parts %+v %+v", a, b)
	}
	if c.ReplyToMessage == nil || c.ReplyToMessage.MessageID != msgIDs[1] || c.ReplyToMessage.Document == nil || c.ReplyToMessage.MediaGroupID != a.MediaGroupID ||
		c.Document.MimeType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || len(c.CaptionEntities) != 1 {
		t.Errorf("reply %+v", c)
	}
	snap := s.Snapshot()
	s2 := NewT(t)
	s2.Restore(snap, 0)
	if r := call(t, s2, "sendDocument", "chat_id", id(lan.ID), "document", files[1].FileID); r.Status != 200 {
		t.Errorf("a file after a restore: %s", r.Body)
	}
	if ps := s2.PersonMessages(lan.ID); len(ps) != 3 || ps[0].Media != MediaDocument || ps[0].File.FileName != "a.pdf" {
		t.Errorf("restored person messages %+v", ps)
	}
}
