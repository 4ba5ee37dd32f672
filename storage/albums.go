package storage

import (
	"context"
	"fmt"
	"time"
)

// AlbumPart is one item of an album a person sent the bot.
type AlbumPart struct {
	ChatID       int64     `db:"chat_id"`
	MediaGroupID string    `db:"media_group_id"`
	MessageID    int       `db:"message_id"`
	Kind         string    `db:"kind"`
	FileID       string    `db:"file_id"`
	Caption      string    `db:"caption"` // Telegram HTML, '' when none
	ReceivedAt   time.Time `db:"received_at"`
}

// AlbumKeep is how long album parts are kept for a reply to find them.
const AlbumKeep = 24 * time.Hour

// SaveAlbumPart records one item of an album (again: the same message is
// recorded once) and forgets the parts older than AlbumKeep.
func (db *DB) SaveAlbumPart(ctx context.Context, p AlbumPart) error {
	if _, err := db.x.ExecContext(ctx, `
		WITH old AS (DELETE FROM album_parts WHERE received_at < $7)
		INSERT INTO album_parts (chat_id, media_group_id, message_id, kind, file_id, caption, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $8)
		ON CONFLICT (chat_id, media_group_id, message_id) DO NOTHING`,
		p.ChatID, p.MediaGroupID, p.MessageID, p.Kind, p.FileID, p.Caption, p.ReceivedAt.Add(-AlbumKeep), p.ReceivedAt); err != nil {
		return fmt.Errorf("save album part %s/%d: %w", p.MediaGroupID, p.MessageID, err)
	}
	return nil
}

// AlbumParts returns the parts of an album sent into a chat, in the order
// they were sent.
func (db *DB) AlbumParts(ctx context.Context, chatID int64, groupID string) ([]AlbumPart, error) {
	var out []AlbumPart
	if err := db.x.SelectContext(ctx, &out, `
		SELECT chat_id, media_group_id, message_id, kind, file_id, caption, received_at
		FROM album_parts WHERE chat_id = $1 AND media_group_id = $2 ORDER BY message_id`, chatID, groupID); err != nil {
		return nil, fmt.Errorf("album %s in chat %d: %w", groupID, chatID, err)
	}
	return out, nil
}
