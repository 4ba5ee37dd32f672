package messages

import "unicode"

// Readable reports whether text has anything to read: at least one rune
// that shows as something on a phone. A bulletin or note made only of
// spaces, zero-width characters (U+200B–U+200D, U+2060, U+FEFF), soft
// hyphens, Mongolian vowel separators, Hangul fillers (U+115F, U+1160,
// U+3164, U+FFA0), braille blanks (U+2800), variation selectors, other
// format (Cf) or control characters, or combining marks with nothing to
// sit on, would reach people as an empty message, so it is refused before
// it is sent on to others.
func Readable(text string) bool {
	for _, r := range text {
		if visible(r) {
			return true
		}
	}
	return false
}

// blank are the runes Unicode calls graphic (letters, symbols) that show
// nothing: fillers and blanks people use to fake an empty message.
var blank = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x115f, Hi: 0x1160, Stride: 1}, // Hangul choseong/jungseong fillers
		{Lo: 0x17b4, Hi: 0x17b5, Stride: 1}, // Khmer inherent vowels
		{Lo: 0x2800, Hi: 0x2800, Stride: 1}, // braille pattern blank
		{Lo: 0x3164, Hi: 0x3164, Stride: 1}, // Hangul filler
		{Lo: 0xffa0, Hi: 0xffa0, Stride: 1}, // halfwidth Hangul filler
	},
}

func visible(r rune) bool {
	switch {
	case !unicode.IsGraphic(r): // controls, format (Cf), unassigned, surrogates
		return false
	case unicode.IsSpace(r), unicode.In(r, unicode.Zs, unicode.Mn, unicode.Me):
		return false
	case unicode.Is(blank, r), unicode.Is(unicode.Variation_Selector, r):
		return false
	}
	return true
}
