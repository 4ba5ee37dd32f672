package messages

import (
	"strings"
	"unicode"
)

// MaxMessageLength is the most characters Telegram accepts in one text
// message, counted as Length counts them.
const MaxMessageLength = 4096

// breakKind ranks the places where a text may be cut, best last.
type breakKind uint8

const (
	noBreak        breakKind = iota
	breakSpace               // between words
	breakSentence            // after . ! ? or …, possibly followed by a closing quote or bracket
	breakLine                // at a line break
	breakParagraph           // at a blank line
)

// isBreakSpace reports whether r is white space a cut may drop. No-break
// spaces are excluded: they are there precisely to keep two words together.
func isBreakSpace(r rune) bool {
	return unicode.IsSpace(r) && r != '\u00a0' && r != '\u2007' && r != '\u202f'
}

// Split cuts the HTML text s into parts that Telegram accepts as separate
// messages, each of Length at most limit (MaxMessageLength if limit ≤ 0).
//
// A text that fits is returned as it is, in one part; empty text gives nil.
// Otherwise each part is filled as far as it goes and cut at the best place
// in its window, so that a reader on a phone sees whole paragraphs and
// sentences: between paragraphs (a blank line), then at a line break, then
// after the end of a sentence, then between words. A better kind of place wins
// only if it leaves the part at least half full, so that one short first
// paragraph does not cost a whole extra message; without any such place the
// latest place of any kind is used, and only a text without white space is
// cut inside a word, between two characters as a reader sees them (never
// inside a tag, an entity, an emoji, a flag or a letter with its combining
// marks, unless a single such cluster exceeds the window).
//
// The white space at a cut is dropped (Telegram would trim it anyway), as is
// white space at the very start of the text; no other character is lost or
// repeated. Tags open at a cut are closed at the end of the part and opened
// again, with the same attributes, at the start of the next, so every part is
// valid HTML on its own; a bare <, > or & in the input is written escaped.
// Parts that would contain no text are left out.
//
// One character is never split: with a limit of 1 an emoji (2 UTF-16 units)
// gets a part of its own that exceeds the limit, since there is nothing
// better to do with it.
func Split(s string, limit int) []string {
	if s == "" {
		return nil
	}
	if limit <= 0 {
		limit = MaxMessageLength
	}
	if Length(s) <= limit {
		return []string{s}
	}
	toks := tokenize(s)
	breaks := findBreaks(toks)
	var (
		parts []string
		stack []openTag
	)
	for pos := 0; pos < len(toks); {
		end := cutAt(toks, breaks, pos, limit)
		var (
			part    string
			hasText bool
		)
		part, hasText, stack = renderPart(toks[pos:end], stack)
		if hasText {
			parts = append(parts, part)
		}
		pos = end
	}
	return parts
}

// findBreaks marks each text token that starts a run of white space (tags may
// sit inside the run) after some text with the kind of break the run is.
func findBreaks(toks []token) []breakKind {
	kinds := make([]breakKind, len(toks))
	prev := -1 // the last text token that is not white space
	for i := 0; i < len(toks); {
		if toks[i].kind != tokText {
			i++
			continue
		}
		if !isBreakSpace(toks[i].r) {
			prev = i
			i++
			continue
		}
		newlines := 0
		j := i
		for ; j < len(toks); j++ {
			if toks[j].kind != tokText {
				continue
			}
			if !isBreakSpace(toks[j].r) {
				break
			}
			if toks[j].r == '\n' {
				newlines++
			}
		}
		if prev >= 0 {
			switch {
			case newlines >= 2:
				kinds[i] = breakParagraph
			case newlines == 1:
				kinds[i] = breakLine
			case endsSentence(toks, prev):
				kinds[i] = breakSentence
			default:
				kinds[i] = breakSpace
			}
		}
		i = j
	}
	return kinds
}

// endsSentence reports whether the text token at i ends a sentence: it is
// . ! ? or …, or a closing quote or bracket right after one.
func endsSentence(toks []token, i int) bool {
	if strings.ContainsRune(`"'”’»)]`, toks[i].r) {
		for i--; i >= 0 && toks[i].kind != tokText; i-- {
		}
		if i < 0 {
			return false
		}
	}
	return strings.ContainsRune(".!?…", toks[i].r)
}

// cutAt returns the index of the token where the part that starts at pos
// ends (the next part starts there).
func cutAt(toks []token, breaks []breakKind, pos, limit int) int {
	i := pos
	for i < len(toks) && (toks[i].kind != tokText || isBreakSpace(toks[i].r)) {
		i++
	}
	if i == len(toks) {
		return i // nothing but white space and tags left
	}
	first := i
	width := 0
	// latest[k] is the last break of kind k in the window, and the width of
	// the part if it is cut there. Later breaks make fuller parts, so the
	// latest one of a kind is the best one of that kind.
	var latest [breakParagraph + 1]struct{ at, width int }
	for ; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tokText {
			continue
		}
		if k := breaks[i]; k != noBreak {
			latest[k].at, latest[k].width = i, width
		}
		if width+t.width > limit {
			break
		}
		width += t.width
	}
	if i == len(toks) {
		return i // the rest fits
	}
	for k := breakParagraph; k > noBreak; k-- {
		if latest[k].at > first && 2*latest[k].width >= limit {
			return latest[k].at
		}
	}
	best := 0
	for k := breakParagraph; k > noBreak; k-- {
		best = max(best, latest[k].at)
	}
	if best > first {
		return best
	}
	return hardCut(toks, first, i)
}

// hardCut returns where to cut a window without white space that runs from
// the text token first to the text token over, the first one that does not
// fit: the last place in it between two graphemes, or else before over.
func hardCut(toks []token, first, over int) int {
	if over <= first {
		return first + 1 // one character wider than the limit: it goes alone
	}
	last := -1
	prev := toks[first].r
	ri := 0 // regional indicators in a row just before the current token
	if isRegionalIndicator(prev) {
		ri = 1
	}
	for j := first + 1; j <= over; j++ {
		t := toks[j]
		if t.kind != tokText {
			continue
		}
		if graphemeBoundary(prev, t.r, ri) {
			last = j
		}
		if isRegionalIndicator(t.r) {
			ri++
		} else {
			ri = 0
		}
		prev = t.r
	}
	if last > first {
		return last
	}
	return over
}

// graphemeBoundary approximates the Unicode rules for where a reader sees a
// new character (UAX #29), enough for Vietnamese and emoji: not before a
// combining mark, variation selector, emoji modifier or tag character, not
// around a zero-width joiner, and not inside a flag (a pair of regional
// indicators; ri counts those just before next).
func graphemeBoundary(prev, next rune, ri int) bool {
	switch {
	case unicode.In(next, unicode.Mn, unicode.Me, unicode.Mc),
		next == '\u200d', prev == '\u200d',
		0xfe00 <= next && next <= 0xfe0f,
		0xe0100 <= next && next <= 0xe01ef,
		0x1f3fb <= next && next <= 0x1f3ff,
		0xe0020 <= next && next <= 0xe007f:
		return false
	case isRegionalIndicator(next) && ri%2 == 1:
		return false
	}
	return true
}

func isRegionalIndicator(r rune) bool { return 0x1f1e6 <= r && r <= 0x1f1ff }

// openTag is an element open at some point of the text.
type openTag struct {
	name  string
	raw   string // the opening tag as written, attributes included
	shown bool   // written into the current part
}

// renderPart writes the tokens of one part. It starts with the elements open
// at the end of the previous part and returns those open at its own end.
//
// Opening tags are written lazily, just before the first character inside
// them, so a part never holds an empty element such as <b></b> (which a cut
// right after a tag would otherwise produce). Closing tags always match the
// innermost open element: a close that skips over others (malformed input)
// closes and reopens them, and one that matches nothing is dropped.
func renderPart(toks []token, stack []openTag) (string, bool, []openTag) {
	var b strings.Builder
	for i := range stack {
		stack[i].shown = false
	}
	show := func() {
		for i := range stack {
			if !stack[i].shown {
				b.WriteString(stack[i].raw)
				stack[i].shown = true
			}
		}
	}
	started := false
	for _, t := range toks {
		switch t.kind {
		case tokText:
			if !started && isBreakSpace(t.r) {
				continue
			}
			started = true
			show()
			if t.literal {
				b.WriteString(Escape(t.raw))
			} else {
				b.WriteString(t.raw)
			}
		case tokOpen:
			stack = append(stack, openTag{name: t.name, raw: t.raw})
		case tokClose:
			j := len(stack) - 1
			for j >= 0 && !strings.EqualFold(stack[j].name, t.name) {
				j--
			}
			if j < 0 {
				continue
			}
			for k := len(stack) - 1; k >= j; k-- {
				if stack[k].shown {
					b.WriteString("</" + stack[k].name + ">")
				}
			}
			above := append([]openTag(nil), stack[j+1:]...)
			for k := range above {
				above[k].shown = false
			}
			stack = append(stack[:j], above...)
		case tokSelfClose:
			show()
			b.WriteString(t.raw)
		}
	}
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].shown {
			b.WriteString("</" + stack[k].name + ">")
		}
	}
	return b.String(), started, stack
}
