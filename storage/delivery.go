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

// Broadcast states. A draft has no deliveries; starting it creates them
// (sending); it is done when none is pending any more, or cancelled.
const (
	BroadcastDraft     = "draft"
	BroadcastSending   = "sending"
	BroadcastDone      = "done"
	BroadcastCancelled = "cancelled"
)

// Delivery states. Only pending deliveries are ever sent.
const (
	DeliveryPending   = "pending"
	DeliverySent      = "sent"
	DeliveryBlocked   = "blocked" // 403: the bot was blocked, kicked, or the account deleted
	DeliveryFailed    = "failed"  // a permanent error, or temporary ones for too long
	DeliveryCancelled = "cancelled"
)

// NewBroadcast is a broadcast as the delivery engine creates it.
type NewBroadcast struct {
	Kind         string
	AuthorID     int64 // 0 for the system
	AuthorChatID int64 // where status and report go; 0 for nowhere
	Lang         string
	Text         string // Telegram HTML
	NoPreview    bool
	// Content is what the broadcast carries besides its text (media,
	// buttons), as the delivery engine encodes it: JSON, opaque here.
	Content  []byte
	Priority int // 0 routine, 1 urgent: claimed first
	// ScheduledAt, when set, is when the deliveries fall due (a scheduled
	// bulletin); nil for at once.
	ScheduledAt *time.Time
	UnitIDs     []int64 // the units and every unit below them are reached
	DedupKey    string  // "" for none
	ToAdmins    bool    // the private chats of the admins too (started broadcasts only)
	// ChatIDs, when set, are the chats it goes to (those still active)
	// instead of the chats following UnitIDs, which then only record whose
	// it is: what only some people of a unit may read, such as a report
	// for its officers (started broadcasts only).
	ChatIDs []int64
	// ArticleID is the article a feed broadcast carries: the chats'
	// filters, mutes and digests apply to it (applyChatSettings). 0 for
	// anything else, which they never touch.
	ArticleID int64
	// Rings makes a routine broadcast ring through quiet hours (a reminder
	// of a task due that day).
	Rings bool
}

// BroadcastSummary is a broadcast with its delivery counts: counted live
// while it is not reported, frozen in the row once it is.
type BroadcastSummary struct {
	ID              int64         `db:"id"`
	Kind            string        `db:"kind"`
	AuthorID        int64         `db:"author_id"`
	AuthorChatID    int64         `db:"author_chat_id"`
	Lang            string        `db:"lang"`
	Text            string        `db:"text"`
	NoPreview       bool          `db:"no_preview"`
	UnitIDs         pq.Int64Array `db:"unit_ids"`
	State           string        `db:"state"`
	CreatedAt       time.Time     `db:"created_at"`
	StartedAt       *time.Time    `db:"started_at"`
	FinishedAt      *time.Time    `db:"finished_at"`
	StatusMessageID int           `db:"status_message_id"`
	ReportedAt      *time.Time    `db:"reported_at"`
	Priority        int           `db:"priority"`
	ScheduledAt     *time.Time    `db:"scheduled_at"`
	Content         []byte        `db:"content"`

	Total     int `db:"total"`
	Sent      int `db:"sent"`
	Blocked   int `db:"blocked"`
	Failed    int `db:"failed"`
	Cancelled int `db:"cancelled"`
	Pending   int `db:"pending"`
}

// broadcastSelect reads BroadcastSummary rows. The lateral count runs only
// for unreported broadcasts (a one-time filter on b.reported_at): a
// reported one has its counts in the row, so listing old broadcasts of
// 100,000 chats each does not count them again.
const broadcastSelect = `
	SELECT b.id, b.kind, b.author_id, b.author_chat_id, b.lang, b.text, b.no_preview, b.unit_ids,
		b.state, b.created_at, b.started_at, b.finished_at, b.status_message_id, b.reported_at,
		b.priority, b.scheduled_at, b.content,
		CASE WHEN b.reported_at IS NULL THEN x.total     ELSE b.n_total     END AS total,
		CASE WHEN b.reported_at IS NULL THEN x.sent      ELSE b.n_sent      END AS sent,
		CASE WHEN b.reported_at IS NULL THEN x.blocked   ELSE b.n_blocked   END AS blocked,
		CASE WHEN b.reported_at IS NULL THEN x.failed    ELSE b.n_failed    END AS failed,
		CASE WHEN b.reported_at IS NULL THEN x.cancelled ELSE b.n_cancelled END AS cancelled,
		CASE WHEN b.reported_at IS NULL THEN x.pending   ELSE 0             END AS pending
	FROM broadcasts AS b
	LEFT JOIN LATERAL (` + deliveryCounts + ` WHERE d.broadcast_id = b.id AND b.reported_at IS NULL) AS x ON true`

const deliveryCounts = `
	SELECT count(*)::int AS total,
		(count(*) FILTER (WHERE d.state = 'sent'))::int      AS sent,
		(count(*) FILTER (WHERE d.state = 'blocked'))::int   AS blocked,
		(count(*) FILTER (WHERE d.state = 'failed'))::int    AS failed,
		(count(*) FILTER (WHERE d.state = 'cancelled'))::int AS cancelled,
		(count(*) FILTER (WHERE d.state = 'pending'))::int   AS pending
	FROM deliveries AS d`

// insertDeliveriesSQL fans broadcast $2 out to the chats ChatsReached
// finds for units $1 (the same recursive statement), due at $3. ON CONFLICT
// makes a repeat create nothing.
var insertDeliveriesSQL = `INSERT INTO deliveries (broadcast_id, chat_id, due_at) ` +
	fmt.Sprintf(reachedFrom, "$2::bigint, c.id, $3::timestamptz") + ` ON CONFLICT DO NOTHING`

// CreateBroadcast records a broadcast created at now. As a draft (start
// false) it gets no deliveries and chats is the number of chats it would
// reach today; started, its deliveries are created in the same transaction
// and chats is their number. With a DedupKey already used, nothing is
// created and the earlier broadcast's id and delivery count come back with
// created false.
func (db *DB) CreateBroadcast(ctx context.Context, b NewBroadcast, start bool, now time.Time) (id int64, chats int, created bool, err error) {
	if b.Kind == "" || (b.Text == "" && len(b.Content) == 0) || (len(b.UnitIDs) == 0 && !b.ToAdmins && len(b.ChatIDs) == 0) {
		return 0, 0, false, fmt.Errorf("create broadcast: need a kind, a text and at least one unit or chat")
	}
	if (b.ToAdmins || len(b.ChatIDs) > 0) && !start {
		// A draft keeps only its units; starting it could not reach the
		// admins or the chosen chats.
		return 0, 0, false, fmt.Errorf("create broadcast: a draft goes to units only")
	}
	state := BroadcastDraft
	var started *time.Time
	if start {
		state, started = BroadcastSending, &now
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
				dedup_key, state, created_at, started_at, content, priority, scheduled_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
			RETURNING id`,
			b.Kind, b.AuthorID, b.AuthorChatID, b.Lang, b.Text, b.NoPreview, pq.Array(nonNil(b.UnitIDs)),
			dedup, state, now, started, string(content), b.Priority, b.ScheduledAt)
		if errors.Is(err, sql.ErrNoRows) {
			// The key is taken: report the broadcast that has it.
			return tx.QueryRowxContext(ctx, `
				SELECT b.id, (SELECT count(*) FROM deliveries AS d WHERE d.broadcast_id = b.id)
				FROM broadcasts AS b WHERE b.dedup_key = $1`, b.DedupKey).Scan(&id, &chats)
		}
		if err != nil {
			return err
		}
		created = true
		if err := setBroadcastAudience(ctx, tx, id, b); err != nil {
			return err
		}
		if !start {
			return tx.GetContext(ctx, &chats, countChatsReachedSQL, pq.Array(b.UnitIDs))
		}
		chats, err = fanOut(ctx, tx, id, b.UnitIDs, b.ChatIDs, b.ToAdmins, dueAt(now, b.ScheduledAt))
		return err
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("create broadcast: %w", err)
	}
	return id, chats, created, nil
}

// insertAdminDeliveriesSQL fans broadcast $1 out to the active private
// chats of the admins (a private chat's id is its user's), due at $2.
const insertAdminDeliveriesSQL = `INSERT INTO deliveries (broadcast_id, chat_id, due_at)
	SELECT $1::bigint, c.id, $2::timestamptz FROM chats AS c JOIN users AS u ON u.id = c.id
	WHERE u.role = 'admin' AND c.type = 'private' AND c.status = 'active'
	ON CONFLICT DO NOTHING`

// fanOut creates the deliveries of broadcast id — to chatIDs when given,
// else to the chats of unitIDs; and to the admins' private chats when
// toAdmins — and records their number.
func fanOut(ctx context.Context, tx *sqlx.Tx, id int64, unitIDs, chatIDs []int64, toAdmins bool, now time.Time) (int, error) {
	var n int64
	if len(chatIDs) > 0 {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO deliveries (broadcast_id, chat_id, due_at)
			SELECT $1::bigint, c.id, $3::timestamptz FROM chats AS c
			WHERE c.id = ANY($2) AND c.status = 'active'
			ON CONFLICT DO NOTHING`, id, pq.Array(chatIDs), now)
		if err != nil {
			return 0, err
		}
		if n, err = res.RowsAffected(); err != nil {
			return 0, err
		}
	} else if len(unitIDs) > 0 {
		res, err := tx.ExecContext(ctx, insertDeliveriesSQL, pq.Array(unitIDs), id, now)
		if err != nil {
			return 0, err
		}
		if n, err = res.RowsAffected(); err != nil {
			return 0, err
		}
	}
	if toAdmins {
		res, err := tx.ExecContext(ctx, insertAdminDeliveriesSQL, id, now)
		if err != nil {
			return 0, err
		}
		m, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		n += m
	}
	dropped, err := applyChatSettings(ctx, tx, id, now)
	if err != nil {
		return 0, err
	}
	n -= int64(dropped)
	_, err = tx.ExecContext(ctx, `UPDATE broadcasts SET n_total = $2 WHERE id = $1`, id, n)
	return int(n), err
}

// dueAt is when the deliveries of a broadcast started at now fall due: at
// once, or at its scheduled time.
func dueAt(now time.Time, scheduled *time.Time) time.Time {
	if scheduled != nil && scheduled.After(now) {
		return *scheduled
	}
	return now
}

// nonNil is ids, or an empty list for nil: unit_ids is NOT NULL.
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// StartBroadcast starts draft id on behalf of actorID: only its author may,
// and only once. The deliveries, one per chat the units reach now, are
// created in the same transaction. It returns false (and no error) when the
// broadcast is not a draft of actorID's: someone else's, already started,
// cancelled, or unknown.
func (db *DB) StartBroadcast(ctx context.Context, id, actorID int64, now time.Time) (started bool, chats int, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			Units       pq.Int64Array `db:"unit_ids"`
			ScheduledAt *time.Time    `db:"scheduled_at"`
		}
		err := tx.GetContext(ctx, &row, `
			UPDATE broadcasts SET state = 'sending', started_at = $3
			WHERE id = $1 AND author_id = $2 AND state = 'draft'
			RETURNING unit_ids, scheduled_at`, id, actorID, now)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		started = true
		chats, err = fanOut(ctx, tx, id, row.Units, nil, false, dueAt(now, row.ScheduledAt))
		return err
	})
	if err != nil {
		return false, 0, fmt.Errorf("start broadcast %d: %w", id, err)
	}
	return started, chats, nil
}

// CancelBroadcast stops broadcast id (a draft, or one being sent) on behalf
// of actorID: its pending deliveries become cancelled, and their number is
// returned. A broadcast already done or cancelled is left alone (0). An
// unknown id is ErrNotFound. Who may cancel is for the caller to decide.
func (db *DB) CancelBroadcast(ctx context.Context, id, actorID int64, now time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var state string
		if err := tx.GetContext(ctx, &state, `SELECT state FROM broadcasts WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err)
		}
		if state != BroadcastDraft && state != BroadcastSending {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE broadcasts SET state = 'cancelled', finished_at = $3, cancelled_by = $2 WHERE id = $1`,
			id, actorID, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET state = 'cancelled', done_at = $2, claimed_at = NULL
			WHERE broadcast_id = $1 AND state = 'pending'`, id, now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cancel broadcast %d: %w", id, err)
	}
	return int(n), nil
}

// BroadcastSummary returns broadcast id with its counts, or ErrNotFound.
func (db *DB) BroadcastSummary(ctx context.Context, id int64) (BroadcastSummary, error) {
	var s BroadcastSummary
	if err := db.x.GetContext(ctx, &s, broadcastSelect+` WHERE b.id = $1`, id); err != nil {
		return BroadcastSummary{}, fmt.Errorf("load broadcast %d: %w", id, notFound(err))
	}
	return s, nil
}

// BroadcastContent is what a broadcast sends, without its counts.
type BroadcastContent struct {
	Text      string `db:"text"`
	NoPreview bool   `db:"no_preview"`
	Content   []byte `db:"content"` // media and buttons, as NewBroadcast.Content
	Priority  int    `db:"priority"`
	State     string `db:"state"`
}

// BroadcastContent returns the text of broadcast id, or ErrNotFound.
func (db *DB) BroadcastContent(ctx context.Context, id int64) (BroadcastContent, error) {
	var c BroadcastContent
	if err := db.x.GetContext(ctx, &c, `SELECT text, no_preview, content, priority, state FROM broadcasts WHERE id = $1`, id); err != nil {
		return BroadcastContent{}, fmt.Errorf("load broadcast %d: %w", id, notFound(err))
	}
	return c, nil
}

// CancelledBroadcasts returns those of ids that are cancelled: the
// dispatcher asks every moment about the broadcasts it is sending, since
// /cancel may have been typed to another process.
func (db *DB) CancelledBroadcasts(ctx context.Context, ids []int64) ([]int64, error) {
	var out []int64
	if err := db.x.SelectContext(ctx, &out, `SELECT id FROM broadcasts WHERE id = ANY($1::bigint[]) AND state = 'cancelled'`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("cancelled broadcasts: %w", err)
	}
	return out, nil
}

// RecentBroadcasts returns the limit newest broadcasts, newest first.
func (db *DB) RecentBroadcasts(ctx context.Context, limit int) ([]BroadcastSummary, error) {
	var out []BroadcastSummary
	if err := db.x.SelectContext(ctx, &out, broadcastSelect+` ORDER BY b.id DESC LIMIT $1`, limit); err != nil {
		return nil, fmt.Errorf("load recent broadcasts: %w", err)
	}
	return out, nil
}

// UnreportedBroadcasts returns the broadcasts the dispatcher still has to
// watch: being sent, or finished without a final report yet, oldest first.
func (db *DB) UnreportedBroadcasts(ctx context.Context) ([]BroadcastSummary, error) {
	var out []BroadcastSummary
	if err := db.x.SelectContext(ctx, &out, broadcastSelect+`
		WHERE b.state <> 'draft' AND b.reported_at IS NULL ORDER BY b.id`); err != nil {
		return nil, fmt.Errorf("load unreported broadcasts: %w", err)
	}
	return out, nil
}

// FinishBroadcast marks broadcast id done at now if it is being sent and
// none of its deliveries is pending any more, and reports whether it did.
func (db *DB) FinishBroadcast(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := db.x.ExecContext(ctx, `
		UPDATE broadcasts SET state = 'done', finished_at = $2
		WHERE id = $1 AND state = 'sending'
		  AND NOT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = $1 AND state = 'pending')`, id, now)
	if err != nil {
		return false, fmt.Errorf("finish broadcast %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("finish broadcast %d: %w", id, err)
	}
	return n == 1, nil
}

// SetBroadcastStatusMessage remembers the id of the author's status
// message, so a dispatcher that takes over keeps editing the same one.
func (db *DB) SetBroadcastStatusMessage(ctx context.Context, id int64, messageID int) error {
	if _, err := db.x.ExecContext(ctx, `UPDATE broadcasts SET status_message_id = $2 WHERE id = $1`, id, messageID); err != nil {
		return fmt.Errorf("set status message of broadcast %d: %w", id, err)
	}
	return nil
}

// MarkBroadcastReported records that the final report of a finished
// broadcast was made, and freezes its counts in the row.
func (db *DB) MarkBroadcastReported(ctx context.Context, id int64, now time.Time) error {
	_, err := db.x.ExecContext(ctx, `
		UPDATE broadcasts AS b SET reported_at = $2, n_total = x.total, n_sent = x.sent,
			n_blocked = x.blocked, n_failed = x.failed, n_cancelled = x.cancelled
		FROM (`+deliveryCounts+` WHERE d.broadcast_id = $1) AS x
		WHERE b.id = $1 AND b.reported_at IS NULL AND b.state IN ('done', 'cancelled')`, id, now)
	if err != nil {
		return fmt.Errorf("mark broadcast %d reported: %w", id, err)
	}
	return nil
}

// ReasonCount is how many deliveries of a broadcast ended in State for
// Reason.
type ReasonCount struct {
	State  string `db:"state"`
	Code   string `db:"reason_code"` // "" for deliveries recorded before codes
	Reason string `db:"reason"`
	Count  int    `db:"count"`
}

// FailureReasons returns why deliveries of broadcast id were blocked or
// failed, the most frequent reason first, at most limit of them.
func (db *DB) FailureReasons(ctx context.Context, id int64, limit int) ([]ReasonCount, error) {
	var out []ReasonCount
	err := db.x.SelectContext(ctx, &out, `
		SELECT state, reason_code, min(reason) AS reason, count(*)::int AS count FROM deliveries
		WHERE broadcast_id = $1 AND state IN ('blocked', 'failed')
		GROUP BY state, reason_code, CASE WHEN reason_code = '' THEN reason ELSE '' END
		ORDER BY count(*) DESC, state, reason_code, min(reason) LIMIT $2`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("failure reasons of broadcast %d: %w", id, err)
	}
	return out, nil
}

// Delivery is a claimed delivery with what the dispatcher needs to send it.
type Delivery struct {
	BroadcastID int64      `db:"broadcast_id"`
	ChatID      int64      `db:"chat_id"`
	ChatType    string     `db:"chat_type"`   // private, group, supergroup, channel: the limits differ
	ChatStatus  string     `db:"chat_status"` // a chat no longer active is not sent to
	Attempts    int        `db:"attempts"`
	PartsSent   int        `db:"parts_sent"`
	RetrySince  *time.Time `db:"retry_since"`
	Priority    int        `db:"priority"` // of its broadcast
	// What the chat's settings say for this delivery (issue 14): its forum
	// topic (0 the general one), whether its broadcast rings through quiet
	// hours, and the chat's quiet hours (nil: the chat kept the defaults).
	ThreadID  int  `db:"thread_id"`
	Rings     bool `db:"rings"`
	QuietFrom *int `db:"quiet_from"`
	QuietTo   *int `db:"quiet_to"`
}

// ClaimDeliveries takes up to limit pending deliveries due at now for the
// caller to send: urgent broadcasts' first, and among broadcasts of one
// priority in turns (the first due delivery of each, then the second of
// each, …), so that a 50-chat bulletin is not queued behind a 100,000-chat
// fan-out that started before it; within a broadcast, oldest due first.
//
// The turns are taken in SQL: for each broadcast being sent (an index on
// priority), its next limit due deliveries (an index on broadcast and due
// time), numbered; then the rows are locked in the order priority, number.
// Window functions cannot lock, so the numbering and the locking are two
// steps, and a row another claimer took meanwhile is skipped.
//
// A claimed row is never due (its due_at becomes infinity) until its
// outcome is recorded with RecordDeliveries or its claim is freed with
// ReleaseDeliveryClaims; two claimers at the same moment never get the
// same row (FOR UPDATE SKIP LOCKED).
//
// With urgentOnly, only urgent broadcasts' deliveries are claimed: the
// dispatcher looks for them while its routine queue is full.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, limit int, urgentOnly bool) ([]Delivery, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("claim deliveries: need a positive limit")
	}
	minPriority := 0
	if urgentOnly {
		minPriority = 1
	}
	var out []Delivery
	err := db.x.SelectContext(ctx, &out, `
		WITH turns AS (
			SELECT x.broadcast_id, x.chat_id, b.priority,
				row_number() OVER (PARTITION BY b.id ORDER BY x.due_at) AS turn
			FROM broadcasts AS b
			CROSS JOIN LATERAL (
				SELECT d.broadcast_id, d.chat_id, d.due_at FROM deliveries AS d
				WHERE d.broadcast_id = b.id AND d.state = 'pending' AND d.due_at <= $1
				ORDER BY d.due_at
				LIMIT $2
			) AS x
			WHERE b.state = 'sending' AND b.priority >= $3
		), due AS (
			SELECT d.broadcast_id, d.chat_id FROM deliveries AS d
			JOIN turns AS t ON t.broadcast_id = d.broadcast_id AND t.chat_id = d.chat_id
			WHERE d.state = 'pending' AND d.due_at <= $1
			ORDER BY t.priority DESC, t.turn, t.broadcast_id
			LIMIT $2
			FOR UPDATE OF d SKIP LOCKED
		)
		UPDATE deliveries AS d SET claimed_at = $1, due_at = 'infinity'
		FROM due, chats AS c, broadcasts AS b
		WHERE d.broadcast_id = due.broadcast_id AND d.chat_id = due.chat_id AND c.id = d.chat_id AND b.id = d.broadcast_id
		RETURNING d.broadcast_id, d.chat_id, c.type AS chat_type, c.status AS chat_status,
			d.attempts, d.parts_sent, d.retry_since, b.priority, `+claimSettingsColumns, now, limit, minPriority)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return out, nil
}

// ReleaseDeliveryClaims makes every claimed pending delivery due again (at
// the time it was claimed, keeping the queue's order). Only a dispatcher
// that has just become the only one may call it: the claims it frees are
// those of a dispatcher that died or stepped down.
func (db *DB) ReleaseDeliveryClaims(ctx context.Context) (int, error) {
	res, err := db.x.ExecContext(ctx, `
		UPDATE deliveries SET due_at = claimed_at, claimed_at = NULL
		WHERE state = 'pending' AND claimed_at IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("release delivery claims: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release delivery claims: %w", err)
	}
	return int(n), nil
}

// DeliveryOutcome is what became of one claimed delivery.
type DeliveryOutcome struct {
	BroadcastID int64
	ChatID      int64 // the chat it went to (the new id after a migration)
	// State is the new state. DeliveryPending reschedules it at DueAt and
	// frees the claim, unless KeepClaim (a part of a long text was sent and
	// the rest follows at once).
	State      string
	DueAt      time.Time
	KeepClaim  bool
	PartsSent  int
	MessageID  int // of the last part sent; 0 keeps the stored one
	Attempts   int
	RetrySince time.Time // zero for none
	Reason     string
	DoneAt     time.Time // when it became sent, blocked, failed; zero while pending
	// ChatGone records that Telegram answered 403: the chat becomes blocked
	// (a private chat) or left (a group), and nothing more is sent there.
	ChatGone bool
	// ReasonCode is why it was blocked or failed, as a code
	// (delivery.Reason*); Reason keeps Telegram's words.
	ReasonCode string
	// Messages are those the send just recorded created, recorded in the
	// same transaction as the outcome: /edit and /recall find them there.
	Messages []SentMessage
}

// SentMessage is one message Telegram created for a delivery.
type SentMessage struct {
	Part      int    // which part of the broadcast (0 first)
	MessageID int    // Telegram's id in the delivery's chat
	Kind      string // "text", "caption" or "media": how it is edited
	SentAt    time.Time
}

// RecordDeliveries stores outcomes in one transaction (the dispatcher
// gathers those of all its senders into one call). Only pending deliveries
// change, so a delivery cancelled meanwhile stays cancelled, except that one
// that went out anyway is recorded as sent: the report must not deny a
// message the chat has.
func (db *DB) RecordDeliveries(ctx context.Context, outs []DeliveryOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	n := len(outs)
	var (
		bids, cids, due, retry, done = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		parts, msgIDs, attempts      = make([]int64, n), make([]int64, n), make([]int64, n)
		states, reasons, codes       = make([]string, n), make([]string, n), make([]string, n)
		mb, mc, mid, mpart, mat      []int64
		mkind                        []string
		keep                         = make([]bool, n)
		gone                         []int64
	)
	for i, o := range outs {
		bids[i], cids[i], states[i], reasons[i], keep[i] = o.BroadcastID, o.ChatID, o.State, o.Reason, o.KeepClaim
		parts[i], msgIDs[i], attempts[i] = int64(o.PartsSent), int64(o.MessageID), int64(o.Attempts)
		due[i], retry[i], done[i] = micros(o.DueAt), micros(o.RetrySince), micros(o.DoneAt)
		codes[i] = o.ReasonCode
		if o.ChatGone {
			gone = append(gone, o.ChatID)
		}
		for _, m := range o.Messages {
			mb, mc, mid, mpart = append(mb, o.BroadcastID), append(mc, o.ChatID), append(mid, int64(m.MessageID)), append(mpart, int64(m.Part))
			mkind, mat = append(mkind, m.Kind), append(mat, micros(m.SentAt))
		}
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE deliveries AS d SET
				state       = o.state,
				parts_sent  = o.parts,
				message_id  = coalesce(nullif(o.message_id, 0), d.message_id),
				attempts    = o.attempts,
				due_at      = CASE WHEN o.due = 0 THEN d.due_at ELSE to_timestamp(o.due::float8 / 1e6) END,
				claimed_at  = CASE WHEN o.keep THEN d.claimed_at END,
				retry_since = CASE WHEN o.retry <> 0 THEN to_timestamp(o.retry::float8 / 1e6) END,
				reason      = o.reason,
				reason_code = o.code,
				done_at     = CASE WHEN o.done <> 0 THEN to_timestamp(o.done::float8 / 1e6) END
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[],
				$7::bigint[], $8::bigint[], $9::text[], $10::bigint[], $11::bool[], $12::text[])
				AS o(broadcast_id, chat_id, state, parts, message_id, attempts, due, retry, reason, done, keep, code)
			WHERE d.broadcast_id = o.broadcast_id AND d.chat_id = o.chat_id
			  AND (d.state = 'pending' OR (d.state = 'cancelled' AND o.state = 'sent'))`,
			pq.Array(bids), pq.Array(cids), pq.Array(states), pq.Array(parts), pq.Array(msgIDs),
			pq.Array(attempts), pq.Array(due), pq.Array(retry), pq.Array(reasons), pq.Array(done), pq.Array(keep), pq.Array(codes))
		if err != nil {
			return err
		}
		if len(mb) > 0 {
			// A repeat (a record retried) inserts nothing twice.
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO delivery_messages (broadcast_id, chat_id, message_id, part, kind, sent_at)
				SELECT b, c, m, p, k, to_timestamp(t::float8 / 1e6)
				FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[], $5::text[], $6::bigint[]) AS x(b, c, m, p, k, t)
				ON CONFLICT DO NOTHING`,
				pq.Array(mb), pq.Array(mc), pq.Array(mid), pq.Array(mpart), pq.Array(mkind), pq.Array(mat)); err != nil {
				return fmt.Errorf("record sent messages: %w", err)
			}
		}
		if len(gone) == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE chats SET status = CASE WHEN type = 'private' THEN 'blocked' ELSE 'left' END, updated_at = now()
			WHERE id = ANY($1::bigint[]) AND status = 'active'`, pq.Array(gone))
		return err
	})
	if err != nil {
		return fmt.Errorf("record %d deliveries: %w", n, err)
	}
	return nil
}

// micros is t in microseconds since 1970 for the unnest arrays, 0 for the
// zero time (NULL, or "keep").
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// PendingDeliveries is the depth of the queue: deliveries not yet sent,
// claimed or not, due or not.
func (db *DB) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := db.x.GetContext(ctx, &n, `SELECT count(*) FROM deliveries WHERE state = 'pending'`); err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", err)
	}
	return n, nil
}

// RetryDeliveriesNow makes due at now the pending deliveries, not claimed,
// whose failures began at or after since and that wait for a later retry:
// what failed while the Bot API was down goes out as soon as it is back,
// instead of after each delivery's own back-off. It returns how many.
func (db *DB) RetryDeliveriesNow(ctx context.Context, since, now time.Time) (int, error) {
	res, err := db.x.ExecContext(ctx, `
		UPDATE deliveries SET due_at = $2
		WHERE state = 'pending' AND claimed_at IS NULL AND due_at > $2 AND due_at <> 'infinity'
		  AND retry_since >= $1`, since, now)
	if err != nil {
		return 0, fmt.Errorf("retry deliveries now: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retry deliveries now: %w", err)
	}
	return int(n), nil
}

// DeliveryQueue is how the queue of pending deliveries looks at a moment.
type DeliveryQueue struct {
	Due       int       // pending, not claimed, due now or earlier
	OldestDue time.Time // the earliest due_at among them; zero when Due is 0
	Claimed   int       // claimed by a dispatcher, not recorded yet
	LastClaim time.Time // the latest claim among them; zero when Claimed is 0
}

// DeliveryQueueState returns the queue as of now, for a health check: due
// deliveries that nobody claims, or claims that stop coming, mean a stuck
// dispatcher.
func (db *DB) DeliveryQueueState(ctx context.Context, now time.Time) (DeliveryQueue, error) {
	var row struct {
		Due       int        `db:"due"`
		OldestDue *time.Time `db:"oldest_due"`
		Claimed   int        `db:"claimed"`
		LastClaim *time.Time `db:"last_claim"`
	}
	// Claimed rows have due_at 'infinity' (ClaimDeliveries), so both
	// halves come from the pending index.
	if err := db.x.GetContext(ctx, &row, `
		SELECT count(*) FILTER (WHERE due_at <= $1) AS due,
			min(due_at) FILTER (WHERE due_at <= $1) AS oldest_due,
			count(*) FILTER (WHERE due_at = 'infinity') AS claimed,
			max(claimed_at) FILTER (WHERE due_at = 'infinity') AS last_claim
		FROM deliveries
		WHERE state = 'pending' AND (due_at <= $1 OR due_at = 'infinity')`, now); err != nil {
		return DeliveryQueue{}, fmt.Errorf("delivery queue state: %w", err)
	}
	q := DeliveryQueue{Due: row.Due, Claimed: row.Claimed}
	if row.OldestDue != nil {
		q.OldestDue = *row.OldestDue
	}
	if row.LastClaim != nil {
		q.LastClaim = *row.LastClaim
	}
	return q, nil
}
