package messages

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold is how Loa compares words people type: lower case, accents removed,
// đ as d, and spaces and underscores as hyphens, so that "Tất cả", "tat ca",
// "TAT_CA" and "tất-cả" are one word. Officials type without accents on a
// phone as often as with them, and in NFC or NFD.
func Fold(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.TrimSpace(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r) || r == '_' || r == '-':
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Arg is a keyword argument a command takes, named by its English form, the
// one the code switches on.
type Arg string

// The keyword arguments of the commands.
const (
	ArgAll     Arg = "all"     // /tasks all, /broadcast all
	ArgOverdue Arg = "overdue" // /tasks overdue
	ArgWeek    Arg = "week"    // /tasks week
	ArgMember  Arg = "member"  // /invite <unit> member
	ArgOfficer Arg = "officer" // /invite <unit> officer
	ArgAdmin   Arg = "admin"   // /promote admin, /demote admin
)

// argForms are the folded spellings each keyword is accepted in: English,
// and the Vietnamese of the glossary (catalog_vi.go) with its usual short
// forms. A Vietnamese form is what /help and the usage lines show.
var argForms = map[Arg][]string{
	ArgAll:     {"all", "tat-ca"},
	ArgOverdue: {"overdue", "qua-han"},
	ArgWeek:    {"week", "tuan", "tuan-nay", "7-ngay"},
	ArgMember:  {"member", "thanh-vien"},
	ArgOfficer: {"officer", "can-bo", "can-bo-phu-trach", "phu-trach"},
	ArgAdmin:   {"admin", "quan-tri", "quan-tri-vien", "quan-tri-vien-loa"},
}

// maxArgWords is the most words a keyword is typed in ("quản trị viên Loa").
const maxArgWords = 4

// MatchArg reports which of want the first words of fields spell, in
// English or Vietnamese, with or without accents, in any case, and how many
// of the fields it took ("tất cả" is two). The longest match wins.
func MatchArg(fields []string, want ...Arg) (Arg, int, bool) {
	for n := min(len(fields), maxArgWords); n >= 1; n-- {
		f := Fold(strings.Join(fields[:n], " "))
		for _, a := range want {
			for _, form := range argForms[a] {
				if f == form {
					return a, n, true
				}
			}
		}
	}
	return "", 0, false
}

// IsArg reports whether s, all of it, spells the keyword a.
func IsArg(s string, a Arg) bool {
	fields := strings.Fields(s)
	got, n, ok := MatchArg(fields, a)
	return ok && got == a && n == len(fields)
}

// Count is a quantity a sentence reports (people, chats, characters): T and
// Plain print it with the thousands separator of the reader's language
// (1.250 in Vietnamese, 1,250 in English) wherever the entry has %d. Numbers
// a person types back (task, article and broadcast numbers, Telegram ids)
// stay plain ints and are printed without separators.
type Count int

// counted is a Count bound to the language it is printed in.
type counted struct {
	lang Lang
	n    int
}

func (c counted) Format(f fmt.State, verb rune) {
	if verb == 'd' || verb == 'v' || verb == 's' {
		fmt.Fprint(f, Number(c.lang, c.n))
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), c.n)
}

// countsIn binds every Count in args to lang.
func countsIn(lang Lang, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if c, ok := a.(Count); ok {
			a = counted{lang, int(c)}
		}
		out[i] = a
	}
	return out
}
