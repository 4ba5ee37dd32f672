package bot

import (
	"encoding/json"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// allowedUpdates are the update kinds Loa asks Telegram for; anything else
// would only fill the inbox.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// inboxUpdate reads just enough of a raw update to store it: its id, and the
// chat it belongs to, which orders its handling.
func inboxUpdate(raw json.RawMessage) (storage.InboxUpdate, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return storage.InboxUpdate{}, fmt.Errorf("decode update: %w", err)
	}
	if u.UpdateID <= 0 {
		return storage.InboxUpdate{}, fmt.Errorf("decode update: no update_id")
	}
	return storage.InboxUpdate{UpdateID: int64(u.UpdateID), ChatID: chatOf(&u), Payload: raw}, nil
}

// chatOf is the chat an update happens in, or 0 for updates without one.
func chatOf(u *tgbotapi.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message; m != nil && m.Chat != nil {
			return m.Chat.ID
		}
		if u.CallbackQuery.From != nil {
			return u.CallbackQuery.From.ID
		}
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.ChannelPost != nil:
		return u.ChannelPost.Chat.ID
	}
	return 0
}

// toRequest translates a stored update into a transport-free request. It
// returns false for updates Loa has nothing to say to (service messages
// other than a migration, channel posts, inline queries).
//
// The go-telegram-bot-api types predate some of what a message carries
// (forward_origin), so a message's content is read from the raw update by
// wireMessage, and only the rest through tgbotapi.
func toRequest(raw json.RawMessage) (handlers.Request, bool) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return handlers.Request{}, false
	}
	var w struct {
		Message       *wireMessage `json:"message"`
		EditedMessage *wireMessage `json:"edited_message"`
	}
	_ = json.Unmarshal(raw, &w) // the same JSON tgbotapi just read
	req := handlers.Request{UpdateID: int64(u.UpdateID)}
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat == nil {
			return req, false
		}
		req.Chat = chat(m.Chat)
		req.MessageID = m.MessageID
		if m.MigrateToChatID != 0 {
			req.Kind = handlers.KindMigration
			req.MigrateTo = m.MigrateToChatID
			return req, true
		}
		if m.From == nil || w.Message == nil {
			return req, false
		}
		req.Kind = handlers.KindMessage
		fillMessage(&req, w.Message)
		if req.Text == "" && req.Caption == "" && req.Media == nil && req.Location == nil {
			return req, false // a service message: joins, titles, pins
		}
	case u.EditedMessage != nil:
		m := u.EditedMessage
		if m.Chat == nil || m.From == nil || w.EditedMessage == nil {
			return req, false
		}
		req.Kind = handlers.KindEdited
		req.Chat = chat(m.Chat)
		req.MessageID = m.MessageID
		fillMessage(&req, w.EditedMessage)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if q.From == nil {
			return req, false
		}
		req.Kind = handlers.KindCallback
		req.From = user(q.From)
		req.CallbackID = q.ID
		req.Data = q.Data
		if q.Message != nil && q.Message.Chat != nil {
			req.Chat = chat(q.Message.Chat)
			req.MessageID = q.Message.MessageID
		} else {
			// A button under an inline message has no chat; answer privately.
			req.Chat = handlers.Chat{ID: q.From.ID, Type: handlers.ChatPrivate}
		}
	case u.MyChatMember != nil:
		m := u.MyChatMember
		req.Kind = handlers.KindMembership
		req.Chat = chat(&m.Chat)
		req.From = user(&m.From)
		req.OldStatus = m.OldChatMember.Status
		req.NewStatus = m.NewChatMember.Status
	default:
		return req, false
	}
	return req, true
}

// wireMessage is what Loa reads of a Telegram Message.
type wireMessage struct {
	MessageID       int                      `json:"message_id"`
	From            *tgbotapi.User           `json:"from"`
	Text            string                   `json:"text"`
	Entities        []tgbotapi.MessageEntity `json:"entities"`
	Caption         string                   `json:"caption"`
	CaptionEntities []tgbotapi.MessageEntity `json:"caption_entities"`
	Photo           []wireFile               `json:"photo"`
	Document        *wireFile                `json:"document"`
	Video           *wireFile                `json:"video"`
	Audio           *wireFile                `json:"audio"`
	Voice           *wireFile                `json:"voice"`
	Location        *struct {
		Latitude           float64 `json:"latitude"`
		Longitude          float64 `json:"longitude"`
		HorizontalAccuracy float64 `json:"horizontal_accuracy"`
	} `json:"location"`
	MediaGroupID  string       `json:"media_group_id"`
	ForwardOrigin *wireOrigin  `json:"forward_origin"`
	ReplyTo       *wireMessage `json:"reply_to_message"`

	// Before Bot API 7.0 a forward was described by these; messages
	// stored or relayed by older tools still carry only them.
	ForwardFrom          *tgbotapi.User `json:"forward_from"`
	ForwardFromChat      *tgbotapi.Chat `json:"forward_from_chat"`
	ForwardFromMessageID int            `json:"forward_from_message_id"`
	ForwardSenderName    string         `json:"forward_sender_name"`
	ForwardSignature     string         `json:"forward_signature"`
	ForwardDate          int64          `json:"forward_date"`
}

// wireFile is any of Telegram's file objects (PhotoSize, Document, Video,
// Audio, Voice): each has a subset of these fields.
type wireFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name"`
	MimeType     string `json:"mime_type"`
	FileSize     int64  `json:"file_size"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	Duration     int    `json:"duration"`
	Title        string `json:"title"`
	Performer    string `json:"performer"`
}

// wireOrigin is Telegram's MessageOrigin.
type wireOrigin struct {
	Type            string         `json:"type"`
	Date            int64          `json:"date"`
	SenderUser      *tgbotapi.User `json:"sender_user"`
	SenderUserName  string         `json:"sender_user_name"`
	SenderChat      *tgbotapi.Chat `json:"sender_chat"`
	Chat            *tgbotapi.Chat `json:"chat"`
	MessageID       int            `json:"message_id"`
	AuthorSignature string         `json:"author_signature"`
}

func fillMessage(req *handlers.Request, m *wireMessage) {
	if m.From != nil {
		req.From = user(m.From)
	}
	c := content(m)
	req.Text, req.Entities = c.Text, c.Entities
	req.Caption, req.CaptionEntities = c.Caption, c.CaptionEntities
	req.Media, req.MediaGroupID, req.Location = c.Media, c.MediaGroupID, c.Location
	req.ForwardedFrom = c.ForwardedFrom
	if r := m.ReplyTo; r != nil {
		rc := content(r)
		req.Replied = &rc
		if rc.From != nil {
			u := *rc.From
			req.ReplyTo = &u
		}
	}
}

// content is what a message says and carries, without what it replies to.
func content(m *wireMessage) handlers.Message {
	out := handlers.Message{
		MessageID: m.MessageID, Text: m.Text, Caption: m.Caption,
		Entities: entities(m.Entities), CaptionEntities: entities(m.CaptionEntities),
		MediaGroupID: m.MediaGroupID, ForwardedFrom: origin(m),
	}
	if m.From != nil {
		u := user(m.From)
		out.From = &u
	}
	if l := m.Location; l != nil {
		out.Location = &handlers.Location{Latitude: l.Latitude, Longitude: l.Longitude, Accuracy: l.HorizontalAccuracy}
	}
	switch {
	case len(m.Photo) > 0:
		out.Media = media(handlers.MediaPhoto, largest(m.Photo))
	case m.Video != nil:
		out.Media = media(handlers.MediaVideo, m.Video)
	case m.Audio != nil:
		out.Media = media(handlers.MediaAudio, m.Audio)
	case m.Voice != nil:
		out.Media = media(handlers.MediaVoice, m.Voice)
	case m.Document != nil:
		// Telegram also sets document on animations; the document is
		// what can be sent again by sendDocument.
		out.Media = media(handlers.MediaDocument, m.Document)
	}
	return out
}

// largest is the biggest size of a photo: Telegram lists them smallest
// first, but that order is not promised, so compare the pixels.
func largest(sizes []wireFile) *wireFile {
	best := &sizes[0]
	for i := range sizes[1:] {
		s := &sizes[i+1]
		if s.Width*s.Height > best.Width*best.Height ||
			(s.Width*s.Height == best.Width*best.Height && s.FileSize > best.FileSize) {
			best = s
		}
	}
	return best
}

func media(kind string, f *wireFile) *handlers.Media {
	return &handlers.Media{
		Kind: kind, FileID: f.FileID, FileUniqueID: f.FileUniqueID, FileName: f.FileName,
		MimeType: f.MimeType, FileSize: f.FileSize, Width: f.Width, Height: f.Height,
		Duration: f.Duration, Title: f.Title, Performer: f.Performer,
	}
}

// origin reads forward_origin, or the forward_* fields older payloads
// have instead.
func origin(m *wireMessage) *handlers.ForwardOrigin {
	if o := m.ForwardOrigin; o != nil {
		out := &handlers.ForwardOrigin{
			Kind: o.Type, Date: o.Date, SenderName: o.SenderUserName,
			MessageID: o.MessageID, AuthorSignature: o.AuthorSignature,
		}
		if o.SenderUser != nil {
			u := user(o.SenderUser)
			out.User = &u
		}
		c := o.Chat
		if c == nil {
			c = o.SenderChat
		}
		if c != nil {
			ch := chat(c)
			out.Chat, out.ChatUsername = &ch, c.UserName
		}
		return out
	}
	switch {
	case m.ForwardFrom != nil:
		u := user(m.ForwardFrom)
		return &handlers.ForwardOrigin{Kind: handlers.OriginUser, Date: m.ForwardDate, User: &u}
	case m.ForwardSenderName != "":
		return &handlers.ForwardOrigin{Kind: handlers.OriginHiddenUser, Date: m.ForwardDate, SenderName: m.ForwardSenderName}
	case m.ForwardFromChat != nil:
		ch := chat(m.ForwardFromChat)
		kind := handlers.OriginChat
		if m.ForwardFromChat.Type == "channel" {
			kind = handlers.OriginChannel
		}
		return &handlers.ForwardOrigin{
			Kind: kind, Date: m.ForwardDate, Chat: &ch, ChatUsername: m.ForwardFromChat.UserName,
			MessageID: m.ForwardFromMessageID, AuthorSignature: m.ForwardSignature,
		}
	}
	return nil
}

func entities(es []tgbotapi.MessageEntity) []messages.Entity {
	var out []messages.Entity
	for _, e := range es {
		out = append(out, messages.Entity{
			Type: e.Type, Offset: e.Offset, Length: e.Length, URL: e.URL, Language: e.Language,
		})
	}
	return out
}

func chat(c *tgbotapi.Chat) handlers.Chat {
	title := c.Title
	if title == "" {
		title = c.FirstName
		if c.LastName != "" {
			title += " " + c.LastName
		}
	}
	return handlers.Chat{ID: c.ID, Type: handlers.ChatType(c.Type), Title: title}
}

func user(u *tgbotapi.User) handlers.User {
	return handlers.User{
		ID: u.ID, IsBot: u.IsBot, FirstName: u.FirstName, LastName: u.LastName,
		Username: u.UserName, LanguageCode: u.LanguageCode,
	}
}
