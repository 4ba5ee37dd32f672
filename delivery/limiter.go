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
// messages per second in all, one per 1.1 seconds into one chat, and at
// most 19 per minute into one group. It also keeps to what Telegram says when it
// does push back (Backoff).
//
// Each message passes two gates. The chat's gate comes first: one sender at
// a time per chat, released when the chat's pace allows. The bot-wide gate
// (a golang.org/x/time/rate token bucket) comes last, so nothing can delay a
// message after it got its slot there: a slot taken early and used late
// would let messages bunch up over the limit. The chat's pace is charged at
// the moment the message passes the last gate, which is when it is sent.
//
// Waiters of the bot-wide gate are served in the order they arrived. The
// dispatcher has at most Concurrency senders waiting, so a reply to a person
// waits at most about Concurrency/rate for its slot, however large the
// broadcast in progress.
//
// Chat ids tell groups from private chats by their sign, as Telegram's do:
// negative for groups, supergroups and channels, which all get the group
// pace. A Limiter is safe for concurrent use.
type Limiter struct {
	global *rate.Limiter

	mu          sync.Mutex
	chats       map[int64]*chatPace
	pausedUntil time.Time
	recent      []rateLimited // 429s of the last several429
	swept       time.Time
}

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

// NewLimiter returns a Limiter for perSecond messages per second in all
// (LOA_RATE_LIMIT); zero or less means no bot-wide limit (the per-chat
// limits still apply). The bucket holds a third of a second's messages: a
// short burst makes a quiet bot answer at once, and staying well under the
// second's worth Telegram tolerates leaves room for network jitter.
func NewLimiter(perSecond float64) *Limiter {
	limit, burst := rate.Inf, 1
	if perSecond > 0 {
		limit, burst = rate.Limit(perSecond), max(1, int(math.Ceil(perSecond/3)))
	}
	return &Limiter{global: rate.NewLimiter(limit, burst), chats: make(map[int64]*chatPace)}
}

// Wait blocks until a message may be sent into chatID now, or ctx is done.
// Send the message right after it returns nil. It is what the bot's reply
// path calls before sendMessage and editMessageText (bot.Pacer).
func (l *Limiter) Wait(ctx context.Context, chatID int64) error {
	return l.wait(ctx, chatID, chatID < 0)
}

// wait is Wait for a chat whose kind is known (group: any but private).
func (l *Limiter) wait(ctx context.Context, chatID int64, group bool) error {
	cp := l.acquire(chatID, group)
	defer l.release(cp)
	select {
	case cp.gate <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
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
				return err
			}
		}
		// The bot-wide pace, and a pause after 429s from several chats.
		for {
			if d := l.pause(time.Now()); d > 0 {
				if err := sleepCtx(ctx, d); err != nil {
					return err
				}
				continue
			}
			if err := l.global.Wait(ctx); err != nil {
				return err
			}
			if l.pause(time.Now()) <= 0 {
				break
			}
			// Paused while waiting: this slot is void, wait again.
		}
		now := time.Now()
		// A 429 for this chat may have come in meanwhile (a send that
		// passed before us); then the slot is wasted, but not the chat.
		if l.chatDelay(cp, now) > 0 {
			continue
		}
		cp.chat.AllowN(now, 1)
		if cp.group != nil {
			cp.group.AllowN(now, 1)
		}
		return nil
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

// pause returns how long the whole bot is still paused.
func (l *Limiter) pause(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pausedUntil.Sub(now)
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
