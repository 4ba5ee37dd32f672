// Package delivery is Loa's durable outbox. Everything Loa pushes
// (announcements now, articles and reminders later) becomes one broadcast
// row and one delivery row per target chat, written in one transaction;
// a dispatcher, elected among the loa processes with a PostgreSQL advisory
// lock, claims due deliveries in batches, sends them concurrently within
// Telegram's limits and records each outcome.
//
// The rest of Loa sees an Engine: Enqueue (or CreateDraft, then Start) to
// send, Cancel, Broadcast and Recent to look; main.go calls Run. Messages
// leave through a Sender (bot.Sender in production), paced by a Limiter
// that the bot's replies share.
//
// # Crash safety
//
// A delivery is pending until its outcome is recorded. A sender records
// each message Telegram accepted, and waits for that record to be
// committed, before it takes the next one; a text split into parts is
// recorded after each part. So when the process dies at any moment, every
// delivery is either recorded as sent or still pending, and the dispatcher
// that takes over (or the same one restarted) frees the dead one's claims
// and sends what is pending. A message reaches a chat twice only if the
// process died after Telegram accepted it and before its record was
// committed, which is at most one message per sender: Concurrency messages
// at the most. A send that timed out is retried too, and Telegram may have
// delivered it; that is the same window, seen from the network.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Broadcast is something to send to the chats of some units.
type Broadcast struct {
	// chats, set by EnqueueToChats, are the chats it goes to instead of
	// the followers of Units.
	chats []int64

	Kind         string        // "announcement" now; "article", "reminder" later
	AuthorID     int64         // user id, 0 for the system
	AuthorChatID int64         // where the status message and report go; 0 = none (articles, reminders)
	Lang         messages.Lang // language of the status and report
	// Text is Telegram HTML, already rendered and escaped: the message, or
	// the caption of Media (a caption over MaxCaptionLength follows the
	// media as its own message).
	Text      string
	NoPreview bool
	Units     []int64 // target unit ids; the units below them are reached too
	DedupKey  string  // optional: a second Enqueue with the same key creates nothing
	// ToAdmins reaches the private chats of Loa's admins too (or alone,
	// with no Units): the feed poller's alerts. Enqueue only, not drafts.
	ToAdmins bool
	// Buttons are rows of inline buttons under the (last part of the)
	// message, the same for every chat: a reminder's Done / In progress.
	Buttons [][]Button
	// Media is what the bulletin carries besides text: one file, or an
	// album of 2–10 sent together.
	Media []Media
	// Urgent bulletins are claimed before anything routine and always make
	// a sound.
	Urgent bool
	// At, when set, is when the deliveries fall due: a scheduled bulletin.
	At time.Time
	// ArticleID marks a feed's article: each chat's keyword filters,
	// muted sources and digest mode apply to it (never to anything else).
	ArticleID int64
	// Rings makes a routine broadcast ring through quiet hours: a
	// reminder of a task due that day.
	Rings bool
	// Answers, Pin and RemindAfter: see Content.
	Answers     []string
	Pin         bool
	RemindAfter time.Duration
}

// Broadcast states.
const (
	StateDraft     = storage.BroadcastDraft
	StateSending   = storage.BroadcastSending
	StateDone      = storage.BroadcastDone
	StateCancelled = storage.BroadcastCancelled
)

// MaxTextLength is the longest text a broadcast may have (as
// messages.Length counts): ten messages.
const MaxTextLength = 10 * messages.MaxMessageLength

// ErrNotFound is returned (wrapped) for an unknown broadcast.
var ErrNotFound = storage.ErrNotFound

// Store is what the engine needs from storage; *storage.DB satisfies it.
type Store interface {
	LeadTerm(ctx context.Context, key int64, retry time.Duration, log *slog.Logger, what string, term func(ctx context.Context))
	CountChatsReached(ctx context.Context, unitIDs []int64) (int, error)
	CreateBroadcast(ctx context.Context, b storage.NewBroadcast, start bool, now time.Time) (int64, int, bool, error)
	StartBroadcast(ctx context.Context, id, actorID int64, now time.Time) (bool, int, error)
	CancelBroadcast(ctx context.Context, id, actorID int64, now time.Time) (int, error)
	BroadcastSummary(ctx context.Context, id int64) (storage.BroadcastSummary, error)
	BroadcastContent(ctx context.Context, id int64) (storage.BroadcastContent, error)
	CancelledBroadcasts(ctx context.Context, ids []int64) ([]int64, error)
	RecentBroadcasts(ctx context.Context, limit int) ([]storage.BroadcastSummary, error)
	UnreportedBroadcasts(ctx context.Context) ([]storage.BroadcastSummary, error)
	FinishBroadcast(ctx context.Context, id int64, now time.Time) (bool, error)
	SetBroadcastStatusMessage(ctx context.Context, id int64, messageID int) error
	MarkBroadcastReported(ctx context.Context, id int64, now time.Time) error
	FailureReasons(ctx context.Context, id int64, limit int) ([]storage.ReasonCount, error)
	ClaimDeliveries(ctx context.Context, now time.Time, limit int, urgentOnly bool) ([]storage.Delivery, error)
	ReleaseDeliveryClaims(ctx context.Context) (int, error)
	RecordDeliveries(ctx context.Context, outs []storage.DeliveryOutcome) error
	PendingDeliveries(ctx context.Context) (int, error)
	RetryDeliveriesNow(ctx context.Context, since, now time.Time) (int, error)
	DeliveryQueueState(ctx context.Context, now time.Time) (storage.DeliveryQueue, error)
	MigrateChat(ctx context.Context, oldID, newID int64, newType string) error
	SaveAlbumPart(ctx context.Context, p storage.AlbumPart) error
	AlbumParts(ctx context.Context, chatID int64, groupID string) ([]storage.AlbumPart, error)
}

// Config configures an Engine. Zero values take the defaults.
type Config struct {
	Store   Store    // required
	Sender  Sender   // required by Run
	Limiter *Limiter // shared with the bot's replies; NewLimiter(30) if nil
	Logger  *slog.Logger
	// Clock is the time of schedules: when deliveries fall due, the retry
	// bound. Pacing uses the real time.
	Clock func() time.Time

	Concurrency int           // messages in flight at once; default 16 (LOA_DELIVERY_CONCURRENCY)
	BatchSize   int           // deliveries waiting for a sender at most; default a second's worth at the Limiter's rate, at most 1000
	MaxRetryAge time.Duration // how long temporary errors are retried; default 6 h (LOA_DELIVERY_MAX_AGE)
	StatusEvery time.Duration // how often the author's status message may change; default 3 s
	PollEvery   time.Duration // how often the queue is looked at when idle; default 1 s
	LockRetry   time.Duration // how often a follower tries to take over; default 2 s
	// ShutdownGrace is how long sends in flight may take once Run's
	// context is done; default 20 s.
	ShutdownGrace time.Duration

	// Metrics registers the engine's counters and queue gauge; nil for none.
	Metrics prometheus.Registerer

	// Chat settings (issue 14, delivery/settings.go): Silent says whether a
	// delivery goes without a sound now (settings.Silencer; nil: never);
	// TopicGone is told when a forum topic a delivery was routed to is gone
	// (the delivery itself goes to the general topic).
	Silent    func(d storage.Delivery, urgent bool, now time.Time) bool
	TopicGone func(ctx context.Context, chatID int64, threadID int)
}

// Engine is the delivery engine. Its methods are safe for concurrent use;
// several Engines (in several processes) may share one database.
type Engine struct {
	cfg   Config
	store Store
	lim   *Limiter
	log   *slog.Logger
	clock func() time.Time
	m     *metrics
	wake  chan struct{}
	sends *sendState

	mu    sync.Mutex
	cache map[int64]*content // broadcasts this process is sending

	jobs chan func(ctx context.Context) // reminders and revisions, run by Run
}

// content is a broadcast as its senders need it, loaded once.
type content struct {
	once      sync.Once
	err       error
	parts     []part
	urgent    bool
	pin       bool // pin the first message in groups
	cancelled atomic.Bool
}

// New checks cfg and builds an Engine; nothing runs until Run.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("delivery: Config.Store is required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewLimiter(30)
	}
	if cfg.BatchSize <= 0 {
		// About a second of sending at the Limiter's rate (at least one
		// per sender): what waits in memory is claimed at most that long
		// before it goes, so urgency and fairness decided at the claim
		// hold. Without a bot-wide rate, the old 16 per sender.
		cfg.BatchSize = min(1000, 16*cfg.Concurrency)
		if r := cfg.Limiter.perSecond(); r > 0 {
			cfg.BatchSize = min(1000, max(cfg.Concurrency, int(r)))
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.MaxRetryAge, 6*time.Hour)
	def(&cfg.StatusEvery, 3*time.Second)
	def(&cfg.PollEvery, time.Second)
	def(&cfg.LockRetry, 2*time.Second)
	def(&cfg.ShutdownGrace, 20*time.Second)
	if cfg.Limiter == nil {
		cfg.Limiter = NewLimiter(30)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	e := &Engine{
		cfg:   cfg,
		store: cfg.Store,
		lim:   cfg.Limiter,
		log:   cfg.Logger,
		clock: cfg.Clock,
		wake:  make(chan struct{}, 1),
		sends: newSendState(),
		cache: make(map[int64]*content),
		jobs:  make(chan func(ctx context.Context), 256),
	}
	m, err := newMetrics(cfg.Metrics, cfg.Store)
	if err != nil {
		return nil, err
	}
	e.m = m
	return e, nil
}

// notify wakes this process's dispatcher after deliveries were created.
// A dispatcher in another process finds them within PollEvery.
func (e *Engine) notify() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (b Broadcast) check() error {
	switch {
	case b.Kind == "":
		return errors.New("broadcast without a kind")
	case strings.TrimSpace(b.Text) == "" && len(b.Media) == 0:
		return errors.New("broadcast without a text")
	case len(b.Answers) > MaxAnswers:
		return fmt.Errorf("broadcast with %d answers, more than %d", len(b.Answers), MaxAnswers)
	case len(b.Media) > MaxAlbum:
		return fmt.Errorf("broadcast with %d media, more than %d", len(b.Media), MaxAlbum)
	case messages.Length(b.Text) > MaxTextLength:
		return fmt.Errorf("broadcast text of %d characters, more than %d", messages.Length(b.Text), MaxTextLength)
	case len(b.Units) == 0 && !b.ToAdmins && len(b.chats) == 0:
		return errors.New("broadcast to no unit")
	}
	return nil
}

func (b Broadcast) row() storage.NewBroadcast {
	row := storage.NewBroadcast{
		Kind: b.Kind, AuthorID: b.AuthorID, AuthorChatID: b.AuthorChatID, Lang: string(b.Lang),
		Text: b.Text, NoPreview: b.NoPreview, UnitIDs: b.Units, DedupKey: b.DedupKey,
		Content: Content{Media: b.Media, Buttons: b.Buttons, Answers: b.Answers, Pin: b.Pin,
			RemindAfter: int(b.RemindAfter / time.Minute)}.json(), ToAdmins: b.ToAdmins,
		ArticleID: b.ArticleID, Rings: b.Rings, ChatIDs: b.chats,
	}
	if b.Urgent {
		row.Priority = PriorityUrgent
	}
	if !b.At.IsZero() {
		at := b.At
		row.ScheduledAt = &at
	}
	return row
}

// Preview counts the active chats units reach now (the units below them
// included): what a confirmation "send to 1 234 chats?" shows.
func (e *Engine) Preview(ctx context.Context, units []int64) (int, error) {
	return e.store.CountChatsReached(ctx, units)
}

// CreateDraft records b without sending anything (no deliveries yet) and
// returns its id and the number of chats it would reach now. Only its
// author can Start it.
func (e *Engine) CreateDraft(ctx context.Context, b Broadcast) (id int64, chats int, err error) {
	if err := b.check(); err != nil {
		return 0, 0, fmt.Errorf("create draft: %w", err)
	}
	id, chats, _, err = e.store.CreateBroadcast(ctx, b.row(), false, e.clock())
	return id, chats, err
}

// Start sends draft id on behalf of actorID: its deliveries, one per chat
// the units reach now, are created in one transaction. Only the author can
// start a draft, and only once: otherwise (someone else, a second start, a
// cancelled or unknown broadcast) it does nothing and returns false.
func (e *Engine) Start(ctx context.Context, id, actorID int64) (started bool, chats int, err error) {
	started, chats, err = e.store.StartBroadcast(ctx, id, actorID, e.clock())
	if started {
		e.notify()
	}
	return started, chats, err
}

// Enqueue creates b and its deliveries at once (a draft started by its
// author), for code rather than people: the feed poller, the reminder
// scheduler. With a DedupKey used before it creates nothing and returns the
// earlier broadcast's id and delivery count.
func (e *Engine) Enqueue(ctx context.Context, b Broadcast) (id int64, chats int, err error) {
	if err := b.check(); err != nil {
		return 0, 0, fmt.Errorf("enqueue: %w", err)
	}
	id, chats, created, err := e.store.CreateBroadcast(ctx, b.row(), true, e.clock())
	if err != nil {
		return 0, 0, err
	}
	if created {
		e.notify()
	}
	return id, chats, nil
}

// Cancel stops broadcast id: its deliveries not sent yet never will be
// (apart from the few already in flight), and their number is returned. A
// draft is cancelled with nothing to stop; a finished broadcast is left
// alone (0). Whether actorID may cancel is for the caller to decide; it is
// recorded. An unknown id is ErrNotFound.
func (e *Engine) Cancel(ctx context.Context, id, actorID int64) (int, error) {
	n, err := e.store.CancelBroadcast(ctx, id, actorID, e.clock())
	if err != nil {
		return 0, err
	}
	e.mu.Lock()
	if c := e.cache[id]; c != nil {
		c.cancelled.Store(true)
	}
	e.mu.Unlock()
	return n, nil
}

// Summary is a broadcast and how far it got.
type Summary struct {
	ID           int64
	Kind         string
	AuthorID     int64
	AuthorChatID int64
	Lang         messages.Lang
	Units        []int64
	State        string // StateDraft, StateSending, StateDone, StateCancelled
	CreatedAt    time.Time
	StartedAt    time.Time // zero for a draft
	FinishedAt   time.Time // zero until done or cancelled

	Total     int // deliveries (0 for a draft)
	Sent      int
	Blocked   int
	Failed    int
	Cancelled int
	Pending   int

	Urgent      bool
	ScheduledAt time.Time // zero for at once
	Media       []Media
	Answers     []string
	Pin         bool
	RemindAfter time.Duration
	content     Content

	Text    string // the whole text, Telegram HTML
	Excerpt string // its beginning as plain text, for lists
	// Reasons are why deliveries were blocked or failed, the most frequent
	// first (Broadcast only, not Recent).
	Reasons []Reason
}

// Reason is how many deliveries ended blocked or failed for one reason.
type Reason struct {
	State  string // "blocked" or "failed"
	Code   string // one of the Reason codes; "" for deliveries recorded before codes
	Reason string // Telegram's words
	Count  int
}

func summary(s storage.BroadcastSummary) Summary {
	out := Summary{
		ID: s.ID, Kind: s.Kind, AuthorID: s.AuthorID, AuthorChatID: s.AuthorChatID, Lang: messages.Lang(s.Lang),
		Units: []int64(s.UnitIDs), State: s.State, CreatedAt: s.CreatedAt,
		Total: s.Total, Sent: s.Sent, Blocked: s.Blocked, Failed: s.Failed, Cancelled: s.Cancelled, Pending: s.Pending,
		Text: s.Text, Excerpt: Excerpt(s.Text, 80),
	}
	if s.StartedAt != nil {
		out.StartedAt = *s.StartedAt
	}
	out.Urgent = s.Priority == PriorityUrgent
	var ct Content
	if json.Unmarshal(s.Content, &ct) == nil {
		out.Media, out.Answers, out.Pin = ct.Media, ct.Answers, ct.Pin
		out.RemindAfter = time.Duration(ct.RemindAfter) * time.Minute
		out.content = ct
	}
	if s.ScheduledAt != nil {
		out.ScheduledAt = *s.ScheduledAt
	}
	if s.FinishedAt != nil {
		out.FinishedAt = *s.FinishedAt
	}
	return out
}

// Broadcast returns broadcast id with its counts and failure reasons, or
// ErrNotFound.
func (e *Engine) Broadcast(ctx context.Context, id int64) (Summary, error) {
	s, err := e.store.BroadcastSummary(ctx, id)
	if err != nil {
		return Summary{}, err
	}
	out := summary(s)
	rs, err := e.store.FailureReasons(ctx, id, 10)
	if err != nil {
		return Summary{}, err
	}
	for _, r := range rs {
		out.Reasons = append(out.Reasons, Reason(r))
	}
	return out, nil
}

// Recent returns the limit newest broadcasts with their counts, newest
// first.
func (e *Engine) Recent(ctx context.Context, limit int) ([]Summary, error) {
	rows, err := e.store.RecentBroadcasts(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = summary(r)
	}
	return out, nil
}

var (
	tags   = regexp.MustCompile(`<[^>]*>`)
	spaces = regexp.MustCompile(`\s+`)
)

// Excerpt returns the beginning of the Telegram HTML s as plain text on one
// line, at most n characters, with "…" when cut.
func Excerpt(s string, n int) string {
	s = strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(tags.ReplaceAllString(s, "")), " "))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max(0, n-1)])) + "…"
}
