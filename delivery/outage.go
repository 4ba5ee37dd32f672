package delivery

import (
	"context"
	"sync"
	"time"
)

// When sends into several chats fail for a temporary reason (5xx, network
// errors) with no answer from the Bot API in between, the API as a whole is
// down, not those chats. Each delivery backing off on its own would then
// push every one of them minutes into the future (5 s, 10 s, … 10 min) and
// the broadcast would crawl long after the API is back. Instead the
// dispatcher holds its senders at a gate and lets one send through as a
// probe, 1 s after the outage was noticed, then 2 s, 4 s and at most
// probeCap apart: a whole outage costs one attempt per probe, not one per
// delivery per back-off. The first answer from the API (a message sent, or
// a per-chat refusal such as 403) opens the gate, and every delivery that
// failed during the outage is made due at once (RetryDeliveriesNow): within
// probeCap of the API's return, sending is at full pace again.
const (
	outageChats = 3 // distinct chats failing with no answer in between
	probeFirst  = time.Second
	probeCap    = 4 * time.Second
)

// Health bounds (Engine.Health).
const (
	// failingFor: no send answered for this long while sends were tried.
	failingFor = time.Minute
	// stuckDue: a due delivery waiting this long, with no claim by a
	// dispatcher for stuckClaim, means nobody is dispatching.
	stuckDue   = 5 * time.Minute
	stuckClaim = time.Minute
)

// sendState follows how the sends of this process fare: the outage gate
// and what Health says about sending. Times of failures are the engine's
// clock (they end up in Health and in the database); the probe schedule is
// real time, like the limiter.
type sendState struct {
	mu      sync.Mutex
	leading bool
	failing map[int64]struct{} // chats that failed since the last answer
	since   time.Time          // first failure since the last answer (engine clock); zero if none
	lastErr time.Time          // latest failure (engine clock)
	reason  string             // its reason, for Health
	down    bool
	backoff time.Duration
	probeAt time.Time     // real time of the next probe
	probing bool          // a probe is in flight
	changed chan struct{} // closed and replaced when the gate may have opened
}

func newSendState() *sendState {
	return &sendState{failing: make(map[int64]struct{}), changed: make(chan struct{})}
}

// lead marks the start and the end of a leadership term; outside one this
// process sends nothing and Health says nothing about sending.
func (s *sendState) lead(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leading = on
	s.clearLocked()
}

func (s *sendState) clearLocked() {
	clear(s.failing)
	s.since, s.lastErr, s.reason = time.Time{}, time.Time{}, ""
	s.down, s.backoff, s.probing = false, 0, false
	s.wakeLocked()
}

func (s *sendState) wakeLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// gate returns when a send may go: at once while the API is up; during an
// outage, when this sender's send is the probe (probe true). It returns an
// error only when ctx is done.
func (s *sendState) gate(ctx context.Context) (probe bool, err error) {
	for {
		s.mu.Lock()
		if !s.down {
			s.mu.Unlock()
			return false, nil
		}
		now := time.Now()
		if !s.probing && !now.Before(s.probeAt) {
			s.probing = true
			s.mu.Unlock()
			return true, nil
		}
		wait := probeCap
		if !s.probing {
			wait = s.probeAt.Sub(now)
		}
		changed := s.changed
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// abandon is called when a probe let through was not sent after all (the
// stop, a cancelled broadcast): another sender probes.
func (s *sendState) abandon(probe bool) {
	if !probe {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.probing {
		s.probing = false
		s.wakeLocked()
	}
}

// answered records that the API answered a send (accepted it, or refused
// it for reasons of its chat). It returns since, the start of the outage
// that this answer ends, or zero if there was none.
func (s *sendState) answered() (outageSince time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.since.IsZero() && !s.down {
		return time.Time{} // the usual case: nothing to clear
	}
	if s.down {
		outageSince = s.since
	}
	s.clearLocked()
	return outageSince
}

// failed records a send into chat that failed for a temporary reason at
// now (engine clock).
func (s *sendState) failed(chat int64, reason string, now time.Time, probe bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.since.IsZero() {
		s.since = now
	}
	s.lastErr, s.reason = now, reason
	s.failing[chat] = struct{}{}
	switch {
	case probe && s.down:
		s.backoff = min(2*s.backoff, probeCap)
		s.probeAt, s.probing = time.Now().Add(s.backoff), false
		s.wakeLocked()
	case !s.down && len(s.failing) >= outageChats:
		s.down, s.backoff = true, probeFirst
		s.probeAt, s.probing = time.Now().Add(s.backoff), false
	}
}

// outage reports whether the gate is closed, for tests and logs.
func (s *sendState) outage() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// sendProblem is what Health says about sending at now, "" if nothing.
func (s *sendState) sendProblem(now time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.leading || s.since.IsZero() || s.lastErr.Sub(s.since) < failingFor {
		return ""
	}
	return "sends to Telegram have failed for " + now.Sub(s.since).Round(time.Second).String() +
		" with no answer (last error: " + s.reason + ")"
}
