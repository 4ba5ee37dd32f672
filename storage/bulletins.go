package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// DeliveredMessage is one message Telegram created for a delivery, as
// /edit and /recall reach it.
type DeliveredMessage struct {
	BroadcastID int64     `db:"broadcast_id"`
	ChatID      int64     `db:"chat_id"`
	ChatType    string    `db:"chat_type"`
	MessageID   int       `db:"message_id"`
	Part        int       `db:"part"`
	Kind        string    `db:"kind"` // text, caption, media
	SentAt      time.Time `db:"sent_at"`
	Outcome     string    `db:"outcome"` // what the last edit or recall did: '' untouched, edited, deleted, or a refusal code
}

// DeliveredMessages returns every message recorded for broadcast id, by
// chat, part and message id.
func (db *DB) DeliveredMessages(ctx context.Context, id int64) ([]DeliveredMessage, error) {
	var out []DeliveredMessage
	if err := db.x.SelectContext(ctx, &out, `
		SELECT m.broadcast_id, m.chat_id, c.type AS chat_type, m.message_id, m.part, m.kind, m.sent_at, m.outcome
		FROM delivery_messages AS m JOIN chats AS c ON c.id = m.chat_id
		WHERE m.broadcast_id = $1 ORDER BY m.chat_id, m.part, m.message_id`, id); err != nil {
		return nil, fmt.Errorf("messages of broadcast %d: %w", id, err)
	}
	return out, nil
}

// SetMessageOutcome records what an edit or a recall did to one delivered
// message ("edited", "deleted", or a refusal code).
func (db *DB) SetMessageOutcome(ctx context.Context, id, chatID int64, messageID int, outcome string) error {
	if _, err := db.x.ExecContext(ctx, `
		UPDATE delivery_messages SET outcome = $4 WHERE broadcast_id = $1 AND chat_id = $2 AND message_id = $3`,
		id, chatID, messageID, outcome); err != nil {
		return fmt.Errorf("record the outcome of message %d in chat %d: %w", messageID, chatID, err)
	}
	return nil
}

// Audit actions of bulletins.
const (
	AuditBroadcastEdit   = "broadcast.edit"   // actor changed every delivered copy of a broadcast (detail: id and counts)
	AuditBroadcastRecall = "broadcast.recall" // actor deleted every delivered copy of a broadcast (detail: id and counts)
)

// BeginRevision records in the audit log that actor starts to edit
// (newText not "") or recall broadcast id; an edit also becomes the
// broadcast's text, so deliveries still pending carry it.
func (db *DB) BeginRevision(ctx context.Context, id, actor int64, newText string) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		action := AuditBroadcastRecall
		if newText != "" {
			action = AuditBroadcastEdit
			if _, err := tx.ExecContext(ctx, `UPDATE broadcasts SET text = $2 WHERE id = $1`, id, newText); err != nil {
				return err
			}
		}
		return writeAudit(ctx, tx, audit{actor: actor, action: action, detail: fmt.Sprintf("broadcast %d", id)})
	})
	if err != nil {
		return fmt.Errorf("revise broadcast %d: %w", id, err)
	}
	return nil
}
