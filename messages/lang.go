package messages

import (
	"fmt"
	"strings"
)

// Lang is a language Loa speaks, as an ISO 639-1 code.
type Lang string

// The languages of the catalogues. Vietnamese is the default and the reference.
const (
	Vietnamese Lang = "vi"
	English    Lang = "en"
)

// ParseLang parses a configured language ("vi" or "en", in any case). It is
// strict, unlike Pick, because it validates what an operator wrote: a typo
// should stop the bot at start-up rather than silently pick a language.
func ParseLang(s string) (Lang, error) {
	switch l := Lang(strings.ToLower(s)); l {
	case Vietnamese, English:
		return l, nil
	}
	return "", fmt.Errorf("unknown language %q: want %q or %q", s, Vietnamese, English)
}

// Pick chooses the language for a person from the language_code their
// Telegram client reports ("vi", "en-US", "ru", or "" when unknown): any
// Vietnamese tag gives Vietnamese, any English tag gives English, and anything
// else gives fallback (the bot's configured default), because we have no
// catalogue for it. Only the primary subtag counts, so "vi-VN" and "en_GB" are
// recognised and a tag that merely starts with the same letters is not.
func Pick(telegramLang string, fallback Lang) Lang {
	primary := telegramLang
	if i := strings.IndexAny(primary, "-_"); i >= 0 {
		primary = primary[:i]
	}
	switch strings.ToLower(primary) {
	case "vi", "vie":
		return Vietnamese
	case "en", "eng":
		return English
	}
	return fallback
}
