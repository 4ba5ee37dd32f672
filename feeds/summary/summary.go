package summary

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DefaultLimit is the length of a card's summary in characters: about three
// lines on a phone, enough for the lead sentence of a Vietnamese news story.
const DefaultLimit = 300

// minLeadWords: a lead is a real sentence, not a kicker, a date line or a
// caption ("18/11/2021 16:44", "Ký kết chương trình phối hợp").
const minLeadWords = 8

// Summarize returns up to limit characters (runes) of text, made of whole
// sentences in their order in the text: the lead — the first real sentence —
// and then the sentences that share most words with the title and with
// the article's recurring terms, as long as they fit. Only when the lead
// alone is longer than limit is it cut, between words, and ended with "…".
// The result is NFC; it is empty when text has no words.
func Summarize(title, text string, limit int) string {
	if limit <= 0 {
		limit = DefaultLimit
	}
	text = norm.NFC.String(text)
	sents := Sentences(text)
	for i, s := range sents {
		sents[i] = strings.Join(strings.Fields(s), " ") // scraped text doubles spaces
	}
	lead := -1
	for i, s := range sents {
		if looksLikeSentence(s) {
			lead = i
			break
		}
	}
	if lead < 0 {
		if len(sents) == 0 {
			return ""
		}
		lead = 0 // only headings: the first one is still better than nothing
	}
	// A lead whose source left a quotation open is closed at the end: its
	// closing marks count against the limit.
	leadClose := openQuotes(sents[lead])
	if utf8.RuneCountInString(sents[lead])+leadClose > limit {
		// Room for the closing marks a cut inside a quotation needs.
		reserve := min(strings.Count(sents[lead], "“")+strings.Count(sents[lead], "«")+(strings.Count(sents[lead], `"`)+1)/2, limit/2)
		return closeQuotes(cutWords(sents[lead], limit-reserve))
	}

	titleTerms := terms(norm.NFC.String(title))
	freq := map[string]int{}
	for _, s := range sents[lead:] {
		for t := range terms(s) {
			freq[t]++
		}
	}
	type scored struct {
		i     int
		score float64
	}
	var cands []scored
	for i := lead + 1; i < len(sents); i++ {
		if !looksLikeSentence(sents[i]) || openQuotes(sents[i]) != 0 {
			continue // a quotation cut off from its speaker, or its end
		}
		ts := terms(sents[i])
		if len(ts) == 0 {
			continue
		}
		var sc float64
		for t := range ts {
			if titleTerms[t] {
				sc += 3
			}
			if freq[t] > 1 {
				sc += float64(freq[t] - 1)
			}
		}
		cands = append(cands, scored{i, sc / math.Sqrt(float64(len(ts)))})
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })

	chosen := map[int]bool{lead: true}
	used := utf8.RuneCountInString(sents[lead]) + leadClose
	for _, c := range cands {
		if c.score <= 0 {
			break
		}
		n := utf8.RuneCountInString(sents[c.i]) + 1
		if used+n <= limit {
			chosen[c.i] = true
			used += n
		}
	}
	var parts []string
	for i, s := range sents {
		if chosen[i] {
			parts = append(parts, s)
		}
	}
	return closeQuotes(strings.Join(parts, " "))
}

// openQuotes counts the quotation marks s opens and does not close.
func openQuotes(s string) int {
	n, ascii := 0, 0
	for _, r := range s {
		switch r {
		case '“', '«':
			n++
		case '”', '»':
			if n > 0 {
				n--
			}
		case '"':
			ascii ^= 1
		}
	}
	return n + ascii
}

// closeQuotes closes the quotations s leaves open (a lead cut short, or
// one whose source forgot the closing mark), so that a card never ends with
// an unbalanced quotation mark. It adds at most openQuotes(s) runes.
func closeQuotes(s string) string {
	var stack []rune
	ascii := false
	for _, r := range s {
		switch r {
		case '“':
			stack = append(stack, '”')
		case '«':
			stack = append(stack, '»')
		case '”', '»':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case '"':
			ascii = !ascii
		}
	}
	if ascii {
		s += `"`
	}
	for i := len(stack) - 1; i >= 0; i-- {
		s += string(stack[i])
	}
	return s
}

// looksLikeSentence: ends like a sentence and has enough words.
func looksLikeSentence(s string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, `"'”’»)]} `))
	return isTerminator(last) && len(strings.Fields(s)) >= minLeadWords
}

// cutWords shortens s to at most limit runes, ending after a whole word,
// with "…".
func cutWords(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	cut := limit - 1 // room for "…"
	for cut > 0 && !unicode.IsSpace(r[cut]) {
		cut--
	}
	if cut == 0 { // one enormous word: nothing sensible to keep whole
		return string(r[:limit-1]) + "…"
	}
	out := strings.TrimRightFunc(string(r[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:–-", r)
	})
	return out + "…"
}

// terms are the lower-case syllable pairs of s: Vietnamese words are mostly
// two syllables ("quốc phòng", "tuyên giáo"), so pairs carry meaning where
// single syllables ("công", "tác") do not.
func terms(s string) map[string]bool {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := map[string]bool{}
	for i := 0; i+1 < len(words); i++ {
		out[words[i]+" "+words[i+1]] = true
	}
	return out
}
