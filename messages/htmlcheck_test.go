package messages

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the tests' own reading of Telegram HTML, written separately
// from html.go so that a bug there cannot hide itself.

// telegramTags are the tags Telegram's HTML parse mode accepts.
var telegramTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "tg-spoiler": true, "span": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

var (
	strictTagRE = regexp.MustCompile(`^<(/?)([a-z][a-z-]*)((?: [a-z-]+(?:="[^"<>]*")?)*)>$`)
	entityRE    = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);`)
)

// tagEnd returns the index just after the tag starting at s[i] == '<',
// skipping quoted attribute values, or -1.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j + 1
		}
	}
	return -1
}

// checkTelegramHTML reports why s is not HTML that Telegram accepts: a tag it
// does not know, tags that are not balanced, a bare < > or &, a link in a
// link, a quote in a quote, or anything inside code.
func checkTelegramHTML(s string) error { return checkHTML(s, true) }

// checkBalanced is checkTelegramHTML for text whose tags are not ours (fuzz
// input): tags only need to be balanced and characters escaped.
func checkBalanced(s string) error { return checkHTML(s, false) }

func checkHTML(s string, strict bool) error {
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := tagEnd(s, i)
			if j < 0 {
				return fmt.Errorf("offset %d: unterminated tag", i)
			}
			tag := s[i:j]
			name, closing, err := parseTag(tag, strict)
			if err != nil {
				return fmt.Errorf("offset %d: %w", i, err)
			}
			i = j
			if strings.HasSuffix(tag, "/>") && !strict {
				continue
			}
			if closing {
				if len(stack) == 0 || !strings.EqualFold(stack[len(stack)-1], name) {
					return fmt.Errorf("offset %d: %s closes %v", i, tag, stack)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			if strict && len(stack) > 0 {
				top := stack[len(stack)-1]
				switch {
				case top == "code":
					return fmt.Errorf("offset %d: %s inside <code>", i, tag)
				case top == "pre" && name != "code":
					return fmt.Errorf("offset %d: %s inside <pre>", i, tag)
				case (name == "a" || name == "blockquote") && contains(stack, name):
					return fmt.Errorf("offset %d: <%s> inside <%s>", i, name, name)
				}
			}
			stack = append(stack, name)
		case '&':
			m := entityRE.FindString(s[i:])
			if m == "" {
				return fmt.Errorf("offset %d: bare &", i)
			}
			i += len(m)
		case '>':
			return fmt.Errorf("offset %d: bare >", i)
		default:
			i++
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %v", stack)
	}
	return nil
}

func parseTag(tag string, strict bool) (name string, closing bool, err error) {
	if strict {
		m := strictTagRE.FindStringSubmatch(tag)
		if m == nil {
			return "", false, fmt.Errorf("malformed tag %s", tag)
		}
		if !telegramTags[m[2]] {
			return "", false, fmt.Errorf("tag %s not allowed by Telegram", tag)
		}
		if m[1] == "/" && m[3] != "" {
			return "", false, fmt.Errorf("closing tag with attributes %s", tag)
		}
		return m[2], m[1] == "/", nil
	}
	body := strings.TrimPrefix(tag[1:], "/")
	end := strings.IndexFunc(body, func(r rune) bool {
		return !(r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	})
	if end <= 0 {
		return "", false, fmt.Errorf("malformed tag %s", tag)
	}
	return body[:end], strings.HasPrefix(tag, "</"), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decodeHTML returns what a reader sees of valid HTML: tags dropped,
// entities decoded.
func decodeHTML(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if j := tagEnd(s, i); j > 0 {
				i = j
				continue
			}
		case '&':
			if m := entityRE.FindString(s[i:]); m != "" {
				b.WriteString(decodeEntity(m))
				i += len(m)
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func decodeEntity(m string) string {
	switch m {
	case "&lt;":
		return "<"
	case "&gt;":
		return ">"
	case "&amp;":
		return "&"
	case "&quot;":
		return `"`
	}
	num := strings.TrimSuffix(strings.TrimPrefix(m, "&#"), ";")
	base := 10
	if strings.HasPrefix(num, "x") {
		num, base = num[1:], 16
	}
	v, err := strconv.ParseInt(num, base, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return m
	}
	return string(rune(v))
}
