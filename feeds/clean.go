package feeds

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"

	"github.com/loabot/loa/feeds/summary"
)

// HTMLToText turns a fragment of a portal's HTML (a feed's description, a
// readability extract) into plain text: block elements become paragraphs
// separated by a blank line, <br> a line break; images, figure captions,
// scripts, styles and lists of related links are dropped; entities are
// decoded. The result is cleaned by CleanText.
func HTMLToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return CleanText(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // depth inside elements whose text is not the article's
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return CleanText(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Figcaption, atom.Ul, atom.Ol, atom.Noscript, atom.Iframe, atom.Svg:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case atom.Br:
				b.WriteString("\n")
			case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Blockquote, atom.Li, atom.Tr, atom.Table, atom.Section, atom.Article, atom.Figure, atom.Pre:
				b.WriteString("\n\n")
			}
		}
	}
}

var (
	// A sentence's end glued to the next (a caption or a heading lost its
	// line break when the page was flattened): "phát triển.Quang cảnh".
	// A lower-case letter before keeps "TP.HCM" and "1.250" together.
	gluedSentence = regexp.MustCompile(`(\p{Ll}[.!?…])(\p{Lu}\p{Ll})`)
	spaces        = regexp.MustCompile(`[ \t\p{Zs}]+`)
	// Scraping artefacts, whole lines: loaders, share buttons, photo
	// credits.
	junkLine = regexp.MustCompile(`(?i)^(loading\.*|đang tải\.*|xem thêm:?.*|chia sẻ|share|ảnh( minh họa| minh hoạ)?:.*|\(ảnh:.*\)|video:.*|tin liên quan:?.*|>>.*)$`)
)

// maxCaptionWords: a paragraph that does not end like a sentence and is at
// most this long is a caption, a heading, a kicker or a byline
// ("Quang cảnh lễ ký kết", "Thu Hằng", "Trung tâm TTVH"). Long runs without
// a final period are kept: some portals drop it at the end of a paragraph.
const maxCaptionWords = 40

// unglue puts a line break between a sentence's end and the caption or
// heading glued to it ("phát triển.Quang cảnh"), but not after an
// abbreviation written without a space ("Tp.Móng Cái", "Ths.Nguyễn"), which
// is one sentence going on.
func unglue(s string) string {
	locs := gluedSentence.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range locs {
		dot := m[3] // end of "$1": just after the terminator
		wordStart := strings.LastIndexFunc(s[:m[2]], func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`"'“‘«([`, r) }) + 1
		if summary.IsAbbreviation(s[wordStart:dot]) {
			continue
		}
		b.WriteString(s[last:dot])
		b.WriteByte('\n')
		last = dot
	}
	b.WriteString(s[last:])
	return b.String()
}

// CleanText normalises text as Loa stores it: NFC (some portals send the
// old decomposed input, where tone marks are separate characters); no
// zero-width or control characters; non-breaking and other odd spaces made
// plain and collapsed; sentences glued to captions separated; and lines that
// are scraping artefacts, captions or bylines removed. Paragraphs are
// separated by one blank line.
func CleanText(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, ""))
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r':
			return -1
		case r == '\t' || unicode.Is(unicode.Zs, r):
			return ' '
		case unicode.Is(unicode.Cf, r) || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	s = unglue(s)
	var paras []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(spaces.ReplaceAllString(line, " "))
		if line == "" || junkLine.MatchString(line) {
			continue
		}
		paras = append(paras, line)
	}
	return strings.Join(paras, "\n\n")
}

// DropCaptions removes the paragraphs of text that do not end like a
// sentence and are short: captions, headings, kickers and bylines. Used on
// full article text (a feed's short description is often one such line and
// is kept as it is).
func DropCaptions(text string) string {
	var keep []string
	for _, p := range strings.Split(text, "\n\n") {
		if endsSentence(p) || len(strings.Fields(p)) > maxCaptionWords {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}

func endsSentence(p string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(p, `"'”’»)] `))
	return strings.ContainsRune(".!?…:", last)
}

// teaserWords: a feed item with fewer words than this carries a teaser, and
// the article page is fetched for the text.
const teaserWords = 80

// IsTeaser reports whether text is too short to be the article itself.
func IsTeaser(text string) bool { return len(strings.Fields(text)) < teaserWords }

// CanonicalLink is how a link is compared when articles are deduplicated:
// the host in lower case, no fragment, no tracking parameters (utm_*, fbclid,
// …), no trailing "?". A link that does not parse is kept as it is.
func CanonicalLink(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Host = strings.ToLower(u.Host)
	u.Scheme = strings.ToLower(u.Scheme)
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" || lk == "zarsrc" || lk == "ref" {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Summarize is the card's summary of an article: feeds/summary on the
// cleaned text.
func Summarize(title, text string) string {
	return summary.Summarize(title, text, summary.DefaultLimit)
}

// renderHTML is a small helper for readability's output.
func renderHTML(n *html.Node) string {
	var buf bytes.Buffer
	if n != nil {
		_ = html.Render(&buf, n)
	}
	return buf.String()
}
