package agreements

import (
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

// MaxLines bounds each list of an overview, so that /tasks and the digest
// stay one message, readable on one phone screen; the rest is counted.
const MaxLines = 12

// Horizon is how many days ahead /tasks and the digest look.
const Horizon = 14

// Date formats a calendar day as people read it: dd/mm/yyyy.
func Date(d time.Time) string { return messages.Date(d, time.UTC) }

// DueDate formats a day a person plans by (a due date) with its weekday:
// "Thứ Hai, 07/12/2026".
func DueDate(lang messages.Lang, d time.Time) string { return messages.DayDate(lang, d, time.UTC) }

// Sections says which parts of an overview to show.
type Sections struct {
	Counts, Overdue, Upcoming bool
}

// AllSections is the full /tasks answer.
var AllSections = Sections{Counts: true, Overdue: true, Upcoming: true}

// RenderOverview renders ov under title as one Telegram HTML message.
func RenderOverview(lang messages.Lang, tree *units.Tree, title messages.HTML, ov Overview, show Sections) string {
	t := func(k messages.Key, args ...any) string { return messages.T(lang, k, args...) }
	parts := []string{t(messages.KeyTasksHeader, title, DueDate(lang, ov.Today))}
	if show.Counts {
		parts = append(parts, t(messages.KeyTasksCounts, ov.Counts[storage.TaskNotStarted],
			ov.Counts[storage.TaskInProgress], ov.Counts[storage.TaskDone], ov.Counts[Overdue]))
	}
	line := func(o Occurrence, extra messages.HTML) string {
		return t(messages.KeyTasksLine, o.Task.ID, o.Task.ShortTitle, unitName(tree, o.Task.LeadUnitID), DueDate(lang, o.Due), extra)
	}
	list := func(header string, lines []string) {
		var b strings.Builder
		b.WriteString(header)
		for i, l := range lines {
			if i == MaxLines {
				b.WriteString("\n" + t(messages.KeyTasksMore, len(lines)-MaxLines))
				break
			}
			b.WriteString("\n" + l)
		}
		parts = append(parts, b.String())
	}
	empty := true
	if show.Overdue && len(ov.Overdue) > 0 {
		empty = false
		var lines []string
		for _, l := range ov.Overdue {
			extra := messages.HTML("")
			if l.MoreOverdue > 0 {
				extra = messages.HTML(" " + t(messages.KeyTasksLineMoreOverdue, l.MoreOverdue))
			}
			lines = append(lines, line(l.Occurrence, extra))
		}
		list(t(messages.KeyTasksOverdueHeader), lines)
	}
	if show.Upcoming && len(ov.Upcoming) > 0 {
		empty = false
		var lines []string
		for _, o := range ov.Upcoming {
			extra := messages.HTML("")
			if o.Status == storage.TaskInProgress && o.Percent > 0 {
				extra = messages.HTML(" " + t(messages.KeyTasksLinePercent, o.Percent))
			}
			lines = append(lines, line(o, extra))
		}
		list(t(messages.KeyTasksUpcomingHeader, ov.Horizon), lines)
	}
	if empty {
		parts = append(parts, t(messages.KeyTasksNoneDue))
	}
	parts = append(parts, t(messages.KeyTasksFooter))
	return strings.Join(parts, "\n\n")
}

func unitName(tree *units.Tree, id int64) string {
	if u, ok := tree.Get(id); ok {
		return u.Name
	}
	return "?"
}

// unitNames renders the names of ids, escaped, joined with commas; a dash
// for none.
func unitNames(tree *units.Tree, ids []int64) messages.HTML {
	if len(ids) == 0 {
		return "—"
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = messages.Escape(unitName(tree, id))
	}
	return messages.HTML(strings.Join(names, ", "))
}

// DescribeRecurrence says when a task falls due, in lang.
func DescribeRecurrence(lang messages.Lang, r Recurrence) messages.HTML {
	t := func(k messages.Key, args ...any) messages.HTML { return messages.HTML(messages.T(lang, k, args...)) }
	switch r.Freq {
	case Monthly:
		if r.Day == 31 {
			return t(messages.KeyRecMonthlyLast)
		}
		return t(messages.KeyRecMonthly, r.Day)
	case Quarterly:
		return t(messages.KeyRecQuarterly, r.Day)
	case Yearly:
		return t(messages.KeyRecYearly, time.Date(2024, r.Month, r.Day, 0, 0, 0, 0, time.UTC).Format("02/01"))
	case Once:
		return t(messages.KeyRecOnce, Date(r.Dates[0]))
	}
	ds := make([]string, len(r.Dates))
	for i, d := range r.Dates {
		ds[i] = Date(d)
	}
	return t(messages.KeyRecDates, strings.Join(ds, ", "))
}

// StatusText names an occurrence's status in lang.
func StatusText(lang messages.Lang, o Occurrence) messages.HTML {
	switch o.Status {
	case storage.TaskDone:
		return messages.HTML(messages.T(lang, messages.KeyStatusDone))
	case storage.TaskInProgress:
		return messages.HTML(messages.T(lang, messages.KeyStatusInProgress, o.Percent))
	case Overdue:
		return messages.HTML(messages.T(lang, messages.KeyStatusOverdue))
	}
	return messages.HTML(messages.T(lang, messages.KeyStatusNotStarted))
}

var statusMark = map[string]messages.HTML{
	storage.TaskNotStarted: "⬜", storage.TaskInProgress: "⏳", storage.TaskDone: "✅", Overdue: "⚠️",
}

// RenderTask renders one task: what it is, who leads it, when it falls due,
// its occurrences around today (the last few before, the next few after)
// and its newest history.
func RenderTask(lang messages.Lang, loc *time.Location, tree *units.Tree, b *Board, a storage.Agreement, task storage.Task, history []storage.TaskUpdate) string {
	t := func(k messages.Key, args ...any) string { return messages.T(lang, k, args...) }
	head := []string{t(messages.KeyTaskTitle, task.ID, task.Title)}
	if a.Title != "" {
		head = append(head, t(messages.KeyTaskAgreement, a.Title))
	}
	if task.Description != "" {
		head = append(head, t(messages.KeyTaskDescription, task.Description))
	}
	head = append(head,
		t(messages.KeyTaskLead, unitNames(tree, []int64{task.LeadUnitID})),
		t(messages.KeyTaskSupport, unitNames(tree, task.SupportIDs)),
		t(messages.KeyTaskSchedule, DescribeRecurrence(lang, b.Recurrence(task)), Date(task.StartsOn), Date(task.EndsOn)))
	parts := []string{strings.Join(head, "\n")}

	occs := b.Occurrences(task)
	first := 0
	for first < len(occs) && occs[first].Due.Before(b.Today()) {
		first++
	}
	from, to := max(0, first-3), min(len(occs), first+3)
	var lines []string
	lines = append(lines, t(messages.KeyTaskOccurrencesHeader, to-from, len(occs)))
	for _, o := range occs[from:to] {
		lines = append(lines, t(messages.KeyTaskOccurrenceLine, statusMark[o.Status], DueDate(lang, o.Due), StatusText(lang, o)))
	}
	parts = append(parts, strings.Join(lines, "\n"))

	lines = []string{t(messages.KeyTaskHistoryHeader)}
	if len(history) == 0 {
		lines = append(lines, t(messages.KeyTaskNoHistory))
	}
	for _, h := range history {
		var what string
		switch {
		case h.Action == storage.UpdateDone:
			what = t(messages.KeyTaskActDone, Date(h.DueOn))
		case h.Action == storage.UpdateProgress && h.Percent != nil:
			what = t(messages.KeyTaskActProgressPct, *h.Percent, Date(h.DueOn))
		case h.Action == storage.UpdateProgress:
			what = t(messages.KeyTaskActProgress, Date(h.DueOn))
		default:
			what = t(messages.KeyTaskActReopen, Date(h.DueOn))
		}
		note := ""
		if h.Note != "" {
			note = " " + t(messages.KeyTaskNote, h.Note)
		}
		who := h.Name
		if who == "" {
			who = "id " + strconv.FormatInt(h.UserID, 10)
		}
		lines = append(lines, t(messages.KeyTaskHistoryLine, messages.DateTime(h.At, loc), who, messages.HTML(what), messages.HTML(note)))
	}
	parts = append(parts, strings.Join(lines, "\n"))
	return strings.Join(parts, "\n\n")
}

// RenderReminder renders the reminder of kind for o, as of day.
func RenderReminder(lang messages.Lang, tree *units.Tree, o Occurrence, kind string, day time.Time) string {
	t := func(k messages.Key, args ...any) string { return messages.T(lang, k, args...) }
	days := int(o.Due.Sub(day).Hours() / 24)
	var first string
	switch kind {
	case KindWeek:
		first = t(messages.KeyReminderWeek, days)
	case KindTomorrow:
		first = t(messages.KeyReminderTomorrow)
	case KindToday:
		first = t(messages.KeyReminderToday)
	default:
		first = t(messages.KeyReminderOverdue, -days)
	}
	return strings.Join([]string{
		first,
		t(messages.KeyReminderBody, o.Task.ID, o.Task.Title, DueDate(lang, o.Due), unitName(tree, o.Task.LeadUnitID), unitNames(tree, o.Task.SupportIDs)),
		t(messages.KeyReminderHowTo, o.Task.ID, o.Task.ID, o.Task.ID),
	}, "\n")
}
