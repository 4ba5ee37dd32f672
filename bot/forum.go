package bot

import (
	"encoding/json"

	"github.com/loabot/loa/handlers"
)

// topicOf reads what go-telegram-bot-api v5 does not know of an update's
// message (or a pressed button's message): the forum topic it belongs to
// (message_thread_id, only when is_topic_message: a reply thread in a group
// without topics is not a topic) and whether the chat is a forum.
func topicOf(raw []byte) (thread int, forum bool) {
	type msg struct {
		ThreadID int  `json:"message_thread_id"`
		IsTopic  bool `json:"is_topic_message"`
		Chat     struct {
			IsForum bool `json:"is_forum"`
		} `json:"chat"`
	}
	var u struct {
		Message       *msg `json:"message"`
		EditedMessage *msg `json:"edited_message"`
		CallbackQuery *struct {
			Message *msg `json:"message"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(raw, &u) != nil {
		return 0, false
	}
	m := u.Message
	if m == nil {
		m = u.EditedMessage
	}
	if m == nil && u.CallbackQuery != nil {
		m = u.CallbackQuery.Message
	}
	if m == nil {
		return 0, false
	}
	if m.IsTopic {
		thread = m.ThreadID
	}
	return thread, m.Chat.IsForum
}

// inTopic sets req's topic from the raw update.
func inTopic(req *handlers.Request, raw []byte) {
	req.ThreadID, req.Chat.IsForum = topicOf(raw)
}
