package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/loabot/loa/storage"
)

// chatsStore is what EnqueueToChats needs besides Store. It is asked for
// by a type assertion rather than added to Store so that this addition
// (issue 13, reports) touches no existing file of the engine; *storage.DB
// satisfies it.
type chatsStore interface {
	CreateBroadcastToChats(ctx context.Context, b storage.NewBroadcast, chatIDs []int64, now time.Time) (int64, int, bool, error)
}

// EnqueueToChats creates b with deliveries to exactly chatIDs (those still
// active), not to the chats following b.Units: what only some people of a
// unit may read, such as a report for its officers or an answer to its
// reporter. Units records whose it is. Everything else is Enqueue's: the
// outbox, limits, retries, urgency, the DedupKey.
func (e *Engine) EnqueueToChats(ctx context.Context, b Broadcast, chatIDs []int64) (id int64, chats int, err error) {
	if b.Kind == "" || (b.Text == "" && len(b.Media) == 0) {
		return 0, 0, errors.New("enqueue to chats: broadcast without a kind or a text")
	}
	if len(b.Media) > MaxAlbum || len(chatIDs) == 0 {
		return 0, 0, fmt.Errorf("enqueue to chats: %d media, %d chats", len(b.Media), len(chatIDs))
	}
	s, ok := e.store.(chatsStore)
	if !ok {
		return 0, 0, errors.New("enqueue to chats: the store cannot address chats")
	}
	id, chats, created, err := s.CreateBroadcastToChats(ctx, b.row(), chatIDs, e.clock())
	if err != nil {
		return 0, 0, err
	}
	if created {
		e.notify()
	}
	return id, chats, nil
}
