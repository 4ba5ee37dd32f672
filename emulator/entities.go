package emulator

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r)
}

func isCommandByte(c byte) bool { return isAlnum(c) || c == '_' }

// findBotCommands finds the bot_command entities Telegram adds to a text,
// following tdlib's match_bot_commands: "/" then 1–64 of [A-Za-z0-9_],
// optionally "@" and a 3–32 character username, not glued to a word or to
// "/", "<", ">" on either side. Offsets are in UTF-16 units.
func findBotCommands(text string) []Entity {
	var out []Entity
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '/')
		if k < 0 {
			break
		}
		p := i + k
		if p > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:p])
			if isWordRune(prev) || prev == '/' || prev == '<' || prev == '>' {
				i = p + 1
				continue
			}
		}
		j := p + 1
		for j < len(text) && isCommandByte(text[j]) {
			j++
		}
		if n := j - p - 1; n < 1 || n > 64 {
			i = max(j, p+1)
			continue
		}
		if j < len(text) && text[j] == '@' {
			m := j + 1
			for m < len(text) && isCommandByte(text[m]) {
				m++
			}
			if n := m - j - 1; n < 3 || n > 32 {
				i = m
				continue
			}
			j = m
		}
		if j < len(text) {
			next, _ := utf8.DecodeRuneInString(text[j:])
			if isWordRune(next) || next == '/' || next == '<' || next == '>' {
				i = j
				continue
			}
		}
		out = append(out, Entity{Type: "bot_command", Offset: utf16Len(text[:p]), Length: utf16Len(text[p:j])})
		i = j
	}
	return out
}
