package emulator

import (
	"strconv"
	"unicode/utf8"
)

// The hot path (sendMessage) builds its JSON by appending to a buffer:
// encoding/json's reflection would cost more than the rest of the request.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Like Telegram it writes non-ASCII
// characters as UTF-8, not as \u escapes; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// appendKey appends `,"key":` (or without the comma right after '{').
func appendKey(b []byte, key string) []byte {
	if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStringField(b []byte, key, v string) []byte {
	return appendString(appendKey(b, key), v)
}

func appendIntField(b []byte, key string, v int64) []byte {
	return appendInt(appendKey(b, key), v)
}

func appendBoolField(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(appendKey(b, key), v)
}

// appendUser writes a User object; full adds the fields getMe returns for a
// bot.
func appendUser(b []byte, u *User, full bool) []byte {
	b = append(b, '{')
	b = appendIntField(b, "id", u.ID)
	b = appendBoolField(b, "is_bot", u.IsBot)
	b = appendStringField(b, "first_name", u.FirstName)
	if u.LastName != "" {
		b = appendStringField(b, "last_name", u.LastName)
	}
	if u.Username != "" {
		b = appendStringField(b, "username", u.Username)
	}
	if u.LanguageCode != "" {
		b = appendStringField(b, "language_code", u.LanguageCode)
	}
	if full {
		b = appendBoolField(b, "can_join_groups", true)
		b = appendBoolField(b, "can_read_all_group_messages", false)
		b = appendBoolField(b, "supports_inline_queries", false)
		b = appendBoolField(b, "can_connect_to_business", false)
		b = appendBoolField(b, "has_main_web_app", false)
	}
	return append(b, '}')
}

// appendChat writes a Chat object in the field order of real updates.
func appendChat(b []byte, c *Chat) []byte {
	b = append(b, '{')
	b = appendIntField(b, "id", c.ID)
	if c.Type == ChatPrivate {
		b = appendStringField(b, "first_name", c.FirstName)
		if c.LastName != "" {
			b = appendStringField(b, "last_name", c.LastName)
		}
	} else {
		b = appendStringField(b, "title", c.Title)
	}
	if c.Username != "" {
		b = appendStringField(b, "username", c.Username)
	}
	b = appendStringField(b, "type", c.Type)
	if c.IsForum {
		b = appendBoolField(b, "is_forum", true)
	}
	return append(b, '}')
}

func appendEntities(b []byte, es []Entity) []byte {
	b = append(b, '[')
	for i := range es {
		e := &es[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendIntField(b, "offset", int64(e.Offset))
		b = appendIntField(b, "length", int64(e.Length))
		b = appendStringField(b, "type", e.Type)
		if e.URL != "" {
			b = appendStringField(b, "url", e.URL)
		}
		if e.User != nil {
			b = appendUser(appendKey(b, "user"), e.User, false)
		}
		if e.Language != "" {
			b = appendStringField(b, "language", e.Language)
		}
		if e.CustomEmojiID != "" {
			b = appendStringField(b, "custom_emoji_id", e.CustomEmojiID)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendInlineKeyboard writes an InlineKeyboardMarkup as Telegram echoes it
// in a Message.
func appendInlineKeyboard(b []byte, rows [][]InlineKeyboardButton) []byte {
	b = append(b, `{"inline_keyboard":[`...)
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j := range row {
			btn := &row[j]
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			b = appendStringField(b, "text", btn.Text)
			switch btn.Kind {
			case "callback_game":
				b = append(appendKey(b, btn.Kind), '{', '}')
			case "pay":
				b = appendBoolField(b, btn.Kind, true)
			case "login_url", "web_app":
				b = appendKey(b, btn.Kind)
				b = append(appendStringField(append(b, '{'), "url", btn.Value), '}')
			case "copy_text":
				b = appendKey(b, btn.Kind)
				b = append(appendStringField(append(b, '{'), "text", btn.Value), '}')
			default:
				b = appendStringField(b, btn.Kind, btn.Value)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, ']', '}')
}

// wireMessage is everything a Message object in an answer or an update can
// carry; zero fields are left out.
type wireMessage struct {
	id              int
	threadID        int
	from            *User
	senderChat      *Chat
	chat            *Chat
	date            int64
	editDate        int64
	replyTo         *wireMessage
	text            string
	entities        []Entity
	previewDisabled bool
	keyboard        [][]InlineKeyboardButton
	newMembers      []User
	leftMember      *User
	migrateTo       int64
	migrateFrom     int64
	media           *sentMedia // text and entities are then the caption

	isTopic bool // sent in a forum topic (forum.go)
}

func appendMessage(b []byte, m *wireMessage) []byte {
	b = append(b, '{')
	b = appendIntField(b, "message_id", int64(m.id))
	if m.threadID != 0 {
		b = appendIntField(b, "message_thread_id", int64(m.threadID))
	}
	if m.isTopic {
		b = appendBoolField(b, "is_topic_message", true)
	}
	if m.from != nil {
		b = appendUser(appendKey(b, "from"), m.from, false)
	}
	if m.senderChat != nil {
		b = appendChat(appendKey(b, "sender_chat"), m.senderChat)
	}
	b = appendChat(appendKey(b, "chat"), m.chat)
	b = appendIntField(b, "date", m.date)
	if m.editDate != 0 {
		b = appendIntField(b, "edit_date", m.editDate)
	}
	if m.replyTo != nil {
		b = appendMessage(appendKey(b, "reply_to_message"), m.replyTo)
	}
	if m.media != nil {
		b = appendMediaFields(b, m.media)
		if m.text != "" {
			b = appendStringField(b, "caption", m.text)
			if len(m.entities) > 0 {
				b = appendEntities(appendKey(b, "caption_entities"), m.entities)
			}
		}
	} else if m.text != "" {
		b = appendStringField(b, "text", m.text)
		if len(m.entities) > 0 {
			b = appendEntities(appendKey(b, "entities"), m.entities)
		}
	}
	if m.previewDisabled {
		b = append(appendKey(b, "link_preview_options"), `{"is_disabled":true}`...)
	}
	if m.keyboard != nil {
		b = appendInlineKeyboard(appendKey(b, "reply_markup"), m.keyboard)
	}
	if len(m.newMembers) > 0 {
		b = appendUser(appendKey(b, "new_chat_participant"), &m.newMembers[0], false)
		b = appendUser(appendKey(b, "new_chat_member"), &m.newMembers[0], false)
		b = append(appendKey(b, "new_chat_members"), '[')
		for i := range m.newMembers {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendUser(b, &m.newMembers[i], false)
		}
		b = append(b, ']')
	}
	if m.leftMember != nil {
		b = appendUser(appendKey(b, "left_chat_participant"), m.leftMember, false)
		b = appendUser(appendKey(b, "left_chat_member"), m.leftMember, false)
	}
	if m.migrateTo != 0 {
		b = appendIntField(b, "migrate_to_chat_id", m.migrateTo)
	}
	if m.migrateFrom != 0 {
		b = appendIntField(b, "migrate_from_chat_id", m.migrateFrom)
	}
	return append(b, '}')
}
