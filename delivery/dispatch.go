package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Run dispatches deliveries while this process leads the dispatcher
// (storage.LockDispatcher, through the one LeadTerm loop); otherwise it
// waits and takes over within LockRetry when the leader dies or stops.
// Telegram's limits are per bot, so one dispatcher among all processes
// keeps them. Run returns when ctx is done and the sends in flight are
// finished and recorded (within ShutdownGrace).
func (e *Engine) Run(ctx context.Context) error {
	if e.cfg.Sender == nil {
		return errors.New("delivery: Run needs a Sender")
	}
	e.store.LeadTerm(ctx, storage.LockDispatcher, e.cfg.LockRetry, e.log, "delivery dispatcher", e.lead)
	return nil
}

// lead dispatches for one leadership term: until ctx is done, which is
// also when the lock is lost. It returns once every delivery it handed to
// a sender is sent and recorded, or given up.
func (e *Engine) lead(leadCtx context.Context) {
	e.log.Info("this process now dispatches deliveries")
	e.sends.lead(true)
	defer e.sends.lead(false)

	// We are the only dispatcher now: whatever is claimed was claimed by
	// one that died (or stepped down) with it, and is free again.
	for {
		n, err := e.store.ReleaseDeliveryClaims(leadCtx)
		if err == nil {
			if n > 0 {
				e.log.Info("freed the deliveries a previous dispatcher had claimed", "count", n)
			}
			break
		}
		if leadCtx.Err() != nil {
			return
		}
		e.log.Warn("free claimed deliveries", "err", err)
		_ = sleepCtx(leadCtx, time.Second)
	}

	// A message being sent when the stop comes is finished and recorded:
	// sends and records outlive ctx by the grace period.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(leadCtx))
	defer cancelSends()
	stopGrace := context.AfterFunc(leadCtx, func() {
		t := time.AfterFunc(e.cfg.ShutdownGrace, cancelSends)
		context.AfterFunc(sendCtx, func() { t.Stop() })
	})
	defer stopGrace()

	rec := newRecorder(e)
	go rec.run(sendCtx)
	work := make(chan storage.Delivery, e.cfg.BatchSize)
	var senders sync.WaitGroup
	for range e.cfg.Concurrency {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for d := range work {
				if leadCtx.Err() == nil {
					e.deliver(leadCtx, sendCtx, rec, d)
				}
				// After the stop, what is left in the queue stays
				// claimed; the next dispatcher frees it.
			}
		}()
	}
	statusDone := make(chan struct{})
	go func() {
		defer close(statusDone)
		e.statusLoop(leadCtx)
	}()
	go e.watchCancels(leadCtx)

	e.claimLoop(leadCtx, work)
	close(work)
	senders.Wait()
	rec.close()
	<-statusDone
	e.log.Info("stopped dispatching deliveries")
}

// watchCancels stops the senders of a broadcast cancelled in another
// process within half a second; its deliveries in the queue are cancelled
// in the database already and must not go out.
func (e *Engine) watchCancels(ctx context.Context) {
	t := time.NewTicker(cancelCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var ids []int64
		e.mu.Lock()
		for id, c := range e.cache {
			if !c.cancelled.Load() {
				ids = append(ids, id)
			}
		}
		e.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		cancelled, err := e.store.CancelledBroadcasts(ctx, ids)
		if err != nil {
			continue // the next tick asks again
		}
		e.mu.Lock()
		for _, id := range cancelled {
			if c := e.cache[id]; c != nil {
				c.cancelled.Store(true)
			}
		}
		e.mu.Unlock()
	}
}

// cancelCheck is how often the dispatcher looks for cancels made elsewhere.
const cancelCheck = 500 * time.Millisecond

// claimLoop keeps the senders' queue filled with due deliveries, claiming
// in batches when it is half empty.
func (e *Engine) claimLoop(ctx context.Context, work chan<- storage.Delivery) {
	exhausted := false
	for ctx.Err() == nil {
		if len(work) <= cap(work)/2 {
			free := cap(work) - len(work)
			ds, err := e.store.ClaimDeliveries(ctx, e.clock(), free)
			if err != nil {
				if ctx.Err() == nil {
					e.log.Warn("claim deliveries", "err", err)
				}
				_ = sleepCtx(ctx, time.Second)
				continue
			}
			for _, d := range ds {
				work <- d // never blocks: only this loop fills the queue, and there was room
			}
			if len(ds) == free {
				continue
			}
			exhausted = true
		}
		wait := 5 * time.Millisecond // until there is room in the queue
		if exhausted {
			wait = e.cfg.PollEvery // until something falls due
			exhausted = false
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// content returns broadcast id's parts, loading them once.
func (e *Engine) content(ctx context.Context, id int64) (*content, error) {
	e.mu.Lock()
	c := e.cache[id]
	if c == nil {
		c = &content{}
		e.cache[id] = c
	}
	e.mu.Unlock()
	c.once.Do(func() {
		bc, err := e.store.BroadcastContent(ctx, id)
		if err != nil {
			c.err = err
			return
		}
		c.parts = messages.Split(bc.Text, messages.MaxMessageLength)
		c.noPreview = bc.NoPreview
		c.markup = bc.ReplyMarkup
		c.cancelled.Store(bc.State == StateCancelled)
	})
	if c.err != nil {
		e.mu.Lock()
		if e.cache[id] == c {
			delete(e.cache, id) // try again next time
		}
		e.mu.Unlock()
		return nil, c.err
	}
	return c, nil
}

// forget drops a finished broadcast from the cache.
func (e *Engine) forget(id int64) {
	e.mu.Lock()
	delete(e.cache, id)
	e.mu.Unlock()
}

// deliver sends one delivery, part after part, and records the outcome.
// lead is the dispatcher's context (waiting for the limiter stops with it:
// nothing was sent), send the one of the message in flight.
func (e *Engine) deliver(lead, send context.Context, rec *recorder, d storage.Delivery) {
	out := storage.DeliveryOutcome{
		BroadcastID: d.BroadcastID, ChatID: d.ChatID,
		PartsSent: d.PartsSent, Attempts: d.Attempts,
	}
	if d.RetrySince != nil {
		out.RetrySince = *d.RetrySince
	}
	c, err := e.content(lead, d.BroadcastID)
	if err != nil {
		if lead.Err() == nil {
			e.log.Warn("load broadcast", "broadcast", d.BroadcastID, "err", err)
			out.State, out.DueAt = storage.DeliveryPending, e.clock().Add(5*time.Second)
			rec.record(out)
		}
		return
	}
	if c.cancelled.Load() {
		return // cancelled in the database already
	}
	if d.ChatStatus != storage.ChatActive {
		// Blocked or left since the broadcast started (another delivery
		// got the 403, or the bot was removed): do not knock again.
		out.State, out.Reason, out.DoneAt = storage.DeliveryBlocked, "chat is "+d.ChatStatus, e.clock()
		rec.record(out)
		e.m.blocked.Inc()
		return
	}
	chat, group := d.ChatID, d.ChatType != "private"
	migrated := false
	for out.PartsSent < len(c.parts) {
		probe, err := e.sends.gate(lead)
		if err != nil {
			return // stopping; not sent, the next dispatcher sends it
		}
		dep, err := e.lim.wait(lead, chat, group)
		if err != nil {
			e.sends.abandon(probe)
			return // stopping; not sent, the next dispatcher sends it
		}
		if c.cancelled.Load() {
			e.sends.abandon(probe)
			return
		}
		msgID, err := e.sendPart(send, chat, c, out.PartsSent)
		if e.observe(lead, chat, err, probe) {
			e.lim.sent(dep, time.Now())
		}
		if err == nil {
			out.PartsSent++
			out.MessageID = msgID
			if out.PartsSent < len(c.parts) {
				// Recorded before the next part, so that a crash
				// resumes after this one instead of repeating it.
				out.State, out.KeepClaim = storage.DeliveryPending, true
				rec.record(out)
				continue
			}
			break
		}
		var se *SendError
		if !errors.As(err, &se) {
			se = &SendError{Kind: Temporary, Reason: err.Error(), Err: err}
		}
		if se.Kind == Migrated && (migrated || se.MigrateTo == 0 || se.MigrateTo == chat) {
			se = &SendError{Kind: Permanent, Reason: se.Reason, Err: se}
		}
		switch se.Kind {
		case RateLimited:
			wait := max(se.RetryAfter, time.Second)
			e.lim.Backoff(chat, wait)
			e.m.rateLimited.Inc()
			out.State, out.KeepClaim, out.DueAt = storage.DeliveryPending, false, e.clock().Add(wait)
			rec.record(out)
			return
		case Migrated:
			// The chat row, its subscriptions and its deliveries (this
			// one too) move to the supergroup; then send there.
			if err := e.store.MigrateChat(send, chat, se.MigrateTo, "supergroup"); err != nil {
				e.log.Warn("move a migrated group", "chat", chat, "to", se.MigrateTo, "err", err)
				e.retryLater(rec, out, "moving the group to its new id: "+err.Error())
				return
			}
			e.log.Info("group moved to its supergroup", "chat", chat, "to", se.MigrateTo)
			e.m.migrated.Inc()
			migrated, chat, group, out.ChatID = true, se.MigrateTo, true, se.MigrateTo
		case Blocked:
			out.State, out.KeepClaim, out.Reason, out.DoneAt, out.ChatGone = storage.DeliveryBlocked, false, se.Reason, e.clock(), true
			rec.record(out)
			e.m.blocked.Inc()
			return
		case Permanent:
			out.State, out.KeepClaim, out.Reason, out.DoneAt = storage.DeliveryFailed, false, se.Reason, e.clock()
			rec.record(out)
			e.m.failed.Inc()
			e.log.Debug("delivery failed", "broadcast", d.BroadcastID, "chat", chat, "reason", se.Reason)
			return
		default:
			e.retryLater(rec, out, se.Reason)
			return
		}
	}
	out.State, out.KeepClaim, out.Reason, out.DoneAt = storage.DeliverySent, false, "", e.clock()
	rec.record(out)
	e.m.sent.Inc()
}

// observe tells the outage gate how a send fared: a temporary failure, or
// an answer from the API (sent, or refused for reasons of the chat), and
// returns whether it was an answer. The answer that ends an outage makes
// what failed during it due again.
func (e *Engine) observe(ctx context.Context, chat int64, err error, probe bool) (answered bool) {
	var se *SendError
	if err != nil && (!errors.As(err, &se) || se.Kind == Temporary) {
		reason := err.Error()
		if se != nil {
			reason = se.Reason
		}
		wasDown := e.sends.outage()
		e.sends.failed(chat, reason, e.clock(), probe)
		if !wasDown && e.sends.outage() {
			e.log.Warn("sends into several chats fail: the Bot API seems down; holding the senders and probing", "reason", reason)
		}
		return false
	}
	since := e.sends.answered()
	if since.IsZero() {
		return true
	}
	n, rerr := e.store.RetryDeliveriesNow(ctx, since, e.clock())
	if rerr != nil {
		e.log.Warn("the Bot API answers again; could not make the failed deliveries due", "err", rerr)
		return true
	}
	e.log.Info("the Bot API answers again; sending resumes", "outage", e.clock().Sub(since).Round(time.Second), "due_again", n)
	e.notify()
	return true
}

// Back-off after temporary errors: 5 s, 10 s, 20 s, … up to 10 min, each
// drawn between half and all of that, so that chats failing together do not
// retry together.
const (
	retryBase = 5 * time.Second
	retryCap  = 10 * time.Minute
)

func backoff(attempt int) time.Duration {
	d := retryCap
	if attempt < 20 {
		d = min(retryCap, retryBase<<max(0, attempt-1))
	}
	return d/2 + rand.N(d/2+1)
}

// retryLater records a temporary failure: rescheduled with back-off, or
// failed once the chat has been failing for MaxRetryAge.
func (e *Engine) retryLater(rec *recorder, out storage.DeliveryOutcome, reason string) {
	now := e.clock()
	out.Attempts++
	out.KeepClaim = false
	if out.RetrySince.IsZero() {
		out.RetrySince = now
	}
	if now.Sub(out.RetrySince) >= e.cfg.MaxRetryAge {
		out.State, out.DoneAt = storage.DeliveryFailed, now
		out.Reason = fmt.Sprintf("gave up after %d attempts in %s: %s", out.Attempts, now.Sub(out.RetrySince).Round(time.Second), reason)
		rec.record(out)
		e.m.failed.Inc()
		return
	}
	out.State, out.Reason, out.DueAt = storage.DeliveryPending, reason, now.Add(backoff(out.Attempts))
	rec.record(out)
	e.m.retried.Inc()
}

// recorder writes the senders' outcomes, gathering all that wait into one
// transaction (group commit): a sender waits for its record before it takes
// the next delivery, which is what bounds the repeats after a crash.
type recorder struct {
	e    *Engine
	in   chan recordReq
	done chan struct{}
}

type recordReq struct {
	out  storage.DeliveryOutcome
	done chan struct{}
}

// maxRecordBatch bounds one statement; more waiting records go into the
// next.
const maxRecordBatch = 512

func newRecorder(e *Engine) *recorder {
	return &recorder{e: e, in: make(chan recordReq, e.cfg.Concurrency), done: make(chan struct{})}
}

// record stores out and returns when it is committed, or given up.
func (r *recorder) record(out storage.DeliveryOutcome) {
	req := recordReq{out: out, done: make(chan struct{})}
	r.in <- req
	<-req.done
}

// close stops run after the records queued so far.
func (r *recorder) close() {
	close(r.in)
	<-r.done
}

func (r *recorder) run(ctx context.Context) {
	defer close(r.done)
	batch := make([]recordReq, 0, maxRecordBatch)
	outs := make([]storage.DeliveryOutcome, 0, maxRecordBatch)
	for {
		req, ok := <-r.in
		if !ok {
			return
		}
		batch, outs = append(batch[:0], req), append(outs[:0], req.out)
	gather:
		for len(batch) < maxRecordBatch {
			select {
			case req, ok := <-r.in:
				if !ok {
					break gather
				}
				batch, outs = append(batch, req), append(outs, req.out)
			default:
				break gather
			}
		}
		r.write(ctx, outs)
		for _, req := range batch {
			close(req.done)
		}
	}
}

// write retries until the database takes the records or the grace period
// is over. A record given up leaves its delivery claimed and pending: the
// next dispatcher sends it again (the repeat the crash promise allows).
func (r *recorder) write(ctx context.Context, outs []storage.DeliveryOutcome) {
	wait := 100 * time.Millisecond
	for {
		err := r.e.store.RecordDeliveries(ctx, outs)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			r.e.log.Error("could not record deliveries before stopping; they will be sent again", "count", len(outs), "err", err)
			return
		}
		r.e.log.Warn("record deliveries; retrying", "count", len(outs), "err", err)
		if sleepCtx(ctx, wait) != nil {
			continue
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// sendPart sends part i of a broadcast; the last part carries its buttons.
func (e *Engine) sendPart(ctx context.Context, chat int64, c *content, i int) (int, error) {
	if ms, ok := e.cfg.Sender.(MarkupSender); ok && c.markup != "" && i == len(c.parts)-1 {
		return ms.SendMarkup(ctx, chat, c.parts[i], c.noPreview, c.markup)
	}
	return e.cfg.Sender.Send(ctx, chat, c.parts[i], c.noPreview)
}
