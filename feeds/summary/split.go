// Package summary makes the short Vietnamese summary Loa puts on an
// article's card: it splits the text into sentences, knowing Vietnamese
// abbreviations and number formats, and keeps the sentences that carry the
// article — the lead sentence first, as Vietnamese news writes it, then those
// that share most words with the title and the article's key terms.
//
// It is extractive and dictionary-free on purpose: every word of a summary
// is a word the newsroom wrote, which matters for Party and State policy,
// where a paraphrase can change the meaning.
package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// abbreviations are the words written with a final period inside a
// sentence, lower case, without that period. Most are Vietnamese titles and
// administrative units (TP. = thành phố, Q. = quận, TS. = tiến sĩ, ThS. =
// thạc sĩ, Đ/c = đồng chí); the list follows the ones a Vietnamese news
// corpus learns (underthesea's punkt parameters) that occur in Loa's domain.
//
// Only words that stand *before* something (a title before a name, "TP."
// before a city, "Q." before a district) belong here. Abbreviations that
// often end a sentence — "TP. HCM.", "v.v.", "etc." — are not listed: after
// them a capital letter does start a new sentence.
var abbreviations = map[string]bool{
	"tp": true, "tx": true, "tt": true, "q": true, "p": true, "h": true, "x": true,
	"đ/c": true, "đc": true, "đ.c": true, "ts": true, "ths": true, "th.s": true, "gs": true, "pgs": true,
	"tskh": true, "bs": true, "bsck": true, "cki": true, "ckii": true, "ds": true, "ks": true, "kts": true,
	"cn": true, "ncs": true, "nsnd": true, "nsưt": true, "nsut": true, "ls": true, "th": true, "tr": true,
	"st": true, "nxb": true, "sđd": true, "mr": true, "mrs": true, "ms": true, "dr": true, "no": true,
	"e.g": true, "i.e": true, "tel": true, "đt": true,
}

// IsAbbreviation reports whether word (with or without its final period) is
// one the splitter never ends a sentence after: a listed abbreviation, or
// titles stacked with periods ("GS.TSKH", "ThS.BS", "PGS.TS") whose every
// part is one.
func IsAbbreviation(word string) bool {
	w := strings.ToLower(strings.TrimSuffix(word, "."))
	if abbreviations[w] {
		return true
	}
	parts := strings.Split(w, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if !abbreviations[p] {
			return false
		}
	}
	return true
}

func isTerminator(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' }

// isCloser: quotes and brackets that belong to the sentence they close.
func isCloser(r rune) bool {
	return strings.ContainsRune(`"'”’»)]}`, r)
}

// startsSentence: what a Vietnamese sentence may begin with.
func startsSentence(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune(`"'“‘«([-–—`, r)
}

// Split cuts text into sentences. The pieces, joined, are exactly text: no
// character is lost, added or moved (white space after a sentence stays with
// it); trim them before use. A sentence ends at a line break, or at . ! ? …
// (with any closing quotes or brackets) followed by white space and a
// capital letter, digit or opening quote — unless the period ends an
// abbreviation (TP., TS., ThS., GS.TSKH., Q., Đ/c.) or a person's initials
// that go on with a name (Nguyễn V. A., N.V. Hùng; a name written wholly in
// initials, "bà N.T.T.", may end a sentence), and never inside a quotation
// (“…”, «…», "…"): what someone said stays with the sentence that says who
// said it. Dates (18/11/2021), ranges (2021 - 2025), document numbers
// (03-NQ/TU) and decimals (1.000) have no period followed by a space, so
// they never split.
func Split(text string) []string {
	var out []string
	start := 0
	i := 0
	var q quotes
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			end := skipSpace(text, i)
			out = append(out, text[start:end])
			start, i = end, end
			q = quotes{} // a quotation left open does not run on past its paragraph
			continue
		}
		if !isTerminator(r) {
			q.see(text, i, r)
			i += size
			continue
		}
		// The run of terminators and closers: "...", "?!", ".”", ").".
		j := i + size
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !isTerminator(r2) && !isCloser(r2) {
				break
			}
			q.see(text, j, r2)
			j += s2
		}
		k := skipSpace(text, j)
		if k == j || k == len(text) {
			i = j // no white space after, or the end: decided below / by the loop
			if k == len(text) {
				break
			}
			continue
		}
		if strings.ContainsRune(text[j:k], '\n') {
			// The line break decides on its own.
			i = j
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[k:])
		if !q.open() && startsSentence(next) && !(r == '.' && j == i+size && beforeIsAbbreviation(text[start:i], next)) {
			out = append(out, text[start:k])
			start = k
		}
		i = k
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// beforeIsAbbreviation looks at the word that ends right before a period,
// and at the first letter after it.
func beforeIsAbbreviation(s string, next rune) bool {
	w := s[strings.LastIndexFunc(s, unicode.IsSpace)+1:]
	w = strings.TrimLeft(w, `"'“‘«([`)
	if w == "" {
		return false
	}
	if IsAbbreviation(w) {
		return true
	}
	switch n := initials(w); {
	case n == 0:
		return false
	case n <= 2:
		// "Nguyễn V. A.", "N.V. Hùng": the name goes on.
		return true
	default:
		// "bà N.T.T.": a whole name in initials; a capital after it starts
		// a new sentence, anything else ("(SN 1982, …)") does not.
		return !unicode.IsUpper(next)
	}
}

// initials counts the initials of a person's name written as w ("V", "N.V",
// "N.T.T"), or returns 0 when w is not one: each part a single capital
// letter without a tone mark. Vietnamese initials are written bare, so a
// capital with a tone is a word: "châu Á.", "nước Ý."
func initials(w string) int {
	parts := strings.Split(w, ".")
	for _, p := range parts {
		r, size := utf8.DecodeRuneInString(p)
		if size == 0 || size != len(p) || !unicode.IsUpper(r) || hasTone(r) {
			return 0
		}
	}
	return len(parts)
}

// hasTone reports whether r carries one of Vietnamese's five tone marks
// (grave, acute, tilde, hook above, dot below).
func hasTone(r rune) bool {
	for _, d := range norm.NFD.String(string(r)) {
		switch d {
		case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
			return true
		}
	}
	return false
}

// quotes follows the quotation marks of one paragraph, so that a sentence
// is never ended inside a quotation.
type quotes struct {
	curly int  // “ and « opened and not yet closed
	ascii bool // a straight " is open
}

func (q *quotes) see(text string, i int, r rune) {
	switch r {
	case '“', '«':
		q.curly++
	case '”', '»':
		if q.curly > 0 {
			q.curly--
		}
	case '"':
		// A straight quote opens after a space or at the start, and
		// closes otherwise.
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		if !q.ascii && (i == 0 || unicode.IsSpace(before) || strings.ContainsRune("([:", before)) {
			q.ascii = true
		} else {
			q.ascii = false
		}
	}
}

func (q *quotes) open() bool { return q.curly > 0 || q.ascii }

// Sentences is Split with each sentence trimmed and empty ones left out.
func Sentences(text string) []string {
	var out []string
	for _, s := range Split(text) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
