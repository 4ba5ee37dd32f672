package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// AnswerStore is what answers, reminders and draft options need from
// storage.
type AnswerStore interface {
	RecordAnswer(ctx context.Context, id, userID, chatID int64, messageID, answer int, now time.Time) (string, int, error)
	AnswerBoard(ctx context.Context, id int64, n int) ([]storage.UnitAnswers, error)
	Unanswered(ctx context.Context, id int64) ([]storage.Unanswered, error)
	ClaimReminders(ctx context.Context, id int64, users []int64, now time.Time) ([]int64, error)
	UnclaimReminder(ctx context.Context, id, userID int64) error
	SetReminderMessage(ctx context.Context, id, userID int64, messageID int) error
	ChangedAnswerBoards(ctx context.Context) (map[int64]time.Time, error)
	MarkAnswersShown(ctx context.Context, id int64, at time.Time) error
	DueAutoReminders(ctx context.Context, now time.Time) ([]int64, error)
	LostReminders(ctx context.Context, now time.Time) ([]int64, error)
	SetDraftOptions(ctx context.Context, id, authorID int64, priority int, content []byte, scheduledAt *time.Time) (bool, error)
	PinRefusals(ctx context.Context, id int64) (int, error)
}

// ButtonEditor is a Sender that can edit a message keeping buttons under
// it (bot.Sender is one): the author's status message keeps its "Chưa trả
// lời" and "Nhắc lại" as it changes.
type ButtonEditor interface {
	EditWithButtons(ctx context.Context, chatID int64, messageID int, html string, caption bool, buttons [][]Button) error
}

func (e *Engine) answers() (AnswerStore, error) {
	as, ok := e.store.(AnswerStore)
	if !ok {
		return nil, errors.New("the store keeps no answers")
	}
	return as, nil
}

// Answer outcomes (storage's).
const (
	AnswerRecorded  = storage.AnswerRecorded
	AnswerChanged   = storage.AnswerChanged
	AnswerSame      = storage.AnswerSame
	AnswerNotMember = storage.AnswerNotMember
	AnswerNoCopy    = storage.AnswerNoCopy
	// AnswerUnknown: no such broadcast, or no such answer to it.
	AnswerUnknown = "unknown"
)

// AnswerResult is what a press on an answer button did.
type AnswerResult struct {
	Outcome  string
	Answer   string // the words of the answer pressed
	Previous string // of the answer before, "" for none
}

// ParseAnswerData reads "<broadcast>:<answer>", the callback data of an
// answer button after AnswerPrefix and its colon.
func ParseAnswerData(rest string) (id int64, answer int, ok bool) {
	idText, iText, found := strings.Cut(rest, ":")
	id, err1 := strconv.ParseInt(idText, 10, 64)
	answer, err2 := strconv.Atoi(iText)
	return id, answer, found && err1 == nil && err2 == nil && id > 0 && answer >= 0 && answer < MaxAnswers
}

// Answer records userID's press of answer i under message messageID of
// chat chatID, a copy of broadcast id. Only a member of a reached unit
// answers, for themself, and only under a real copy: the outcome says
// why nothing was recorded otherwise.
func (e *Engine) Answer(ctx context.Context, id, userID, chatID int64, messageID, i int) (AnswerResult, error) {
	as, err := e.answers()
	if err != nil {
		return AnswerResult{}, err
	}
	s, err := e.Broadcast(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return AnswerResult{Outcome: AnswerUnknown}, nil
	}
	if err != nil {
		return AnswerResult{}, err
	}
	if i < 0 || i >= len(s.Answers) {
		return AnswerResult{Outcome: AnswerUnknown}, nil
	}
	outcome, prev, err := as.RecordAnswer(ctx, id, userID, chatID, messageID, i, e.clock())
	if err != nil {
		return AnswerResult{}, err
	}
	res := AnswerResult{Outcome: outcome, Answer: s.Answers[i]}
	if prev >= 0 && prev < len(s.Answers) {
		res.Previous = s.Answers[prev]
	}
	return res, nil
}

// AnswerBoard returns the answers to broadcast id by unit.
func (e *Engine) AnswerBoard(ctx context.Context, id int64) ([]storage.UnitAnswers, error) {
	as, err := e.answers()
	if err != nil {
		return nil, err
	}
	s, err := e.Broadcast(ctx, id)
	if err != nil {
		return nil, err
	}
	return as.AnswerBoard(ctx, id, len(s.Answers))
}

// Unanswered lists by unit the members who have not answered broadcast id.
func (e *Engine) Unanswered(ctx context.Context, id int64) ([]storage.Unanswered, error) {
	as, err := e.answers()
	if err != nil {
		return nil, err
	}
	return as.Unanswered(ctx, id)
}

// Reminding is what Remind set out to do.
type Reminding struct {
	Reminders   int // people being reminded now, privately
	Unreachable int // not answered, but Loa has no private chat with them
	Before      int // not answered, already reminded once
}

// Remind reminds, once each, the members who have not answered broadcast
// id and whom Loa can reach privately: a reply to their copy of the
// bulletin (or the bulletin's text, for those who got it in a group), with
// the answer buttons. The reminders are claimed at once and sent by the
// engine's job runner, paced like any sending, so a big unit does not
// hold the caller.
func (e *Engine) Remind(ctx context.Context, id int64) (Reminding, error) {
	as, err := e.answers()
	if err != nil {
		return Reminding{}, err
	}
	s, err := e.Broadcast(ctx, id)
	if err != nil {
		return Reminding{}, err
	}
	if len(s.Answers) == 0 {
		return Reminding{}, nil
	}
	un, err := as.Unanswered(ctx, id)
	if err != nil {
		return Reminding{}, err
	}
	var r Reminding
	copyOf := map[int64]int{}
	var users []int64
	for _, u := range un {
		if _, seen := copyOf[u.UserID]; seen {
			continue // listed under two units
		}
		copyOf[u.UserID] = u.CopyID
		if !u.Reachable {
			r.Unreachable++
			continue
		}
		// Those reminded before are asked for too: the claim refuses them,
		// unless their reminder was claimed and never sent (a crash).
		users = append(users, u.UserID)
	}
	claimed, err := as.ClaimReminders(ctx, id, users, e.clock())
	if err != nil {
		return Reminding{}, err
	}
	r.Reminders = len(claimed)
	r.Before = len(users) - len(claimed)
	if len(claimed) > 0 {
		e.queue(ctx, func(ctx context.Context) { e.sendReminders(ctx, as, s, claimed, copyOf) })
	}
	return r, nil
}

// sendReminders sends claimed reminders, paced; one that cannot be sent
// is unclaimed, for the next "Nhắc lại".
func (e *Engine) sendReminders(ctx context.Context, as AnswerStore, s Summary, users []int64, copyOf map[int64]int) {
	buttons := answerRows(s.ID, s.Answers)
	for _, u := range users {
		text := messages.T(s.Lang, messages.KeyBulletinReminder, s.ID)
		out := Outgoing{Buttons: buttons, NoPreview: true, ReplyTo: copyOf[u]}
		if out.ReplyTo == 0 && s.Text != "" {
			// The person got it in a group: the reminder says what it was.
			text += "\n\n" + Excerpt(s.Text, 600)
		}
		out.Text = text
		if _, err := e.lim.wait(ctx, u, false); err != nil {
			_ = as.UnclaimReminder(context.WithoutCancel(ctx), s.ID, u)
			continue
		}
		ids, err := e.cfg.Sender.Send(ctx, u, out)
		if err != nil {
			e.log.Info("reminder not sent", "broadcast", s.ID, "user", u, "err", err)
			_ = as.UnclaimReminder(context.WithoutCancel(ctx), s.ID, u)
			continue
		}
		if len(ids) > 0 {
			if err := as.SetReminderMessage(context.WithoutCancel(ctx), s.ID, u, ids[len(ids)-1]); err != nil {
				e.log.Warn("record a reminder", "broadcast", s.ID, "user", u, "err", err)
			}
		}
	}
}

// DraftOptions are what the preview's buttons change before Send.
type DraftOptions struct {
	Urgent      bool
	At          time.Time // zero: at once
	Answers     []string  // nil: no answers asked
	Pin         bool
	RemindAfter time.Duration
}

// SetDraftOptions changes draft id's options; only its author changes only
// a draft (false otherwise). Media and other buttons stay.
func (e *Engine) SetDraftOptions(ctx context.Context, id, authorID int64, o DraftOptions) (bool, error) {
	as, err := e.answers()
	if err != nil {
		return false, err
	}
	if len(o.Answers) > MaxAnswers {
		return false, fmt.Errorf("set draft options: %d answers, more than %d", len(o.Answers), MaxAnswers)
	}
	s, err := e.Broadcast(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ct := s.content
	ct.Answers, ct.Pin, ct.RemindAfter = o.Answers, o.Pin, int(o.RemindAfter/time.Minute)
	raw, err := json.Marshal(ct)
	if err != nil {
		return false, fmt.Errorf("set draft options: %w", err)
	}
	prio := PriorityRoutine
	if o.Urgent {
		prio = PriorityUrgent
	}
	var at *time.Time
	if !o.At.IsZero() {
		at = &o.At
	}
	return as.SetDraftOptions(ctx, id, authorID, prio, raw, at)
}

// BoardButtons are the buttons under the author's status message of a
// bulletin with answers: the list of those who have not answered, and the
// reminder. Their data is the broadcast commands' ("bc:<id>:…").
func BoardButtons(lang messages.Lang, id int64) [][]Button {
	data := "bc:" + strconv.FormatInt(id, 10) + ":"
	return [][]Button{{
		{Text: messages.Plain(lang, messages.KeyAnswersListButton), Data: data + "acks"},
		{Text: messages.Plain(lang, messages.KeyAnswersRemindButton), Data: data + "remind"},
	}}
}

// BoardText renders the answers by unit: delivered, answered of the
// members, each answer's count.
func BoardText(lang messages.Lang, answers []string, rows []storage.UnitAnswers) string {
	var b strings.Builder
	total, answered := 0, 0
	for _, r := range rows {
		n := 0
		var parts []string
		for i, c := range r.Answers {
			n += c
			parts = append(parts, messages.T(lang, messages.KeyAnswersCount, answers[i], messages.Number(lang, c)))
		}
		total += r.Members
		answered += n
		b.WriteString("\n")
		b.WriteString(messages.T(lang, messages.KeyAnswersUnitLine, r.Name, messages.Number(lang, r.Delivered),
			messages.Number(lang, n), messages.Number(lang, r.Members), messages.HTML(strings.Join(parts, " · "))))
	}
	return messages.T(lang, messages.KeyAnswersHeader, messages.Number(lang, answered), messages.Number(lang, total)) + b.String()
}

// statusBoard is the answers part of a status message, "" for a
// bulletin without answers.
func (e *Engine) statusBoard(ctx context.Context, b storage.BroadcastSummary) (string, [][]Button, error) {
	var ct Content
	if json.Unmarshal(b.Content, &ct) != nil || len(ct.Answers) == 0 {
		return "", nil, nil
	}
	as, err := e.answers()
	if err != nil {
		return "", nil, err
	}
	rows, err := as.AnswerBoard(ctx, b.ID, len(ct.Answers))
	if err != nil {
		return "", nil, err
	}
	lang := messages.Lang(b.Lang)
	return "\n\n" + BoardText(lang, ct.Answers, rows), BoardButtons(lang, b.ID), nil
}

// answersTick shows changed answers on the status messages of finished
// bulletins (those being sent show them at every status), at most once a
// tick however many presses came: the presses are coalesced.
func (e *Engine) answersTick(ctx context.Context, st *statusState) {
	as, err := e.answers()
	if err != nil {
		return
	}
	changed, err := as.ChangedAnswerBoards(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("changed answers", "err", err)
		}
		return
	}
	for id, at := range changed {
		b, err := e.store.BroadcastSummary(ctx, id)
		if err != nil || b.AuthorChatID == 0 || b.StatusMessageID <= 0 {
			_ = as.MarkAnswersShown(ctx, id, at)
			continue
		}
		if e.showStatus(ctx, st, b) {
			_ = as.MarkAnswersShown(ctx, id, at)
		}
	}
	due, err := as.DueAutoReminders(ctx, e.clock())
	if err != nil {
		return
	}
	// Reminders claimed by a process that died before sending them go out
	// now (Remind claims them again).
	lost, err := as.LostReminders(ctx, e.clock())
	if err != nil {
		return
	}
	due = append(due, lost...)
	for _, id := range due {
		if r, err := e.Remind(ctx, id); err != nil {
			e.log.Warn("automatic reminder", "broadcast", id, "err", err)
		} else {
			e.log.Info("automatic reminder", "broadcast", id, "reminded", r.Reminders)
		}
	}
}

// queue hands a job to the job runner of Run (reminders, revisions): it
// runs in the background of the process, paced, and stops with Run.
// With the queue full the job runs at once, in the caller's context.
func (e *Engine) queue(ctx context.Context, job func(ctx context.Context)) {
	select {
	case e.jobs <- job:
	default:
		job(ctx)
	}
}

// runJobs runs queued jobs one after another until ctx is done.
func (e *Engine) runJobs(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-e.jobs:
			job(ctx)
		}
	}
}
