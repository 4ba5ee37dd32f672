package settings

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// TopicStore is what TopicGone needs; *storage.DB.
type TopicStore interface {
	ForgetTopic(ctx context.Context, chatID int64, threadID int) (int, error)
	EnqueueChatMessage(ctx context.Context, m storage.ChatMessage, now time.Time) (bool, error)
}

// TopicGone returns the delivery engine's Config.TopicGone: when Telegram
// says a forum topic is gone, its routes are removed (what is pending for it
// goes to the general topic) and the group's admins are told, once per
// topic, by a notice in the general topic, where they will see it; the
// notice goes through the outbox like any message.
func TopicGone(store TopicStore, lang messages.Lang, clock func() time.Time, log *slog.Logger) func(ctx context.Context, chatID int64, threadID int) {
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, chatID int64, threadID int) {
		if _, err := store.ForgetTopic(ctx, chatID, threadID); err != nil {
			log.Warn("forget a deleted topic", "chat", chatID, "thread", threadID, "err", err)
		}
		if _, err := store.EnqueueChatMessage(ctx, storage.ChatMessage{
			ChatID: chatID, Kind: "notice", Lang: string(lang), Text: messages.T(lang, messages.KeyTopicGone, threadID),
			DedupKey: fmt.Sprintf("topic-gone:%d:%d", chatID, threadID),
		}, clock()); err != nil {
			log.Warn("tell a group its topic is gone", "chat", chatID, "thread", threadID, "err", err)
		}
	}
}
