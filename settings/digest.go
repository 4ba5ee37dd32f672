package settings

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// DigestStore is what the digest loop needs from storage; *storage.DB.
type DigestStore interface {
	HeldDigests(ctx context.Context) ([]storage.DigestChat, error)
	HeldArticles(ctx context.Context, chatID int64) ([]storage.Article, error)
	EnqueueChatMessage(ctx context.Context, m storage.ChatMessage, now time.Time) (bool, error)
}

// Leader runs a step in one process at a time; *storage.DB.
type Leader interface {
	Lead(ctx context.Context, key int64, retry, interval time.Duration, log *slog.Logger, what string, step func(ctx context.Context))
}

// Digests sends each digest chat, once a day at its time, one message with
// the articles held for it since its last digest (storage.digest_items,
// filled by the fan-out).
//
// Nothing is missed and nothing sent twice across restarts, as with the
// reminders: a chat is due when its latest digest time has passed since the
// oldest article held for it, so a loop that was down at 18:00 sends at
// 20:00 what 18:00 should have; and the transaction that hands the digest
// to the outbox also releases its articles, so the next tick finds nothing
// more to send.
type Digests struct {
	Store     DigestStore
	Clock     func() time.Time
	Location  *time.Location // LOA_TIMEZONE: digest times are local
	Lang      messages.Lang
	Logger    *slog.Logger
	Interval  time.Duration // how often to look; default a minute
	LockRetry time.Duration // default 5 s
}

// MaxDigestArticles bounds one digest: ten Telegram messages hold about a
// hundred one-line items; more are counted, not listed (they are in
// /latest).
const MaxDigestArticles = 100

// LastSlot is the latest time at local minutes at, at or before now.
func LastSlot(at int, now time.Time) time.Time {
	y, m, d := now.Date()
	t := time.Date(y, m, d, at/60, at%60, 0, 0, now.Location())
	if t.After(now) {
		t = time.Date(y, m, d-1, at/60, at%60, 0, 0, now.Location())
	}
	return t
}

// Due reports whether chat c's digest is due at now: it left digest mode
// with articles held (they go at once), or its latest digest time has
// passed since the oldest article held.
func Due(c storage.DigestChat, now time.Time) bool {
	if c.DigestAt == nil {
		return true
	}
	return !c.Oldest.After(LastSlot(*c.DigestAt, now))
}

// Tick hands every due digest to the outbox and returns how many.
func (d *Digests) Tick(ctx context.Context) (int, error) {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	now := d.Clock()
	chats, err := d.Store.HeldDigests(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range chats {
		if !Due(c, now.In(loc)) {
			continue
		}
		arts, err := d.Store.HeldArticles(ctx, c.ChatID)
		if err != nil {
			return sent, err
		}
		if len(arts) == 0 {
			continue
		}
		ids := make([]int64, len(arts))
		var last int64
		for i, a := range arts {
			ids[i] = a.ID
			last = max(last, a.ID)
		}
		created, err := d.Store.EnqueueChatMessage(ctx, storage.ChatMessage{
			ChatID: c.ChatID, Kind: "digest", Lang: string(d.Lang), Text: RenderDigest(d.Lang, now.In(loc), arts),
			NoPreview: true, Articles: ids, DedupKey: fmt.Sprintf("digest:%d:%d", c.ChatID, last),
		}, now)
		if err != nil {
			return sent, err
		}
		if created {
			sent++
		}
	}
	return sent, nil
}

// RunAsLeader runs Tick every Interval while this process holds
// storage.LockDigests.
func (d *Digests) RunAsLeader(ctx context.Context, leader Leader) {
	retry, interval := d.LockRetry, d.Interval
	if retry <= 0 {
		retry = 5 * time.Second
	}
	if interval <= 0 {
		interval = time.Minute
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	leader.Lead(ctx, storage.LockDigests, retry, interval, log, "article digests", func(ctx context.Context) {
		if n, err := d.Tick(ctx); err != nil && ctx.Err() == nil {
			log.Error("send digests", "err", err)
		} else if n > 0 {
			log.Info("digests queued", "count", n)
		}
	})
}

// maxLine bounds an item's summary: one line on a phone.
const maxLine = 140

// OneLine is the first maxLine characters of a summary, on one line, cut
// at a space with "…".
func OneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxLine {
		return s
	}
	r := []rune(s)[:maxLine]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > maxLine/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// RenderDigest is the digest of arts (grouped by source, in that order)
// made on day: a header, then each source's name and its articles, each
// with its one-line summary and link. Sources are separated by blank lines,
// where the engine cuts a digest too long for one message.
func RenderDigest(lang messages.Lang, day time.Time, arts []storage.Article) string {
	var b strings.Builder
	b.WriteString(messages.T(lang, messages.KeyDigestHeader, messages.Date(day, day.Location()), messages.Count(len(arts))))
	shown := arts
	if len(shown) > MaxDigestArticles {
		shown = shown[:MaxDigestArticles]
	}
	var source int64 = -1
	for _, a := range shown {
		if a.SourceID != source {
			source = a.SourceID
			b.WriteString("\n\n")
			b.WriteString(messages.T(lang, messages.KeyDigestSource, a.SourceName))
		}
		b.WriteString("\n")
		title := a.Title
		if a.Link != "" {
			b.WriteString(messages.T(lang, messages.KeyDigestItemLink, messages.Link(a.Link, title), OneLine(a.Summary)))
		} else {
			b.WriteString(messages.T(lang, messages.KeyDigestItem, title, OneLine(a.Summary)))
		}
	}
	if more := len(arts) - len(shown); more > 0 {
		b.WriteString("\n\n")
		b.WriteString(messages.T(lang, messages.KeyDigestMore, more))
	}
	return b.String()
}
