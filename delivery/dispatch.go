package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

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
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		e.runJobs(ctx)
	}()
	e.store.LeadTerm(ctx, storage.LockDispatcher, e.cfg.LockRetry, e.log, "delivery dispatcher", e.lead)
	<-jobsDone
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
	q := &queues{
		work:   make(chan storage.Delivery, e.cfg.BatchSize),
		urgent: make(chan storage.Delivery, e.cfg.BatchSize),
	}
	var senders sync.WaitGroup
	for range e.cfg.Concurrency {
		senders.Add(1)
		go func() {
			defer senders.Done()
			work, urgent := q.work, q.urgent
			for {
				d, ok := next(&urgent, &work)
				if !ok {
					return
				}
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

	e.claimLoop(leadCtx, q)
	close(q.work)
	close(q.urgent)
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

// queues are the claimed deliveries waiting for a sender: urgent ones
// apart, so that a sender takes them before any routine one.
type queues struct {
	work   chan storage.Delivery
	urgent chan storage.Delivery
}

// room is how many deliveries may be claimed without either queue blocking.
func (q *queues) room() int {
	return min(cap(q.work)-len(q.work), cap(q.urgent)-len(q.urgent))
}

func (q *queues) put(ds []storage.Delivery) {
	for _, d := range ds {
		if d.Priority >= PriorityUrgent {
			q.urgent <- d
		} else {
			q.work <- d
		}
	}
}

// next takes an urgent delivery if one waits, else the first of either
// queue; a closed queue is set to nil. It returns false when both are
// closed and empty.
func next(urgent, work *chan storage.Delivery) (storage.Delivery, bool) {
	for *urgent != nil || *work != nil {
		if *urgent != nil {
			select {
			case d, ok := <-*urgent:
				if ok {
					return d, true
				}
				*urgent = nil
				continue
			default:
			}
		}
		select {
		case d, ok := <-*urgent:
			if ok {
				return d, true
			}
			*urgent = nil
		case d, ok := <-*work:
			if ok {
				return d, true
			}
			*work = nil
		}
	}
	return storage.Delivery{}, false
}

// claimLoop keeps the senders' queues filled with due deliveries, claiming
// in batches when the routine queue is half empty (urgent deliveries come
// first in every claim). While it is fuller than that, it still looks for
// urgent deliveries alone when woken (a bulletin was started in this
// process) and every PollEvery: an urgent bulletin waits for at most the
// senders' messages in hand, not for the routine queue to drain.
//
// The queue holds about a second of sending (BatchSize), so that what a
// claim decided (urgent first, broadcasts in turns) is what goes out, not
// a long backlog claimed before it.
func (e *Engine) claimLoop(ctx context.Context, q *queues) {
	exhausted := false
	urgentDue := true
	lastUrgent := time.Time{}
	for ctx.Err() == nil {
		half := len(q.work) <= cap(q.work)/2
		if half || (urgentDue && q.room() > 0) {
			free := q.room()
			ds, err := e.store.ClaimDeliveries(ctx, e.clock(), free, !half)
			if !half {
				urgentDue, lastUrgent = false, time.Now()
			}
			if err != nil {
				if ctx.Err() == nil {
					e.log.Warn("claim deliveries", "err", err)
				}
				_ = sleepCtx(ctx, time.Second)
				continue
			}
			q.put(ds) // never blocks: only this loop fills the queues, and there was room
			if half {
				if len(ds) == free {
					continue
				}
				exhausted = true
			}
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
			urgentDue = true
		case <-t.C:
		}
		t.Stop()
		if time.Since(lastUrgent) >= e.cfg.PollEvery {
			urgentDue = true
		}
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
		var ct Content
		if len(bc.Content) > 0 {
			if err := json.Unmarshal(bc.Content, &ct); err != nil {
				c.err = fmt.Errorf("read the content of broadcast %d: %w", id, err)
				return
			}
		}
		if len(ct.Answers) > 0 {
			ct.Buttons = append(answerRows(id, ct.Answers), ct.Buttons...)
		}
		c.parts = parts(bc.Text, bc.NoPreview, ct)
		c.urgent = bc.Priority >= PriorityUrgent
		c.pin = ct.Pin && bc.Priority == PriorityUrgent
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
		out.ReasonCode = ReasonLeft
		if d.ChatStatus == storage.ChatBlocked {
			out.ReasonCode = ReasonBlocked
		}
		rec.record(out)
		e.m.blocked.Inc()
		return
	}
	chat, group := d.ChatID, d.ChatType != "private"
	migrated := false
	thread := d.ThreadID
	for out.PartsSent < len(c.parts) {
		out.Messages = nil // those of the part before are recorded
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
		p := c.parts[out.PartsSent]
		p.out.Silent, p.out.ThreadID = e.silent(d, c.urgent), thread
		ids, err := e.cfg.Sender.Send(send, chat, p.out)
		if e.observe(lead, chat, err, probe) {
			e.lim.sent(dep, time.Now())
		}
		if err == nil {
			out.Messages = sentMessages(p, out.PartsSent, ids, e.clock())
			if out.PartsSent == 0 && c.pin && group && len(ids) > 0 {
				e.pin(send, &out, chat, ids[0])
			}
			out.PartsSent++
			if len(ids) > 0 {
				out.MessageID = ids[len(ids)-1]
			}
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
		if thread != 0 && se.Code == ReasonTopicGone {
			e.topicGone(send, chat, thread)
			thread = 0
			continue // the same part again, into the general topic
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
			out.Messages = nil
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
			out.Messages, out.ReasonCode = nil, codeOr(se.Code, ReasonBlocked)
			rec.record(out)
			e.m.blocked.Inc()
			return
		case Permanent:
			out.State, out.KeepClaim, out.Reason, out.DoneAt = storage.DeliveryFailed, false, se.Reason, e.clock()
			out.Messages, out.ReasonCode = nil, codeOr(se.Code, ReasonOther)
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
	out.Messages = nil // recorded with the part that sent them
	if out.RetrySince.IsZero() {
		out.RetrySince = now
	}
	if now.Sub(out.RetrySince) >= e.cfg.MaxRetryAge {
		out.State, out.DoneAt = storage.DeliveryFailed, now
		out.ReasonCode = ReasonGaveUp
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

// sentMessages are the messages part i created, for /edit and /recall.
func sentMessages(p part, i int, ids []int, now time.Time) []storage.SentMessage {
	kinds := p.kinds(len(ids))
	out := make([]storage.SentMessage, len(ids))
	for k, id := range ids {
		out[k] = storage.SentMessage{Part: i, MessageID: id, Kind: kinds[k], SentAt: now}
	}
	return out
}

// codeOr is code, or def when the Sender gave none.
func codeOr(code, def string) string {
	if code == "" {
		return def
	}
	return code
}

// pin pins an urgent bulletin's first message in a group. A refusal (Loa
// is no administrator allowed to pin there) does not undo the delivery:
// it is recorded on it, and the report counts those groups.
func (e *Engine) pin(ctx context.Context, out *storage.DeliveryOutcome, chat int64, messageID int) {
	if err := e.cfg.Sender.Pin(ctx, chat, messageID); err != nil {
		e.log.Info("bulletin not pinned", "broadcast", out.BroadcastID, "chat", chat, "err", err)
		out.ReasonCode = ReasonCantPin
		var se *SendError
		if errors.As(err, &se) {
			out.Reason = se.Reason
		}
	}
}
