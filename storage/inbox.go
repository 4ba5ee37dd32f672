package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// pollOffsetKey is the bot_state row holding the next getUpdates offset.
const pollOffsetKey = "poll_offset"

// MinUpdateRetention is how long PruneUpdates keeps handled updates at the
// least. Telegram keeps an unconfirmed update for 24 hours and may deliver it
// again in that time; keeping ours twice as long lets StoreUpdates recognise
// every repeat.
const MinUpdateRetention = 48 * time.Hour

// PollOffset returns the offset for the next getUpdates call, 0 when none was
// ever stored (Telegram then starts with the oldest update it still has).
func (db *DB) PollOffset(ctx context.Context) (int64, error) {
	var v int64
	err := db.x.GetContext(ctx, &v, `SELECT value FROM bot_state WHERE key = $1`, pollOffsetKey)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load poll offset: %w", err)
	}
	return v, nil
}

// InboxUpdate is one Telegram update in the durable inbox.
type InboxUpdate struct {
	UpdateID int64 `db:"update_id"`
	ChatID   int64 `db:"chat_id"` // 0 when the update has no chat
	// Payload is the update as JSON. It is stored as jsonb, so what comes
	// back is equivalent JSON, not necessarily the same bytes.
	Payload []byte `db:"payload"`
}

// StoreUpdates stores received updates once each (Telegram may deliver an
// update twice: a repeat is ignored) and, when nextOffset > 0, saves
// nextOffset as the polling offset, all in ONE transaction. A crash thus keeps
// both or neither, and the next getUpdates, which confirms updates to
// Telegram, only ever uses an offset whose updates are safely stored. The
// offset never moves backwards. It returns how many updates were new.
func (db *DB) StoreUpdates(ctx context.Context, ups []InboxUpdate, nextOffset int64) (int, error) {
	if len(ups) == 0 && nextOffset <= 0 {
		return 0, nil
	}
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store updates: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	added := 0
	for _, u := range ups {
		// The payload goes as text: lib/pq sends []byte as binary data,
		// which jsonb does not accept.
		res, err := tx.ExecContext(ctx, `
			INSERT INTO updates (update_id, chat_id, payload) VALUES ($1, $2, $3)
			ON CONFLICT (update_id) DO NOTHING`, u.UpdateID, u.ChatID, string(u.Payload))
		if err != nil {
			return 0, fmt.Errorf("store update %d: %w", u.UpdateID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store update %d: %w", u.UpdateID, err)
		}
		added += int(n)
	}
	if nextOffset > 0 {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO bot_state (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
			WHERE bot_state.value < EXCLUDED.value`, pollOffsetKey, nextOffset)
		if err != nil {
			return 0, fmt.Errorf("store poll offset: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store updates: %w", err)
	}
	return added, nil
}

// chatLockClass is the first half of the two-int advisory lock key that
// ClaimUpdates takes per chat, so these keys live apart from the bigint keys
// of the leader locks.
const chatLockClass = 2021

// ClaimUpdates hands out up to limit unhandled updates to owner for lease,
// oldest first. The caller handles them, calls MarkHandled for each, and calls
// ExtendClaims while a handler runs longer than the lease.
//
// The guarantee, per chat: updates of one chat are handled by at most one
// owner at a time and in update_id order. To keep it:
//
//   - A chat is skipped while any of its unhandled updates is under an
//     unexpired claim, whoever holds it (the owner itself is still working on
//     that chat). When a lease expires (the owner died or hangs), the chat is
//     free again and its updates are handed out anew, so handling is
//     at-least-once: handlers must tolerate a repeat.
//   - The updates of a chat handed out in one call are always the chat's
//     earliest unhandled ones, without a gap: an update is never handed out
//     while an earlier unhandled update of its chat is not in the same batch,
//     even when limit cuts the batch.
//   - Two claimers running at the same moment cannot split one chat: each
//     takes a transaction-level advisory lock per chat (two-int form,
//     (2021, hashtext(chat_id)), so it never collides with the leader locks'
//     bigint keys) and skips chats it cannot lock; rows are locked with
//     FOR UPDATE SKIP LOCKED. A hash collision only delays a chat to the next
//     call.
//
// Updates without a chat (chat id 0) form one line of their own. Order is by
// update_id among the updates stored so far; an update stored after a later
// one of its chat was handed out cannot overtake it.
func (db *DB) ClaimUpdates(ctx context.Context, owner string, limit int, lease time.Duration) ([]InboxUpdate, error) {
	if owner == "" || limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("claim updates: need an owner, a positive limit and lease (got %q, %d, %v)", owner, limit, lease)
	}
	// READ COMMITTED matters: the second statement must see, with a fresh
	// snapshot, the claims committed by whoever held a chat's lock before us.
	tx, err := db.x.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("claim updates: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	// 1. Free chats, the one with the oldest waiting update first; lock them
	// until commit. The lock function is volatile, so PostgreSQL calls it
	// only on rows that pass the filter, in order, until LIMIT is reached.
	var chats []int64
	err = tx.SelectContext(ctx, &chats, `
		SELECT chat_id FROM (
			SELECT chat_id, min(update_id) AS first_id
			FROM updates
			WHERE handled_at IS NULL
			GROUP BY chat_id
			HAVING NOT bool_or(coalesce(claimed_until > now(), false))
			ORDER BY first_id
		) AS free
		WHERE pg_try_advisory_xact_lock($1, hashtext(chat_id::text))
		LIMIT $2`, chatLockClass, limit)
	if err != nil {
		return nil, fmt.Errorf("claim updates: pick chats: %w", err)
	}
	if len(chats) == 0 {
		return nil, nil
	}

	// 2. Under those locks, with a fresh snapshot: take the oldest claimable
	// rows; keep, per chat, only an unbroken run from its first unhandled
	// update (a row's rank among the taken rows of its chat equals its rank
	// among all unhandled rows of the chat exactly when every earlier one was
	// taken too); drop chats someone claimed meanwhile; claim the rest.
	var got []InboxUpdate
	err = tx.SelectContext(ctx, &got, `
		WITH taken AS (
			SELECT update_id, chat_id
			FROM updates
			WHERE handled_at IS NULL
			  AND chat_id = ANY($1)
			  AND (claimed_until IS NULL OR claimed_until <= now())
			ORDER BY update_id
			LIMIT $2
			FOR UPDATE SKIP LOCKED
		), line AS (
			SELECT update_id,
			       row_number() OVER (PARTITION BY chat_id ORDER BY update_id) AS pos,
			       bool_or(coalesce(claimed_until > now(), false)) OVER (PARTITION BY chat_id) AS busy
			FROM updates
			WHERE handled_at IS NULL AND chat_id = ANY($1)
		), batch AS (
			SELECT t.update_id
			FROM (SELECT update_id, row_number() OVER (PARTITION BY chat_id ORDER BY update_id) AS pos
			      FROM taken) AS t
			JOIN line AS l USING (update_id)
			WHERE t.pos = l.pos AND NOT l.busy
		)
		UPDATE updates AS u
		SET claimed_by = $3, claimed_until = now() + $4 * interval '1 microsecond'
		FROM batch
		WHERE u.update_id = batch.update_id
		RETURNING u.update_id, u.chat_id, u.payload`,
		pq.Array(chats), limit, owner, lease.Microseconds())
	if err != nil {
		return nil, fmt.Errorf("claim updates: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim updates: %w", err)
	}
	slices.SortFunc(got, func(a, b InboxUpdate) int {
		return cmp.Compare(a.UpdateID, b.UpdateID)
	})
	return got, nil
}

// MarkHandled records that an update was handled; it stays in the inbox for
// deduplication until PruneUpdates. Marking twice keeps the first time. It
// returns ErrNotFound for an unknown update.
func (db *DB) MarkHandled(ctx context.Context, updateID int64) error {
	res, err := db.x.ExecContext(ctx, `
		UPDATE updates SET handled_at = coalesce(handled_at, now()) WHERE update_id = $1`, updateID)
	if err != nil {
		return fmt.Errorf("mark update %d handled: %w", updateID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("mark update %d handled: %w", updateID, err)
	}
	if n == 0 {
		return fmt.Errorf("mark update %d handled: %w", updateID, ErrNotFound)
	}
	return nil
}

// ExtendClaims renews, for lease from now, every claim owner holds on
// unhandled updates: the keep-alive of a handler that runs long. Claims that
// expired and went to another owner are not taken back.
func (db *DB) ExtendClaims(ctx context.Context, owner string, lease time.Duration) error {
	if lease <= 0 {
		return fmt.Errorf("extend claims of %q: lease must be positive, got %v", owner, lease)
	}
	_, err := db.x.ExecContext(ctx, `
		UPDATE updates SET claimed_until = now() + $2 * interval '1 microsecond'
		WHERE claimed_by = $1 AND handled_at IS NULL`, owner, lease.Microseconds())
	if err != nil {
		return fmt.Errorf("extend claims of %q: %w", owner, err)
	}
	return nil
}

// PruneUpdates deletes handled updates received more than olderThan ago and
// returns how many. olderThan below MinUpdateRetention is refused: a repeat
// delivery of a pruned update would be handled twice.
func (db *DB) PruneUpdates(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan < MinUpdateRetention {
		return 0, fmt.Errorf("prune updates: keep them at least %v, got %v", MinUpdateRetention, olderThan)
	}
	res, err := db.x.ExecContext(ctx, `
		DELETE FROM updates
		WHERE handled_at IS NOT NULL AND received_at < now() - $1 * interval '1 microsecond'`,
		olderThan.Microseconds())
	if err != nil {
		return 0, fmt.Errorf("prune updates: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune updates: %w", err)
	}
	return n, nil
}

// PendingUpdates counts the updates not handled yet, for health and metrics.
func (db *DB) PendingUpdates(ctx context.Context) (int64, error) {
	var n int64
	if err := db.x.GetContext(ctx, &n, `SELECT count(*) FROM updates WHERE handled_at IS NULL`); err != nil {
		return 0, fmt.Errorf("count pending updates: %w", err)
	}
	return n, nil
}
