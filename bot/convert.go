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

// toRequest translates a Telegram update into a transport-free request. It
// returns false for updates Loa has nothing to say to (photos without text,
// channel posts, inline queries).
func toRequest(u *tgbotapi.Update) (handlers.Request, bool) {
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
		if m.From == nil || m.Text == "" {
			return req, false
		}
		req.Kind = handlers.KindMessage
		fillMessage(&req, m)
	case u.EditedMessage != nil:
		m := u.EditedMessage
		if m.Chat == nil || m.From == nil {
			return req, false
		}
		req.Kind = handlers.KindEdited
		req.Chat = chat(m.Chat)
		req.MessageID = m.MessageID
		fillMessage(&req, m)
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

func fillMessage(req *handlers.Request, m *tgbotapi.Message) {
	req.From = user(m.From)
	req.Text = m.Text
	for _, e := range m.Entities {
		req.Entities = append(req.Entities, messages.Entity{
			Type: e.Type, Offset: e.Offset, Length: e.Length, URL: e.URL, Language: e.Language,
		})
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil {
		u := user(r.From)
		req.ReplyTo = &u
	}
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
