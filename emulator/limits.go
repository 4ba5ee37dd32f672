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
// in a group") and tolerates short bursts, so the emulator models each
// ceiling the way that rejects clear excess but never a client that paces
// itself at the nominal rate:
//
//   - Global is a token bucket of rate Global and capacity ceil(Global)
//     (one second's worth): a client paced at Global messages per second,
//     with or without a burst of up to ceil(Global), is never refused; a
//     sustained higher rate is refused once the bucket is empty. The
//     bucket does not apply to messages sent with allow_paid_broadcast.
//   - PerChat is a bucket of capacity one: two messages into one chat must
//     be at least 1/PerChat seconds apart.
//   - PerGroupPerMinute is an exact sliding window: at most that many
//     messages into one group or supergroup in any 60 seconds; the call
//     after a burst is told to retry when the oldest message of the window
//     leaves it ("retry after" the rest of the minute).
//
// Each ceiling tolerates timing noise: a client whose messages arrive up to
// 5% of one message interval early or late against an exact schedule (50
// ms at 1/s, 150 ms at 20/min) is never refused. Timers and the network
// make even a perfect client that noisy, and a message delayed in transit
// must not get the next one refused. Technically every check allows 10% of
// an interval of earliness: two messages into one chat 0.9 s apart pass
// under PerChat 1, but a sustained 10% excess is refused within a few
// messages.
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

// slackFraction is the tolerated earliness, as a fraction of one interval:
// twice the ±5% noise a paced client may show.
const slackFraction = 0.10

const groupWindow = int64(time.Minute)

// limiter holds the bot-wide bucket; per-chat state lives in chatState.
type limiter struct {
	limits atomic.Pointer[Limits]
	mu     sync.Mutex
	tat    int64 // theoretical arrival time of the global bucket (GCRA), ns
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
	var globalT int64
	if useGlobal {
		globalT = interval(lim.Global)
		burst := int64(math.Ceil(lim.Global))
		tolerance := (burst-1)*globalT + int64(float64(globalT)*slackFraction)
		l.mu.Lock()
		defer l.mu.Unlock()
		if at := l.tat - tolerance; at > allowAt {
			allowAt = at
		}
	}
	if allowAt > now {
		wait := allowAt - now
		return int((wait + int64(time.Second) - 1) / int64(time.Second))
	}
	if useGlobal {
		l.tat = max(l.tat, now) + globalT
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
