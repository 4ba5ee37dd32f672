package delivery

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Revision is what /edit or /recall did to the delivered copies of a
// broadcast.
type Revision struct {
	Messages int            // messages that were to be changed
	Done     int            // changed (edited or deleted)
	Refused  map[string]int // by reason code: what Telegram refused (too old to delete, …)
}

// RevisionStore is what Edit and Recall need from storage.
type RevisionStore interface {
	DeliveredMessages(ctx context.Context, id int64) ([]storage.DeliveredMessage, error)
	SetMessageOutcome(ctx context.Context, id, chatID int64, messageID int, outcome string) error
	BeginRevision(ctx context.Context, id, actor int64, newText string) error
}

// Outcomes of a delivered message after a revision.
const (
	outcomeEdited  = "edited"
	outcomeDeleted = "deleted"
)

// Edit changes every delivered copy of broadcast id to html (the text of a
// text message, the caption of a file): each message of kind text or
// caption of its first part. The text becomes the broadcast's, for the
// deliveries still pending. Who may edit is for the caller to decide;
// actor is written to the audit log. Each change is paced by the Limiter
// like any sending; what Telegram refuses is counted by reason, not hidden.
func (e *Engine) Edit(ctx context.Context, id, actor int64, html string) (Revision, error) {
	rs, ok := e.store.(RevisionStore)
	if !ok {
		return Revision{}, errors.New("edit: the store cannot revise broadcasts")
	}
	if err := rs.BeginRevision(ctx, id, actor, html); err != nil {
		return Revision{}, err
	}
	e.forget(id) // pending deliveries load the new text
	return e.revise(ctx, rs, id, func(m storage.DeliveredMessage) (bool, error) {
		if m.Part != 0 || (m.Kind != partText && m.Kind != partCaption) {
			return false, nil
		}
		return true, e.cfg.Sender.Edit(ctx, m.ChatID, m.MessageID, html, m.Kind == partCaption)
	}, outcomeEdited)
}

// Recall deletes every delivered copy of broadcast id (every part, every
// album item) and cancels what is not sent yet. Telegram lets a bot delete
// its messages for 48 hours; older ones are counted as refused.
func (e *Engine) Recall(ctx context.Context, id, actor int64) (Revision, error) {
	rs, ok := e.store.(RevisionStore)
	if !ok {
		return Revision{}, errors.New("recall: the store cannot revise broadcasts")
	}
	if err := rs.BeginRevision(ctx, id, actor, ""); err != nil {
		return Revision{}, err
	}
	if _, err := e.Cancel(ctx, id, actor); err != nil {
		return Revision{}, err
	}
	return e.revise(ctx, rs, id, func(m storage.DeliveredMessage) (bool, error) {
		if m.Outcome == outcomeDeleted {
			return false, nil
		}
		return true, e.cfg.Sender.Delete(ctx, m.ChatID, m.MessageID)
	}, outcomeDeleted)
}

// revise applies do to every delivered message of broadcast id, paced by
// the Limiter, recording each outcome.
func (e *Engine) revise(ctx context.Context, rs RevisionStore, id int64, do func(storage.DeliveredMessage) (bool, error), done string) (Revision, error) {
	ms, err := rs.DeliveredMessages(ctx, id)
	if err != nil {
		return Revision{}, err
	}
	rev := Revision{Refused: map[string]int{}}
	for _, m := range ms {
		for attempt := 0; ; attempt++ {
			dep, err := e.lim.wait(ctx, m.ChatID, m.ChatType != "private")
			if err != nil {
				return rev, fmt.Errorf("revise broadcast %d: %w", id, err)
			}
			acted, err := do(m)
			e.lim.sent(dep, time.Now())
			if !acted {
				break
			}
			if attempt == 0 {
				rev.Messages++
			}
			var se *SendError
			if errors.As(err, &se) && se.Kind == RateLimited && attempt < 3 {
				e.lim.Backoff(m.ChatID, se.RetryAfter)
				continue
			}
			outcome := done
			if err != nil {
				outcome = ReasonOther
				if se != nil {
					outcome = codeOr(se.Code, ReasonOther)
				}
				rev.Refused[outcome]++
			} else {
				rev.Done++
			}
			if err := rs.SetMessageOutcome(ctx, id, m.ChatID, m.MessageID, outcome); err != nil {
				e.log.Warn("record a revised message", "broadcast", id, "err", err)
			}
			break
		}
	}
	e.log.Info("broadcast revised", "broadcast", id, "how", done, "messages", rev.Messages, "done", rev.Done, "refused", rev.Refused)
	return rev, nil
}

// RefusalLines says, one line each in lang, why messages were refused.
func (r Revision) RefusalLines(lang messages.Lang) []string {
	var rs []messages.ReasonCount
	for code, n := range r.Refused {
		rs = append(rs, messages.ReasonCount{Code: code, Count: n})
	}
	sort.Slice(rs, func(i, j int) bool {
		return rs[i].Count > rs[j].Count || (rs[i].Count == rs[j].Count && rs[i].Code < rs[j].Code)
	})
	return messages.DeliveryReasonLines(lang, rs)
}

// EditLater is Edit as a job of the engine: the text changes at once (for
// the deliveries still pending), and the delivered copies are edited in
// the background, paced, the report going to chat reportTo in lang when
// done. A big edit does not hold the author's chat.
func (e *Engine) EditLater(ctx context.Context, id, actor int64, html string, reportTo int64, lang messages.Lang) error {
	rs, ok := e.store.(RevisionStore)
	if !ok {
		return errors.New("edit: the store cannot revise broadcasts")
	}
	if err := rs.BeginRevision(ctx, id, actor, html); err != nil {
		return err
	}
	e.forget(id)
	buttons := e.answerButtons(ctx, id)
	e.queue(ctx, func(ctx context.Context) {
		rev, err := e.revise(ctx, rs, id, func(m storage.DeliveredMessage) (bool, error) {
			if m.Part != 0 || (m.Kind != partText && m.Kind != partCaption) {
				return false, nil
			}
			// An edit without the answer buttons would remove them.
			if be, ok := e.cfg.Sender.(ButtonEditor); ok && len(buttons) > 0 {
				return true, be.EditWithButtons(ctx, m.ChatID, m.MessageID, html, m.Kind == partCaption, buttons)
			}
			return true, e.cfg.Sender.Edit(ctx, m.ChatID, m.MessageID, html, m.Kind == partCaption)
		}, outcomeEdited)
		e.reportRevision(ctx, reportTo, lang, messages.KeyEditReport, id, rev, err)
	})
	return nil
}

// RecallLater is Recall as a job of the engine: what is not sent yet is
// cancelled at once, the delivered copies deleted in the background,
// paced, the report going to chat reportTo when done.
func (e *Engine) RecallLater(ctx context.Context, id, actor int64, reportTo int64, lang messages.Lang) error {
	rs, ok := e.store.(RevisionStore)
	if !ok {
		return errors.New("recall: the store cannot revise broadcasts")
	}
	if err := rs.BeginRevision(ctx, id, actor, ""); err != nil {
		return err
	}
	if _, err := e.Cancel(ctx, id, actor); err != nil {
		return err
	}
	e.queue(ctx, func(ctx context.Context) {
		rev, err := e.revise(ctx, rs, id, func(m storage.DeliveredMessage) (bool, error) {
			if m.Outcome == outcomeDeleted {
				return false, nil
			}
			return true, e.cfg.Sender.Delete(ctx, m.ChatID, m.MessageID)
		}, outcomeDeleted)
		e.reportRevision(ctx, reportTo, lang, messages.KeyRecallReport, id, rev, err)
	})
	return nil
}

// answerButtons are the answer buttons of a bulletin that is no album (an
// album's buttons are under a message of their own, which no edit
// touches), nil otherwise.
func (e *Engine) answerButtons(ctx context.Context, id int64) [][]Button {
	s, err := e.Broadcast(ctx, id)
	if err != nil || len(s.Answers) == 0 || len(s.Media) > 1 {
		return nil
	}
	return answerRows(id, s.Answers)
}

func (e *Engine) reportRevision(ctx context.Context, to int64, lang messages.Lang, key messages.Key, id int64, rev Revision, err error) {
	if err != nil {
		e.log.Warn("revise broadcast", "broadcast", id, "err", err)
	}
	if to == 0 {
		return
	}
	if _, err := e.lim.wait(ctx, to, to < 0); err != nil {
		return
	}
	if _, err := e.cfg.Sender.Send(ctx, to, Outgoing{Text: RevisionReport(lang, key, id, rev), NoPreview: true}); err != nil {
		e.log.Warn("report a revision", "broadcast", id, "chat", to, "err", err)
	}
}

// RevisionReport is what an edit or a recall did, for the author: how
// many messages changed, and why Telegram refused the others.
func RevisionReport(lang messages.Lang, key messages.Key, id int64, rev Revision) string {
	var b strings.Builder
	b.WriteString(messages.T(lang, key, id, messages.Count(rev.Done), messages.Count(rev.Messages)))
	if lines := rev.RefusalLines(lang); len(lines) > 0 {
		b.WriteString("\n\n" + messages.T(lang, messages.KeyRevisionRefused))
		for _, l := range lines {
			b.WriteString("\n" + l)
		}
	}
	return b.String()
}
