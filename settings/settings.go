// Package settings holds the rules of what each chat hears and when
// (issue 14): quiet hours, articles as they come or in a daily digest,
// keyword filters, muted sources and forum topics.
//
// Where each rule is applied, and why:
//
//   - Filters, mutes and digest mode are decided at the fan-out, in the
//     transaction that creates an article's deliveries
//     (storage.applyChatSettings): a refused article never becomes a
//     delivery, a digest chat's becomes a digest item. Decided once, with
//     the deliveries, a crash can neither lose nor repeat it, and the
//     keyword test is the SQL test /search makes (search_vector against the
//     folded key syllables of storage.KeywordKey), so a filter and a search
//     never disagree. Bulletins and reminders are never filtered nor
//     digested: only articles carry an article id.
//   - Quiet hours are decided when a delivery is sent (Silent), since a
//     bulletin scheduled or retried may go out hours after its fan-out.
//   - Topics are chosen at the fan-out (a delivery's thread_id); a topic
//     Telegram says is gone falls back to the general one when sent.
//   - The digest is made by Digests, one loop in one process at a time.
package settings

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/storage"
)

// The defaults of a chat that never changed anything: quiet from 22:00 to
// 06:00 in LOA_TIMEZONE (the hours a militia member sleeps; a routine card
// then arrives silently, an urgent bulletin still rings), articles as they
// come, no filter, no muted source.
const (
	DefaultQuietFrom = 22 * 60
	DefaultQuietTo   = 6 * 60
)

// Quiet is a chat's quiet hours: from From to To, minutes after local
// midnight, across midnight when To is before From. From == To is none.
type Quiet struct{ From, To int }

// DefaultQuiet is the quiet hours of a chat that kept the defaults.
var DefaultQuiet = Quiet{DefaultQuietFrom, DefaultQuietTo}

// Off reports whether there are no quiet hours.
func (q Quiet) Off() bool { return q.From == q.To }

// Contains reports whether t (in its location) falls in the quiet hours.
func (q Quiet) Contains(t time.Time) bool {
	if q.Off() {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	if q.From < q.To {
		return m >= q.From && m < q.To
	}
	return m >= q.From || m < q.To
}

// String is "22:00–06:00".
func (q Quiet) String() string { return Clock(q.From) + "–" + Clock(q.To) }

// QuietOf is the quiet hours stored with a delivery's chat, or the
// defaults for a chat without settings (nil).
func QuietOf(from, to *int) Quiet {
	if from == nil || to == nil {
		return DefaultQuiet
	}
	return Quiet{*from, *to}
}

// Silent is the one rule of how loudly a delivery arrives: a routine one
// (article card, digest, ordinary bulletin) is silent during its chat's
// quiet hours; urgent bulletins and reminders due that day (rings) always
// ring. now is in LOA_TIMEZONE.
func Silent(d storage.Delivery, urgent bool, now time.Time) bool {
	if urgent || d.Rings {
		return false
	}
	return QuietOf(d.QuietFrom, d.QuietTo).Contains(now)
}

// Silencer returns the delivery engine's rule for one time zone.
func Silencer(loc *time.Location) func(d storage.Delivery, urgent bool, now time.Time) bool {
	if loc == nil {
		loc = time.UTC
	}
	return func(d storage.Delivery, urgent bool, now time.Time) bool {
		return Silent(d, urgent, now.In(loc))
	}
}

// Clock writes minutes after midnight as "06:00".
func Clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// ParseClock reads "6:00", "06:00", "6h", "6h30" or "18" as minutes after
// midnight.
func ParseClock(s string) (int, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	s = strings.TrimSuffix(s, "h")
	h, m, found := strings.Cut(s, ":")
	if !found {
		h, m, found = strings.Cut(s, "h")
	}
	hh, err := strconv.Atoi(h)
	if err != nil || hh < 0 || hh > 23 {
		return 0, false
	}
	mm := 0
	if found && m != "" {
		if len(m) != 2 {
			return 0, false
		}
		if mm, err = strconv.Atoi(m); err != nil || mm < 0 || mm > 59 {
			return 0, false
		}
	}
	return hh*60 + mm, true
}

// ParseQuiet reads "22:00-06:00" (or with "–").
func ParseQuiet(s string) (Quiet, bool) {
	s = strings.ReplaceAll(s, "–", "-")
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Quiet{}, false
	}
	from, ok1 := ParseClock(a)
	to, ok2 := ParseClock(b)
	if !ok1 || !ok2 || from == to {
		return Quiet{}, false
	}
	return Quiet{from, to}, true
}

// Keywords splits a list typed by a person ("an ninh, biên giới; diễn
// tập") into keywords, dropping those with nothing to match and repeats
// (by their folded key, so "Biên giới" and "bien gioi" are one).
func Keywords(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		w = strings.Join(strings.Fields(w), " ")
		k := storage.KeywordKey(w)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, w)
	}
	return out
}

// MaxKeywords bounds each list: a filter is a handful of words, and the
// fan-out tests each one against every article.
const MaxKeywords = 20
