package storage

import (
	"context"
	"fmt"
	"time"
)

// CreateBroadcastToChats records a started broadcast whose deliveries go
// to the given chats only (those active), not to the chats following its
// units: a report goes to the officers' private chats, never to a unit's
// group where every member would read who reported. b.UnitIDs is recorded
// for the record (whose report it is). With a DedupKey used before it
// creates nothing and returns the earlier broadcast (created false).
func (db *DB) CreateBroadcastToChats(ctx context.Context, b NewBroadcast, chatIDs []int64, now time.Time) (id int64, chats int, created bool, err error) {
	if len(chatIDs) == 0 {
		return 0, 0, false, fmt.Errorf("create broadcast to chats: no chat")
	}
	b.ChatIDs = chatIDs
	return db.CreateBroadcast(ctx, b, true, now)
}
