// Package messages holds every sentence Loa says and the rules for putting
// text into a Telegram message.
//
// Handlers never write text of their own: they call T with a Key and the
// arguments, and get Telegram HTML back, with everything that came from people
// or from the outside (names, unit titles, article titles) escaped. Sentences
// live in one catalogue per language (catalog_vi.go, catalog_en.go) so that a
// translator edits one file and a test can prove the catalogues agree.
//
// The package also renders a person's formatted message back into HTML
// (EntitiesToHTML, used when an admin's /broadcast is forwarded), measures text
// the way Telegram does (Length) and cuts long text into messages Telegram
// accepts (Split). It imports nothing of Loa's, so every other package may use
// it.
package messages

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// HTML is a fragment of Telegram HTML that is already rendered and trusted:
// T, Bold, Link and friends return it, and T inserts an HTML argument as it is
// instead of escaping it. Converting a string to HTML is a promise that the
// string is valid Telegram HTML; never convert text that came from a person.
type HTML string

// catalogs maps each language to its catalogue. Vietnamese is the reference.
var catalogs = map[Lang]map[Key]string{
	Vietnamese: catalogVI,
	English:    catalogEN,
}

// extend adds a feature's entries (kept in the feature's own file) to a
// language's catalogue. A key defined twice is a programming error.
func extend(lang Lang, entries map[Key]string) {
	cat := catalogs[lang]
	for k, v := range entries {
		if _, dup := cat[k]; dup {
			panic("messages: catalogue entry defined twice: " + string(k))
		}
		cat[k] = v
	}
}

// T renders the catalogue entry of key in lang, fmt-style, as Telegram HTML.
//
// Arguments are made safe before they are formatted, because they come from
// people and from feeds: an HTML argument is inserted as it is; a number or a
// bool is formatted as usual; anything else (string, fmt.Stringer, error, …) is
// formatted with its verb, normalised to NFC (names and feed text often arrive
// decomposed, which phones render with misplaced tone marks) and HTML-escaped.
//
// A key missing in lang falls back to Vietnamese, and a key missing everywhere
// renders as the key itself, so a mistake shows up as "start.greeting" in a
// chat rather than as an empty message; a test guarantees this never happens
// for the Key constants.
func T(lang Lang, key Key, args ...any) string {
	format, ok := catalogs[lang][key]
	if !ok {
		format, ok = catalogVI[key]
	}
	if !ok {
		return Escape(string(key))
	}
	// Always through Sprintf, even without arguments, so that an entry is
	// always a format string and "%%" means the same in every entry.
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case Count:
			safe[i] = counted{lang, int(v)}
		case HTML,
			int, int8, int16, int32, int64,
			uint, uint8, uint16, uint32, uint64, uintptr,
			float32, float64, bool:
			safe[i] = a
		default:
			safe[i] = escaped{a}
		}
	}
	return fmt.Sprintf(format, safe...)
}

// escaped formats its value with the verb and flags of the catalogue entry,
// then normalises and escapes the result. Doing it inside Format, rather than
// escaping a %v rendering up front, keeps verbs such as %q or %-10s meaning
// what the translator wrote.
type escaped struct{ v any }

func (e escaped) Format(f fmt.State, verb rune) {
	io.WriteString(f, text(fmt.Sprintf(fmt.FormatString(f, verb), e.v)))
}

// htmlEscaper escapes the characters that Telegram's HTML parser treats
// specially. The quote is included so that the same function is safe inside
// attribute values; Telegram decodes &quot; in text too.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// Escape returns s with &, <, > and " replaced by the HTML entities Telegram
// understands, so that s appears in a message exactly as written (Telegram
// rejects a message with a stray < or &). It changes nothing else.
func Escape(s string) string { return htmlEscaper.Replace(s) }

// text is how words for people enter HTML: NFC, then escaped.
func text(s string) string { return Escape(norm.NFC.String(s)) }

// Bold returns s in bold, escaped (and normalised to NFC, like T's arguments).
func Bold(s string) HTML { return HTML("<b>" + text(s) + "</b>") }

// Italic returns s in italics, escaped and normalised to NFC.
func Italic(s string) HTML { return HTML("<i>" + text(s) + "</i>") }

// Code returns s in a monospace span, escaped and normalised to NFC; use it for
// things a person may have to type, such as a unit code or a usage line.
func Code(s string) HTML { return HTML("<code>" + text(s) + "</code>") }

// Link returns text as a link to url, both escaped. An empty url yields the text
// alone, because Telegram refuses a link without a target; so does a url
// SafeURL refuses (javascript:, data:, …), which must never reach an href.
func Link(url, linkText string) HTML {
	if url = SafeURL(url); url == "" {
		return HTML(text(linkText))
	}
	return HTML(`<a href="` + Escape(url) + `">` + text(linkText) + "</a>")
}

// Plain renders a catalogue entry as plain text, for the places Telegram
// does not parse HTML: button labels and button-press toasts. Arguments are
// not escaped there (an "&" in a unit's name must show as "&"), so an entry
// used with Plain must itself contain no markup.
func Plain(lang Lang, key Key, args ...any) string {
	format, ok := catalogs[lang][key]
	if !ok {
		format, ok = catalogVI[key]
	}
	if !ok {
		return string(key)
	}
	return fmt.Sprintf(format, countsIn(lang, args)...)
}
