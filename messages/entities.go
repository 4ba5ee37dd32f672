package messages

import (
	"cmp"
	"slices"
	"strings"
)

// Entity is one piece of formatting in a message as Telegram sends it
// (MessageEntity in the Bot API). Offset and Length count UTF-16 code units of
// the message text, not bytes or runes.
type Entity struct {
	Type     string // "bold", "italic", "text_link", "pre", "mention", …
	Offset   int
	Length   int
	URL      string // for "text_link"
	Language string // for "pre", the language of the code, or ""
}

// entityKind groups entity types that must not nest within themselves: a
// link inside a link or a quote inside a quote is invalid, and two bolds are
// one bold.
type entityKind uint8

const (
	kindQuote entityKind = iota // blockquote, expandable_blockquote
	kindBold
	kindItalic
	kindUnderline
	kindStrike
	kindSpoiler
	kindLink
	kindCode // code, pre: contain no other formatting
	numKinds
)

// rank orders kinds from outermost to innermost. Telegram allows formatting
// inside a quote and code inside formatting, but nothing inside code.
func (k entityKind) rank() int {
	switch k {
	case kindQuote:
		return 0
	case kindCode:
		return 2
	}
	return 1
}

// span is an entity with an HTML form, in UTF-16 units of the text.
type span struct {
	start, end int
	kind       entityKind
	open       string
	close      string
	index      int // position in the input, to keep the output deterministic
}

// htmlForm returns how an entity is written in Telegram HTML, or ok=false
// for types that have no HTML form of their own (mention, hashtag,
// bot_command, url, email, phone_number, cashtag, text_mention, custom_emoji…):
// Telegram recognises those again from the plain text, or they need data the
// Entity does not carry.
func htmlForm(e Entity) (kind entityKind, opening, closing string, ok bool) {
	switch e.Type {
	case "bold":
		return kindBold, "<b>", "</b>", true
	case "italic":
		return kindItalic, "<i>", "</i>", true
	case "underline":
		return kindUnderline, "<u>", "</u>", true
	case "strikethrough":
		return kindStrike, "<s>", "</s>", true
	case "spoiler":
		return kindSpoiler, "<tg-spoiler>", "</tg-spoiler>", true
	case "code":
		return kindCode, "<code>", "</code>", true
	case "pre":
		if e.Language == "" {
			return kindCode, "<pre>", "</pre>", true
		}
		return kindCode, `<pre><code class="language-` + Escape(e.Language) + `">`, "</code></pre>", true
	case "text_link":
		u := SafeURL(e.URL)
		if u == "" {
			return 0, "", "", false
		}
		return kindLink, `<a href="` + Escape(u) + `">`, "</a>", true
	case "blockquote":
		return kindQuote, "<blockquote>", "</blockquote>", true
	case "expandable_blockquote":
		return kindQuote, "<blockquote expandable>", "</blockquote>", true
	}
	return 0, "", "", false
}

// EntitiesToHTML renders a person's message, its text plus the entities
// Telegram sent with it, as Telegram HTML that looks the same when the bot
// sends it on (an admin's /broadcast, for instance). Everything outside the
// formatting is escaped, so what they typed, < and & included, arrives as
// written.
//
// Telegram's entities may overlap and nest in any way; HTML must nest
// properly. So the text is cut at every entity boundary and, at each cut, the
// elements that end there or no longer fit the nesting are closed and the
// others reopened, keeping longer-lived elements outside to reopen as little as
// possible. Telegram's own rules are kept on the way: nothing inside code or
// pre, no link inside a link, no quote inside a quote.
//
// Entities of types without HTML are plain text. Offsets and lengths outside
// the text are clamped to it, and a boundary inside a surrogate pair is moved
// out of it, so no input can cause a panic or an invalid output.
func EntitiesToHTML(text string, entities []Entity) string {
	// at[u] is the byte offset of UTF-16 unit u, or -1 inside a surrogate pair.
	at := make([]int, 0, len(text)+1)
	for i, r := range text {
		at = append(at, i)
		if utf16Len(r) == 2 {
			at = append(at, -1)
		}
	}
	// A range loop over invalid UTF-8 yields one RuneError (one unit) per bad
	// byte, which is what the loop above recorded.
	n := len(at)
	at = append(at, len(text))

	spans := make([]span, 0, len(entities))
	for i, e := range entities {
		kind, opening, closing, ok := htmlForm(e)
		if !ok {
			continue
		}
		start, end, ok := clampRange(e.Offset, e.Length, n)
		if !ok {
			continue
		}
		if at[start] < 0 {
			start-- // into the pair, from its start
		}
		if at[end] < 0 {
			end++ // to the end of the pair
		}
		spans = append(spans, span{start: start, end: end, kind: kind, open: opening, close: closing, index: i})
	}
	if len(spans) == 0 {
		return Escape(text)
	}

	cuts := []int{0, n}
	for _, s := range spans {
		cuts = append(cuts, s.start, s.end)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)

	// Walk the cuts keeping the spans that cover the current stretch, so
	// that the work grows with the number of overlapping spans, not all.
	byStart := make([]*span, len(spans))
	for i := range spans {
		byStart[i] = &spans[i]
	}
	slices.SortStableFunc(byStart, func(x, y *span) int { return cmp.Compare(x.start, y.start) })

	var b strings.Builder
	b.Grow(len(text) + len(text)/4 + 32*len(spans))
	var stack, active []*span
	for c := 0; c+1 < len(cuts); c++ {
		p, q := cuts[c], cuts[c+1]
		for len(byStart) > 0 && byStart[0].start <= p {
			active = append(active, byStart[0])
			byStart = byStart[1:]
		}
		active = slices.DeleteFunc(active, func(s *span) bool { return s.end <= p })
		want := wanted(active, stack)
		// Keep the outer part of the stack that is still wanted (an element
		// with the same tag counts: two overlapping bolds are one <b>) and
		// still in order with everything that has to be opened inside it.
		keep := 0
		for keep < len(stack) {
			i := slices.IndexFunc(want, sameTag(stack[keep]))
			if i < 0 {
				break
			}
			stack[keep] = want[i]
			keep++
		}
		var add []*span
		for _, s := range want {
			if !slices.ContainsFunc(stack[:keep], sameTag(s)) {
				add = append(add, s)
			}
		}
		for keep > 0 && slices.ContainsFunc(add, func(s *span) bool {
			return s.kind.rank() < stack[keep-1].kind.rank()
		}) {
			keep--
			add = append(add, stack[keep])
		}
		for i := len(stack) - 1; i >= keep; i-- {
			b.WriteString(stack[i].close)
		}
		stack = stack[:keep]
		slices.SortFunc(add, func(x, y *span) int {
			return cmp.Or(
				cmp.Compare(x.kind.rank(), y.kind.rank()),
				cmp.Compare(y.end, x.end), // ends later: outside
				cmp.Compare(x.start, y.start),
				cmp.Compare(x.index, y.index),
			)
		})
		for _, s := range add {
			b.WriteString(s.open)
			stack = append(stack, s)
		}
		b.WriteString(Escape(text[at[p]:at[q]]))
	}
	for i := len(stack) - 1; i >= 0; i-- {
		b.WriteString(stack[i].close)
	}
	return b.String()
}

// clampRange intersects [offset, offset+length) with [0, n) without
// overflowing, whatever the two numbers are.
func clampRange(offset, length, n int) (start, end int, ok bool) {
	if length <= 0 || offset >= n {
		return 0, 0, false
	}
	if offset < 0 {
		end = offset + length // cannot overflow: offset < 0 < length
		if end <= 0 {
			return 0, 0, false
		}
		return 0, min(end, n), true
	}
	if length > n-offset {
		return offset, n, true
	}
	return offset, offset + length, true
}

// sameTag matches spans written with the same tag as x.
func sameTag(x *span) func(*span) bool {
	return func(s *span) bool { return s.kind == x.kind && s.open == x.open }
}

// wanted returns, of the active spans (those that cover the stretch of text
// at hand), the ones to be open over it: at most one per kind, and none that starts inside a code span (Telegram
// allows nothing inside code). Of several spans of a kind, one with the tag
// already open wins, so that overlapping entities of a kind render as one
// element; otherwise the one that started first, then the longer.
func wanted(active, stack []*span) []*span {
	var open [numKinds]string // the tag open for each kind, if any
	for _, s := range stack {
		open[s.kind] = s.open
	}
	better := func(s, cur *span) bool {
		sOpen, curOpen := s.open == open[s.kind], cur.open == open[cur.kind]
		switch {
		case sOpen != curOpen:
			return sOpen
		case sOpen:
			return cmp.Or(cmp.Compare(cur.end, s.end), cmp.Compare(s.index, cur.index)) < 0
		}
		return cmp.Or(cmp.Compare(s.start, cur.start), cmp.Compare(cur.end, s.end), cmp.Compare(s.index, cur.index)) < 0
	}
	var pick [numKinds]*span
	for _, s := range active {
		if cur := pick[s.kind]; cur == nil || better(s, cur) {
			pick[s.kind] = s
		}
	}
	var want []*span
	code := pick[kindCode]
	for _, s := range pick {
		if s == nil {
			continue
		}
		if code != nil && s != code &&
			(s.start > code.start || s.start == code.start && s.end < code.end) {
			continue // would be inside the code
		}
		want = append(want, s)
	}
	return want
}

// TailToHTML is EntitiesToHTML for the part of a message from byte from
// on: the text of "/broadcast units <text>" without its command, keeping the
// formatting the person used in the text. Entities are shifted by the UTF-16
// length of what is cut; those wholly before it are dropped, one that
// straddles it is cut to the tail.
func TailToHTML(text string, entities []Entity, from int) string {
	from = max(0, min(from, len(text)))
	shift := 0
	for _, r := range text[:from] {
		shift += utf16Len(r)
	}
	var moved []Entity
	for _, e := range entities {
		start, end := e.Offset-shift, e.Offset+e.Length-shift
		if end <= 0 {
			continue
		}
		e.Offset, e.Length = max(start, 0), end-max(start, 0)
		moved = append(moved, e)
	}
	return EntitiesToHTML(text[from:], moved)
}
