package delivery

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Telegram's limits per chat (DESIGN.md § Telegram facts). Telegram counts
// a message when it arrives, we when it leaves: a message held up on the
// way would make the next one seem early, so one chat's messages leave
// 1.1 s apart, not 1 s. The group pace is a bucket of groupBurst messages
// refilled at groupRate: any 60 seconds hold at most groupBurst +
// 60·groupRate = 19 messages, one under the 20 Telegram allows, while a few
// answers in a row still go out at once.
const (
	chatInterval = 1100 * time.Millisecond
	groupBurst   = 4
	groupRate    = rate.Limit(15.0 / 60)
	// several429 is how close together 429s from different chats must come
	// to mean that the bot as a whole, not one chat, is over the limit.
	several429 = time.Second
	// sweepEvery is how often chats whose pace no longer matters are
	// forgotten, so that a broadcast to 100,000 chats does not keep
	// 100,000 entries.
	sweepEvery = 5 * time.Second
)

// Limiter paces everything the bot sends, broadcasts and replies alike, so
// that Telegram never has to push back: at most the configured number of
// messages in any one second in all, one per 1.1 seconds into one chat, and
// at most 19 per minute into one group. It also keeps to what Telegram says
// when it does push back (Backoff).
//
// Each message passes two gates. The chat's gate comes first: one sender at
// a time per chat, released when the chat's pace allows. The bot-wide gate
// comes last, so nothing but the send itself happens between a message's
// bot-wide slot and its departure. The chat's pace is charged at the moment
// the message passes the last gate, which is when it is sent.
//
// # The bot-wide gate
//
// Telegram counts a message when it arrives and may refuse the 31st inside
// any one second; it tolerates no burst above the limit, so the gate has
// none, not even after a quiet spell or a pause. With r messages per second
// allowed, let n = floor(r) (at least 1) and W = n/r seconds: Telegram
// accepts n messages in any W (30 in any second at 30/s). The gate keeps
// n messages in any W + guard, guard = 40 ms, in three ways:
//
//   - Slots, given out T = (W + guard)/n apart (34.7 ms at 30/s), each at
//     least T after the previous slot however long ago that was: there is
//     no credit to spend after a pause. Any n+1 consecutive slots span
//     W + guard, and evenly spread messages do not overtake each other in
//     transit the way a burst of concurrent requests does.
//   - A sliding-window log of the last n departures (the moment a message
//     passes the gate, right before its send): a message leaves only once
//     the n-th departure before it (and every one before that) is
//     W + guard old. Slots alone do not see a sender held up between its
//     slot and its departure (a timer firing late, a loaded machine not
//     running the goroutine for 50 ms): measured on two busy cores, that
//     put 31 departures in one second.
//   - The round trip of each message the dispatcher sent (sent):
//     a message may reach Telegram at most its round trip less the fastest
//     recent round trip later than a message that left with it on a calm
//     path, so when that excess is more than guard, its entry in the log
//     moves later by the difference, and the window after it with it. A
//     message held up in transit (on a busy machine, the client's
//     goroutine not running; on the network, a slow hop) thus cannot make
//     the next window hold n+1; a calm path costs nothing.
//
// So a message may take up to guard longer from departure to arrival than
// the one n messages later without a window of W holding n+1 arrivals, and
// longer still when its round trip shows it. The price is the guard:
// n per W + 40 ms, 0.962 of the ceiling at 30/s and at 1,000/s, and a
// little more after each delay.
//
// Slots are handed out in the order the senders ask (a reservation, as a
// ticket), so the dispatcher's Concurrency senders are served in turn and a
// reply to a person waits at most about Concurrency·T for its slot, however
// large the broadcast in progress. Replies (Wait) report no round trip;
// their entries stay their departures. A slot that falls into a bot-wide pause
// (several chats' 429s, see Backoff) is given up and a new one taken after
// the pause; the gap it leaves only makes the pace slower.
//
// Chat ids tell groups from private chats by their sign, as Telegram's do:
// negative for groups, supergroups and channels, which all get the group
// pace. A Limiter is safe for concurrent use.
type Limiter struct {
	spacing time.Duration // T between bot-wide slots; 0 for no bot-wide limit
	window  time.Duration // W + guard

	mu          sync.Mutex
	next        time.Time       // the earliest bot-wide slot not given out yet
	departures  []time.Time     // the log: departure seq at seq % n, for the last n
	seq         uint64          // departures so far
	floor       time.Time       // the latest entry that has left the log
	rtts        []time.Duration // recent round trips, a ring
	rttNext     int
	chats       map[int64]*chatPace
	pausedUntil time.Time
	recent      []rateLimited // 429s of the last several429
	swept       time.Time
}

// globalGuard is how much longer than the one n messages later a message
// may be held up on its way to Telegram without making a window hold one
// too many (see Limiter).
const globalGuard = 40 * time.Millisecond

// chatPace is the state of one chat.
type chatPace struct {
	gate  chan struct{} // held by the one sender passing this chat's gate
	chat  *rate.Limiter
	group *rate.Limiter // nil for a private chat

	// guarded by Limiter.mu
	notBefore time.Time // Telegram's retry_after
	users     int       // goroutines that hold a reference
}

type rateLimited struct {
	chat int64
	at   time.Time
	wait time.Duration
}

// NewLimiter returns a Limiter for perSecond messages in any second in all
// (LOA_RATE_LIMIT); zero or less means no bot-wide limit (the per-chat
// limits still apply).
func NewLimiter(perSecond float64) *Limiter {
	l := &Limiter{chats: make(map[int64]*chatPace)}
	if perSecond > 0 {
		n := max(1, math.Floor(perSecond))
		l.window = time.Duration(math.Ceil(n/perSecond*float64(time.Second))) + globalGuard
		l.spacing = time.Duration(math.Ceil(float64(l.window) / n))
		l.departures = make([]time.Time, 0, int(n))
		l.rtts = make([]time.Duration, 0, rttSamples)
	}
	return l
}

// perSecond is the bot-wide rate, 0 for none.
func (l *Limiter) perSecond() float64 {
	if l.spacing <= 0 {
		return 0
	}
	return float64(time.Second) / float64(l.spacing)
}

// rttSamples is how many recent round trips the fastest is taken from.
const rttSamples = 256

// Wait blocks until a message may be sent into chatID now, or ctx is done.
// Send the message right after it returns nil. It is what the bot's reply
// path calls before sendMessage and editMessageText (bot.Pacer).
func (l *Limiter) Wait(ctx context.Context, chatID int64) error {
	_, err := l.wait(ctx, chatID, chatID < 0)
	return err
}

// departure is a message that passed the bot-wide gate: its place in the
// log and when it left.
type departure struct {
	seq uint64 // 1-based; 0 when the bot-wide gate is off
	at  time.Time
}

// wait is Wait for a chat whose kind is known (group: any but private). It
// returns the message's departure, for sent.
func (l *Limiter) wait(ctx context.Context, chatID int64, group bool) (departure, error) {
	cp := l.acquire(chatID, group)
	defer l.release(cp)
	select {
	case cp.gate <- struct{}{}:
	case <-ctx.Done():
		return departure{}, ctx.Err()
	}
	defer func() { <-cp.gate }()
	for {
		// The chat's pace and any retry_after for it.
		for {
			d := l.chatDelay(cp, time.Now())
			if d <= 0 {
				break
			}
			if err := sleepCtx(ctx, d); err != nil {
				return departure{}, err
			}
		}
		// The bot-wide pace, and a pause after 429s from several chats.
		slot := l.reserve(time.Now())
		var dep departure
		for {
			if d := time.Until(slot); d > 0 {
				if err := sleepCtx(ctx, d); err != nil {
					return departure{}, err
				}
			}
			var wait time.Duration
			var paused bool
			dep, wait, paused = l.depart(time.Now())
			if wait <= 0 {
				break
			}
			if paused {
				// Paused while waiting: this slot is void, take another.
				slot = l.reserve(time.Now())
				continue
			}
			slot = time.Now().Add(wait) // the window is full: wait for its oldest to leave
		}
		now := dep.at
		// A 429 for this chat may have come in meanwhile (a send that
		// passed before us); then the slot is wasted, but not the chat.
		if l.chatDelay(cp, now) > 0 {
			continue
		}
		cp.chat.AllowN(now, 1)
		if cp.group != nil {
			cp.group.AllowN(now, 1)
		}
		return dep, nil
	}
}

// Backoff records Telegram's 429 for chatID: nothing more goes there for d.
// When 429s come from several chats within a second, the bot as a whole is
// over the limit and everything pauses for the longest of their d.
func (l *Limiter) Backoff(chatID int64, d time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	cp := l.chats[chatID]
	if cp == nil {
		cp = newChatPace(chatID < 0)
		l.chats[chatID] = cp
	}
	if until := now.Add(d); until.After(cp.notBefore) {
		cp.notBefore = until
	}
	longest, several := d, false
	kept := l.recent[:0]
	for _, r := range l.recent {
		if now.Sub(r.at) > several429 {
			continue
		}
		kept = append(kept, r)
		if r.chat != chatID {
			several = true
			longest = max(longest, r.wait)
		}
	}
	l.recent = append(kept, rateLimited{chat: chatID, at: now, wait: d})
	if several {
		if until := now.Add(longest); until.After(l.pausedUntil) {
			l.pausedUntil = until
		}
	}
}

// reserve gives out the next bot-wide slot, no earlier than now and not
// inside a pause: T after the previous one, or now if that was longer ago.
func (l *Limiter) reserve(now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	slot := now
	if l.next.After(slot) {
		slot = l.next
	}
	if l.pausedUntil.After(slot) {
		slot = l.pausedUntil
	}
	if l.spacing > 0 {
		l.next = slot.Add(l.spacing)
	}
	return slot
}

// depart records a departure at now if the bot is not paused and the log
// leaves room; otherwise it returns how long to wait, and whether that is
// a pause.
func (l *Limiter) depart(now time.Time) (dep departure, wait time.Duration, paused bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := l.pausedUntil.Sub(now); d > 0 {
		return departure{}, d, true
	}
	if l.window == 0 {
		return departure{at: now}, 0, false
	}
	n := cap(l.departures)
	i := int(l.seq % uint64(n)) // where the n-th before this one is, once the log is full
	bound := l.floor
	if len(l.departures) == n && l.departures[i].After(bound) {
		bound = l.departures[i]
	}
	if d := bound.Add(l.window).Sub(now); !bound.IsZero() && d > 0 {
		return departure{}, d, false
	}
	if len(l.departures) < n {
		l.departures = append(l.departures, now)
	} else {
		if l.departures[i].After(l.floor) {
			l.floor = l.departures[i]
		}
		l.departures[i] = now
	}
	l.seq++
	return departure{seq: l.seq, at: now}, 0, false
}

// sent tells the log that the message of dep was answered by Telegram at
// end (accepted or refused: it arrived). If its round trip exceeds the
// fastest recent one by more than guard, it may have arrived that much
// later than planned, and its entry in the log moves later by the
// difference (see Limiter). Not for sends that failed without an answer.
func (l *Limiter) sent(dep departure, end time.Time) {
	if dep.seq == 0 {
		return
	}
	rtt := end.Sub(dep.at)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.rtts) < cap(l.rtts) {
		l.rtts = append(l.rtts, rtt)
	} else {
		l.rtts[l.rttNext] = rtt
		l.rttNext = (l.rttNext + 1) % len(l.rtts)
	}
	fastest := rtt
	for _, r := range l.rtts {
		fastest = min(fastest, r)
	}
	excess := rtt - fastest - globalGuard
	if excess <= 0 {
		return
	}
	latest := dep.at.Add(excess)
	n := uint64(cap(l.departures))
	if l.seq-dep.seq < n { // still in the log
		i := (dep.seq - 1) % n
		if latest.After(l.departures[i]) {
			l.departures[i] = latest
		}
		return
	}
	if latest.After(l.floor) { // left the log already: bound the ones to come
		l.floor = latest
	}
}

func newChatPace(group bool) *chatPace {
	cp := &chatPace{gate: make(chan struct{}, 1), chat: rate.NewLimiter(rate.Every(chatInterval), 1)}
	if group {
		cp.group = rate.NewLimiter(groupRate, groupBurst)
	}
	return cp
}

// acquire returns chatID's state, created if needed, and keeps it from
// being swept until release.
func (l *Limiter) acquire(chatID int64, group bool) *chatPace {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > sweepEvery {
		l.sweepLocked(now)
	}
	cp := l.chats[chatID]
	if cp == nil {
		cp = newChatPace(group)
		l.chats[chatID] = cp
	}
	cp.users++
	return cp
}

func (l *Limiter) release(cp *chatPace) {
	l.mu.Lock()
	cp.users--
	l.mu.Unlock()
}

// sweepLocked forgets chats nobody waits for whose buckets are full again
// and whose retry_after is over: a new state would be the same.
func (l *Limiter) sweepLocked(now time.Time) {
	l.swept = now
	for id, cp := range l.chats {
		if cp.users > 0 || now.Before(cp.notBefore) || cp.chat.TokensAt(now) < 1 {
			continue
		}
		if cp.group != nil && cp.group.TokensAt(now) < groupBurst {
			continue
		}
		delete(l.chats, id)
	}
}

// tracked is the number of chats the Limiter remembers, for tests.
func (l *Limiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.chats)
}

// chatDelay is how long cp must wait before its next message.
func (l *Limiter) chatDelay(cp *chatPace, now time.Time) time.Duration {
	l.mu.Lock()
	d := cp.notBefore.Sub(now)
	l.mu.Unlock()
	d = max(d, tokenDelay(cp.chat, now))
	if cp.group != nil {
		d = max(d, tokenDelay(cp.group, now))
	}
	return d
}

// tokenDelay is how long until lim has a whole token, rounded up so that
// the wait is never a hair too short.
func tokenDelay(lim *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - lim.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(missing/float64(lim.Limit())*float64(time.Second))) + time.Microsecond
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
