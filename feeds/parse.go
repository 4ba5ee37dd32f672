package feeds

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/mmcdole/gofeed"
	"golang.org/x/text/unicode/norm"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Feed is a parsed feed: its title and its items, cleaned, newest first.
type Feed struct {
	Title string
	Items []storage.NewArticle
}

// dateLayouts are the forms gofeed may not know, seen on Vietnamese
// portals: RFC 1123 with a numeric zone written with a colon ("+07:00",
// Nhân Dân, VietnamPlus, CAND) and the day of month without a leading zero.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -07:00",
	"Mon, 02 Jan 2006 15:04:05 -07:00",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02T15:04:05-07:00",
	"02/01/2006 15:04",
}

// ParseFeed parses RSS (0.9x, 1.0, 2.0), Atom or JSON Feed. now dates the
// items that carry no date. Text is cleaned (CleanText), NFC; items without
// a title and a link are skipped; items are sorted newest first.
func ParseFeed(body []byte, now time.Time) (Feed, error) {
	p := gofeed.NewParser()
	f, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		return Feed{}, fmt.Errorf("%w: %v", ErrNotFeed, err)
	}
	out := Feed{Title: CleanText(f.Title)}
	for _, it := range f.Items {
		a := storage.NewArticle{
			GUID:  strings.TrimSpace(it.GUID),
			Link:  itemLink(it.Link),
			Title: strings.Join(strings.Fields(CleanText(it.Title)), " "),
		}
		if a.Title == "" {
			continue
		}
		desc := it.Description
		if len(it.Content) > len(desc) {
			desc = it.Content
		}
		a.Body = HTMLToText(desc)
		a.PublishedAt = itemTime(it, now)
		out.Items = append(out.Items, a)
	}
	sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].PublishedAt.After(out.Items[j].PublishedAt) })
	return out, nil
}

// itemLink is an item's link as stored and shown: canonical, and "" unless
// it is http, https, tg or mailto (messages.SafeURL). A feed is written by a
// stranger, and a javascript: or data: link must never reach a card.
func itemLink(raw string) string {
	return CanonicalLink(messages.SafeURL(raw))
}

func itemTime(it *gofeed.Item, now time.Time) time.Time {
	if it.PublishedParsed != nil {
		return *it.PublishedParsed
	}
	if it.UpdatedParsed != nil {
		return *it.UpdatedParsed
	}
	for _, raw := range []string{it.Published, it.Updated} {
		raw = strings.TrimSpace(raw)
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, raw); err == nil {
				return t
			}
		}
	}
	return now
}

// Extract fetches an article page and returns its main text, found with
// readability and cleaned (captions and bylines dropped).
func (f *Fetcher) Extract(ctx context.Context, pageURL string) (string, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	page, err := f.Fetch(ctx, pageURL, "", "")
	if err != nil {
		return "", err
	}
	parser := readability.NewParser()
	art, err := parser.Parse(bytes.NewReader(page.Body), u)
	if err != nil {
		return "", fmt.Errorf("extract %s: %w", pageURL, err)
	}
	return DropCaptions(HTMLToText(norm.NFC.String(renderHTML(art.Node)))), nil
}
