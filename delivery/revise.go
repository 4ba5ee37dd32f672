package delivery

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
