package emulator

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Limits are the flood-control ceilings the emulator enforces on the calls
// that create or edit messages (sendMessage, editMessageText). A zero field
// is no ceiling; the zero Limits (the default) enforces nothing.
//
// Telegram documents its limits loosely ("about 30 messages per second",
// "no more than one message per second in a chat", "20 messages per minute
// in a group"). It tolerates short bursts into one chat, but nothing above
// the bot-wide limit, and it counts messages when they arrive. The emulator
// is as strict as Telegram may be:
//
//   - Global is an exact sliding window over admission times: at most
//     floor(Global) messages in any window of floor(Global)/Global seconds
//     (for an integer Global, at most Global messages in any one second).
//     There is no burst allowance above that and no slack: 31 messages
//     inside one second are refused at 30/s however they are spread. The
//     window does not apply to messages sent with allow_paid_broadcast.
//   - PerChat is a bucket of capacity one: two messages into one chat must
//     be at least 1/PerChat seconds apart.
//   - PerGroupPerMinute is an exact sliding window: at most that many
//     messages into one group or supergroup in any 60 seconds; the call
//     after a burst is told to retry when the oldest message of the window
//     leaves it ("retry after" the rest of the minute).
//
// The per-chat and per-group ceilings tolerate timing noise, as Telegram
// does for one chat: a client whose messages arrive up to 5% of one message
// interval early or late against an exact schedule (50 ms at 1/s, 150 ms at
// 20/min) is never refused there. Technically those checks allow 10% of an
// interval of earliness: two messages into one chat 0.9 s apart pass under
// PerChat 1, but a sustained 10% excess is refused within a few messages.
// The bot-wide window allows no earliness at all: a client must keep its
// own guard against messages bunching up in transit.
//
// A refused call answers 429 "Too Many Requests: retry after N" with
// parameters.retry_after N: the whole seconds (at least 1, rounded up)
// until the call would have been accepted. A refused call is not performed
// and does not count against any ceiling.
type Limits struct {
	Global            float64 // messages per second for the whole bot
	PerChat           float64 // messages per second into one chat
	PerGroupPerMinute int     // messages per minute into one group or supergroup
}

// TelegramLimits returns the ceilings Telegram states for bots: 30 messages
// per second in all, 1 per second per chat, 20 per minute per group.
func TelegramLimits() Limits { return Limits{Global: 30, PerChat: 1, PerGroupPerMinute: 20} }

// slackFraction is the tolerated earliness of the per-chat and per-group
// checks, as a fraction of one interval: twice the ±5% noise a paced client
// may show.
const slackFraction = 0.10

const groupWindow = int64(time.Minute)

// limiter holds the bot-wide window; per-chat state lives in chatState.
type limiter struct {
	limits atomic.Pointer[Limits]
	mu     sync.Mutex
	global window // admission times of the last floor(Global) messages
}

// window is a ring of the admission times (ns) of the last n messages.
type window struct {
	times []int64
	next  int // ring position of the oldest entry once the ring is full
	n     int // the size the ring was built for
}

// reset empties w for a ring of n.
func (w *window) reset(n int) { w.times, w.next, w.n = nil, 0, n }

// full reports whether w holds n messages; then oldest is the first of them.
func (w *window) full() bool { return w.n > 0 && len(w.times) == w.n }

func (w *window) oldest() int64 { return w.times[w.next] }

// add records a message admitted at now.
func (w *window) add(now int64) {
	if len(w.times) < w.n {
		w.times = append(w.times, now)
		return
	}
	w.times[w.next] = now
	w.next = (w.next + 1) % w.n
}

// globalWindow is the bot-wide window for a Global of rate: n messages in
// span ns, n = floor(rate) (at least one).
func globalWindow(rate float64) (n int, span int64) {
	n = max(1, int(math.Floor(rate)))
	return n, int64(float64(n) / rate * float64(time.Second))
}

// chatLimit is the per-chat part of the flood control, guarded by the
// chat's mutex.
type chatLimit struct {
	tat    int64   // per-chat GCRA
	window []int64 // admission times of the last PerGroupPerMinute messages (ring)
	next   int     // ring position of the oldest entry once the ring is full
	n      int     // the PerGroupPerMinute the ring was built for
}

func interval(rate float64) int64 { return int64(float64(time.Second) / rate) }

// admit decides whether a message-creating call into the chat at now (ns)
// is within the limits, and if so counts it. It returns 0, or the
// retry_after to answer. The caller holds the chat's mutex.
func (l *limiter) admit(cl *chatLimit, group, paid bool, now int64) int {
	lim := l.limits.Load()
	if lim == nil || *lim == (Limits{}) {
		return 0
	}
	allowAt := now
	var chatT int64
	if lim.PerChat > 0 {
		chatT = interval(lim.PerChat)
		slack := int64(float64(chatT) * slackFraction)
		if at := cl.tat - slack; at > allowAt {
			allowAt = at
		}
	}
	n := lim.PerGroupPerMinute
	if group && cl.n != n { // the limit changed: start a new window
		cl.window, cl.next, cl.n = nil, 0, n
	}
	if group && n > 0 && len(cl.window) == n {
		slack := int64(float64(groupWindow/int64(n)) * slackFraction)
		if at := cl.window[cl.next] + groupWindow - slack; at > allowAt {
			allowAt = at
		}
	}
	useGlobal := lim.Global > 0 && !paid
	if useGlobal {
		gn, span := globalWindow(lim.Global)
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.global.n != gn { // the limit changed: start a new window
			l.global.reset(gn)
		}
		// Any span holds at most gn: the next may arrive once the
		// oldest of the last gn is a whole span ago.
		if l.global.full() {
			if at := l.global.oldest() + span; at > allowAt {
				allowAt = at
			}
		}
	}
	if allowAt > now {
		wait := allowAt - now
		return int((wait + int64(time.Second) - 1) / int64(time.Second))
	}
	if useGlobal {
		l.global.add(now)
	}
	if chatT > 0 {
		cl.tat = max(cl.tat, now) + chatT
	}
	if group && n > 0 {
		if len(cl.window) < n {
			cl.window = append(cl.window, now)
		} else {
			cl.window[cl.next] = now
			cl.next = (cl.next + 1) % n
		}
	}
	return 0
}

// SetLimits changes the flood-control ceilings from now on; the zero Limits
// turns flood control off.
func (s *Server) SetLimits(l Limits) {
	s.lim.limits.Store(&l)
}

// Limits returns the ceilings in force.
func (s *Server) Limits() Limits {
	if l := s.lim.limits.Load(); l != nil {
		return *l
	}
	return Limits{}
}

// TooManyRequests is the number of 429 answers given so far, forced ones
// included.
func (s *Server) TooManyRequests() int { return int(s.tooMany.Load()) }

// ForceRetryAfter makes the next times message-creating calls into chatID
// answer 429 with retry_after seconds, whatever the limits: a test of the
// bot's handling of the occasional 429 that real traffic brings.
func (s *Server) ForceRetryAfter(chatID int64, seconds, times int) {
	if seconds < 1 || times < 1 {
		s.fatalf("emulator: ForceRetryAfter(%d, %d, %d): seconds and times must be positive", chatID, seconds, times)
		return
	}
	cs := s.mustChat(chatID, "ForceRetryAfter")
	if cs == nil {
		return
	}
	cs.mu.Lock()
	cs.forced = append(cs.forced, forcedRetry{seconds: seconds, times: times})
	cs.mu.Unlock()
}

type forcedRetry struct{ seconds, times int }

// takeForced consumes one forced 429, returning its retry_after or 0.
// The caller holds the chat's mutex.
func (cs *chatState) takeForced() int {
	if len(cs.forced) == 0 {
		return 0
	}
	f := &cs.forced[0]
	f.times--
	sec := f.seconds
	if f.times == 0 {
		cs.forced = cs.forced[1:]
	}
	return sec
}
