package agreements

import (
	"context"

	"github.com/loabot/loa/messages"
)

// Broadcast is what the scheduler hands to the delivery engine.
//
// TODO(delivery): becomes `type Broadcast = delivery.Broadcast` when the
// delivery package lands; the fields are its fields.
type Broadcast struct {
	Kind         string
	AuthorID     int64
	AuthorChatID int64
	Lang         messages.Lang
	Text         string
	NoPreview    bool
	Units        []int64
	DedupKey     string
}

// Publisher is the delivery engine as the scheduler needs it: one broadcast
// to units (and the units below them), idempotent by DedupKey. It returns
// the broadcast's id and the number of chats it reaches.
type Publisher interface {
	Enqueue(ctx context.Context, b Broadcast) (id int64, chats int, err error)
}
