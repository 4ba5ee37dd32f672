package sandbox

import (
	"html"
	"html/template"
	"net/url"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/loabot/loa/emulator"
)

// Render turns a message's plain text and its entities into HTML the way a
// Telegram client shows it. It works from the entities the emulator parsed,
// never from the HTML the bot sent: what a person sees is what Telegram
// understood, so a tag Telegram dropped is not shown either. Every piece of
// text is escaped; only known entity types become tags, and only http(s),
// tg and mailto links become links.
func Render(text string, ents []emulator.Entity) template.HTML {
	units := utf16.Encode([]rune(text))
	sorted := append([]emulator.Entity(nil), ents...)
	// Outer entities first: by offset, the longer one first.
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Offset != sorted[j].Offset {
			return sorted[i].Offset < sorted[j].Offset
		}
		return sorted[i].Length > sorted[j].Length
	})
	var b strings.Builder
	type open struct {
		end   int
		close string
	}
	var stack []open
	pos := 0
	flush := func(to int) {
		if to > pos {
			b.WriteString(html.EscapeString(string(utf16.Decode(units[pos:to]))))
			pos = to
		}
	}
	closeUntil := func(at int) {
		for len(stack) > 0 && stack[len(stack)-1].end <= at {
			top := stack[len(stack)-1]
			flush(top.end)
			b.WriteString(top.close)
			stack = stack[:len(stack)-1]
		}
	}
	for _, e := range sorted {
		start, end := e.Offset, e.Offset+e.Length
		if start < pos || end > len(units) || e.Length <= 0 {
			continue // overlapping or out of range: Telegram never sends it; show the text plain
		}
		closeUntil(start)
		if len(stack) > 0 && end > stack[len(stack)-1].end {
			continue // crosses its parent
		}
		flush(start)
		tag, closing := openTag(e, string(utf16.Decode(units[start:end])))
		b.WriteString(tag)
		stack = append(stack, open{end: end, close: closing})
	}
	closeUntil(len(units))
	flush(len(units))
	return template.HTML(b.String())
}

// openTag returns the opening and closing HTML of one entity.
func openTag(e emulator.Entity, inner string) (string, string) {
	switch e.Type {
	case "bold":
		return "<b>", "</b>"
	case "italic":
		return "<i>", "</i>"
	case "underline":
		return "<u>", "</u>"
	case "strikethrough":
		return "<s>", "</s>"
	case "spoiler":
		return `<span class="tg-spoiler">`, "</span>"
	case "code":
		return "<code>", "</code>"
	case "pre":
		if e.Language != "" {
			return `<pre><code class="language-` + html.EscapeString(e.Language) + `">`, "</code></pre>"
		}
		return "<pre>", "</pre>"
	case "blockquote":
		return "<blockquote>", "</blockquote>"
	case "expandable_blockquote":
		return `<blockquote class="expandable">`, "</blockquote>"
	case "text_link":
		return link(e.URL)
	case "url":
		return link(inner)
	case "email":
		return link("mailto:" + inner)
	case "text_mention":
		if e.User != nil {
			return `<a class="mention" href="tg://user?id=` + itoa(e.User.ID) + `">`, "</a>"
		}
	case "mention", "hashtag", "cashtag", "bot_command", "phone_number":
		return `<span class="` + strings.ReplaceAll(e.Type, "_", "-") + `">`, "</span>"
	}
	return "<span>", "</span>"
}

// link opens an <a> for a URL a person may safely follow from the page.
func link(raw string) (string, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "<span>", "</span>"
	}
	if u.Scheme == "" {
		u, err = url.Parse("http://" + raw) // Telegram links "example.org" too
		if err != nil {
			return "<span>", "</span>"
		}
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "tg", "mailto":
		return `<a href="` + html.EscapeString(u.String()) + `" target="_blank" rel="noopener noreferrer">`, "</a>"
	}
	return "<span>", "</span>"
}

func itoa(n int64) string {
	var buf [20]byte
	i := len(buf)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
