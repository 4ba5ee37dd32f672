package messages

import "testing"

func TestReadable(t *testing.T) {
	for _, c := range []struct {
		name string
		text string
		want bool
	}{
		{"empty", "", false},
		{"spaces and newlines", " \t\n\u00a0\u3000\u2003", false},
		{"zero-width space, joiner, non-joiner", "\u200b\u200c\u200d", false},
		{"word joiner and BOM", "\u2060\ufeff", false},
		{"soft hyphen", "\u00ad\u00ad", false},
		{"Mongolian vowel separator", "\u180e", false},
		{"Hangul fillers", "\u115f\u1160\u3164\uffa0", false},
		{"braille blank", "\u2800\u2800", false},
		{"direction marks and isolates", "\u200e\u200f\u2066\u2069\u202e", false},
		{"variation selectors", "\ufe0f\U000e0100", false},
		{"tags", "\U000e0041\U000e007f", false},
		{"combining marks alone", "\u0301\u0323\u034f", false},
		{"controls", "\x00\x1b\u0085", false},
		{"a mix of all", " \u200b\u3164\u2800\u00ad\ufeff\n", false},
		{"one letter", "a", true},
		{"Vietnamese", "Họp lúc 7h", true},
		{"a letter among fillers", "\u3164\u200bđ\u2800", true},
		{"a digit", "\u200b7", true},
		{"an emoji", "\u200b📣\ufe0f", true},
		{"punctuation", ".", true},
		{"Hangul syllable", "한", true},
		{"braille dots", "\u2801", true},
	} {
		if got := Readable(c.text); got != c.want {
			t.Errorf("%s: Readable(%q) = %v, want %v", c.name, c.text, got, c.want)
		}
	}
}

func FuzzReadable(f *testing.F) {
	f.Add("Họp \u200b lúc 7h")
	f.Add("\u3164")
	f.Fuzz(func(t *testing.T, s string) {
		// Adding invisible characters never makes text readable.
		if Readable(s) != Readable("\u200b"+s+"\u3164\ufeff") {
			t.Errorf("fillers changed Readable(%q)", s)
		}
	})
}
