package messages

import (
	"strings"
	"unicode/utf8"
)

// This file reads Telegram HTML the way Telegram does, one token at a time,
// for Length, Split and Describe. It is deliberately lenient: Split must not
// panic or lose text on whatever it is given, so anything that is not a
// well-formed tag or a known entity is read as the literal characters it is.

type tokenKind uint8

const (
	tokText      tokenKind = iota // one character, written literally or as an entity
	tokOpen                       // <name ...>
	tokClose                      // </name>
	tokSelfClose                  // <name .../>, which Telegram does not use; kept as written
)

// token is one piece of an HTML text.
type token struct {
	kind tokenKind
	raw  string // the bytes as written in the source
	name string // tags: the element name as written
	r    rune   // text: the character it stands for (utf8.RuneError for an invalid byte)
	// width is the number of UTF-16 code units Telegram counts for a text
	// token: 2 for characters outside the Basic Multilingual Plane, else 1.
	width int
	// literal marks a text token that is a bare <, > or & which should have
	// been escaped; Split writes it escaped so that its parts stay valid.
	literal bool
}

// nextToken reads the token that starts at s[i] and returns it with the index
// just after it. i must be < len(s).
func nextToken(s string, i int) (token, int) {
	switch s[i] {
	case '<':
		if t, j, ok := readTag(s, i); ok {
			return t, j
		}
		return token{kind: tokText, raw: "<", r: '<', width: 1, literal: true}, i + 1
	case '&':
		if r, j, ok := readEntity(s, i); ok {
			return token{kind: tokText, raw: s[i:j], r: r, width: utf16Len(r)}, j
		}
		return token{kind: tokText, raw: "&", r: '&', width: 1, literal: true}, i + 1
	case '>':
		return token{kind: tokText, raw: ">", r: '>', width: 1, literal: true}, i + 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return token{kind: tokText, raw: s[i : i+n], r: r, width: utf16Len(r)}, i + n
}

func utf16Len(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// readTag reads a tag starting at s[i] == '<': an optional '/', a name that
// starts with a letter, then anything up to the first '>' outside quotes.
func readTag(s string, i int) (token, int, bool) {
	j := i + 1
	kind := tokOpen
	if j < len(s) && s[j] == '/' {
		kind = tokClose
		j++
	}
	if j >= len(s) || !isLetter(s[j]) {
		return token{}, 0, false
	}
	start := j
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	name := s[start:j]
	var quote byte
	for ; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			if kind == tokOpen && s[j-1] == '/' {
				kind = tokSelfClose
			}
			return token{kind: kind, raw: s[i : j+1], name: name}, j + 1, true
		}
	}
	return token{}, 0, false
}

// readEntity reads an entity starting at s[i] == '&'. Telegram knows only
// &lt; &gt; &amp; &quot; and numeric entities; anything else is a literal '&'
// (which Telegram would refuse, so counting it in full errs on the safe side).
func readEntity(s string, i int) (rune, int, bool) {
	rest := s[i+1:]
	for _, e := range [...]struct {
		name string
		r    rune
	}{{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}} {
		if strings.HasPrefix(rest, e.name) {
			return e.r, i + 1 + len(e.name), true
		}
	}
	if len(rest) < 3 || rest[0] != '#' {
		return 0, 0, false
	}
	base, j := 10, 1
	if rest[1] == 'x' || rest[1] == 'X' {
		base, j = 16, 2
	}
	var v rune
	digits := 0
	for ; j < len(rest) && digits <= 8; j++ {
		d := digitValue(rest[j], base)
		if d < 0 {
			break
		}
		v = v*rune(base) + rune(d)
		digits++
	}
	if digits == 0 || digits > 8 || j >= len(rest) || rest[j] != ';' ||
		v == 0 || !utf8.ValidRune(v) {
		return 0, 0, false
	}
	return v, i + 1 + j + 1, true
}

func digitValue(c byte, base int) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case base == 16 && 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case base == 16 && 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// tokenize reads all of s.
func tokenize(s string) []token {
	toks := make([]token, 0, len(s))
	for i := 0; i < len(s); {
		var t token
		t, i = nextToken(s, i)
		toks = append(toks, t)
	}
	return toks
}

// Length is the length Telegram counts for the HTML text s and holds against
// MaxMessageLength: tags do not count, an entity counts as the one character
// it stands for, and characters are counted in UTF-16 code units (an emoji is
// usually 2).
func Length(s string) int {
	n := 0
	for i := 0; i < len(s); {
		var t token
		t, i = nextToken(s, i)
		if t.kind == tokText {
			n += t.width
		}
	}
	return n
}

// plainText is what a reader sees of the HTML text s: tags removed, entities
// decoded. Invalid UTF-8 is kept byte for byte.
func plainText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		var t token
		t, i = nextToken(s, i)
		if t.kind != tokText {
			continue
		}
		if t.raw[0] == '&' && !t.literal {
			b.WriteRune(t.r)
		} else {
			b.WriteString(t.raw)
		}
	}
	return b.String()
}

// safeSchemes are the only URL schemes a link Loa writes may have: web
// pages, Telegram's own links and mail. Anything else (javascript:, data:,
// vbscript:, file:, a relative link) could run code or mislead in a client
// that renders the href, so it is never written.
var safeSchemes = map[string]bool{"http": true, "https": true, "tg": true, "mailto": true}

// SafeURL returns raw as it may go into <a href>, or "" when its scheme is
// not http, https, tg or mailto. It reads the scheme the way browsers do
// (WHATWG URL): leading and trailing control characters and spaces are
// ignored, tabs and newlines anywhere are dropped, and the scheme is case
// insensitive; control characters and spaces inside the scheme are removed
// too, so "java\tscript:" and " JaVaScRiPt:" are both javascript. The URL
// returned is the cleaned one, scheme in lower case, so what is written is
// what was checked.
func SafeURL(raw string) string {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return "" // no scheme: a relative link, which Telegram cannot open either
	}
	scheme := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s[:colon])
	if !safeSchemes[scheme] {
		return ""
	}
	return scheme + s[colon:]
}
