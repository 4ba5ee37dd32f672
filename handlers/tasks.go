package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// TaskStore is what the task commands need from storage; *storage.DB
// satisfies it. Every update writes its history row in the same transaction.
type TaskStore interface {
	Agreements(ctx context.Context) ([]storage.Agreement, error)
	Tasks(ctx context.Context) ([]storage.Task, error)
	OccurrenceStatuses(ctx context.Context, taskIDs []int64) ([]storage.OccurrenceStatus, error)
	UpdateOccurrence(ctx context.Context, u storage.OccurrenceUpdate) (storage.OccurrenceStatus, error)
	TaskHistory(ctx context.Context, taskID int64, limit int) ([]storage.TaskUpdate, error)
}

// historyShown is how many updates /task shows, newest first.
const historyShown = 8

// Callback data of the task buttons: "tk:d:<task>:<yyyymmdd>" marks an
// occurrence done, "tk:p:…" in progress, "tk:o:<task>" opens the task.
const taskCallback = agreements.ButtonPrefix

func (r *Router) addTaskCommands() {
	r.add(&command{name: "tasks", desc: messages.KeyCmdTasks, pickable: true, run: r.tasksCmd})
	r.add(&command{name: "task", desc: messages.KeyCmdTask, run: r.taskCmd})
	// Officers and admins only; which task they may update is checked per task.
	r.add(&command{name: "done", desc: messages.KeyCmdDone, access: OfficerOrAdmin, run: r.doneCmd})
	r.add(&command{name: "progress", desc: messages.KeyCmdProgress, access: OfficerOrAdmin, run: r.progressCmd})
	r.add(&command{name: "reopen", desc: messages.KeyCmdReopen, access: OfficerOrAdmin, run: r.reopenCmd})
}

// today is the calendar day in LOA_TIMEZONE: a task due "today" in Hà Nội is
// due from midnight there, not from midnight UTC.
func (r *Router) today() time.Time { return storage.DateOf(r.now().In(r.loc)) }

// board loads every task with its statuses as of today.
func (r *Router) board(ctx context.Context) (*agreements.Board, error) {
	tasks, err := r.tasks.Tasks(ctx)
	if err != nil {
		return nil, err
	}
	st, err := r.tasks.OccurrenceStatuses(ctx, nil)
	if err != nil {
		return nil, err
	}
	return agreements.NewBoard(tasks, st, r.today())
}

// sees: admins see every task; others the tasks of the units they belong
// to, and officers also those of the units below theirs. Nobody else learns
// that the task exists.
func (a *access) sees(t storage.Task) bool {
	for _, u := range t.UnitIDs() {
		if a.belongsTo(u) {
			return true
		}
	}
	return a.admin()
}

// updates: officers of the lead or a supporting unit (or of a unit above
// it), and admins.
func (a *access) updates(t storage.Task) bool {
	for _, u := range t.UnitIDs() {
		if a.actsFor(u) {
			return true
		}
	}
	return false
}

// tasksCmd answers /tasks [<unit>|overdue|week|all].
func (r *Router) tasksCmd(ctx context.Context, c *Context) (Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	b, err := r.board(ctx)
	if err != nil {
		return Response{}, err
	}
	keep := a.sees
	title := messages.HTML(c.T(messages.KeyTasksTitleMine))
	show, horizon := agreements.AllSections, agreements.Horizon
	// The keywords in English or Vietnamese (tat-ca, qua-han, tuan), with or
	// without accents; anything else names a unit.
	arg := messages.Arg("")
	if fields := c.Cmd.Fields(); len(fields) > 0 {
		arg = messages.Arg("unit")
		if got, n, ok := messages.MatchArg(fields, messages.ArgAll, messages.ArgOverdue, messages.ArgWeek); ok && n == len(fields) {
			arg = got
		}
	}
	switch arg {
	case "":
	case messages.ArgAll:
		if !a.admin() {
			return c.Reply(messages.KeyNotAllowed), nil
		}
		title = messages.HTML(c.T(messages.KeyTasksTitleAll))
	case messages.ArgOverdue:
		title, show = messages.HTML(c.T(messages.KeyTasksTitleOverdue)), agreements.Sections{Overdue: true}
	case messages.ArgWeek:
		title, show, horizon = messages.HTML(c.T(messages.KeyTasksTitleWeek)), agreements.Sections{Upcoming: true}, 7
	default:
		u, other := r.resolve(c, a, c.Cmd.Args, "tasks")
		if other != nil {
			return *other, nil
		}
		if !a.belongsTo(u.ID) {
			return c.Reply(messages.KeyNotAllowed), nil
		}
		title = messages.HTML(c.T(messages.KeyTasksTitleUnit, u.Name))
		keep = func(t storage.Task) bool {
			if !a.sees(t) {
				return false
			}
			for _, id := range t.UnitIDs() {
				if a.tree.IsUnder(id, u.ID) {
					return true
				}
			}
			return false
		}
	}
	some := false
	for _, t := range b.Tasks() {
		if keep(t) {
			some = true
			break
		}
	}
	if !some {
		return c.Reply(messages.KeyTasksEmpty), nil
	}
	ov := b.Overview(keep, horizon)
	return Response{Replies: []Reply{{Text: agreements.RenderOverview(c.Lang, a.tree, title, ov, show)}}}, nil
}

// findTask parses "12" or "#12" and returns the task if the asker may see
// it; an unknown task and a task of someone else's unit get the same answer.
func (r *Router) findTask(c *Context, a *access, b *agreements.Board, arg string) (storage.Task, *Response) {
	typed := strings.TrimPrefix(strings.TrimSpace(arg), "#")
	id, err := strconv.ParseInt(typed, 10, 64)
	if typed == "" || err != nil {
		resp := c.Reply(messages.KeyArgsInvalid, messages.Code("/"+c.Cmd.Name+" 12"))
		return storage.Task{}, &resp
	}
	t, ok := b.Task(id)
	if !ok || !a.sees(t) {
		resp := c.Reply(messages.KeyTaskNotFound, truncate(typed, 20))
		return storage.Task{}, &resp
	}
	return t, nil
}

// taskCmd answers /task <id>.
func (r *Router) taskCmd(ctx context.Context, c *Context) (Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	b, err := r.board(ctx)
	if err != nil {
		return Response{}, err
	}
	t, other := r.findTask(c, a, b, c.Cmd.Args)
	if other != nil {
		return *other, nil
	}
	return r.showTask(ctx, c, a, b, t)
}

func (r *Router) showTask(ctx context.Context, c *Context, a *access, b *agreements.Board, t storage.Task) (Response, error) {
	all, err := r.tasks.Agreements(ctx)
	if err != nil {
		return Response{}, err
	}
	var ag storage.Agreement
	for _, x := range all {
		if x.ID == t.AgreementID {
			ag = x
		}
	}
	hist, err := r.tasks.TaskHistory(ctx, t.ID, historyShown)
	if err != nil {
		return Response{}, err
	}
	reply := Reply{Text: agreements.RenderTask(c.Lang, r.loc, a.tree, b, ag, t, hist)}
	if cur, ok := b.Current(t); ok && cur.Open() && a.updates(t) {
		reply.Buttons = TaskButtons(c.Lang, t.ID, cur.Due, false)
	}
	return Response{Replies: []Reply{reply}}, nil
}

// TaskButtons are agreements.ReminderButtons as a reply carries them (under
// /task for those who may update it): Done, In progress and, when open is
// set, Open. One definition keeps the button data and its handler in step.
func TaskButtons(lang messages.Lang, taskID int64, due time.Time, open bool) [][]Button {
	var row []Button
	for _, b := range agreements.ReminderButtons(lang, taskID, due)[0] {
		if !open && strings.HasPrefix(b.Data, taskCallback+":o:") {
			continue
		}
		row = append(row, Button{Text: b.Text, Data: b.Data, URL: b.URL})
	}
	return [][]Button{row}
}

// update is one report from a command or a button.
type update struct {
	action  string
	percent *int
	note    string
}

// apply checks that the asker may update t and records u on the occurrence
// due on due; the reply acknowledges it.
func (r *Router) apply(ctx context.Context, c *Context, a *access, t storage.Task, due time.Time, u update) (Response, bool, error) {
	if !a.updates(t) {
		return c.Reply(messages.KeyTaskCannotUpdate, t.ID), false, nil
	}
	if !messages.Readable(u.note) {
		u.note = "" // a note of fillers would show others an empty line
	}
	st, err := r.tasks.UpdateOccurrence(ctx, storage.OccurrenceUpdate{
		TaskID: t.ID, DueOn: due, UserID: c.User.ID, At: r.now(), Action: u.action, Percent: u.percent, Note: u.note,
	})
	if err != nil {
		return Response{}, false, err
	}
	r.log.Info("task updated", "task", t.ID, "due", due.Format("2006-01-02"), "action", u.action, "user_id", c.User.ID)
	date := agreements.DueDate(c.Lang, due)
	switch u.action {
	case storage.UpdateDone:
		return c.Reply(messages.KeyTaskDoneAck, t.ID, t.ShortTitle, date), true, nil
	case storage.UpdateProgress:
		return c.Reply(messages.KeyTaskProgressAck, t.ID, t.ShortTitle, date, st.Percent), true, nil
	}
	return c.Reply(messages.KeyTaskReopenAck, t.ID, t.ShortTitle, date), true, nil
}

// maxNote bounds a note; longer text is cut, the report still counts.
const maxNote = 500

// taskAndRest splits "<id> rest" and finds the task.
func (r *Router) taskAndRest(ctx context.Context, c *Context) (*access, *agreements.Board, storage.Task, string, *Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return nil, nil, storage.Task{}, "", nil, err
	}
	b, err := r.board(ctx)
	if err != nil {
		return nil, nil, storage.Task{}, "", nil, err
	}
	id, rest, _ := strings.Cut(strings.TrimSpace(c.Cmd.Args), " ")
	t, other := r.findTask(c, a, b, id)
	return a, b, t, truncate(strings.TrimSpace(rest), maxNote), other, nil
}

// doneCmd answers /done <id> [note]: the task's current occurrence (the
// oldest one not done) is done.
func (r *Router) doneCmd(ctx context.Context, c *Context) (Response, error) {
	a, b, t, note, other, err := r.taskAndRest(ctx, c)
	if err != nil || other != nil {
		return respOrEmpty(other), err
	}
	cur, _ := b.Current(t)
	resp, _, err := r.apply(ctx, c, a, t, cur.Due, update{action: storage.UpdateDone, note: note})
	return resp, err
}

// progressCmd answers /progress <id> <percent> [note].
func (r *Router) progressCmd(ctx context.Context, c *Context) (Response, error) {
	a, b, t, rest, other, err := r.taskAndRest(ctx, c)
	if err != nil || other != nil {
		return respOrEmpty(other), err
	}
	pct, note, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(strings.TrimSuffix(pct, "%"))
	if err != nil || n < 0 || n > 100 {
		return c.Reply(messages.KeyTaskPercentInvalid, messages.Code(fmt.Sprintf("/progress %d 50", t.ID))), nil
	}
	cur, _ := b.Current(t)
	resp, _, err := r.apply(ctx, c, a, t, cur.Due, update{action: storage.UpdateProgress, percent: &n, note: strings.TrimSpace(note)})
	return resp, err
}

// reopenCmd answers /reopen <id>: the latest occurrence reported done is
// open again (its reminders resume if it is still ahead or overdue).
func (r *Router) reopenCmd(ctx context.Context, c *Context) (Response, error) {
	a, b, t, note, other, err := r.taskAndRest(ctx, c)
	if err != nil || other != nil {
		return respOrEmpty(other), err
	}
	if !a.updates(t) {
		return c.Reply(messages.KeyTaskCannotUpdate, t.ID), nil
	}
	var last *agreements.Occurrence
	for _, o := range b.Occurrences(t) {
		if !o.Open() {
			o := o
			last = &o
		}
	}
	if last == nil {
		return c.Reply(messages.KeyTaskNothingToReopen, t.ID, t.ShortTitle), nil
	}
	resp, _, err := r.apply(ctx, c, a, t, last.Due, update{action: storage.UpdateReopen, note: note})
	return resp, err
}

func respOrEmpty(r *Response) Response {
	if r == nil {
		return Response{}
	}
	return *r
}

// taskButton handles the buttons under reminders and /task. Anyone in a
// group can press them, so the presser's rights are checked here again.
func (r *Router) taskButton(ctx context.Context, c *Context, data string) (Response, error) {
	expired := Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}
	parts := strings.Split(data, ":")
	if len(parts) < 2 {
		return expired, nil
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return expired, nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	b, err := r.board(ctx)
	if err != nil {
		return Response{}, err
	}
	t, ok := b.Task(id)
	if !ok || !a.sees(t) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyTaskNotFoundToast), CallbackAlert: true}, nil
	}
	if parts[0] == "o" {
		resp, err := r.showTask(ctx, c, a, b, t)
		return resp, err
	}
	if len(parts) != 3 || (parts[0] != "d" && parts[0] != "p") {
		return expired, nil
	}
	due, err := time.Parse("20060102", parts[2])
	if err != nil {
		return expired, nil
	}
	if _, ok := b.Occurrence(t, due); !ok {
		return expired, nil
	}
	if !a.updates(t) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyNotAllowedShort), CallbackAlert: true}, nil
	}
	u, toast := update{action: storage.UpdateDone}, messages.KeyTaskDoneToast
	if parts[0] == "p" {
		u, toast = update{action: storage.UpdateProgress}, messages.KeyTaskProgressToast
	}
	resp, _, err := r.apply(ctx, c, a, t, due, u)
	if err != nil {
		return Response{}, err
	}
	resp.CallbackText = messages.Plain(c.Lang, toast)
	return resp, nil
}
