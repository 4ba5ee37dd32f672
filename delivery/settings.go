package delivery

import (
	"context"

	"github.com/loabot/loa/storage"
)

// ReasonTopicGone: the forum topic a delivery was routed to was deleted
// ("Bad Request: message thread not found"). The engine sends the delivery
// to the general topic instead and tells Config.TopicGone; it is never a
// delivery's final reason.
const ReasonTopicGone = "topic_gone"

// silent says whether d goes without a sound now, by the chat's quiet hours
// (Config.Silent); urgent bulletins never do.
func (e *Engine) silent(d storage.Delivery, urgent bool) bool {
	if e.cfg.Silent == nil || urgent {
		return false
	}
	return e.cfg.Silent(d, urgent, e.clock())
}

// topicGone tells Config.TopicGone that chat's topic thread is gone.
func (e *Engine) topicGone(ctx context.Context, chat int64, thread int) {
	e.log.Info("forum topic gone; sending to the general topic", "chat", chat, "thread", thread)
	if e.cfg.TopicGone != nil {
		e.cfg.TopicGone(ctx, chat, thread)
	}
}
