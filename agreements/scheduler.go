package agreements

import (
	"context"
	"errors"
	"fmt"
	"github.com/loabot/loa/delivery"
	"log/slog"
	"strconv"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

// Kinds of reminder. Each is sent at most once per occurrence and day
// (a row in task_reminders); Week, Tomorrow and Today fall on one day each,
// Overdue repeats (OverdueDailyDays days in a row, then weekly).
const (
	KindWeek     = "week"     // 7 days before (or, after an outage, the days left)
	KindTomorrow = "tomorrow" // the day before
	KindToday    = "today"    // the day itself
	KindOverdue  = "overdue"  // after the day, until done
)

// OverdueDailyDays is how many days after its date an occurrence not done
// is reminded of every day; after that, once a week (on the 7th, 14th, …
// day late), until it is done or the task's next occurrence falls due and
// takes over: a monthly task left undone for a year must not send twelve
// reminders a week.
const OverdueDailyDays = 3

// BroadcastKind is the Kind of the broadcasts the scheduler makes.
const BroadcastKind = "reminder"

// Store is what the scheduler needs from storage; *storage.DB satisfies it.
type Store interface {
	Units(ctx context.Context) ([]storage.Unit, error)
	Tasks(ctx context.Context) ([]storage.Task, error)
	OccurrenceStatuses(ctx context.Context, taskIDs []int64) ([]storage.OccurrenceStatus, error)
	ReminderSent(ctx context.Context, r storage.Reminder) (bool, error)
	MarkReminderSent(ctx context.Context, r storage.Reminder, broadcastID int64) (bool, error)
	DigestSent(ctx context.Context, unitID int64, monday time.Time) (bool, error)
	MarkDigestSent(ctx context.Context, unitID int64, monday time.Time, broadcastID int64) (bool, error)
	LastReminderDay(ctx context.Context) (time.Time, bool, error)
	SetLastReminderDay(ctx context.Context, d time.Time) error
}

// Leader elects the one process that runs the scheduler; *storage.DB.
type Leader interface {
	Lead(ctx context.Context, key int64, retry, interval time.Duration, log *slog.Logger, what string, step func(ctx context.Context))
}

// Scheduler sends the reminders and the Monday digests. Build it with its
// fields set; the zero values of Interval and LockRetry mean a minute and 5 s.
type Scheduler struct {
	Store     Store
	Publisher Publisher
	Clock     func() time.Time // now; injected so tests can walk through a month
	Location  *time.Location   // LOA_TIMEZONE: whose calendar days count
	At        time.Duration    // LOA_REMINDER_TIME as time after midnight
	Lang      messages.Lang    // of the reminders (LOA_LANG)
	Logger    *slog.Logger
	Interval  time.Duration // how often to look at the clock
	LockRetry time.Duration // how often a waiting process tries the lock

	// Reports and ReportPublisher add the reports of the week to the
	// Monday digest, in each officer's private chat (reports_digest.go);
	// nil for none.
	Reports         ReportDigestStore
	ReportPublisher ReportPublisher
}

// Sent is one reminder or digest a Tick handed to the delivery engine.
type Sent struct {
	Kind        string // a Kind*, or "digest"
	TaskID      int64  // 0 for a digest
	UnitID      int64  // the digest's unit; 0 for a reminder
	Due         time.Time
	Day         time.Time
	BroadcastID int64
	Chats       int
}

// KindDigest marks a Monday digest in Sent.
const KindDigest = "digest"

// Tick does what is due at the clock's time: nothing before the reminder
// time of the day, nothing once the day's run completed; otherwise the
// day's reminders and, on Mondays, the digests. If days were missed (the
// bot was down at reminder time), their reminders are folded into this one
// run: each occurrence that should have been reminded of on a missed day
// gets one reminder saying where it stands today, not one per missed day.
// A run cut short (a crash, a failed send) is finished by the next Tick
// without repeating what went out: each reminder is a unique row.
func (s *Scheduler) Tick(ctx context.Context) ([]Sent, error) {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	now := s.Clock().In(loc)
	y, m, d := now.Date()
	// Built from the wall-clock hour and minute, not midnight plus a
	// duration, so that a zone with daylight saving still reminds at 07:30.
	at := time.Date(y, m, d, int(s.At/time.Hour), int(s.At%time.Hour/time.Minute), 0, 0, loc)
	if now.Before(at) {
		return nil, nil
	}
	today := storage.DateOf(now)
	last, ok, err := s.Store.LastReminderDay(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		last = today.AddDate(0, 0, -1) // the first run ever catches nothing up
	}
	if !last.Before(today) {
		return nil, nil
	}
	sent, err := s.run(ctx, today, last)
	if err != nil {
		return sent, err
	}
	return sent, s.Store.SetLastReminderDay(ctx, today)
}

// run sends day's reminders; last is the last day already run.
func (s *Scheduler) run(ctx context.Context, day, last time.Time) ([]Sent, error) {
	tasks, err := s.Store.Tasks(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := s.Store.OccurrenceStatuses(ctx, nil)
	if err != nil {
		return nil, err
	}
	all, err := s.Store.Units(ctx)
	if err != nil {
		return nil, err
	}
	tree := units.NewTree(all)
	b, err := NewBoard(tasks, statuses, day)
	if err != nil {
		return nil, err
	}
	var sent []Sent
	var errs []error
	for _, t := range tasks {
		for _, o := range b.Occurrences(t) {
			if !o.Open() || o.Due.After(day.AddDate(0, 0, 7)) {
				continue
			}
			kind := s.due(b, o, day, last)
			if kind == "" {
				continue
			}
			r := storage.Reminder{TaskID: t.ID, DueOn: o.Due, Kind: kind, Day: day}
			out, err := s.remind(ctx, tree, o, r)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if out != nil {
				sent = append(sent, *out)
			}
		}
	}
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	if monday.After(last) {
		out, err := s.digests(ctx, tree, b, monday, day)
		sent = append(sent, out...)
		errs = append(errs, err)
		if s.Reports != nil && s.ReportPublisher != nil {
			out, err := s.reportDigests(ctx, tree, monday, day)
			sent = append(sent, out...)
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// due returns the kind of reminder o gets on day, "" for none, given that
// the days after last and before day were missed.
func (s *Scheduler) due(b *Board, o Occurrence, day, last time.Time) string {
	if k := kindOn(b, o, day); k != "" {
		return k
	}
	for x := max64(last.AddDate(0, 0, 1), o.Due.AddDate(0, 0, -7)); x.Before(day); x = x.AddDate(0, 0, 1) {
		if kindOn(b, o, x) != "" {
			return stateOn(b, o, day)
		}
	}
	return ""
}

func max64(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func daysBetween(from, to time.Time) int { return int(to.Sub(from).Hours() / 24) }

// kindOn is the regular schedule: the reminder o gets on day x, if any.
func kindOn(b *Board, o Occurrence, x time.Time) string {
	switch left := daysBetween(x, o.Due); {
	case left == 7:
		return KindWeek
	case left == 1:
		return KindTomorrow
	case left == 0:
		return KindToday
	case left < 0:
		late := -left
		if (late <= OverdueDailyDays || late%7 == 0) && !superseded(b, o, x) {
			return KindOverdue
		}
	}
	return ""
}

// stateOn is the kind of reminder that says where o stands on day, for a
// catch-up.
func stateOn(b *Board, o Occurrence, day time.Time) string {
	switch left := daysBetween(day, o.Due); {
	case left > 1:
		return KindWeek
	case left == 1:
		return KindTomorrow
	case left == 0:
		return KindToday
	default:
		if superseded(b, o, day) {
			return ""
		}
		return KindOverdue
	}
}

// superseded: the task's next occurrence has fallen due by day x, and its
// reminders take over from o's.
func superseded(b *Board, o Occurrence, x time.Time) bool {
	next, ok := b.Next(o.Task, o.Due)
	return ok && !next.After(x)
}

// remind hands one reminder to the delivery engine unless it went out
// already. The engine's dedup key makes the hand-over itself idempotent, so
// a crash between Enqueue and the row leaves nothing to send twice.
func (s *Scheduler) remind(ctx context.Context, tree *units.Tree, o Occurrence, r storage.Reminder) (*Sent, error) {
	done, err := s.Store.ReminderSent(ctx, r)
	if err != nil || done {
		return nil, err
	}
	key := fmt.Sprintf("reminder:%d:%s:%s:%s", r.TaskID, r.DueOn.Format("2006-01-02"), r.Kind, r.Day.Format("2006-01-02"))
	id, chats, err := s.Publisher.Enqueue(ctx, Broadcast{
		Kind: BroadcastKind, Lang: s.Lang, Text: RenderReminder(s.Lang, tree, o, r.Kind, r.Day),
		NoPreview: true, Units: o.Task.UnitIDs(), DedupKey: key,
		Buttons: ReminderButtons(s.Lang, o.Task.ID, o.Due),
		// A task due today rings through quiet hours (issue 14).
		Rings: r.Kind == KindToday,
	})
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", key, err)
	}
	if _, err := s.Store.MarkReminderSent(ctx, r, id); err != nil {
		return nil, err
	}
	s.log().Info("reminder queued", "task", r.TaskID, "due", r.DueOn.Format("2006-01-02"), "kind", r.Kind, "chats", chats)
	return &Sent{Kind: r.Kind, TaskID: r.TaskID, Due: r.DueOn, Day: r.Day, BroadcastID: id, Chats: chats}, nil
}

// digests sends each unit with something overdue or due within Horizon
// days its own overview, once for the week of monday. A unit with nothing
// to do gets nothing: an empty digest every week teaches people to ignore
// the bot.
func (s *Scheduler) digests(ctx context.Context, tree *units.Tree, b *Board, monday, day time.Time) ([]Sent, error) {
	var sent []Sent
	var errs []error
	for _, u := range tree.Units() {
		ov := b.Overview(func(t storage.Task) bool { return Involves(t, u.ID) }, Horizon)
		if len(ov.Overdue) == 0 && len(ov.Upcoming) == 0 {
			continue
		}
		done, err := s.Store.DigestSent(ctx, u.ID, monday)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if done {
			continue
		}
		key := fmt.Sprintf("digest:%d:%s", u.ID, monday.Format("2006-01-02"))
		title := messages.HTML(messages.T(s.Lang, messages.KeyTasksTitleDigest, u.Name))
		id, chats, err := s.Publisher.Enqueue(ctx, Broadcast{
			Kind: BroadcastKind, Lang: s.Lang, Text: RenderOverview(s.Lang, tree, title, ov, AllSections),
			NoPreview: true, Units: []int64{u.ID}, DedupKey: key,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("enqueue %s: %w", key, err))
			continue
		}
		if _, err := s.Store.MarkDigestSent(ctx, u.ID, monday, id); err != nil {
			errs = append(errs, err)
			continue
		}
		sent = append(sent, Sent{Kind: KindDigest, UnitID: u.ID, Day: day, BroadcastID: id, Chats: chats})
	}
	return sent, errors.Join(errs...)
}

func (s *Scheduler) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// RunAsLeader runs the scheduler while this process holds the advisory
// lock storage.LockReminders, so that of several loa processes sharing a
// database exactly one sends reminders, and another takes over within
// LockRetry when it dies. It returns when ctx ends.
func (s *Scheduler) RunAsLeader(ctx context.Context, leader Leader) {
	retry, interval := s.LockRetry, s.Interval
	if retry <= 0 {
		retry = 5 * time.Second
	}
	if interval <= 0 {
		interval = time.Minute
	}
	leader.Lead(ctx, storage.LockReminders, retry, interval, s.log(), "task reminders", func(ctx context.Context) {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("send reminders", "err", err)
		}
	})
}

// ReminderButtons are the one-tap buttons under a reminder: Done, In
// progress, Open the task. Their data ("tk:d:<task>:<yyyymmdd>", …) is what
// handlers' task buttons read; the presser's rights are checked there.
func ReminderButtons(lang messages.Lang, taskID int64, due time.Time) [][]delivery.Button {
	occ := strconv.FormatInt(taskID, 10) + ":" + due.Format("20060102")
	return [][]delivery.Button{{
		{Text: messages.Plain(lang, messages.KeyTaskButtonDone), Data: ButtonPrefix + ":d:" + occ},
		{Text: messages.Plain(lang, messages.KeyTaskButtonProgress), Data: ButtonPrefix + ":p:" + occ},
		{Text: messages.Plain(lang, messages.KeyTaskButtonOpen), Data: ButtonPrefix + ":o:" + strconv.FormatInt(taskID, 10)},
	}}
}

// ButtonPrefix starts the callback data of every task button.
const ButtonPrefix = "tk"
