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
)

// abbreviations are the words written with a final period inside a
// sentence, lower case, without that period. Most are Vietnamese titles and
// administrative units (TP. = thành phố, Q. = quận, TS. = tiến sĩ, ThS. =
// thạc sĩ, Đ/c = đồng chí); the list follows the ones a Vietnamese news
// corpus learns (underthesea's punkt parameters) that occur in Loa's domain.
var abbreviations = map[string]bool{
	"tp": true, "tx": true, "tt": true, "q": true, "p": true, "h": true, "x": true,
	"đ/c": true, "đc": true, "đ.c": true, "ts": true, "ths": true, "th.s": true, "gs": true, "pgs": true,
	"gs.ts": true, "pgs.ts": true, "bs": true, "bsck": true, "ks": true, "cn": true, "ncs": true,
	"ls": true, "th": true, "tr": true, "st": true, "nxb": true, "sđd": true, "v.v": true,
	"mr": true, "mrs": true, "ms": true, "dr": true, "no": true, "co": true, "ltd": true,
	"e.g": true, "i.e": true, "etc": true, "tel": true, "đt": true, "hcm": true, "tp.hcm": true,
}

// IsAbbreviation reports whether word (with or without its final period) is
// one the splitter never ends a sentence after.
func IsAbbreviation(word string) bool {
	return abbreviations[strings.ToLower(strings.TrimSuffix(word, "."))]
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
// abbreviation (TP., TS., ThS., Q., Đ/c.) or a one-letter initial (Nguyễn V.
// A.). Dates (18/11/2021), ranges (2021 - 2025), document numbers
// (03-NQ/TU) and decimals (1.000) have no period followed by a space, so
// they never split.
func Split(text string) []string {
	var out []string
	start := 0
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			end := skipSpace(text, i)
			out = append(out, text[start:end])
			start, i = end, end
			continue
		}
		if !isTerminator(r) {
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
		if startsSentence(next) && !(r == '.' && j == i+size && beforeIsAbbreviation(text[start:i])) {
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

// beforeIsAbbreviation looks at the word that ends right before a period.
func beforeIsAbbreviation(s string) bool {
	w := s[strings.LastIndexFunc(s, unicode.IsSpace)+1:]
	w = strings.TrimLeft(w, `"'“‘«([`)
	if w == "" {
		return false
	}
	if IsAbbreviation(w) {
		return true
	}
	// A one-letter initial: "Nguyễn V. A." (a capital, alone).
	r, size := utf8.DecodeRuneInString(w)
	return size == len(w) && unicode.IsUpper(r)
}

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
