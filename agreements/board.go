// Package agreements runs the coordination programs Loa was built for: it
// reads a plan (agreement and tasks) from YAML, knows when each task falls
// due (Recurrence), derives the status of every occurrence (Board: overdue
// is computed from the date, never stored), renders the /tasks overview, and
// reminds the responsible units before things fall due (Scheduler).
//
// Days are calendar days in the configured time zone, passed around as
// time.Time at midnight UTC (storage.DateOf). Nothing here reads the wall
// clock: the current time is injected, so tests can walk through 2021.
package agreements

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/loabot/loa/storage"
)

// Overdue is the derived status of an occurrence that is not done and whose
// date has passed. It is never stored.
const Overdue = "overdue"

// Occurrence is a task falling due on one day, with its status.
type Occurrence struct {
	Task    storage.Task
	Due     time.Time
	Status  string // storage.TaskNotStarted, TaskInProgress, TaskDone or Overdue
	Percent int
}

// Open reports whether the occurrence still needs work.
func (o Occurrence) Open() bool { return o.Status != storage.TaskDone }

// Board is the tasks with their recurrences and stored statuses, as of one
// day. It is read-only once built.
type Board struct {
	today  time.Time
	tasks  []storage.Task
	rec    map[int64]Recurrence
	status map[occKey]storage.OccurrenceStatus
}

type occKey struct {
	task int64
	due  string
}

func keyOf(task int64, due time.Time) occKey { return occKey{task, due.Format("2006-01-02")} }

// NewBoard builds the board of tasks as of today (a calendar day).
func NewBoard(tasks []storage.Task, statuses []storage.OccurrenceStatus, today time.Time) (*Board, error) {
	b := &Board{today: storage.DateOf(today), tasks: tasks, rec: map[int64]Recurrence{}, status: map[occKey]storage.OccurrenceStatus{}}
	for _, t := range tasks {
		r, err := ParseRecurrence(t.Recurrence)
		if err != nil {
			return nil, fmt.Errorf("task %d: %w", t.ID, err)
		}
		b.rec[t.ID] = r
	}
	for _, s := range statuses {
		b.status[keyOf(s.TaskID, s.DueOn)] = s
	}
	return b, nil
}

// Today is the day the board is for.
func (b *Board) Today() time.Time { return b.today }

// Tasks returns the tasks in plan order.
func (b *Board) Tasks() []storage.Task { return b.tasks }

// Task returns the task with the given id.
func (b *Board) Task(id int64) (storage.Task, bool) {
	for _, t := range b.tasks {
		if t.ID == id {
			return t, true
		}
	}
	return storage.Task{}, false
}

// Recurrence returns when t falls due.
func (b *Board) Recurrence(t storage.Task) Recurrence { return b.rec[t.ID] }

// Occurrences returns every occurrence of t in its period, in date order.
func (b *Board) Occurrences(t storage.Task) []Occurrence {
	dates := b.rec[t.ID].Between(t.StartsOn, t.EndsOn)
	out := make([]Occurrence, len(dates))
	for i, d := range dates {
		out[i] = b.occurrence(t, d)
	}
	return out
}

func (b *Board) occurrence(t storage.Task, due time.Time) Occurrence {
	o := Occurrence{Task: t, Due: due, Status: storage.TaskNotStarted}
	if s, ok := b.status[keyOf(t.ID, due)]; ok {
		o.Status, o.Percent = s.Status, s.Percent
	}
	if o.Status != storage.TaskDone && due.Before(b.today) {
		o.Status = Overdue
	}
	return o
}

// Occurrence returns the occurrence of t due on due, if t falls due then.
func (b *Board) Occurrence(t storage.Task, due time.Time) (Occurrence, bool) {
	for _, o := range b.Occurrences(t) {
		if o.Due.Equal(storage.DateOf(due)) {
			return o, true
		}
	}
	return Occurrence{}, false
}

// Current is the occurrence people mean when they speak of the task now:
// the oldest one not done (overdue or next), or, when all are done, the
// last one.
func (b *Board) Current(t storage.Task) (Occurrence, bool) {
	all := b.Occurrences(t)
	for _, o := range all {
		if o.Open() {
			return o, true
		}
	}
	if len(all) == 0 {
		return Occurrence{}, false
	}
	return all[len(all)-1], true
}

// Next returns the first occurrence of t due after due, if any: the one
// whose reminders take over from an overdue occurrence.
func (b *Board) Next(t storage.Task, due time.Time) (time.Time, bool) {
	for _, d := range b.rec[t.ID].Between(due.AddDate(0, 0, 1), t.EndsOn) {
		return d, true
	}
	return time.Time{}, false
}

// Line is one task in an overview: an occurrence, and for an overdue one
// how many more occurrences of the task are overdue.
type Line struct {
	Occurrence
	MoreOverdue int
}

// Overview is the /tasks overview of a set of tasks.
type Overview struct {
	Today    time.Time
	Horizon  int // days ahead Upcoming looks
	Counts   map[string]int
	Overdue  []Line       // one line per task, its oldest overdue occurrence
	Upcoming []Occurrence // open occurrences due from today to today+Horizon
}

// Overview gives the overview of the tasks for which keep returns true:
// counts of the tasks by the status of their current occurrence, the
// overdue tasks, and what falls due in the next horizon days.
func (b *Board) Overview(keep func(storage.Task) bool, horizon int) Overview {
	s := Overview{Today: b.today, Horizon: horizon, Counts: map[string]int{}}
	until := b.today.AddDate(0, 0, horizon)
	for _, t := range b.tasks {
		if !keep(t) {
			continue
		}
		occs := b.Occurrences(t)
		if cur, ok := b.Current(t); ok {
			s.Counts[cur.Status]++
		}
		var late []Occurrence
		for _, o := range occs {
			switch {
			case o.Status == Overdue:
				late = append(late, o)
			case o.Open() && !o.Due.Before(b.today) && !o.Due.After(until):
				s.Upcoming = append(s.Upcoming, o)
			}
		}
		if len(late) > 0 {
			s.Overdue = append(s.Overdue, Line{Occurrence: late[0], MoreOverdue: len(late) - 1})
		}
	}
	slices.SortStableFunc(s.Overdue, func(a, c Line) int { return a.Due.Compare(c.Due) })
	slices.SortStableFunc(s.Upcoming, func(a, c Occurrence) int {
		return cmp.Or(a.Due.Compare(c.Due), cmp.Compare(a.Task.Position, c.Task.Position))
	})
	return s
}

// Involves reports whether unit is the lead or a supporting unit of t.
func Involves(t storage.Task, unit int64) bool {
	return t.LeadUnitID == unit || slices.Contains(t.SupportIDs, unit)
}
