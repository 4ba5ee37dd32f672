package messages

import "strings"

// Command is a bot command as /help lists it and setMyCommands registers it.
type Command struct {
	Name string // without the slash: "join"
	Key  Key    // the catalogue key of its one-line description
}

// maxDescription is Telegram's limit on a BotCommand description, which we
// count in UTF-16 units like everything else Telegram measures.
const maxDescription = 256

// Describe returns the description of c in lang as plain text on one line, at
// most 256 characters: setMyCommands does not parse HTML and refuses longer
// descriptions, so tags are removed, entities decoded, white space collapsed,
// and an overlong text is cut with an ellipsis rather than refused.
func Describe(lang Lang, c Command) string {
	d := strings.Join(strings.Fields(plainText(T(lang, c.Key))), " ")
	total := 0
	for _, r := range d {
		total += utf16Len(r)
	}
	if total <= maxDescription {
		return d
	}
	n := 0
	for i, r := range d {
		if n+utf16Len(r) > maxDescription-1 { // leave room for the ellipsis
			return strings.TrimRight(d[:i], " ") + "…"
		}
		n += utf16Len(r)
	}
	return d
}
