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

// Outcomes of RecordAnswer.
const (
	AnswerRecorded  = "recorded"   // the person's first answer
	AnswerChanged   = "changed"    // a different answer than before
	AnswerSame      = "same"       // the same answer again: nothing changes
	AnswerNotMember = "not_member" // the presser is no member of a reached unit
	AnswerNoCopy    = "no_copy"    // the button is not under a copy of that broadcast
)

// reachedUnitsOf is the units a broadcast reaches ($1): its units and
// every unit below them.
const reachedUnitsOf = `
	WITH RECURSIVE reached (id) AS (
		SELECT unnest(unit_ids) FROM broadcasts WHERE id = $1
		UNION
		SELECT u.id FROM units AS u JOIN reached AS r ON u.parent_id = r.id
	)`

// RecordAnswer records userID's answer to broadcast id, pressed under
// message messageID of chat chatID. It is recorded only when that message
// is a delivered copy of the broadcast (a forged or stale button records
// nothing) and the person is a member of a unit the broadcast reaches;
// previous is the answer before, -1 for none.
func (db *DB) RecordAnswer(ctx context.Context, id, userID, chatID int64, messageID, answer int, now time.Time) (outcome string, previous int, err error) {
	previous = -1
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var copyOK, member bool
		// A copy, or the reminder in the presser's own private chat.
		if err := tx.GetContext(ctx, &copyOK, `SELECT EXISTS (SELECT 1 FROM delivery_messages
			WHERE broadcast_id = $1 AND chat_id = $2 AND message_id = $3)
			OR ($2 = $4 AND EXISTS (SELECT 1 FROM bulletin_reminders
			WHERE broadcast_id = $1 AND user_id = $4 AND message_id = $3 AND message_id <> 0))`, id, chatID, messageID, userID); err != nil {
			return err
		}
		if !copyOK {
			outcome = AnswerNoCopy
			return nil
		}
		if err := tx.GetContext(ctx, &member, reachedUnitsOf+`
			SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $2 AND unit_id IN (SELECT id FROM reached))`, id, userID); err != nil {
			return err
		}
		if !member {
			outcome = AnswerNotMember
			return nil
		}
		err := tx.GetContext(ctx, &previous, `SELECT answer FROM bulletin_answers
			WHERE broadcast_id = $1 AND user_id = $2 FOR UPDATE`, id, userID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			previous = -1
		case err != nil:
			return err
		}
		switch previous {
		case answer:
			outcome = AnswerSame
			return nil
		case -1:
			outcome = AnswerRecorded
			// Two presses at once: the second waits on the key and
			// counts as the same answer, or a change.
			_, err = tx.ExecContext(ctx, `INSERT INTO bulletin_answers (broadcast_id, user_id, answer, chat_id, answered_at)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (broadcast_id, user_id) DO UPDATE SET answer = EXCLUDED.answer,
					changes = bulletin_answers.changes + (bulletin_answers.answer <> EXCLUDED.answer)::int,
					chat_id = EXCLUDED.chat_id, answered_at = EXCLUDED.answered_at`, id, userID, answer, chatID, now)
		default:
			outcome = AnswerChanged
			_, err = tx.ExecContext(ctx, `UPDATE bulletin_answers SET answer = $3, changes = changes + 1, chat_id = $4, answered_at = $5
				WHERE broadcast_id = $1 AND user_id = $2`, id, userID, answer, chatID, now)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE broadcasts SET answers_changed_at = $2 WHERE id = $1`, id, now)
		return err
	})
	if err != nil {
		return "", -1, fmt.Errorf("record answer of %d to broadcast %d: %w", userID, id, err)
	}
	return outcome, previous, nil
}

// UnitAnswers is one reached unit's line of the answers board.
type UnitAnswers struct {
	UnitID    int64  `db:"unit_id"`
	Name      string `db:"name"`
	Members   int    `db:"members"`   // expected answerers
	Delivered int    `db:"delivered"` // chats following the unit that got the bulletin
	Answers   []int  // how many members gave each answer
}

// AnswerBoard returns, for each reached unit with members (in the order of
// the units file), its members, the chats it follows that got the bulletin,
// and its members' answers counted per answer (n answers).
func (db *DB) AnswerBoard(ctx context.Context, id int64, n int) ([]UnitAnswers, error) {
	var rows []UnitAnswers
	if err := db.x.SelectContext(ctx, &rows, reachedUnitsOf+`
		SELECT u.id AS unit_id, u.name,
			(SELECT count(*) FROM memberships AS m WHERE m.unit_id = u.id) AS members,
			(SELECT count(*) FROM deliveries AS d
			 WHERE d.broadcast_id = $1 AND d.state = 'sent'
			   AND d.chat_id IN (SELECT s.chat_id FROM subscriptions AS s WHERE s.unit_id = u.id)) AS delivered
		FROM units AS u
		WHERE u.id IN (SELECT id FROM reached) AND EXISTS (SELECT 1 FROM memberships AS m WHERE m.unit_id = u.id)
		ORDER BY u.position, u.id`, id); err != nil {
		return nil, fmt.Errorf("answers board of broadcast %d: %w", id, err)
	}
	var counts []struct {
		UnitID int64 `db:"unit_id"`
		Answer int   `db:"answer"`
		Count  int   `db:"count"`
	}
	if err := db.x.SelectContext(ctx, &counts, reachedUnitsOf+`
		SELECT m.unit_id, a.answer, count(*) AS count
		FROM bulletin_answers AS a JOIN memberships AS m ON m.user_id = a.user_id
		WHERE a.broadcast_id = $1 AND m.unit_id IN (SELECT id FROM reached)
		GROUP BY m.unit_id, a.answer`, id); err != nil {
		return nil, fmt.Errorf("answers of broadcast %d: %w", id, err)
	}
	at := map[int64]int{}
	for i := range rows {
		rows[i].Answers = make([]int, n)
		at[rows[i].UnitID] = i
	}
	for _, c := range counts {
		if i, ok := at[c.UnitID]; ok && c.Answer < n {
			rows[i].Answers[c.Answer] = c.Count
		}
	}
	return rows, nil
}

// Unanswered is a member of a reached unit who has not answered.
type Unanswered struct {
	UnitID    int64  `db:"unit_id"`
	UnitName  string `db:"unit_name"`
	UserID    int64  `db:"user_id"`
	FirstName string `db:"first_name"`
	LastName  string `db:"last_name"`
	// Reachable: Loa has an active private chat with the person.
	Reachable bool `db:"reachable"`
	// CopyID is the bulletin's first message in that private chat, 0 if
	// it did not go there (the person follows through a group).
	CopyID int `db:"copy_id"`
	// Reminded: "Nhắc lại" already reached the person.
	Reminded bool `db:"reminded"`
}

// Unanswered lists the members of the reached units who have not answered
// broadcast id, by unit (in the order of the units file) and name; a
// person in two units is listed under each.
func (db *DB) Unanswered(ctx context.Context, id int64) ([]Unanswered, error) {
	var out []Unanswered
	if err := db.x.SelectContext(ctx, &out, reachedUnitsOf+`
		SELECT un.id AS unit_id, un.name AS unit_name, us.id AS user_id, us.first_name, us.last_name,
			EXISTS (SELECT 1 FROM chats AS c WHERE c.id = us.id AND c.type = 'private' AND c.status = 'active') AS reachable,
			COALESCE((SELECT min(dm.message_id) FROM delivery_messages AS dm
			          WHERE dm.broadcast_id = $1 AND dm.chat_id = us.id), 0) AS copy_id,
			EXISTS (SELECT 1 FROM bulletin_reminders AS br WHERE br.broadcast_id = $1 AND br.user_id = us.id) AS reminded
		FROM memberships AS m
		JOIN units AS un ON un.id = m.unit_id
		JOIN users AS us ON us.id = m.user_id
		WHERE m.unit_id IN (SELECT id FROM reached)
		  AND NOT EXISTS (SELECT 1 FROM bulletin_answers AS a WHERE a.broadcast_id = $1 AND a.user_id = m.user_id)
		ORDER BY un.position, un.id, us.first_name, us.last_name, us.id`, id); err != nil {
		return nil, fmt.Errorf("unanswered of broadcast %d: %w", id, err)
	}
	return out, nil
}

// ClaimReminders records that users are reminded of broadcast id and
// returns those not reminded before: each person is reminded once, even
// when two presses of "Nhắc lại" cross. A claim whose message was never
// recorded ReminderResend after it was made is claimed again: the process
// that claimed it died before sending (the reminders are sent by its job
// runner), and the person must not go unreminded for that.
func (db *DB) ClaimReminders(ctx context.Context, id int64, users []int64, now time.Time) ([]int64, error) {
	var out []int64
	if err := db.x.SelectContext(ctx, &out, `
		INSERT INTO bulletin_reminders AS br (broadcast_id, user_id, sent_at)
		SELECT $1, u, $3 FROM unnest($2::bigint[]) AS u
		ON CONFLICT (broadcast_id, user_id) DO UPDATE SET sent_at = EXCLUDED.sent_at
			WHERE br.message_id = 0 AND br.sent_at <= EXCLUDED.sent_at - make_interval(secs => $4)
		RETURNING user_id`, id, pq.Array(users), now, ReminderResend.Seconds()); err != nil {
		return nil, fmt.Errorf("claim reminders of broadcast %d: %w", id, err)
	}
	return out, nil
}

// ReminderResend is how long a claimed reminder may go without its message
// being recorded before it counts as lost and is claimed again: longer
// than sending 27,000 reminders takes at Telegram's 30 per second, so a
// reminder still waiting its turn is never sent twice.
const ReminderResend = 15 * time.Minute

// LostReminders returns the broadcasts with reminders claimed at least
// ReminderResend before now whose message was never recorded.
func (db *DB) LostReminders(ctx context.Context, now time.Time) ([]int64, error) {
	var out []int64
	if err := db.x.SelectContext(ctx, &out, `
		SELECT DISTINCT broadcast_id FROM bulletin_reminders
		WHERE message_id = 0 AND sent_at <= $1::timestamptz - make_interval(secs => $2)
		ORDER BY broadcast_id`, now, ReminderResend.Seconds()); err != nil {
		return nil, fmt.Errorf("lost reminders: %w", err)
	}
	return out, nil
}

// SetReminderMessage records the reminder's message in the person's
// private chat: its answer buttons count like a copy's.
func (db *DB) SetReminderMessage(ctx context.Context, id, userID int64, messageID int) error {
	if _, err := db.x.ExecContext(ctx, `UPDATE bulletin_reminders SET message_id = $3
		WHERE broadcast_id = $1 AND user_id = $2`, id, userID, messageID); err != nil {
		return fmt.Errorf("reminder message of broadcast %d for %d: %w", id, userID, err)
	}
	return nil
}

// UnclaimReminder forgets a reminder that could not be sent, so that the
// next "Nhắc lại" tries the person again.
func (db *DB) UnclaimReminder(ctx context.Context, id, userID int64) error {
	if _, err := db.x.ExecContext(ctx, `DELETE FROM bulletin_reminders WHERE broadcast_id = $1 AND user_id = $2`, id, userID); err != nil {
		return fmt.Errorf("unclaim reminder of broadcast %d for %d: %w", id, userID, err)
	}
	return nil
}

// ChangedAnswerBoards returns the broadcasts whose answers changed since
// their board was last shown, with the time of the last change.
func (db *DB) ChangedAnswerBoards(ctx context.Context) (map[int64]time.Time, error) {
	var rows []struct {
		ID int64     `db:"id"`
		At time.Time `db:"answers_changed_at"`
	}
	if err := db.x.SelectContext(ctx, &rows, `SELECT id, answers_changed_at FROM broadcasts
		WHERE answers_changed_at IS NOT NULL AND (answers_shown_at IS NULL OR answers_shown_at < answers_changed_at)`); err != nil {
		return nil, fmt.Errorf("changed answer boards: %w", err)
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		out[r.ID] = r.At
	}
	return out, nil
}

// MarkAnswersShown records that the board of broadcast id shows the
// answers as of at.
func (db *DB) MarkAnswersShown(ctx context.Context, id int64, at time.Time) error {
	if _, err := db.x.ExecContext(ctx, `UPDATE broadcasts SET answers_shown_at = $2 WHERE id = $1`, id, at); err != nil {
		return fmt.Errorf("mark answers of broadcast %d shown: %w", id, err)
	}
	return nil
}

// DueAutoReminders returns the broadcasts whose automatic reminder is due
// at now (content.remind_after minutes after they started) and marks them,
// so each is reminded once.
func (db *DB) DueAutoReminders(ctx context.Context, now time.Time) ([]int64, error) {
	var out []int64
	if err := db.x.SelectContext(ctx, &out, `
		UPDATE broadcasts SET auto_reminded_at = $1
		WHERE auto_reminded_at IS NULL AND state IN ('sending', 'done') AND started_at IS NOT NULL
		  AND (content ->> 'remind_after') IS NOT NULL
		  AND COALESCE(scheduled_at, started_at) + make_interval(mins => (content ->> 'remind_after')::int) <= $1
		RETURNING id`, now); err != nil {
		return nil, fmt.Errorf("due automatic reminders: %w", err)
	}
	return out, nil
}

// SetDraftOptions changes what a draft will be, before its author sends
// it: priority, content (media, buttons, answers, options) and schedule.
// Only the author changes only a draft; it returns false otherwise.
func (db *DB) SetDraftOptions(ctx context.Context, id, authorID int64, priority int, content []byte, scheduledAt *time.Time) (bool, error) {
	res, err := db.x.ExecContext(ctx, `UPDATE broadcasts SET priority = $3, content = $4, scheduled_at = $5
		WHERE id = $1 AND author_id = $2 AND state = 'draft'`, id, authorID, priority, content, scheduledAt)
	if err != nil {
		return false, fmt.Errorf("set options of draft %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PinRefusals counts the groups where a bulletin went out but could not
// be pinned.
func (db *DB) PinRefusals(ctx context.Context, id int64) (int, error) {
	var n int
	if err := db.x.GetContext(ctx, &n, `SELECT count(*) FROM deliveries
		WHERE broadcast_id = $1 AND state = 'sent' AND reason_code = 'cant_pin'`, id); err != nil {
		return 0, fmt.Errorf("pin refusals of broadcast %d: %w", id, err)
	}
	return n, nil
}
