package reports

import "github.com/loabot/loa/messages"

// KindKey is the catalogue entry that names k (plain text, fit for a
// button, a sheet's name or a digest line).
func KindKey(k Kind) messages.Key {
	switch k {
	case KindOpinion:
		return messages.KeyReportKindOpinion
	case KindFalse:
		return messages.KeyReportKindFalse
	case KindModel:
		return messages.KeyReportKindModel
	case KindBorder:
		return messages.KeyReportKindBorder
	}
	return messages.KeyReportKindOther
}

// KindName is a kind as people read it, in lang.
func KindName(lang messages.Lang, k Kind) string { return messages.Plain(lang, KindKey(k)) }

// StateName is a state as people read it, in lang.
func StateName(lang messages.Lang, s State) string {
	key := messages.KeyReportStateNew
	switch s {
	case StateTaken:
		key = messages.KeyReportStateTaken
	case StateEscalated:
		key = messages.KeyReportStateEscalated
	case StateHandled:
		key = messages.KeyReportStateHandled
	}
	return messages.Plain(lang, key)
}
