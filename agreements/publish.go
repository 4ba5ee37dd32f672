package agreements

import (
	"context"

	"github.com/loabot/loa/delivery"
)

// Broadcast is what the scheduler hands to the delivery engine.
type Broadcast = delivery.Broadcast

// Publisher is the delivery engine as the scheduler needs it: one broadcast
// to units (and the units below them), idempotent by DedupKey. It returns
// the broadcast's id and the number of chats it reaches.
type Publisher interface {
	Enqueue(ctx context.Context, b Broadcast) (id int64, chats int, err error)
}
