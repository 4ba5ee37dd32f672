package sandbox

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/loabot/loa/emulator"
)

// markers are the shortcuts Telegram's apps turn into formatting while a
// person types: the text between two markers gets the entity, the markers
// go away.
var markers = []struct {
	mark, entity string
}{
	{"**", "bold"},
	{"__", "italic"},
	{"~~", "strikethrough"},
	{"||", "spoiler"},
	{"`", "code"},
}

// commandRE finds bot commands the way Telegram detects them: a "/" at the
// start or after a space, letters, digits and "_", an optional @bot.
var commandRE = regexp.MustCompile(`(^|\s)(/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?)`)

// Compose turns what a person typed into the text and entities a Telegram
// app would send: the formatting shortcuts become entities, commands get
// bot_command entities. Offsets are in UTF-16 units.
func Compose(typed string) (string, []emulator.Entity) {
	var out strings.Builder
	var ents []emulator.Entity
	units := 0 // UTF-16 length of out
	s := typed
	for len(s) > 0 {
		matched := false
		for _, m := range markers {
			if !strings.HasPrefix(s, m.mark) {
				continue
			}
			rest := s[len(m.mark):]
			end := strings.Index(rest, m.mark)
			if end <= 0 || strings.TrimSpace(rest[:end]) == "" {
				continue
			}
			inner := rest[:end]
			n := len(utf16.Encode([]rune(inner)))
			ents = append(ents, emulator.Entity{Type: m.entity, Offset: units, Length: n})
			out.WriteString(inner)
			units += n
			s = rest[end+len(m.mark):]
			matched = true
			break
		}
		if matched {
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		out.WriteString(s[:size])
		units += len(utf16.Encode([]rune{r}))
		s = s[size:]
	}
	text := out.String()
	for _, loc := range commandRE.FindAllStringSubmatchIndex(text, -1) {
		start := len(utf16.Encode([]rune(text[:loc[4]])))
		n := len(utf16.Encode([]rune(text[loc[4]:loc[5]])))
		ents = append(ents, emulator.Entity{Type: "bot_command", Offset: start, Length: n})
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Offset < ents[j].Offset })
	return text, ents
}
