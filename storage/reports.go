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

// Report states and history actions as stored; package reports names them.
const (
	ReportHandled = "handled"
)

// ErrReportClosed is returned when a change is asked of a handled case.
var ErrReportClosed = errors.New("report already handled")

// ReportDraft is a report being written: the person's message, kept until
// they choose its kind (and unit), so that a restart in between loses
// nothing. Content is the domain's JSON, opaque here.
type ReportDraft struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	ChatID    int64     `db:"chat_id"`
	Text      string    `db:"text"`
	Content   []byte    `db:"content"`
	Kind      string    `db:"kind"`
	CreatedAt time.Time `db:"created_at"`
	ExpiresAt time.Time `db:"expires_at"`
}

// SaveReportDraft stores d as the person's one draft, replacing an
// unfinished earlier one, and returns its new id: a button of the earlier
// draft no longer matches.
func (db *DB) SaveReportDraft(ctx context.Context, d ReportDraft) (int64, error) {
	content := d.Content
	if len(content) == 0 {
		content = []byte("{}")
	}
	var id int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := ensureUser(ctx, tx, d.UserID); err != nil {
			return err
		}
		// The person's earlier draft, and anyone's that expired: what
		// people never finished is not kept.
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_drafts WHERE user_id = $1 OR expires_at <= $2`, d.UserID, d.CreatedAt); err != nil {
			return err
		}
		return tx.GetContext(ctx, &id, `
			INSERT INTO report_drafts (user_id, chat_id, text, content, kind, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			d.UserID, d.ChatID, d.Text, string(content), d.Kind, d.CreatedAt, d.ExpiresAt)
	})
	if err != nil {
		return 0, fmt.Errorf("save the report draft of %d: %w", d.UserID, err)
	}
	return id, nil
}

// ActiveReportDraft returns userID's draft that has not expired at now.
func (db *DB) ActiveReportDraft(ctx context.Context, userID int64, now time.Time) (ReportDraft, bool, error) {
	var d ReportDraft
	err := db.x.GetContext(ctx, &d, `
		SELECT id, user_id, chat_id, text, content, kind, created_at, expires_at
		FROM report_drafts WHERE user_id = $1 AND expires_at > $2`, userID, now)
	if errors.Is(err, sql.ErrNoRows) {
		return ReportDraft{}, false, nil
	}
	if err != nil {
		return ReportDraft{}, false, fmt.Errorf("load the report draft of %d: %w", userID, err)
	}
	return d, true, nil
}

// SetReportDraftKind records the kind chosen for draft id of userID; false
// when there is no such draft (expired, filed, replaced, or not theirs).
func (db *DB) SetReportDraftKind(ctx context.Context, id, userID int64, kind string, now time.Time) (bool, error) {
	res, err := db.x.ExecContext(ctx, `
		UPDATE report_drafts SET kind = $3 WHERE id = $1 AND user_id = $2 AND expires_at > $4`, id, userID, kind, now)
	if err != nil {
		return false, fmt.Errorf("set the kind of report draft %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// NewReport is a finished draft becoming a report.
type NewReport struct {
	DraftID int64
	UserID  int64
	Kind    string
	// OriginUnitID is the unit the person sent it to; UnitID where it goes
	// (the nearest unit up with an officer, when the origin has none), and
	// Passed every unit between them, origin included.
	OriginUnitID int64
	UnitID       int64
	Passed       []int64
	Link         string // normalised; "" for none
	Text         string
	Content      []byte
	At           time.Time
}

// FiledReport says what FileReport did.
type FiledReport struct {
	ID        int64
	Created   bool // a new case; false: the person joined an open case of the same link
	Reporters int  // distinct reporters of the case now
}

// FileReport turns draft n.DraftID into a report in one transaction: the
// draft is consumed (a second press of the same button finds none and
// files nothing: ErrNotFound), and the entry joins the open case of the
// same link in the same unit if there is one, or opens a new case. The
// history records who created or joined it.
func (db *DB) FileReport(ctx context.Context, n NewReport) (FiledReport, error) {
	var out FiledReport
	content := n.Content
	if len(content) == 0 {
		content = []byte("{}")
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM report_drafts WHERE id = $1 AND user_id = $2`, n.DraftID, n.UserID)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k == 0 {
			return ErrNotFound
		}
		action := "created"
		if n.Link != "" {
			// Taken with a lock on the open case's row so that ten people
			// reporting the same link at once make one case.
			err = tx.GetContext(ctx, &out.ID, `
				INSERT INTO reports (kind, origin_unit_id, unit_id, link, created_at, updated_at)
				VALUES ($1, $2, $5, $3, $4, $4)
				ON CONFLICT (origin_unit_id, link) WHERE link <> '' AND state <> 'handled' DO UPDATE SET updated_at = EXCLUDED.updated_at
				RETURNING id`, n.Kind, n.OriginUnitID, n.Link, n.At, n.UnitID)
			if err != nil {
				return err
			}
			var entries int
			if err := tx.GetContext(ctx, &entries, `SELECT count(*) FROM report_entries WHERE report_id = $1`, out.ID); err != nil {
				return err
			}
			if entries > 0 {
				action = "joined"
			}
		} else {
			err = tx.GetContext(ctx, &out.ID, `
				INSERT INTO reports (kind, origin_unit_id, unit_id, created_at, updated_at)
				VALUES ($1, $2, $4, $3, $3) RETURNING id`, n.Kind, n.OriginUnitID, n.At, n.UnitID)
			if err != nil {
				return err
			}
		}
		out.Created = action == "created"
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO report_entries (report_id, user_id, text, content, created_at) VALUES ($1, $2, $3, $4, $5)`,
			out.ID, n.UserID, n.Text, string(content), n.At); err != nil {
			return err
		}
		for _, u := range append([]int64{n.OriginUnitID, n.UnitID}, n.Passed...) {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO report_units (report_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, out.ID, u); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO report_history (report_id, at, actor_id, action, unit_id) VALUES ($1, $2, $3, $4, $5)`,
			out.ID, n.At, n.UserID, action, n.OriginUnitID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &out.Reporters, `SELECT count(DISTINCT user_id) FROM report_entries WHERE report_id = $1`, out.ID)
	})
	if err != nil {
		return FiledReport{}, fmt.Errorf("file the report of %d: %w", n.UserID, err)
	}
	return out, nil
}

// Report is a case with what the rules need to decide who sees it.
type Report struct {
	ID           int64     `db:"id"`
	Kind         string    `db:"kind"`
	OriginUnitID int64     `db:"origin_unit_id"`
	UnitID       int64     `db:"unit_id"`
	State        string    `db:"state"`
	Link         string    `db:"link"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
	Reporters    int       `db:"reporters"` // distinct
	// Travelled are the units the case passed through; ReporterIDs the
	// people who sent it, first first.
	Travelled   []int64 `db:"-"`
	ReporterIDs []int64 `db:"-"`
}

const reportColumns = `r.id, r.kind, r.origin_unit_id, r.unit_id, r.state, r.link, r.created_at, r.updated_at,
	(SELECT count(DISTINCT e.user_id) FROM report_entries AS e WHERE e.report_id = r.id) AS reporters`

// Report returns case id with the units it travelled through and its
// reporters, or ErrNotFound.
func (db *DB) Report(ctx context.Context, id int64) (Report, error) {
	var r Report
	err := db.x.GetContext(ctx, &r, `SELECT `+reportColumns+` FROM reports AS r WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, fmt.Errorf("report %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Report{}, fmt.Errorf("load report %d: %w", id, err)
	}
	if err := db.x.SelectContext(ctx, &r.Travelled, `SELECT unit_id FROM report_units WHERE report_id = $1 ORDER BY unit_id`, id); err != nil {
		return Report{}, fmt.Errorf("units of report %d: %w", id, err)
	}
	if err := db.x.SelectContext(ctx, &r.ReporterIDs, `
		SELECT user_id FROM report_entries WHERE report_id = $1 GROUP BY user_id ORDER BY min(id)`, id); err != nil {
		return Report{}, fmt.Errorf("reporters of report %d: %w", id, err)
	}
	return r, nil
}

// ReportEntry is one reporter's message in a case.
type ReportEntry struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	FirstName string    `db:"first_name"`
	LastName  string    `db:"last_name"`
	Username  string    `db:"username"`
	Text      string    `db:"text"`
	Content   []byte    `db:"content"`
	CreatedAt time.Time `db:"created_at"`
}

// ReportEntries returns what each reporter of case id sent, in order.
func (db *DB) ReportEntries(ctx context.Context, id int64) ([]ReportEntry, error) {
	var out []ReportEntry
	if err := db.x.SelectContext(ctx, &out, `
		SELECT e.id, e.user_id, u.first_name, u.last_name, u.username, e.text, e.content, e.created_at
		FROM report_entries AS e JOIN users AS u ON u.id = e.user_id
		WHERE e.report_id = $1 ORDER BY e.id`, id); err != nil {
		return nil, fmt.Errorf("entries of report %d: %w", id, err)
	}
	return out, nil
}

// ReportEvent is one line of a case's history.
type ReportEvent struct {
	At      time.Time `db:"at"`
	ActorID int64     `db:"actor_id"`
	Action  string    `db:"action"`
	UnitID  int64     `db:"unit_id"`
	Note    string    `db:"note"`
}

// ReportHistory returns the changes of case id, oldest first.
func (db *DB) ReportHistory(ctx context.Context, id int64) ([]ReportEvent, error) {
	var out []ReportEvent
	if err := db.x.SelectContext(ctx, &out, `
		SELECT at, actor_id, action, unit_id, note FROM report_history WHERE report_id = $1 ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("history of report %d: %w", id, err)
	}
	return out, nil
}

// ReportChange is an officer's action on a case. The caller (package
// reports' rules, in handlers) has decided the officer may; storage makes
// it happen once.
type ReportChange struct {
	ID      int64
	ActorID int64
	Action  string // taken, escalated, handled
	State   string // the state it leads to
	// UnitID is where the case is after the change (the unit above for an
	// escalation; unchanged otherwise); Passed every unit it went through
	// on the way, whose officers may see who reported.
	UnitID int64
	Passed []int64
	Note   string
	At     time.Time
}

// ChangeReport applies c under a lock on the case's row: a handled case
// refuses (ErrReportClosed), so two officers pressing "Đã xử lý" at once
// record it once. fromUnit must be where the case is, or nothing changes
// and ErrReportClosed says it moved on. It returns the history event.
func (db *DB) ChangeReport(ctx context.Context, c ReportChange, fromUnit int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var state string
		var unit int64
		if err := tx.QueryRowxContext(ctx, `SELECT state, unit_id FROM reports WHERE id = $1 FOR UPDATE`, c.ID).Scan(&state, &unit); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if state == ReportHandled || unit != fromUnit {
			return ErrReportClosed
		}
		if c.Action == "taken" && state == "taken" {
			return ErrReportClosed // taken already: nothing new to tell
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET state = $2, unit_id = $3, updated_at = $4 WHERE id = $1`,
			c.ID, c.State, c.UnitID, c.At); err != nil {
			return err
		}
		for _, u := range c.Passed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_units (report_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.ID, u); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO report_history (report_id, at, actor_id, action, unit_id, note) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.ID, c.At, c.ActorID, c.Action, c.UnitID, c.Note)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s report %d: %w", c.Action, c.ID, err)
	}
	return nil
}

// ReportFilter selects cases for lists, digests and exports.
type ReportFilter struct {
	UnitIDs  []int64   // cases now at, or sent from, these units; nil for all
	OpenOnly bool      // not handled
	From, To time.Time // created in [From, To); zero for unbounded
	Link     string    // the same normalised link; "" for any
	Limit    int       // 0 for no limit
}

// Reports returns the cases f selects, newest first.
func (db *DB) Reports(ctx context.Context, f ReportFilter) ([]Report, error) {
	q := `SELECT ` + reportColumns + ` FROM reports AS r WHERE true`
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.UnitIDs != nil {
		p := arg(pq.Array(f.UnitIDs))
		q += ` AND (r.unit_id = ANY(` + p + `) OR r.origin_unit_id = ANY(` + p + `))`
	}
	if f.OpenOnly {
		q += ` AND r.state <> 'handled'`
	}
	if !f.From.IsZero() {
		q += ` AND r.created_at >= ` + arg(f.From)
	}
	if !f.To.IsZero() {
		q += ` AND r.created_at < ` + arg(f.To)
	}
	if f.Link != "" {
		q += ` AND r.link = ` + arg(f.Link)
	}
	q += ` ORDER BY r.created_at DESC, r.id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + arg(f.Limit)
	}
	var out []Report
	if err := db.x.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return out, nil
}

// ReportNote is an officer's note Loa waits for: their next message in
// the private chat completes Action on the case.
type ReportNote struct {
	UserID    int64     `db:"user_id"`
	ReportID  int64     `db:"report_id"`
	Action    string    `db:"action"`
	ExpiresAt time.Time `db:"expires_at"`
}

// AwaitReportNote records that userID's next message is the note of n,
// replacing any other note awaited from them.
func (db *DB) AwaitReportNote(ctx context.Context, n ReportNote) error {
	if _, err := db.x.ExecContext(ctx, `
		INSERT INTO report_pending_notes (user_id, report_id, action, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET report_id = EXCLUDED.report_id, action = EXCLUDED.action, expires_at = EXCLUDED.expires_at`,
		n.UserID, n.ReportID, n.Action, n.ExpiresAt); err != nil {
		return fmt.Errorf("await a note from %d: %w", n.UserID, err)
	}
	return nil
}

// TakeReportNote removes and returns the note awaited from userID, if one
// is awaited at now; once taken, the next message is an ordinary one.
func (db *DB) TakeReportNote(ctx context.Context, userID int64, now time.Time) (ReportNote, bool, error) {
	var n ReportNote
	err := db.x.GetContext(ctx, &n, `
		DELETE FROM report_pending_notes WHERE user_id = $1 RETURNING user_id, report_id, action, expires_at`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return ReportNote{}, false, nil
	}
	if err != nil {
		return ReportNote{}, false, fmt.Errorf("take the note awaited from %d: %w", userID, err)
	}
	if !n.ExpiresAt.After(now) {
		return ReportNote{}, false, nil
	}
	return n, true, nil
}

// UnitOfficerIDs returns the officers of exactly unitID: who receives a
// report sent to, or escalated to, it.
func (db *DB) UnitOfficerIDs(ctx context.Context, unitID int64) ([]int64, error) {
	var out []int64
	if err := db.x.SelectContext(ctx, &out, `
		SELECT user_id FROM memberships WHERE unit_id = $1 AND role = 'officer' ORDER BY user_id`, unitID); err != nil {
		return nil, fmt.Errorf("officers of unit %d: %w", unitID, err)
	}
	return out, nil
}

// OfficerMemberships returns every officer's place, by user: who gets the
// reports section of the Monday digest, and for which units.
func (db *DB) OfficerMemberships(ctx context.Context) ([]Membership, error) {
	var out []Membership
	if err := db.x.SelectContext(ctx, &out, `
		SELECT user_id, unit_id, role, created_at FROM memberships WHERE role = 'officer' ORDER BY user_id, unit_id`); err != nil {
		return nil, fmt.Errorf("officers: %w", err)
	}
	return out, nil
}
