package handlers

import (
	"sync"
	"time"
)

// A person may send FloodLimit commands and button presses in any
// FloodWindow. The first one over gets one polite answer; the ones after it
// until the window has room again get none, so that a flood of messages
// never becomes a flood of answers.
//
// The count is kept in this process's memory, not in PostgreSQL: it is
// checked before anything else, for every update, and a database write per
// update would make a flood cost the database what it is meant to spare.
// With long polling one process takes all updates, so the limit is exact;
// in webhook mode behind a load balancer each process counts what it
// receives, so a person reaches at most FloodLimit per process.
const (
	FloodLimit  = 20
	FloodWindow = time.Minute
)

// floodVerdict is what the gate says about one request.
type floodVerdict int

const (
	floodPass floodVerdict = iota // under the limit: handle it
	floodWarn                     // the first one over: answer "slow down" once
	floodDrop                     // over, already warned: no answer
)

// floodGate counts each person's requests in a sliding window: a person is
// over the limit when FloodLimit requests were let through in the last
// FloodWindow, whatever the boundaries of minutes. It is safe for
// concurrent use.
type floodGate struct {
	mu        sync.Mutex
	people    map[int64]*floodLog
	lastSweep time.Time
}

// floodLog is one person's recent requests.
type floodLog struct {
	passed     []time.Time // the times of the requests let through, oldest first; at most FloodLimit
	quietUntil time.Time   // warned: further requests are dropped until then
}

func newFloodGate() *floodGate { return &floodGate{people: map[int64]*floodLog{}} }

// admit counts one request of user at now. With floodWarn it also returns
// how long until the person may write again.
func (g *floodGate) admit(user int64, now time.Time) (floodVerdict, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweep(now)
	l := g.people[user]
	if l == nil {
		l = &floodLog{}
		g.people[user] = l
	}
	cut := 0
	for cut < len(l.passed) && !now.Before(l.passed[cut].Add(FloodWindow)) {
		cut++
	}
	l.passed = l.passed[cut:]
	if len(l.passed) < FloodLimit {
		l.passed = append(l.passed, now)
		return floodPass, 0
	}
	if now.Before(l.quietUntil) {
		return floodDrop, 0
	}
	l.quietUntil = l.passed[0].Add(FloodWindow)
	return floodWarn, l.quietUntil.Sub(now)
}

// sweep forgets, once a window, the people who have been quiet for a whole
// window, so the map holds only the people active in the last minutes.
func (g *floodGate) sweep(now time.Time) {
	if now.Sub(g.lastSweep) < FloodWindow {
		return
	}
	g.lastSweep = now
	for id, l := range g.people {
		if (len(l.passed) == 0 || !now.Before(l.passed[len(l.passed)-1].Add(FloodWindow))) && !now.Before(l.quietUntil) {
			delete(g.people, id)
		}
	}
}
