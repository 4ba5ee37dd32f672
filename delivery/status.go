package delivery

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// statusLoop keeps the authors informed while their broadcasts are sent
// (one status message each, edited in place at most every StatusEvery),
// finishes broadcasts with nothing pending, and reports finished ones.
func (e *Engine) statusLoop(ctx context.Context) {
	t := time.NewTicker(e.cfg.StatusEvery)
	defer t.Stop()
	st := &statusState{shown: map[int64]string{}, cancelSeen: map[int64]bool{}}
	for {
		e.statusTick(ctx, st)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		e.answersTick(ctx, st)
	}
}

// statusState is what the status loop remembers between ticks.
type statusState struct {
	shown      map[int64]string // the text of each status message as last sent
	cancelSeen map[int64]bool   // cancelled broadcasts seen once: reported at the next tick
}

func (e *Engine) statusTick(ctx context.Context, st *statusState) {
	bs, err := e.store.UnreportedBroadcasts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("load broadcasts being sent", "err", err)
		}
		return
	}
	for _, b := range bs {
		if ctx.Err() != nil {
			return
		}
		report := false
		switch b.State {
		case StateSending:
			if b.Pending == 0 {
				ok, err := e.store.FinishBroadcast(ctx, b.ID, e.clock())
				if err != nil {
					e.log.Warn("finish broadcast", "broadcast", b.ID, "err", err)
					continue
				}
				if ok {
					b.State, report = StateDone, true
				}
			}
		case StateDone:
			report = true
		case StateCancelled:
			// Cancelled in another process maybe: stop our senders, and
			// report once the sends in flight had time to land.
			e.mu.Lock()
			if c := e.cache[b.ID]; c != nil {
				c.cancelled.Store(true)
			}
			e.mu.Unlock()
			report = st.cancelSeen[b.ID]
			st.cancelSeen[b.ID] = true
		}
		shown := true
		if b.AuthorChatID != 0 && b.StatusMessageID >= 0 {
			shown = e.showStatus(ctx, st, b)
		}
		// The report comes after the status message's last form.
		if report && shown && e.report(ctx, b) {
			delete(st.shown, b.ID)
			delete(st.cancelSeen, b.ID)
			e.forget(b.ID)
		}
	}
}

// showStatus sends or edits the author's status message if what it says
// has changed, and reports whether it says it now (or never will: the
// author blocked the bot). A failure waits for the next tick.
func (e *Engine) showStatus(ctx context.Context, st *statusState, b storage.BroadcastSummary) bool {
	text := statusText(b)
	board, buttons, err := e.statusBoard(ctx, b)
	if err != nil {
		e.log.Warn("answers board", "broadcast", b.ID, "err", err)
		return false
	}
	text += board
	if st.shown[b.ID] == text {
		return true
	}
	// Never hold the loop up for long behind a busy chat.
	wctx, cancel := context.WithTimeout(ctx, e.cfg.StatusEvery)
	defer cancel()
	if _, err := e.lim.wait(wctx, b.AuthorChatID, b.AuthorChatID < 0); err != nil {
		return false
	}
	if b.StatusMessageID == 0 {
		ids, err := e.cfg.Sender.Send(ctx, b.AuthorChatID, Outgoing{Text: text, NoPreview: true, Buttons: buttons})
		if err != nil {
			if e.gaveUp(b, err) {
				// The author blocked the bot: stop trying (-1).
				_ = e.store.SetBroadcastStatusMessage(ctx, b.ID, -1)
				return true
			}
			return false
		}
		id := 0
		if len(ids) > 0 {
			id = ids[len(ids)-1]
		}
		if err := e.store.SetBroadcastStatusMessage(ctx, b.ID, id); err != nil {
			e.log.Warn("remember the status message", "broadcast", b.ID, "err", err)
		}
		st.shown[b.ID] = text
		return true
	}
	edit := func() error { return e.cfg.Sender.Edit(ctx, b.AuthorChatID, b.StatusMessageID, text, false) }
	if be, ok := e.cfg.Sender.(ButtonEditor); ok && len(buttons) > 0 {
		edit = func() error { return be.EditWithButtons(ctx, b.AuthorChatID, b.StatusMessageID, text, false, buttons) }
	}
	if err := edit(); err != nil && !e.gaveUp(b, err) {
		return false
	}
	st.shown[b.ID] = text
	return true
}

// gaveUp logs a failed status or report message and tells whether to stop
// trying: anything but a temporary error or a 429 is final.
func (e *Engine) gaveUp(b storage.BroadcastSummary, err error) bool {
	var se *SendError
	if errors.As(err, &se) && se.Kind == RateLimited {
		e.lim.Backoff(b.AuthorChatID, se.RetryAfter)
		return false
	}
	e.log.Warn("status message for the author", "broadcast", b.ID, "chat", b.AuthorChatID, "err", err)
	return errors.As(err, &se) && se.Kind != Temporary
}

// report logs a finished broadcast, sends the author the final report, and
// records that it was made. It returns false to be called again later.
func (e *Engine) report(ctx context.Context, b storage.BroadcastSummary) bool {
	if b.AuthorChatID != 0 && b.StatusMessageID >= 0 {
		reasons, err := e.store.FailureReasons(ctx, b.ID, 5)
		if err != nil {
			e.log.Warn("failure reasons", "broadcast", b.ID, "err", err)
			return false
		}
		wctx, cancel := context.WithTimeout(ctx, e.cfg.StatusEvery)
		_, err = e.lim.wait(wctx, b.AuthorChatID, b.AuthorChatID < 0)
		cancel()
		if err != nil {
			return false
		}
		text := reportText(b, reasons)
		board, buttons, err := e.statusBoard(ctx, b)
		if err != nil {
			e.log.Warn("answers board", "broadcast", b.ID, "err", err)
			return false
		}
		text += board
		if as, err := e.answers(); err == nil {
			if n, err := as.PinRefusals(ctx, b.ID); err == nil && n > 0 {
				text += "\n" + messages.T(messages.Lang(b.Lang), messages.KeyPinRefused, n)
			}
		}
		if _, err := e.cfg.Sender.Send(ctx, b.AuthorChatID, Outgoing{Text: text, NoPreview: true, Buttons: buttons}); err != nil && !e.gaveUp(b, err) {
			return false
		}
	}
	if err := e.store.MarkBroadcastReported(ctx, b.ID, e.clock()); err != nil {
		e.log.Warn("mark broadcast reported", "broadcast", b.ID, "err", err)
		return false
	}
	took := time.Duration(0)
	if b.StartedAt != nil {
		took = e.clock().Sub(*b.StartedAt).Round(time.Second)
	}
	e.log.Info("broadcast finished", "broadcast", b.ID, "kind", b.Kind, "state", b.State, "author", b.AuthorID,
		"total", b.Total, "sent", b.Sent, "blocked", b.Blocked, "failed", b.Failed, "cancelled", b.Cancelled, "took", took)
	return true
}

// barCells is the width of the progress bar.
const barCells = 8

// progress returns how many deliveries are through (sent or not) and the
// bar and percentage for them: 27% of 8 cells shows 3, so that any
// progress shows.
func progress(done, total int) (bar string, percent int) {
	if total <= 0 {
		return strings.Repeat("▓", barCells), 100
	}
	percent = done * 100 / total
	filled := (done*barCells + total - 1) / total
	return strings.Repeat("▓", filled) + strings.Repeat("░", barCells-filled), percent
}

func statusText(b storage.BroadcastSummary) string {
	lang := messages.Lang(b.Lang)
	done := b.Total - b.Pending
	bar, pct := progress(done, b.Total)
	key := messages.KeyDeliveryStatus
	switch b.State {
	case StateDone:
		key = messages.KeyDeliveryStatusDone
	case StateCancelled:
		key = messages.KeyDeliveryStatusCancelled
	}
	return messages.T(lang, key, b.ID, messages.Number(lang, done), messages.Number(lang, b.Total), bar, pct)
}

func reportText(b storage.BroadcastSummary, reasons []storage.ReasonCount) string {
	lang := messages.Lang(b.Lang)
	n := func(v int) string { return messages.Number(lang, v) }
	var sb strings.Builder
	sb.WriteString(messages.T(lang, messages.KeyDeliveryReport, b.ID, n(b.Total), n(b.Sent), n(b.Blocked), n(b.Failed)))
	if b.Cancelled > 0 {
		sb.WriteString("\n" + messages.T(lang, messages.KeyDeliveryReportCancelled, n(b.Cancelled)))
	}
	if len(reasons) > 0 {
		sb.WriteString("\n\n" + messages.T(lang, messages.KeyDeliveryReportReasons))
		rs := make([]messages.ReasonCount, len(reasons))
		for i, r := range reasons {
			rs[i] = messages.ReasonCount{Code: r.Code, Reason: r.Reason, Count: r.Count}
		}
		for _, line := range messages.DeliveryReasonLines(lang, rs) {
			sb.WriteString("\n" + line)
		}
	}
	return sb.String()
}
