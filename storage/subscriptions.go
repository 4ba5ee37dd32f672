package storage

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Subscribe makes chatID follow unitID, recorded as done by actorID. It
// returns false, and writes no audit row, when the chat already followed the
// unit. An unknown chat or unit is ErrNotFound. Whether the chat may follow
// the unit (restricted units) is for the caller to decide.
func (db *DB) Subscribe(ctx context.Context, actorID, chatID, unitID int64) (bool, error) {
	var added bool
	err := db.inTx(ctx, func(tx *sqlx.Tx) (err error) {
		added, err = subscribe(ctx, tx, actorID, chatID, unitID, "")
		return err
	})
	if err != nil {
		return false, fmt.Errorf("subscribe chat %d to unit %d: %w", chatID, unitID, err)
	}
	return added, nil
}

// subscribe inserts the subscription and its audit row inside tx and
// reports whether it is new.
func subscribe(ctx context.Context, tx *sqlx.Tx, actorID, chatID, unitID int64, how string) (bool, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO subscriptions (chat_id, unit_id, created_by) VALUES ($1, $2, nullif($3, 0::bigint))
		ON CONFLICT (chat_id, unit_id) DO NOTHING`, chatID, unitID, actorID)
	if err != nil {
		return false, foreignKeyNotFound(err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, writeAudit(ctx, tx, audit{actor: actorID, action: AuditSubscriptionAdd, unit: unitID, chat: chatID, detail: how})
}

// subscribePrivateChat makes the private chat of userID (whose id is the
// user's id in Telegram) follow unitID, creating the chat row if the bot has
// not recorded it yet: joining a unit means receiving what is sent to it.
func subscribePrivateChat(ctx context.Context, tx *sqlx.Tx, actorID, userID, unitID int64, how string) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO chats (id, type) VALUES ($1, 'private') ON CONFLICT (id) DO NOTHING`, userID); err != nil {
		return fmt.Errorf("create private chat %d: %w", userID, err)
	}
	_, err := subscribe(ctx, tx, actorID, userID, unitID, how)
	return err
}

// Unsubscribe stops chatID following unitID, recorded as done by actorID. It
// returns false, and writes no audit row, when the chat did not follow it.
func (db *DB) Unsubscribe(ctx context.Context, actorID, chatID, unitID int64) (bool, error) {
	var removed bool
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE chat_id = $1 AND unit_id = $2`, chatID, unitID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		removed = true
		return writeAudit(ctx, tx, audit{actor: actorID, action: AuditSubscriptionRemove, unit: unitID, chat: chatID})
	})
	if err != nil {
		return false, fmt.Errorf("unsubscribe chat %d from unit %d: %w", chatID, unitID, err)
	}
	return removed, nil
}

// Subscriptions returns the ids of the units chatID follows, in display order.
func (db *DB) Subscriptions(ctx context.Context, chatID int64) ([]int64, error) {
	var out []int64
	err := db.x.SelectContext(ctx, &out, `
		SELECT s.unit_id FROM subscriptions AS s JOIN units AS u ON u.id = s.unit_id
		WHERE s.chat_id = $1 ORDER BY u.position, u.id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("load subscriptions of chat %d: %w", chatID, err)
	}
	return out, nil
}

// reachedFrom is the statement behind ChatsReached, its select list left as
// %s: the active chats that follow any of $1 or a unit below one of them.
// The recursive part walks down from $1; UNION, not UNION ALL, so rows
// hand-edited into a cycle end the recursion instead of looping. The reached
// ids go to subscriptions as an array rather than a join: PostgreSQL cannot
// estimate the size of a recursive CTE, and joined it scans and hashes every
// subscription, while "unit_id = ANY (array)" uses the unit_id index, which
// halves the time of BenchmarkChatsReached.
const reachedFrom = `
	WITH RECURSIVE reached (id) AS (
		SELECT id FROM units WHERE id = ANY($1::bigint[])
		UNION
		SELECT u.id FROM units AS u JOIN reached AS r ON u.parent_id = r.id
	)
	SELECT %s FROM chats AS c
	WHERE c.status = 'active'
	  AND c.id IN (SELECT s.chat_id FROM subscriptions AS s WHERE s.unit_id = ANY (ARRAY(SELECT id FROM reached)))`

var (
	chatsReachedSQL      = fmt.Sprintf(reachedFrom, "c.id") + ` ORDER BY c.id`
	countChatsReachedSQL = fmt.Sprintf(reachedFrom, "count(*)")
)

// ChatsReached is the delivery engine's query: the ids of the active chats
// that follow any of unitIDs or any unit below one of them, each once,
// sorted. Blocked and left chats are not reached. It is one statement, so
// the answer is a consistent snapshot even while people join and leave.
func (db *DB) ChatsReached(ctx context.Context, unitIDs []int64) ([]int64, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	var out []int64
	err := db.x.SelectContext(ctx, &out, chatsReachedSQL, pq.Array(unitIDs))
	if err != nil {
		return nil, fmt.Errorf("chats reached by units %v: %w", unitIDs, err)
	}
	return out, nil
}

// CountChatsReached is len(ChatsReached(unitIDs)) without moving the ids:
// what a confirmation "send to 1 234 chats?" needs.
func (db *DB) CountChatsReached(ctx context.Context, unitIDs []int64) (int, error) {
	if len(unitIDs) == 0 {
		return 0, nil
	}
	var n int
	err := db.x.GetContext(ctx, &n, countChatsReachedSQL, pq.Array(unitIDs))
	if err != nil {
		return 0, fmt.Errorf("count chats reached by units %v: %w", unitIDs, err)
	}
	return n, nil
}
