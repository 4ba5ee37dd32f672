package handlers

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxArgsLength bounds what a command's arguments may be, in characters. It is
// far above any real use (a broadcast is the longest) and keeps a pasted novel
// from being carried through every handler and into the database.
const MaxArgsLength = 4096

// Command is a parsed "/name@bot args" message.
type Command struct {
	// Name is the command in lower case, without the slash or the bot's name.
	Name string
	// Mention is the bot named after "@", lower case, or "" when none was.
	Mention string
	// Args is everything after the command, NFC-normalised and trimmed, with
	// runs of spaces inside kept as they are (a broadcast's text keeps its
	// layout). Use Fields for word arguments.
	Args string
	// ArgsOffset is where Args starts in the original text, in bytes, so
	// formatting entities can be mapped onto the arguments.
	ArgsOffset int
}

// Fields splits Args on any white space, the way people type arguments.
func (c Command) Fields() []string { return strings.Fields(c.Args) }

// ParseCommand recognises a command at the start of text. Telegram clients
// send "/cmd", "/cmd args", and in groups "/cmd@bot_name args"; people also
// type "/CMD" or put several spaces or a new line after the command. Text in
// decomposed Unicode (NFD, typed on some Vietnamese keyboards) is normalised
// to NFC so "/tìm" and "/ti\u0300m" are the same command.
func ParseCommand(text string) (Command, bool) {
	if !strings.HasPrefix(text, "/") {
		return Command{}, false
	}
	end := len(text)
	for i, r := range text {
		if unicode.IsSpace(r) {
			end = i
			break
		}
	}
	head := text[1:end]
	name, mention, _ := strings.Cut(head, "@")
	name = norm.NFC.String(strings.ToLower(name))
	if name == "" || utf8.RuneCountInString(name) > 32 {
		return Command{}, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			// Telegram only highlights Latin commands; "/ 5" or "/đi" is
			// text, not a command.
			return Command{}, false
		}
	}
	rest := text[end:]
	trimmed := strings.TrimLeftFunc(rest, unicode.IsSpace)
	offset := end + len(rest) - len(trimmed)
	args := strings.TrimRightFunc(trimmed, unicode.IsSpace)
	return Command{
		Name:       name,
		Mention:    strings.ToLower(mention),
		Args:       norm.NFC.String(args),
		ArgsOffset: offset,
	}, true
}
