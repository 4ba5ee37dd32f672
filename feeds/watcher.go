package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Broadcast is what the watcher hands to the delivery engine: one card
// for the chats following the source's units.
type Broadcast = delivery.Broadcast

// Publisher hands a broadcast to the delivery engine (which fans it out to
// the chats that follow the units, durably). main wires *delivery.Engine.
type Publisher interface {
	Enqueue(ctx context.Context, b Broadcast) (id int64, chats int, err error)
}

// Store is what the watcher needs from storage; *storage.DB satisfies it.
type Store interface {
	Lead(ctx context.Context, key int64, retry, interval time.Duration, log *slog.Logger, what string, step func(ctx context.Context))
	AddSource(ctx context.Context, actorID int64, url, name string, unitIDs []int64) (storage.Source, error)
	DueSources(ctx context.Context, now time.Time) ([]storage.Source, error)
	SetSourceState(ctx context.Context, id int64, st storage.SourceState) error
	InsertArticles(ctx context.Context, sourceID int64, items []storage.NewArticle, pushed bool) (int, error)
	Unpushed(ctx context.Context, sourceID int64, limit int) ([]storage.Article, error)
	MarkPushed(ctx context.Context, id int64) error
	SetArticleText(ctx context.Context, id int64, summary, body string) error
}

// Options configure a Watcher. Zero values take the defaults.
type Options struct {
	Store   Store
	Fetcher *Fetcher // NewFetcher(0, 0, 0) when nil
	// Publisher gets the article cards and, as broadcasts of kind "alert"
	// to Loa's admins, the news of a source failing or working again. nil:
	// articles wait unpushed and failures are only logged.
	Publisher Publisher
	Interval  time.Duration
	// Tick is how often the leader looks for due sources (Interval/10,
	// between 1 s and 1 min, by default).
	Tick     time.Duration
	Clock    func() time.Time
	Lang     messages.Lang
	Location *time.Location
	// AlertAfter consecutive failures tell the admins, once (default 3).
	AlertAfter int
	// Parallel sources are polled at once (default 4); per host the
	// Fetcher's own limit applies too.
	Parallel int
	// NoExtract: never fetch article pages for teasers (tests, benchmarks).
	NoExtract bool
	Logger    *slog.Logger
}

// DefaultInterval is LOA_FEED_INTERVAL's default.
const DefaultInterval = 10 * time.Minute

// maxBackoff caps the wait after repeated failures: a portal that is down
// for a day is still tried every few hours.
const maxBackoff = 6 * time.Hour

// maxPushPerPoll bounds what one source pushes in one poll: a portal that
// suddenly re-dates its whole archive must not flood the chats.
const maxPushPerPoll = 10

// Watcher polls the sources and pushes their new articles. It is safe for
// concurrent use.
type Watcher struct {
	o   Options
	log *slog.Logger
}

// NewWatcher returns a Watcher with o's defaults filled in.
func NewWatcher(o Options) *Watcher {
	if o.Fetcher == nil {
		o.Fetcher = NewFetcher(0, 0, 0)
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Tick <= 0 {
		o.Tick = min(max(o.Interval/10, time.Second), time.Minute)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Lang == "" {
		o.Lang = messages.Vietnamese
	}
	if o.AlertAfter <= 0 {
		o.AlertAfter = 3
	}
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Watcher{o: o, log: log}
}

// Run polls until ctx ends, in one process of many at a time: it holds the
// advisory lock storage.LockFeeds while polling, and another process takes
// over within a tick when this one dies.
func (w *Watcher) Run(ctx context.Context) {
	w.o.Store.Lead(ctx, storage.LockFeeds, w.o.Tick, w.o.Tick, w.log, "news feeds", func(ctx context.Context) {
		if _, err := w.PollOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("poll feeds", "err", err)
		}
	})
}

// Report counts what one poll did.
type Report struct {
	Sources, NotModified, Failed, New, Pushed int
}

// PollOnce fetches every due source, a few at a time, and pushes what is
// new. A failing source is recorded and backs off; it never stops the others.
func (w *Watcher) PollOnce(ctx context.Context) (Report, error) {
	due, err := w.o.Store.DueSources(ctx, w.o.Clock())
	if err != nil {
		return Report{}, err
	}
	var (
		mu  sync.Mutex
		rep = Report{Sources: len(due)}
		wg  sync.WaitGroup
		sem = make(chan struct{}, w.o.Parallel)
	)
	for _, src := range due {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := w.poll(ctx, src)
			mu.Lock()
			rep.NotModified += r.NotModified
			rep.Failed += r.Failed
			rep.New += r.New
			rep.Pushed += r.Pushed
			mu.Unlock()
		}()
	}
	wg.Wait()
	return rep, nil
}

// poll fetches one source and records the outcome.
func (w *Watcher) poll(ctx context.Context, src storage.Source) Report {
	var rep Report
	now := w.o.Clock()
	etag, lm := src.ETag, src.LastModified
	if src.FetchedAt == nil {
		etag, lm = "", "" // the first fetch must read the feed whatever the server says
	}
	page, err := w.o.Fetcher.Fetch(ctx, src.URL, etag, lm)
	var feed Feed
	if err == nil && !page.NotModified {
		feed, err = ParseFeed(page.Body, now)
	}
	if err != nil {
		rep.Failed = 1
		w.failed(ctx, src, err)
		return rep
	}
	if page.NotModified {
		rep.NotModified = 1
	} else {
		n, pushed, err := w.ingest(ctx, src, feed, src.FetchedAt == nil)
		rep.New, rep.Pushed = n, pushed
		if err != nil {
			// Storage or delivery trouble, not the portal's: retried at
			// the next tick without touching the source's failure count.
			w.log.Warn("store feed items", "source_id", src.ID, "err", err)
			return rep
		}
	}
	w.succeeded(ctx, src, page, now)
	return rep
}

// ingest stores the feed's items and pushes the new ones. On a source's
// first fetch every item but the newest is recorded as already pushed, so
// adding a source with 50 old items sends at most one card.
func (w *Watcher) ingest(ctx context.Context, src storage.Source, feed Feed, first bool) (added, pushed int, err error) {
	items := feed.Items
	for i := range items {
		items[i].Summary = Summarize(items[i].Title, items[i].Body)
	}
	if first && len(items) > 1 {
		n, err := w.o.Store.InsertArticles(ctx, src.ID, items[1:], true)
		if err != nil {
			return 0, 0, err
		}
		added += n
		items = items[:1]
	}
	n, err := w.o.Store.InsertArticles(ctx, src.ID, items, false)
	if err != nil {
		return added, 0, err
	}
	added += n
	pushed, err = w.push(ctx, src)
	return added, pushed, err
}

// push hands the source's unpushed articles to the delivery engine, oldest
// first. The dedup key makes a repeat after a crash harmless.
func (w *Watcher) push(ctx context.Context, src storage.Source) (int, error) {
	if w.o.Publisher == nil {
		return 0, nil // nothing to push with: the articles wait, unpushed
	}
	arts, err := w.o.Store.Unpushed(ctx, src.ID, maxPushPerPoll)
	if err != nil {
		return 0, err
	}
	pushed := 0
	for _, a := range arts {
		if !w.o.NoExtract && a.Link != "" && IsTeaser(a.Body) {
			if text, err := w.o.Fetcher.Extract(ctx, a.Link); err == nil && len(text) > len(a.Body) {
				a.Body, a.Summary = text, Summarize(a.Title, text)
				if err := w.o.Store.SetArticleText(ctx, a.ID, a.Summary, a.Body); err != nil {
					return pushed, err
				}
			} else if errors.Is(err, ErrInternal) {
				// The feed points at an address inside our network: the
				// card carries what the feed said, and the operator learns why.
				w.log.Warn("article page refused", "article_id", a.ID, "source_id", src.ID, "link", a.Link, "err", err)
			} else if err != nil {
				w.log.Info("read article page", "article_id", a.ID, "err", err)
			}
		}
		_, _, err := w.o.Publisher.Enqueue(ctx, Broadcast{
			Kind: "article", Lang: w.o.Lang, Text: Card(w.o.Lang, w.o.Location, a),
			NoPreview: true, Units: src.UnitIDs, DedupKey: "article:" + strconv.FormatInt(a.ID, 10),
			ArticleID: a.ID, // each chat's filters, mutes and digest apply
		})
		if err != nil {
			return pushed, fmt.Errorf("enqueue article %d: %w", a.ID, err)
		}
		if err := w.o.Store.MarkPushed(ctx, a.ID); err != nil {
			return pushed, err
		}
		pushed++
	}
	return pushed, nil
}

// maxTitle bounds a title on a card; the card must stay one message.
const maxTitle = 300

// Card renders an article's card in Telegram HTML: the title in bold, the
// date and time, the source, the summary and a link. Everything from the
// feed is escaped by messages.T; the link preview is disabled by the
// caller, since the card already carries the summary.
func Card(lang messages.Lang, loc *time.Location, a storage.Article) string {
	title := a.Title
	if utf8.RuneCountInString(title) > maxTitle {
		title = string([]rune(title)[:maxTitle-1]) + "…"
	}
	link := messages.HTML("")
	if a.Link != "" {
		link = messages.Link(a.Link, messages.Plain(lang, messages.KeyArticleReadMore))
	}
	return strings.TrimSpace(messages.T(lang, messages.KeyArticleCard, title,
		messages.DateTime(a.PublishedAt, loc), a.SourceName, a.Summary, link))
}

// failed records a failed fetch: the source backs off exponentially, and
// the admins hear once, when the failures reach AlertAfter.
func (w *Watcher) failed(ctx context.Context, src storage.Source, cause error) {
	st := src.SourceState
	st.Failures++
	st.LastError = shortError(cause)
	wait := w.o.Interval << min(st.Failures-1, 10)
	st.NextFetchAt = w.o.Clock().Add(min(wait, maxBackoff))
	w.log.Warn("feed fetch failed", "source_id", src.ID, "url", src.URL, "failures", st.Failures, "err", cause)
	if st.Failures >= w.o.AlertAfter && !st.Alerted {
		st.Alerted = w.alert(ctx, alertKey("failing", src), messages.T(w.o.Lang, messages.KeySourceAlertFailing, src.Name, src.URL, st.Failures, messages.FeedReason(w.o.Lang, st.LastError)))
	}
	if err := w.o.Store.SetSourceState(ctx, src.ID, st); err != nil {
		w.log.Warn("save source state", "source_id", src.ID, "err", err)
	}
}

// succeeded records a good fetch, and tells the admins when a source they
// were warned about works again.
func (w *Watcher) succeeded(ctx context.Context, src storage.Source, page Page, now time.Time) {
	st := src.SourceState
	if st.Alerted {
		st.Alerted = !w.alert(ctx, alertKey("recovered", src), messages.T(w.o.Lang, messages.KeySourceAlertRecovered, src.Name, src.URL))
	}
	st.Failures, st.LastError = 0, ""
	st.ETag, st.LastModified = page.ETag, page.LastModified
	st.FetchedAt = &now
	st.NextFetchAt = now.Add(w.o.Interval)
	if err := w.o.Store.SetSourceState(ctx, src.ID, st); err != nil {
		w.log.Warn("save source state", "source_id", src.ID, "err", err)
	}
}

// alert hands text to the delivery engine for Loa's admins, in their
// private chats, and reports whether it was handed over: then the outbox
// delivers it within Telegram's limits and across crashes.
func (w *Watcher) alert(ctx context.Context, key, text string) bool {
	if w.o.Publisher == nil {
		return true
	}
	if _, _, err := w.o.Publisher.Enqueue(ctx, Broadcast{
		Kind: "alert", Lang: w.o.Lang, Text: text, NoPreview: true, ToAdmins: true, DedupKey: key,
	}); err != nil {
		w.log.Warn("alert admins", "err", err)
		return false
	}
	return true
}

// alertKey names one alert of a source's episode of failures: the episode
// starts after the last good fetch, whose time stays the same until the
// alert is recorded. So a crash between handing the alert over and saving
// the source's state repeats nothing, while the next episode gets its own.
func alertKey(what string, src storage.Source) string {
	since := "never"
	if src.FetchedAt != nil {
		since = strconv.FormatInt(src.FetchedAt.UnixMicro(), 10)
	}
	return "alert:source:" + strconv.FormatInt(src.ID, 10) + ":" + what + ":" + since
}

// shortError is the cause as admins read it: the kind of failure first.
func shortError(err error) string {
	s := err.Error()
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:199]) + "…"
	}
	return s
}

// Checked is what adding a source found in the feed.
type Checked struct {
	Source storage.Source
	Title  string
	Items  int
}

// AddSource fetches url once to check it is a usable feed, then starts
// watching it for unitIDs under name (the feed's own title when name is
// empty). Its items are recorded at once and at most the newest one is
// pushed. The error wraps ErrInternal, ErrBadURL, ErrUnreachable, ErrTimeout, ErrTooBig,
// ErrNotFeed or storage.ErrSourceExists when that is why.
func (w *Watcher) AddSource(ctx context.Context, actorID int64, url, name string, unitIDs []int64) (Checked, error) {
	now := w.o.Clock()
	page, err := w.o.Fetcher.Fetch(ctx, url, "", "")
	if err != nil {
		return Checked{}, err
	}
	feed, err := ParseFeed(page.Body, now)
	if err != nil {
		return Checked{}, err
	}
	if name = strings.TrimSpace(name); name == "" {
		name = feed.Title
	}
	if name == "" {
		name = url
	}
	src, err := w.o.Store.AddSource(ctx, actorID, url, name, unitIDs)
	if err != nil {
		return Checked{}, err
	}
	checked := Checked{Source: src, Title: feed.Title, Items: len(feed.Items)}
	if _, _, err := w.ingest(ctx, src, feed, true); err != nil {
		// The source is added; the poller records the items next time.
		w.log.Warn("store first items", "source_id", src.ID, "err", err)
		return checked, nil
	}
	w.succeeded(ctx, src, page, now)
	return checked, nil
}

// Reason maps an error of AddSource to the sentence that explains it, or ""
// when it is not the feed's fault (then the caller apologises and logs).
func Reason(err error) messages.Key {
	switch {
	case errors.Is(err, storage.ErrSourceExists):
		return messages.KeySourceExists
	case errors.Is(err, ErrInternal):
		return messages.KeySourceInternal
	case errors.Is(err, ErrBadURL):
		return messages.KeySourceBadURL
	case errors.Is(err, ErrTimeout):
		return messages.KeySourceTimeout
	case errors.Is(err, ErrTooBig):
		return messages.KeySourceTooBig
	case errors.Is(err, ErrNotFeed):
		return messages.KeySourceNotFeed
	case errors.Is(err, ErrUnreachable):
		return messages.KeySourceUnreachable
	}
	return ""
}
