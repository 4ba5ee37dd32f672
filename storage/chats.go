package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Chat is a Telegram chat the bot is in or was in.
type Chat struct {
	ID        int64     `db:"id"`
	Type      string    `db:"type"` // private, group, supergroup or channel, as Telegram names them
	Title     string    `db:"title"`
	Language  string    `db:"language"` // chosen language of the chat's messages, "" for the default
	Status    string    `db:"status"`   // ChatActive, ChatBlocked or ChatLeft
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Chat statuses. Only active chats are sent to.
const (
	ChatActive  = "active"
	ChatBlocked = "blocked" // a private chat whose user blocked the bot (403)
	ChatLeft    = "left"    // the bot was removed, or the group moved to a new id
)

// UpsertChat records a chat the bot has just heard from: it inserts it, or
// updates its type and title. Hearing from a chat means the bot is in it, so
// the status becomes active again. An empty Language keeps the stored one:
// an incoming message does not know the language the chat chose.
func (db *DB) UpsertChat(ctx context.Context, c Chat) error {
	_, err := db.x.NamedExecContext(ctx, `
		INSERT INTO chats (id, type, title, language, status)
		VALUES (:id, :type, :title, :language, 'active')
		ON CONFLICT (id) DO UPDATE SET
			type       = EXCLUDED.type,
			title      = EXCLUDED.title,
			language   = CASE WHEN EXCLUDED.language = '' THEN chats.language ELSE EXCLUDED.language END,
			status     = 'active',
			updated_at = now()`, c)
	if err != nil {
		return fmt.Errorf("upsert chat %d: %w", c.ID, err)
	}
	return nil
}

// Chat returns the chat with the given id, or ErrNotFound.
func (db *DB) Chat(ctx context.Context, id int64) (Chat, error) {
	var c Chat
	err := db.x.GetContext(ctx, &c, `
		SELECT id, type, title, language, status, created_at, updated_at
		FROM chats WHERE id = $1`, id)
	if err != nil {
		return Chat{}, fmt.Errorf("load chat %d: %w", id, notFound(err))
	}
	return c, nil
}

// SetChatStatus records that the bot was blocked in, removed from or
// re-admitted to a chat. It returns ErrNotFound for an unknown chat.
func (db *DB) SetChatStatus(ctx context.Context, id int64, status string) error {
	switch status {
	case ChatActive, ChatBlocked, ChatLeft:
	default:
		return fmt.Errorf("set chat %d status: invalid status %q", id, status)
	}
	res, err := db.x.ExecContext(ctx, `UPDATE chats SET status = $2, updated_at = now() WHERE id = $1`, id, status)
	if err != nil {
		return fmt.Errorf("set chat %d status: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set chat %d status: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("set chat %d status: %w", id, ErrNotFound)
	}
	return nil
}

// chatRef is a column of another table that holds a chat id and must follow
// the chat when MigrateChat moves it.
type chatRef struct {
	table, column string
	// uniqueWith lists the columns that, together with column, are unique:
	// a row that already exists at the new id is not moved twice, the old
	// one is deleted instead. Empty when the table has no such key.
	uniqueWith []string
}

// chatRefs lists every table that keeps rows per chat. A table that does
// (subscriptions, memberships, deliveries still due, ...) adds its one line:
//
//	{"unit_chats", "chat_id", []string{"unit_id"}},
//
// MigrateChat moves these rows after the row for the new id exists and
// before the old row goes, so foreign keys to chats(id) hold at every step.
var chatRefs = []chatRef{
	{"subscriptions", "chat_id", []string{"unit_id"}},
	{"deliveries", "chat_id", []string{"broadcast_id"}},
	{"chat_settings", "chat_id", nil},
	{"chat_muted_sources", "chat_id", []string{"source_id"}},
	{"digest_items", "chat_id", []string{"article_id"}},
}

// moveStatements returns the SQL that moves r's rows from chat $1 to $2.
func (r chatRef) moveStatements() []string {
	t, c := pq.QuoteIdentifier(r.table), pq.QuoteIdentifier(r.column)
	if len(r.uniqueWith) == 0 {
		return []string{fmt.Sprintf(`UPDATE %s SET %s = $2 WHERE %s = $1`, t, c, c)}
	}
	var same []string
	for _, k := range r.uniqueWith {
		k = pq.QuoteIdentifier(k)
		same = append(same, fmt.Sprintf("n.%s = %s.%s", k, t, k))
	}
	return []string{
		fmt.Sprintf(`UPDATE %s SET %s = $2 WHERE %s = $1 AND NOT EXISTS (SELECT 1 FROM %s AS n WHERE n.%s = $2 AND %s)`,
			t, c, c, t, c, strings.Join(same, " AND ")),
		// What is left already exists at the new id. Comparing with $2 keeps
		// both parameters in use, which the protocol requires.
		fmt.Sprintf(`DELETE FROM %s WHERE %s = $1 AND $2::bigint IS NOT NULL`, t, c),
	}
}

// MigrateChat follows Telegram moving a group to a new id (a group upgraded
// to a supergroup: the old id answers 400 with migrate_to_chat_id). In one
// transaction the chat row moves to newID with type newType, and every row
// listed in chatRefs follows it. If newID is already known (the bot heard
// from the supergroup first) that row is kept and the old row is marked left.
// Running it again is harmless. It returns ErrNotFound if neither id is known.
func (db *DB) MigrateChat(ctx context.Context, oldID, newID int64, newType string) error {
	if oldID == newID {
		return fmt.Errorf("migrate chat %d: old and new id are the same", oldID)
	}
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate chat %d to %d: %w", oldID, newID, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	fail := func(err error) error {
		return fmt.Errorf("migrate chat %d to %d: %w", oldID, newID, err)
	}
	// Lock both rows in id order, so two concurrent migrations of the same
	// pair cannot deadlock.
	var present []int64
	if err := tx.SelectContext(ctx, &present, `
		SELECT id FROM chats WHERE id IN ($1, $2) ORDER BY id FOR UPDATE`, oldID, newID); err != nil {
		return fail(err)
	}
	hasOld, hasNew := false, false
	for _, id := range present {
		hasOld = hasOld || id == oldID
		hasNew = hasNew || id == newID
	}
	if !hasOld && !hasNew {
		// A concurrent MigrateChat of the same pair may have moved the row
		// while we waited for its lock: the new row is outside this
		// statement's snapshot, so look again.
		if err := tx.GetContext(ctx, &hasNew, `SELECT EXISTS (SELECT 1 FROM chats WHERE id = $1)`, newID); err != nil {
			return fail(err)
		}
		if !hasNew {
			return fail(ErrNotFound)
		}
	}
	if !hasOld {
		return nil // moved already
	}
	inserted := false
	if hasNew {
		_, err = tx.ExecContext(ctx, `UPDATE chats SET type = $2, updated_at = now() WHERE id = $1`, newID, newType)
	} else {
		// The new row may appear at this very moment: the supergroup's
		// first update (the bot's membership there) is handled in parallel
		// with the old group's migration notice. Then it is kept, as if it
		// had been there first.
		// xmax = 0 tells a fresh insert from an update.
		err = tx.GetContext(ctx, &inserted, `
			INSERT INTO chats (id, type, title, language, status, created_at, updated_at)
			SELECT $2, $3, title, language, 'active', created_at, now() FROM chats WHERE id = $1
			ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, updated_at = now()
			RETURNING (xmax = 0)`, oldID, newID, newType)
	}
	if err != nil {
		return fail(err)
	}
	for _, ref := range chatRefs {
		for _, stmt := range ref.moveStatements() {
			if _, err := tx.ExecContext(ctx, stmt, oldID, newID); err != nil {
				return fail(fmt.Errorf("move %s: %w", ref.table, err))
			}
		}
	}
	if !inserted {
		_, err = tx.ExecContext(ctx, `UPDATE chats SET status = 'left', updated_at = now() WHERE id = $1 AND status <> 'left'`, oldID)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM chats WHERE id = $1`, oldID)
	}
	if err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return nil
}
