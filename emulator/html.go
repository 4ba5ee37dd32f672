package emulator

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxTextLength is Telegram's limit on a message text, in UTF-16 code units
// after entity parsing, cleaning and trimming.
const MaxTextLength = 4096

// TextError is a rejection of a message text. Description is the Bot API
// description, e.g. `Bad Request: can't parse entities: Unsupported start
// tag "br" at byte offset 5`.
type TextError struct {
	Description string
}

// Error returns the Bot API description.
func (e *TextError) Error() string { return e.Description }

func entityErr(format string, args ...any) *TextError {
	return &TextError{Description: "Bad Request: can't parse entities: " + fmt.Sprintf(format, args...)}
}

var (
	errTextEmpty   = &TextError{Description: "Bad Request: message text is empty"}
	errTextTooLong = &TextError{Description: "Bad Request: message is too long"}
	errTextUTF8    = &TextError{Description: "Bad Request: strings must be encoded in UTF-8"}
)

// ParseHTML parses text in parse mode HTML the way Telegram does and
// returns the text a person reads and its entities (UTF-16 offsets). It
// applies the emulator's default strictness: on top of everything Telegram
// rejects it rejects what Telegram silently accepts but is almost always a
// bug (see WithTelegramLeniency). Errors are *TextError.
func ParseHTML(html string) (string, []Entity, error) {
	return formatText(html, "HTML", nil, true)
}

// TextLength returns the length Telegram measures for a message text in
// parse mode HTML: UTF-16 code units after tags are removed, entities
// decoded and the text cleaned and trimmed. A message is accepted when the
// length is at most MaxTextLength. The error is the one Telegram would
// answer if the HTML is invalid or the text empty.
func TextLength(html string) (int, error) {
	text, _, err := parseAndClean(html, "HTML", nil, true)
	if err != nil {
		return 0, err
	}
	return utf16Len(text), nil
}

// formatText turns a text parameter into the stored text and entities, or
// the error Telegram would answer, including the length check.
func formatText(raw, parseMode string, given []Entity, pedantic bool) (string, []Entity, error) {
	text, ents, err := parseAndClean(raw, parseMode, given, pedantic)
	if err != nil {
		return "", nil, err
	}
	if len(text) > MaxTextLength && utf16Len(text) > MaxTextLength {
		return "", nil, errTextTooLong
	}
	return text, ents, nil
}

func parseAndClean(raw, parseMode string, given []Entity, pedantic bool) (string, []Entity, error) {
	if raw == "" {
		return "", nil, errTextEmpty
	}
	if !utf8.ValidString(raw) {
		return "", nil, errTextUTF8
	}
	text, ents := raw, given
	if parseMode == "HTML" {
		var err error
		text, ents, err = parseHTML(raw, pedantic)
		if err != nil {
			return "", nil, err
		}
	}
	return cleanText(text, ents)
}

func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c&0xC0 != 0x80 {
			n++
			if c >= 0xF0 {
				n++
			}
		}
	}
	return n
}

// isSpace is tdlib's is_space: the NUL that ends a C string counts, which the
// parser relies on at the end of the text.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == '\v'
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

func hexVal(c byte) uint64 {
	if isDigit(c) {
		return uint64(c - '0')
	}
	return uint64(c|0x20-'a') + 10
}

// decodeEntity is tdlib's decode_html_entity: it decodes the character
// reference at s[pos] (which is '&') and returns the code point and the
// position after it, or 0 if there is none. Only &lt; &gt; &amp; &quot; and
// numeric references are known; the ';' is optional.
func decodeEntity(s string, pos int) (rune, int) {
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	end := pos + 1
	var res uint64
	if at(pos+1) == '#' {
		end++
		if at(pos+2) == 'x' {
			end++
			for isHex(at(end)) {
				res = res*16 + hexVal(at(end))
				end++
				if res > 0x10FFFF {
					res = 0x110000 // keep it from overflowing; rejected below
				}
			}
		} else {
			for isDigit(at(end)) {
				res = res*10 + uint64(at(end)-'0')
				end++
				if res > 0x10FFFF {
					res = 0x110000
				}
			}
		}
		if res == 0 || res >= 0x10FFFF || end-pos >= 10 {
			return 0, pos
		}
	} else {
		for isAlpha(at(end)) {
			end++
		}
		switch s[pos+1 : end] {
		case "lt":
			res = '<'
		case "gt":
			res = '>'
		case "amp":
			res = '&'
		case "quot":
			res = '"'
		default:
			return 0, pos
		}
	}
	if at(end) == ';' {
		end++
	}
	return rune(res), end
}

func errNoSemicolon(pos int) *TextError {
	return entityErr(`Character entity without ";" at byte offset %d (emulator: Telegram would decode it, which an unescaped "&" followed by "lt", "gt", "amp" or "quot" never means; escape "&" as "&amp;")`, pos)
}

// htmlTags are the tags Telegram accepts in parse mode HTML.
var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "s": true, "strike": true, "del": true,
	"u": true, "ins": true, "tg-spoiler": true, "tg-emoji": true, "span": true, "pre": true, "code": true,
	"blockquote": true,
}

type openTag struct {
	name    string
	arg     string
	offset  int // UTF-16 offset in the output
	bytePos int // byte offset in the output
}

// parseHTML is a port of tdlib's parse_html (td/telegram/MessageEntity.cpp),
// the code behind parse_mode=HTML, so that errors, their byte offsets and
// the resulting entities are Telegram's. pedantic adds rejections for input
// Telegram accepts silently; those errors say so.
//
// Telegram, and therefore this parser, accepts a bare ">" in text: the docs
// ask to escape it, but it can never start a tag, and tdlib copies it
// through. A bare "<" always starts a tag (`a < b` fails with Unsupported
// start tag ""), so it must be escaped.
func parseHTML(s string, pedantic bool) (string, []Entity, error) {
	n := len(s)
	at := func(i int) byte {
		if i < n {
			return s[i]
		}
		return 0
	}
	out := make([]byte, 0, n)
	var ents []Entity
	var stack []openTag
	u16 := 0
	hasSurrogate := false

	for i := 0; i < n; {
		c := s[i]
		if c == '&' {
			if r, next := decodeEntity(s, i); r != 0 {
				if pedantic && s[next-1] != ';' {
					return "", nil, errNoSemicolon(i)
				}
				if r >= 0xD800 && r <= 0xDFFF {
					hasSurrogate = true
				}
				u16++
				if r > 0xFFFF {
					u16++
				}
				out = utf8.AppendRune(out, r)
				i = next
				continue
			}
			if pedantic {
				return "", nil, entityErr(`Unsupported character entity at byte offset %d (emulator: Telegram would show it as is; escape "&" as "&amp;")`, i)
			}
		}
		if c != '<' {
			if c&0xC0 != 0x80 {
				u16++
				if c >= 0xF0 {
					u16++
				}
			}
			out = append(out, c)
			i++
			continue
		}

		begin := i
		i++
		if at(i) != '/' {
			// a start tag
			for !isSpace(at(i)) && at(i) != '>' {
				i++
			}
			if at(i) == 0 {
				return "", nil, entityErr("Unclosed start tag at byte offset %d", begin)
			}
			name := strings.ToLower(s[begin+1 : i])
			if !htmlTags[name] {
				return "", nil, entityErr("Unsupported start tag %q at byte offset %d", name, begin)
			}
			var arg string
			for at(i) != '>' {
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) == '>' {
					break
				}
				attrBegin := i
				for !isSpace(at(i)) && at(i) != '=' && at(i) != '>' && at(i) != '/' && at(i) != '"' && at(i) != '\'' {
					i++
				}
				attr := s[attrBegin:i]
				if attr == "" {
					return "", nil, entityErr("Empty attribute name in the tag %q at byte offset %d", name, begin)
				}
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) != '=' {
					if at(i) == 0 {
						return "", nil, entityErr("Unclosed start tag %q at byte offset %d", name, begin)
					}
					if name == "blockquote" && attr == "expandable" {
						arg = "1"
					} else if pedantic {
						return "", nil, entityErr("Unsupported attribute %q in the tag %q at byte offset %d (emulator: Telegram would ignore it)", attr, name, begin)
					}
					continue
				}
				i++
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) == 0 {
					return "", nil, entityErr("Unclosed start tag %q at byte offset %d", name, begin)
				}
				var value string
				if at(i) != '\'' && at(i) != '"' {
					// a name token: letters, digits, periods and hyphens, case-insensitive
					tokBegin := i
					for isAlnum(at(i)) || at(i) == '.' || at(i) == '-' {
						i++
					}
					value = strings.ToLower(s[tokBegin:i])
					if !isSpace(at(i)) && at(i) != '>' {
						return "", nil, entityErr("Unexpected end of name token at byte offset %d", tokBegin)
					}
				} else {
					quote := at(i)
					i++
					var v []byte
					for at(i) != quote && at(i) != 0 {
						if at(i) == '&' {
							if r, next := decodeEntity(s, i); r != 0 {
								if pedantic && s[next-1] != ';' {
									return "", nil, errNoSemicolon(i)
								}
								v = utf8.AppendRune(v, r)
								i = next
								continue
							}
							if pedantic {
								return "", nil, entityErr(`Unsupported character entity at byte offset %d (emulator: Telegram would keep it as is; escape "&" as "&amp;")`, i)
							}
						}
						v = append(v, s[i])
						i++
					}
					if at(i) == quote {
						i++
					}
					value = string(v)
				}
				if at(i) == 0 {
					return "", nil, entityErr("Unclosed start tag at byte offset %d", begin)
				}
				switch {
				case name == "a" && attr == "href":
					arg = value
				case name == "code" && attr == "class" && strings.HasPrefix(value, "language-"):
					arg = value[len("language-"):]
				case name == "span" && attr == "class" && strings.HasPrefix(value, "tg-"):
					arg = value[len("tg-"):]
				case name == "tg-emoji" && attr == "emoji-id":
					arg = value
				case name == "blockquote" && attr == "expandable":
					arg = "1"
				case pedantic:
					return "", nil, entityErr("Unsupported attribute %q in the tag %q at byte offset %d (emulator: Telegram would ignore it)", attr, name, begin)
				}
			}
			if name == "span" && arg != "spoiler" {
				return "", nil, entityErr(`Tag "span" must have class "tg-spoiler" at byte offset %d`, begin)
			}
			if pedantic && name == "a" {
				if arg == "" {
					return "", nil, entityErr(`Tag "a" must have a non-empty attribute "href" at byte offset %d (emulator: Telegram would link the text itself or nothing)`, begin)
				}
				if _, _, ok := checkLink(arg); !ok {
					return "", nil, entityErr(`Invalid URL %q in the tag "a" at byte offset %d (emulator: Telegram would drop the link silently)`, arg, begin)
				}
			}
			stack = append(stack, openTag{name: name, arg: arg, offset: u16, bytePos: len(out)})
			i++ // past '>'
			continue
		}

		// an end tag
		if len(stack) == 0 {
			return "", nil, entityErr("Unexpected end tag at byte offset %d", begin)
		}
		for !isSpace(at(i)) && at(i) != '>' {
			i++
		}
		endName := strings.ToLower(s[begin+2 : i])
		for isSpace(at(i)) && at(i) != 0 {
			i++
		}
		if at(i) != '>' {
			return "", nil, entityErr("Unclosed end tag at byte offset %d", begin)
		}
		i++
		top := stack[len(stack)-1]
		if endName != "" && endName != top.name {
			return "", nil, entityErr(`Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"`, begin, top.name, endName)
		}
		if u16 > top.offset {
			var err error
			ents, err = closeEntity(ents, top, u16-top.offset, out)
			if err != nil {
				return "", nil, err
			}
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		return "", nil, entityErr("Can't find end tag corresponding to start tag %q", stack[len(stack)-1].name)
	}
	if hasSurrogate {
		return "", nil, entityErr("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
	}
	for k := range ents {
		if ents[k].Type == "code" {
			ents[k].Language = ""
		}
	}
	sortEntities(ents)
	return string(out), ents, nil
}

// closeEntity appends the entity of a closed tag, merging <pre><code
// class="language-x"> into one pre entity with a language as tdlib does.
func closeEntity(ents []Entity, t openTag, length int, out []byte) ([]Entity, error) {
	e := Entity{Offset: t.offset, Length: length}
	last := len(ents) - 1
	switch t.name {
	case "i", "em":
		e.Type = "italic"
	case "b", "strong":
		e.Type = "bold"
	case "s", "strike", "del":
		e.Type = "strikethrough"
	case "u", "ins":
		e.Type = "underline"
	case "tg-spoiler", "span":
		e.Type = "spoiler"
	case "tg-emoji":
		id, err := strconv.ParseInt(t.arg, 10, 64)
		if err != nil || id == 0 {
			return nil, entityErr("Invalid custom emoji identifier specified")
		}
		e.Type, e.CustomEmojiID = "custom_emoji", t.arg
	case "a":
		link := t.arg
		if link == "" {
			link = string(out[t.bytePos:])
		}
		if uid, ok := linkUserID(link); ok {
			e.Type, e.User = "text_mention", &User{ID: uid}
			break
		}
		norm, _, ok := checkLink(link)
		if !ok {
			return ents, nil // Telegram drops a link it can't use
		}
		e.Type, e.URL = "text_link", norm
	case "pre":
		if last >= 0 && ents[last].Type == "code" && ents[last].Offset == e.Offset && ents[last].Length == e.Length && ents[last].Language != "" {
			ents[last].Type = "pre"
			return ents, nil
		}
		e.Type = "pre"
	case "code":
		if last >= 0 && ents[last].Type == "pre" && ents[last].Offset == e.Offset && ents[last].Length == e.Length && t.arg != "" {
			ents[last].Language = t.arg
			return ents, nil
		}
		e.Type, e.Language = "code", t.arg
	case "blockquote":
		e.Type = "blockquote"
		if t.arg != "" {
			e.Type = "expandable_blockquote"
		}
	}
	return append(ents, e), nil
}

// entityPriority orders entities that start and end together, as tdlib's
// get_type_priority does.
var entityPriority = map[string]int{
	"mention": 50, "hashtag": 50, "bot_command": 50, "url": 50, "email": 50, "cashtag": 50,
	"phone_number": 50, "bold": 90, "italic": 91, "code": 20, "pre": 11, "text_link": 49,
	"text_mention": 49, "underline": 92, "strikethrough": 93, "blockquote": 0, "expandable_blockquote": 0,
	"spoiler": 94, "custom_emoji": 99,
}

func sortEntities(es []Entity) {
	if len(es) < 2 {
		return
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		if a.Length != b.Length {
			return a.Length > b.Length
		}
		return entityPriority[a.Type] < entityPriority[b.Type]
	})
}

// linkUserID recognises tg://user?id=N, which makes a text_mention.
func linkUserID(link string) (int64, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(link), "tg://user?id=")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// checkLink approximates tdlib's LinkManager::check_link: http, https, tg
// and ton links are accepted, a link without a scheme is taken as http, and
// http(s) links are normalised the way Telegram echoes them (a bare host
// gets a trailing "/"). reason is Telegram's wording for a rejected link.
func checkLink(link string) (normalized, reason string, ok bool) {
	link = strings.TrimSpace(link)
	if link == "" {
		return "", "URL must be non-empty", false
	}
	if strings.ContainsAny(link, " \t\n\r") {
		return "", "Wrong HTTP URL", false
	}
	lower := strings.ToLower(link)
	scheme := ""
	if k := strings.Index(lower, "://"); k > 0 {
		scheme = lower[:k]
	} else if strings.HasPrefix(lower, "tg:") || strings.HasPrefix(lower, "ton:") {
		scheme = lower[:strings.IndexByte(lower, ':')]
	}
	switch scheme {
	case "":
		link = "http://" + link
	case "http", "https":
	case "tg", "ton":
		if len(link) <= len(scheme)+1 || strings.TrimLeft(link[len(scheme)+1:], "/") == "" {
			return "", "Wrong URL", false
		}
		return link, "", true
	default:
		return "", "Unsupported URL protocol", false
	}
	u, err := url.Parse(link)
	if err != nil || u.Host == "" || u.User != nil {
		return "", "Wrong HTTP URL", false
	}
	host := u.Hostname()
	// Telegram wants a public host name: "localhost" or "intranet" are refused.
	if host == "" || strings.HasPrefix(host, ".") || strings.Contains(host, "..") ||
		(!strings.Contains(strings.TrimSuffix(host, "."), ".") && net.ParseIP(host) == nil) {
		return "", "Wrong HTTP URL", false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n <= 0 || n > 65535 {
			return "", "Wrong port number specified in the URL", false
		}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	return u.String(), "", true
}

// cleanText applies what tdlib's fix_formatted_text does to every message
// text: control characters become spaces (tab and newline stay), "\r",
// U+2028..U+202E and three combining "vertical line" marks are removed,
// whitespace is trimmed at the end and spaces and newlines at the start
// (up to the first entity), and a text left with nothing visible is empty.
// Entity offsets follow the removals. Letters are never normalised: NFD
// Vietnamese stays NFD.
func cleanText(text string, ents []Entity) (string, []Entity, error) {
	if needsCleaning(text) {
		text, ents = removeUnwanted(text, ents)
	}
	// rtrim
	end := len(text)
	for end > 0 && (text[end-1] == ' ' || text[end-1] == '\n' || text[end-1] == '\t') {
		end--
	}
	if end == 0 {
		return "", nil, errTextEmpty
	}
	if end < len(text) {
		text = text[:end]
		limit := utf16Len(text)
		kept := ents[:0:0]
		for _, e := range ents {
			if e.Offset >= limit {
				continue
			}
			if e.Offset+e.Length > limit {
				e.Length = limit - e.Offset
			}
			kept = append(kept, e)
		}
		ents = kept
	}
	// ltrim, not into an entity
	first := len(text)
	if len(ents) > 0 {
		first = ents[0].Offset // the prefix is ASCII, so UTF-16 and byte offsets agree
	}
	start := 0
	for start < first && (text[start] == ' ' || text[start] == '\n') {
		start++
	}
	if start > 0 {
		text = text[start:]
		if len(ents) > 0 {
			shifted := make([]Entity, len(ents))
			for k, e := range ents {
				e.Offset -= start
				shifted[k] = e
			}
			ents = shifted
		}
	}
	if isEmptyText(text) {
		return "", nil, errTextEmpty
	}
	return text, ents, nil
}

func needsCleaning(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\n' && c != '\t':
			return true
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] >= 0xA8 && s[i+2] <= 0xAE:
			return true
		case c == 0xCC && i+1 < len(s) && (s[i+1] == 0xB3 || s[i+1] == 0xBF || s[i+1] == 0x8A):
			return true
		}
	}
	return false
}

// removeUnwanted is the slow path of cleanText, taken only when the text
// has something to remove or replace.
func removeUnwanted(s string, ents []Entity) (string, []Entity) {
	out := make([]byte, 0, len(s))
	var removedAt []int // UTF-16 offsets (in the input) of removed units
	u16 := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\r':
			removedAt = append(removedAt, u16)
			u16++
			i++
			continue
		case c < 0x20 && c != '\n' && c != '\t':
			out = append(out, ' ')
			u16++
			i++
			continue
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] >= 0xA8 && s[i+2] <= 0xAE,
			c == 0xCC && i+1 < len(s) && (s[i+1] == 0xB3 || s[i+1] == 0xBF || s[i+1] == 0x8A):
			_, size := utf8.DecodeRuneInString(s[i:])
			removedAt = append(removedAt, u16)
			u16++
			i += size
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		out = append(out, s[i:i+size]...)
		u16++
		if size == 4 {
			u16++
		}
		i += size
	}
	if len(removedAt) == 0 || len(ents) == 0 {
		return string(out), ents
	}
	shift := func(off int) int {
		k := sort.SearchInts(removedAt, off) // removed units before off
		return off - k
	}
	kept := make([]Entity, 0, len(ents))
	for _, e := range ents {
		start, end := shift(e.Offset), shift(e.Offset+e.Length)
		if end > start {
			e.Offset, e.Length = start, end-start
			kept = append(kept, e)
		}
	}
	return string(out), kept
}

// isEmptyText is tdlib's is_empty_string: a text made only of blanks and
// invisible characters cannot be sent. (U+3164 HANGUL FILLER is not among
// them, which is why people use it for "empty" messages.)
func isEmptyText(s string) bool {
	for _, r := range s {
		switch {
		case r == ' ' || r == '\n' || r == '\t':
		case r == 0x1680 || r == 0x180E:
		case r >= 0x2000 && r <= 0x200F:
		case r >= 0x2028 && r <= 0x202F:
		case r >= 0x205F && r <= 0x2064:
		case r == 0x2800 || r == 0x3000 || r == 0xFEFF || r == 0xFFFC:
		default:
			return false
		}
	}
	return true
}
