package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Dates of agreements and tasks are calendar days, not instants: they are
// passed as time.Time at midnight UTC (what DateOf returns) and stored in
// date columns. They are written as "2006-01-02" text, never as a time.Time,
// so that no time zone of the session or the driver can move them by a day.

// dayLayout is how a day travels to and from PostgreSQL.
const dayLayout = "2006-01-02"

// DateOf returns the calendar day of t as the code passes days around:
// midnight UTC of t's year, month and day, read in t's own location.
func DateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func day(t time.Time) string { return t.Format(dayLayout) }

// Occurrence statuses as stored. Overdue is not among them: it is derived
// from the date (package agreements).
const (
	TaskNotStarted = "not_started"
	TaskInProgress = "in_progress"
	TaskDone       = "done"
)

// Actions of a task update.
const (
	UpdateDone     = "done"
	UpdateProgress = "progress"
	UpdateReopen   = "reopen"
)

// Agreement is a coordination program between units.
type Agreement struct {
	ID        int64         `db:"id"`
	Code      string        `db:"code"`
	Title     string        `db:"title"`
	SignedOn  time.Time     `db:"signed_on"`
	StartsOn  time.Time     `db:"starts_on"`
	EndsOn    time.Time     `db:"ends_on"`
	SignerIDs pq.Int64Array `db:"signer_ids"`
}

// Task is one item of an agreement.
type Task struct {
	ID          int64         `db:"id"`
	AgreementID int64         `db:"agreement_id"`
	Key         string        `db:"key"`
	Title       string        `db:"title"`
	ShortTitle  string        `db:"short_title"`
	Description string        `db:"description"`
	LeadUnitID  int64         `db:"lead_unit_id"`
	SupportIDs  pq.Int64Array `db:"support_ids"`
	Recurrence  string        `db:"recurrence"` // agreements.Recurrence in canonical form
	StartsOn    time.Time     `db:"starts_on"`
	EndsOn      time.Time     `db:"ends_on"`
	Position    int           `db:"position"`
}

// UnitIDs returns the lead unit and then the supporting units: the units a
// reminder of the task goes to.
func (t Task) UnitIDs() []int64 {
	return append([]int64{t.LeadUnitID}, t.SupportIDs...)
}

// OccurrenceStatus is the stored state of one occurrence of a task.
type OccurrenceStatus struct {
	TaskID    int64     `db:"task_id"`
	DueOn     time.Time `db:"due_on"`
	Status    string    `db:"status"`
	Percent   int       `db:"percent"`
	UpdatedAt time.Time `db:"updated_at"`
	UpdatedBy int64     `db:"updated_by"`
}

// TaskUpdate is one line of a task's history.
type TaskUpdate struct {
	ID      int64     `db:"id"`
	TaskID  int64     `db:"task_id"`
	DueOn   time.Time `db:"due_on"`
	UserID  int64     `db:"user_id"`
	At      time.Time `db:"at"`
	Action  string    `db:"action"`
	Percent *int      `db:"percent"`
	Note    string    `db:"note"`
	// Name of the user as the bot knows them (first and last name, or
	// @username); empty for a user who never wrote.
	Name string `db:"name"`
}

// AgreementSpec is an agreement as a plan file describes it, its units
// already resolved to ids (agreements.Import does that and reports unknown
// codes with their line).
type AgreementSpec struct {
	Code, Title                string
	SignedOn, StartsOn, EndsOn time.Time
	SignerIDs                  []int64
}

// TaskSpec is a task as a plan file describes it.
type TaskSpec struct {
	Key, Title, ShortTitle, Description string
	LeadUnitID                          int64
	SupportIDs                          []int64
	Recurrence                          string
	StartsOn, EndsOn                    time.Time
	Line                                int // where the task starts in the file, for messages
}

// PlanReport says what ApplyPlan did, by task key in file order.
type PlanReport struct {
	AgreementAdded            bool
	AgreementUpdated          bool
	Added, Updated, Unchanged []string
	// Missing lists tasks of the agreement the file no longer has. They are
	// kept with their history: dropping a task is a decision.
	Missing []string
}

// ApplyPlan makes the agreement a.Code and its tasks say what the specs
// say, in one transaction, matching the agreement by code and tasks by key.
// Applying the same plan twice changes nothing the second time. Two imports
// at the same time run one after the other.
func (db *DB) ApplyPlan(ctx context.Context, a AgreementSpec, tasks []TaskSpec) (PlanReport, error) {
	var rep PlanReport
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE agreements IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var o Agreement
		var agreementID int64
		err := tx.GetContext(ctx, &o, `SELECT `+agreementColumns+` FROM agreements WHERE code = $1`, a.Code)
		switch {
		case errors.Is(notFound(err), ErrNotFound):
			err = tx.GetContext(ctx, &agreementID, `
				INSERT INTO agreements (code, title, signed_on, starts_on, ends_on, signer_ids)
				VALUES ($1, $2, $3::date, $4::date, $5::date, $6) RETURNING id`,
				a.Code, a.Title, day(a.SignedOn), day(a.StartsOn), day(a.EndsOn), pq.Array(a.SignerIDs))
			if err != nil {
				return err
			}
			rep.AgreementAdded = true
		case err != nil:
			return err
		default:
			agreementID = o.ID
			if o.Title != a.Title || !sameDay(o.SignedOn, a.SignedOn) || !sameDay(o.StartsOn, a.StartsOn) ||
				!sameDay(o.EndsOn, a.EndsOn) || !slices.Equal([]int64(o.SignerIDs), a.SignerIDs) {
				_, err = tx.ExecContext(ctx, `
					UPDATE agreements SET title = $2, signed_on = $3::date, starts_on = $4::date, ends_on = $5::date,
						signer_ids = $6, updated_at = now()
					WHERE id = $1`, agreementID, a.Title, day(a.SignedOn), day(a.StartsOn), day(a.EndsOn), pq.Array(a.SignerIDs))
				if err != nil {
					return err
				}
				rep.AgreementUpdated = true
			}
		}

		var existing []Task
		if err := tx.SelectContext(ctx, &existing, `SELECT `+taskColumns+` FROM tasks WHERE agreement_id = $1 ORDER BY position, id`, agreementID); err != nil {
			return err
		}
		byKey := make(map[string]Task, len(existing))
		for _, t := range existing {
			byKey[t.Key] = t
		}
		seen := make(map[string]bool, len(tasks))
		for i, s := range tasks {
			pos := i + 1
			fail := func(err error) error { return fmt.Errorf("task %q (line %d): %w", s.Key, s.Line, err) }
			if seen[s.Key] {
				return fail(errors.New("listed twice"))
			}
			seen[s.Key] = true
			support := s.SupportIDs
			if support == nil {
				support = []int64{}
			}
			old, known := byKey[s.Key]
			if !known {
				_, err := tx.ExecContext(ctx, `
					INSERT INTO tasks (agreement_id, key, title, short_title, description, lead_unit_id, support_ids,
						recurrence, starts_on, ends_on, position)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10::date, $11)`,
					agreementID, s.Key, s.Title, s.ShortTitle, s.Description, s.LeadUnitID, pq.Array(support),
					s.Recurrence, day(s.StartsOn), day(s.EndsOn), pos)
				if err != nil {
					return fail(foreignKeyNotFound(err))
				}
				rep.Added = append(rep.Added, s.Key)
				continue
			}
			changed := old.Title != s.Title || old.ShortTitle != s.ShortTitle || old.Description != s.Description ||
				old.LeadUnitID != s.LeadUnitID || !slices.Equal([]int64(old.SupportIDs), support) ||
				old.Recurrence != s.Recurrence || !sameDay(old.StartsOn, s.StartsOn) || !sameDay(old.EndsOn, s.EndsOn)
			switch {
			case changed:
				_, err := tx.ExecContext(ctx, `
					UPDATE tasks SET title = $2, short_title = $3, description = $4, lead_unit_id = $5, support_ids = $6,
						recurrence = $7, starts_on = $8::date, ends_on = $9::date, position = $10, updated_at = now()
					WHERE id = $1`, old.ID, s.Title, s.ShortTitle, s.Description, s.LeadUnitID, pq.Array(support),
					s.Recurrence, day(s.StartsOn), day(s.EndsOn), pos)
				if err != nil {
					return fail(foreignKeyNotFound(err))
				}
				rep.Updated = append(rep.Updated, s.Key)
			case old.Position != pos:
				// Moved in the file only: display order, not an edit.
				if _, err := tx.ExecContext(ctx, `UPDATE tasks SET position = $2 WHERE id = $1`, old.ID, pos); err != nil {
					return fail(err)
				}
				rep.Unchanged = append(rep.Unchanged, s.Key)
			default:
				rep.Unchanged = append(rep.Unchanged, s.Key)
			}
		}
		for _, t := range existing {
			if !seen[t.Key] {
				rep.Missing = append(rep.Missing, t.Key)
			}
		}
		return nil
	})
	if err != nil {
		return PlanReport{}, fmt.Errorf("apply plan %q: %w", a.Code, err)
	}
	return rep, nil
}

func sameDay(a, b time.Time) bool { return day(a) == day(b) }

const agreementColumns = `id, code, title, signed_on, starts_on, ends_on, signer_ids`

const taskColumns = `id, agreement_id, key, title, short_title, description, lead_unit_id, support_ids,
	recurrence, starts_on, ends_on, position`

// Agreements returns every agreement, oldest first.
func (db *DB) Agreements(ctx context.Context) ([]Agreement, error) {
	var out []Agreement
	if err := db.x.SelectContext(ctx, &out, `SELECT `+agreementColumns+` FROM agreements ORDER BY signed_on, id`); err != nil {
		return nil, fmt.Errorf("load agreements: %w", err)
	}
	for i := range out {
		a := &out[i]
		a.SignedOn, a.StartsOn, a.EndsOn = DateOf(a.SignedOn), DateOf(a.StartsOn), DateOf(a.EndsOn)
	}
	return out, nil
}

// Tasks returns every task of every agreement, in plan order. A plan holds
// tens of tasks, so callers filter in memory.
func (db *DB) Tasks(ctx context.Context) ([]Task, error) {
	var out []Task
	err := db.x.SelectContext(ctx, &out, `
		SELECT `+prefixed("t.", taskColumns)+`
		FROM tasks AS t JOIN agreements AS a ON a.id = t.agreement_id
		ORDER BY a.signed_on, a.id, t.position, t.id`)
	if err != nil {
		return nil, fmt.Errorf("load tasks: %w", err)
	}
	for i := range out {
		normalizeTask(&out[i])
	}
	return out, nil
}

// Task returns one task, or ErrNotFound.
func (db *DB) Task(ctx context.Context, id int64) (Task, error) {
	var t Task
	if err := db.x.GetContext(ctx, &t, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`, id); err != nil {
		return Task{}, fmt.Errorf("load task %d: %w", id, notFound(err))
	}
	normalizeTask(&t)
	return t, nil
}

func normalizeTask(t *Task) {
	t.StartsOn, t.EndsOn = DateOf(t.StartsOn), DateOf(t.EndsOn)
	if t.SupportIDs == nil {
		t.SupportIDs = pq.Int64Array{}
	}
}

func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// OccurrenceStatuses returns the stored statuses of the given tasks' occurrences
// (all tasks when taskIDs is nil), by task and date.
func (db *DB) OccurrenceStatuses(ctx context.Context, taskIDs []int64) ([]OccurrenceStatus, error) {
	var out []OccurrenceStatus
	q := `SELECT task_id, due_on, status, percent, updated_at, updated_by FROM task_occurrences`
	args := []any{}
	if taskIDs != nil {
		q += ` WHERE task_id = ANY($1)`
		args = append(args, pq.Array(taskIDs))
	}
	if err := db.x.SelectContext(ctx, &out, q+` ORDER BY task_id, due_on`, args...); err != nil {
		return nil, fmt.Errorf("load task statuses: %w", err)
	}
	for i := range out {
		out[i].DueOn = DateOf(out[i].DueOn)
	}
	return out, nil
}

// OccurrenceUpdate is one report on an occurrence.
type OccurrenceUpdate struct {
	TaskID  int64
	DueOn   time.Time
	UserID  int64
	At      time.Time
	Action  string // UpdateDone, UpdateProgress, UpdateReopen
	Percent *int   // for UpdateProgress; nil keeps the percentage
	Note    string
}

// UpdateOccurrence records u: the occurrence's new status and a history row,
// in one transaction. Done sets 100 %, reopen sets the status back to not
// started (or in progress when some percentage was reported). It returns the
// new status. An unknown task is ErrNotFound.
func (db *DB) UpdateOccurrence(ctx context.Context, u OccurrenceUpdate) (OccurrenceStatus, error) {
	var st OccurrenceStatus
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur OccurrenceStatus
		err := tx.GetContext(ctx, &cur, `
			SELECT task_id, due_on, status, percent, updated_at, updated_by FROM task_occurrences
			WHERE task_id = $1 AND due_on = $2::date FOR UPDATE`, u.TaskID, day(u.DueOn))
		if err = notFound(err); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if errors.Is(err, ErrNotFound) {
			cur = OccurrenceStatus{Status: TaskNotStarted}
		}
		next := cur
		switch u.Action {
		case UpdateDone:
			next.Status, next.Percent = TaskDone, 100
		case UpdateProgress:
			next.Status = TaskInProgress
			if u.Percent != nil {
				next.Percent = *u.Percent
			}
		case UpdateReopen:
			next.Status = TaskNotStarted
			if cur.Status == TaskDone {
				next.Percent = 0
			}
			if next.Percent > 0 {
				next.Status = TaskInProgress
			}
		default:
			return fmt.Errorf("unknown action %q", u.Action)
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO task_occurrences (task_id, due_on, status, percent, updated_at, updated_by)
			VALUES ($1, $2::date, $3, $4, $5, $6)
			ON CONFLICT (task_id, due_on) DO UPDATE SET status = $3, percent = $4, updated_at = $5, updated_by = $6`,
			u.TaskID, day(u.DueOn), next.Status, next.Percent, u.At, u.UserID)
		if err != nil {
			return foreignKeyNotFound(err)
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO task_updates (task_id, due_on, user_id, at, action, percent, note)
			VALUES ($1, $2::date, $3, $4, $5, $6, $7)`,
			u.TaskID, day(u.DueOn), u.UserID, u.At, u.Action, u.Percent, u.Note)
		if err != nil {
			return err
		}
		st = OccurrenceStatus{TaskID: u.TaskID, DueOn: DateOf(u.DueOn), Status: next.Status, Percent: next.Percent, UpdatedAt: u.At, UpdatedBy: u.UserID}
		return nil
	})
	if err != nil {
		return OccurrenceStatus{}, fmt.Errorf("update task %d of %s: %w", u.TaskID, day(u.DueOn), err)
	}
	return st, nil
}

// TaskHistory returns the newest limit updates of a task, newest first.
func (db *DB) TaskHistory(ctx context.Context, taskID int64, limit int) ([]TaskUpdate, error) {
	var out []TaskUpdate
	err := db.x.SelectContext(ctx, &out, `
		SELECT h.id, h.task_id, h.due_on, h.user_id, h.at, h.action, h.percent, h.note,
		       coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), nullif('@' || u.username, '@'), '') AS name
		FROM task_updates AS h LEFT JOIN users AS u ON u.id = h.user_id
		WHERE h.task_id = $1 ORDER BY h.id DESC LIMIT $2`, taskID, limit)
	if err != nil {
		return nil, fmt.Errorf("load history of task %d: %w", taskID, err)
	}
	for i := range out {
		out[i].DueOn = DateOf(out[i].DueOn)
	}
	return out, nil
}

// Reminder identifies one reminder: the occurrence (task, due date), its
// kind and the day it is for.
type Reminder struct {
	TaskID int64
	DueOn  time.Time
	Kind   string // "week", "tomorrow", "today", "overdue"
	Day    time.Time
}

// ReminderSent reports whether r has been handed to the delivery engine.
func (db *DB) ReminderSent(ctx context.Context, r Reminder) (bool, error) {
	var ok bool
	err := db.x.GetContext(ctx, &ok, `
		SELECT EXISTS (SELECT 1 FROM task_reminders WHERE task_id = $1 AND due_on = $2::date AND kind = $3 AND day = $4::date)`,
		r.TaskID, day(r.DueOn), r.Kind, day(r.Day))
	if err != nil {
		return false, fmt.Errorf("check reminder: %w", err)
	}
	return ok, nil
}

// MarkReminderSent records that r went out as broadcastID. It returns false
// when the row was there already (another process got there first).
func (db *DB) MarkReminderSent(ctx context.Context, r Reminder, broadcastID int64) (bool, error) {
	res, err := db.x.ExecContext(ctx, `
		INSERT INTO task_reminders (task_id, due_on, kind, day, broadcast_id) VALUES ($1, $2::date, $3, $4::date, $5)
		ON CONFLICT DO NOTHING`, r.TaskID, day(r.DueOn), r.Kind, day(r.Day), broadcastID)
	if err != nil {
		return false, fmt.Errorf("record reminder: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DigestSent reports whether unitID's digest of the week starting on
// monday has gone out.
func (db *DB) DigestSent(ctx context.Context, unitID int64, monday time.Time) (bool, error) {
	var ok bool
	err := db.x.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM unit_digests WHERE unit_id = $1 AND week_of = $2::date)`, unitID, day(monday))
	if err != nil {
		return false, fmt.Errorf("check digest: %w", err)
	}
	return ok, nil
}

// MarkDigestSent records unitID's digest of the week of monday; false when
// it was recorded already.
func (db *DB) MarkDigestSent(ctx context.Context, unitID int64, monday time.Time, broadcastID int64) (bool, error) {
	res, err := db.x.ExecContext(ctx, `
		INSERT INTO unit_digests (unit_id, week_of, broadcast_id) VALUES ($1, $2::date, $3) ON CONFLICT DO NOTHING`,
		unitID, day(monday), broadcastID)
	if err != nil {
		return false, fmt.Errorf("record digest: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// LastReminderDay returns the last day the reminder scheduler completed;
// ok is false before its first run.
func (db *DB) LastReminderDay(ctx context.Context) (d time.Time, ok bool, err error) {
	err = db.x.GetContext(ctx, &d, `SELECT last_day FROM reminder_runs WHERE id = 1`)
	if errors.Is(notFound(err), ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("load last reminder day: %w", err)
	}
	return DateOf(d), true, nil
}

// SetLastReminderDay records d as the last day the scheduler completed.
// It never moves backwards.
func (db *DB) SetLastReminderDay(ctx context.Context, d time.Time) error {
	_, err := db.x.ExecContext(ctx, `
		INSERT INTO reminder_runs (id, last_day) VALUES (1, $1::date)
		ON CONFLICT (id) DO UPDATE SET last_day = greatest(reminder_runs.last_day, EXCLUDED.last_day)`, day(d))
	if err != nil {
		return fmt.Errorf("record last reminder day: %w", err)
	}
	return nil
}
