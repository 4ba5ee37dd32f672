package delivery

import (
	"context"
	"errors"
)

// EnqueueToChats enqueues b with deliveries to exactly chatIDs (those still
// active), not to the chats following b.Units: what only some people of a
// unit may read, such as a report for its officers or an answer to its
// reporter. Units records whose it is. Everything else is Enqueue's: the
// checks, the outbox, limits, retries, urgency, the DedupKey.
func (e *Engine) EnqueueToChats(ctx context.Context, b Broadcast, chatIDs []int64) (id int64, chats int, err error) {
	if len(chatIDs) == 0 {
		return 0, 0, errors.New("enqueue to chats: no chat")
	}
	b.chats = chatIDs
	return e.Enqueue(ctx, b)
}
