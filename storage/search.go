package storage

import (
	"strconv"
	"strings"
	"unicode"
)

// SearchTerms splits text into the syllables search matches, in order: the
// one definition of "the way search matches", used when an article is
// stored, when a query is read, and by any code that must decide the same
// way whether a text contains some words (article cards filtered by
// keywords).
//
// Each syllable is folded by FoldName (canonical decomposition, diacritics,
// case and invisible characters removed, đ → d: "Quốc phòng", "QUOC PHONG",
// "quoc phong" and the NFD spelling are one), cut at anything that is not a
// letter or a digit ("2021-2025" is "2021" "2025"; "an-ninh" is "an" "ninh"),
// and written in one spelling where Vietnamese writers use two
// interchangeably: a syllable that is one of the consonants
//
//	h, k, l, m, qu, s, t, v   followed by y
//
// ends in i instead ("sỹ"/"sĩ", "kỹ"/"kĩ", "mỹ"/"mĩ", "lý"/"lí", "hy"/"hi"
// sinh, "quý"/"quí", "tỷ"/"tỉ", "vỹ"/"vĩ" are each one term). Only that
// bare form is rewritten: "huy", "thuy", "quyet" and a lone "y" ("ý kiến")
// stay as they are, since writers never swap them.
//
// Syllables are matched whole: "an" matches the "an" of "an ninh" or "bình
// an", never the letters inside "toàn" or "quân".
func SearchTerms(text string) []string {
	terms := strings.FieldsFunc(FoldName(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	for i, t := range terms {
		terms[i] = spellingVariant(t)
	}
	return terms
}

// maxPosition is the largest position a tsvector keeps, and
// maxPositions the most it keeps for one lexeme.
const (
	maxPosition  = 16383
	maxPositions = 256
)

// vectorBuilder writes articles.search_vector as a tsvector literal: the
// terms of SearchTerms at their positions, so that a phrase query matches
// syllables that follow each other. Positions skip one at punctuation (and
// between the title and the text), so that a phrase never matches across a
// sentence or a comma: "… ngày lễ. Hội thi …" is not "lễ hội".
//
// Each pair of syllables that follow each other in a clause is stored too,
// as one lexeme with a space ('an ninh'), so that the GIN index finds the
// articles holding a phrase without reading every article holding its
// words (phraseLexemes).
type vectorBuilder struct {
	pos       int
	positions map[string][]string
	order     []string
	prev      string // the term at pos, "" after a gap
}

// add appends the terms of text, their positions marked with weight ("A"
// for the title, "" for the text).
func (v *vectorBuilder) add(text, weight string) {
	if v.positions == nil {
		v.positions = map[string][]string{}
	}
	v.pos++ // a gap after what came before
	v.prev = ""
	var term []rune
	put := func(lexeme string) {
		if v.pos > maxPosition || len(v.positions[lexeme]) >= maxPositions {
			return
		}
		if _, ok := v.positions[lexeme]; !ok {
			v.order = append(v.order, lexeme)
		}
		v.positions[lexeme] = append(v.positions[lexeme], strconv.Itoa(v.pos)+weight)
	}
	flush := func() {
		if len(term) == 0 {
			return
		}
		t := spellingVariant(string(term))
		term = term[:0]
		v.pos++
		put(t)
		if v.prev != "" {
			put(v.prev + " " + t)
		}
		v.prev = t
	}
	for _, r := range FoldName(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			term = append(term, r)
		case r == ' ' || r == '-':
			flush()
		default:
			flush()
			v.pos++
			v.prev = ""
		}
	}
	flush()
}

// String is the tsvector literal ('ninh':2A,9 …).
func (v *vectorBuilder) String() string {
	var b strings.Builder
	for i, t := range v.order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + t + "':" + strings.Join(v.positions[t], ","))
	}
	return b.String()
}

// spellingVariant writes C+y as C+i for the consonants listed on
// SearchTerms.
func spellingVariant(t string) string {
	switch t {
	case "hy", "ky", "ly", "my", "quy", "sy", "ty", "vy":
		return t[:len(t)-1] + "i"
	}
	return t
}

// commonTerms are folded syllables so frequent in Vietnamese news that
// they say nothing of what an article is about. Only function words whose
// folded form no meaningful word shares are listed: "de" (để, but also
// vấn đề), "co" (có, but cờ), "tu" (từ, but tự vệ), "khi" (khi, but vũ
// khí), "tai" (tại, but tài chính), "cho" (cho, but chợ) are not.
var commonTerms = map[string]bool{
	"va": true, "cua": true, "cac": true, "nhung": true, "duoc": true, "mot": true,
	"nay": true, "theo": true, "thi": true, "la": true, "voi": true,
}

// keyTerms are the terms of a query an article must contain: every term
// but the common ones, or every term when all of them are common, so that
// a query of common words still finds the articles that have them all.
func keyTerms(terms []string) []string {
	var out []string
	for _, t := range terms {
		if !commonTerms[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return terms
	}
	return out
}

// MatchesTerms reports whether text contains every term of query as a
// whole syllable, by the rules of SearchTerms (case, diacritics and the
// y/i spellings ignored). Common syllables are ignored as SearchArticles
// ignores them, unless the query has nothing else.
func MatchesTerms(text, query string) bool {
	have := map[string]bool{}
	for _, t := range SearchTerms(text) {
		have[t] = true
	}
	keys := keyTerms(SearchTerms(query))
	if len(keys) == 0 {
		return false
	}
	for _, k := range keys {
		if !have[k] {
			return false
		}
	}
	return true
}

// phraseLexemes is a tsquery that the articles holding terms one after
// the other match, and few others: every pair of neighbours, as stored by
// vectorBuilder, AND-ed ('an ninh' & 'ninh bien' …). It is "" for fewer
// than two terms. Terms are letters and digits only (SearchTerms), so they
// need no escaping.
func phraseLexemes(terms []string) string {
	var pairs []string
	for i := 1; i < len(terms); i++ {
		pairs = append(pairs, "'"+terms[i-1]+" "+terms[i]+"'")
	}
	return strings.Join(pairs, " & ")
}
