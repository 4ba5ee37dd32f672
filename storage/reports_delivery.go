package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// CreateBroadcastToChats records a started broadcast whose deliveries go
// to the given chats only (those active), not to the chats following its
// units: a report goes to the officers' private chats, never to a unit's
// group where every member would read who reported. b.UnitIDs is recorded
// for the record (whose report it is). With a DedupKey used before it
// creates nothing and returns the earlier broadcast (created false).
func (db *DB) CreateBroadcastToChats(ctx context.Context, b NewBroadcast, chatIDs []int64, now time.Time) (id int64, chats int, created bool, err error) {
	if b.Kind == "" || (b.Text == "" && len(b.Content) == 0) {
		return 0, 0, false, fmt.Errorf("create broadcast to chats: need a kind and a text")
	}
	var dedup *string
	if b.DedupKey != "" {
		dedup = &b.DedupKey
	}
	content := b.Content
	if len(content) == 0 {
		content = []byte("{}")
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `
			INSERT INTO broadcasts (kind, author_id, author_chat_id, lang, text, no_preview, unit_ids,
				dedup_key, state, created_at, started_at, content, priority)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)
			ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
			RETURNING id`,
			b.Kind, b.AuthorID, b.AuthorChatID, b.Lang, b.Text, b.NoPreview, pq.Array(nonNil(b.UnitIDs)),
			dedup, BroadcastSending, now, string(content), b.Priority)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.QueryRowxContext(ctx, `
				SELECT b.id, (SELECT count(*) FROM deliveries AS d WHERE d.broadcast_id = b.id)
				FROM broadcasts AS b WHERE b.dedup_key = $1`, b.DedupKey).Scan(&id, &chats)
		}
		if err != nil {
			return err
		}
		created = true
		res, err := tx.ExecContext(ctx, `
			INSERT INTO deliveries (broadcast_id, chat_id, due_at)
			SELECT $1::bigint, c.id, $3::timestamptz FROM chats AS c
			WHERE c.id = ANY($2) AND c.status = 'active'
			ON CONFLICT DO NOTHING`, id, pq.Array(nonNil(chatIDs)), now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		chats = int(n)
		_, err = tx.ExecContext(ctx, `UPDATE broadcasts SET n_total = $2 WHERE id = $1`, id, n)
		return err
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("create broadcast to chats: %w", err)
	}
	return id, chats, created, nil
}
