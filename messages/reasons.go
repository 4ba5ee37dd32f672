package messages

import "strings"

// feedReasons are the texts of the feeds package's errors (ErrUnreachable,
// ErrTimeout, ErrTooBig, ErrNotFeed, ErrBadURL, ErrInternal). A source's last error is
// stored as text, so the reason is derived from the text: the feeds package
// wraps its sentinel first ("timed out: context deadline exceeded"), so the
// sentinel that appears earliest is the reason, whatever the cause says.
var feedReasons = []struct {
	text string
	key  Key
}{
	{"not an http(s) URL", KeyFeedErrBadURL},
	{"internal address refused", KeyFeedErrInternal},
	{"not a news feed", KeyFeedErrNotFeed},
	{"too big", KeyFeedErrTooBig},
	{"timed out", KeyFeedErrTimeout},
	{"unreachable", KeyFeedErrUnreachable},
}

// FeedReason says in lang why a news source failed, from the error text the
// feeds package recorded. An unknown error gets a general sentence: its
// English words are for the operator's log, not for the admin reading
// /sources.
func FeedReason(lang Lang, errText string) string {
	best, at := KeyFeedErrOther, -1
	for _, r := range feedReasons {
		if i := strings.Index(errText, r.text); i >= 0 && (at < 0 || i < at) {
			best, at = r.key, i
		}
	}
	return T(lang, best)
}

// deliveryReasons are the pieces of Telegram's descriptions (and of the
// delivery engine's own reasons) that say why a message could not be
// delivered, most specific first. Telegram's words are stable but not
// documented, so matching is on lower-case fragments.
var deliveryReasons = []struct {
	text string
	key  Key
}{
	{"gave up after", KeyDeliveryErrGaveUp},
	{"bot was blocked", KeyDeliveryErrBlocked},
	{"user is deactivated", KeyDeliveryErrDeactivated},
	{"bot was kicked", KeyDeliveryErrKicked},
	{"bot is not a member", KeyDeliveryErrNotMember},
	{"chat is kicked", KeyDeliveryErrLeft},
	{"chat is left", KeyDeliveryErrLeft},
	{"chat not found", KeyDeliveryErrNotFound},
	{"message is too long", KeyDeliveryErrTooLong},
	{"can't parse entities", KeyDeliveryErrFormat},
	{"upgraded to a supergroup", KeyDeliveryErrUpgraded},
	{"too many requests", KeyDeliveryErrRateLimit},
}

// DeliveryReason says in lang why deliveries were blocked or failed, from
// the reason the delivery engine recorded (Telegram's description, such as
// "Forbidden: bot was blocked by the user"). The report of a broadcast shows
// this; the raw reason stays in the log.
func DeliveryReason(lang Lang, reason string) string {
	low := strings.ToLower(reason)
	for _, r := range deliveryReasons {
		if strings.Contains(low, r.text) {
			return T(lang, r.key)
		}
	}
	return T(lang, KeyDeliveryErrOther)
}

// deliveryCodes are the delivery engine's reason codes (delivery.Reason*),
// which it stores with each failed delivery, and how they are said.
var deliveryCodes = map[string]Key{
	"blocked":          KeyDeliveryErrBlocked,
	"deactivated":      KeyDeliveryErrDeactivated,
	"kicked":           KeyDeliveryErrKicked,
	"not_member":       KeyDeliveryErrNotMember,
	"left":             KeyDeliveryErrLeft,
	"chat_not_found":   KeyDeliveryErrNotFound,
	"too_long":         KeyDeliveryErrTooLong,
	"caption_too_long": KeyDeliveryErrCaptionTooLong,
	"format":           KeyDeliveryErrFormat,
	"bad_file":         KeyDeliveryErrBadFile,
	"upgraded":         KeyDeliveryErrUpgraded,
	"rate_limit":       KeyDeliveryErrRateLimit,
	"gave_up":          KeyDeliveryErrGaveUp,
	"cant_edit":        KeyDeliveryErrCantEdit,
	"cant_delete":      KeyDeliveryErrCantDelete,
	"cant_pin":         KeyDeliveryErrCantPin,
}

// DeliveryReasonCode says in lang why a delivery (or an edit, a deletion,
// a pin) was refused, from the delivery engine's reason code.
func DeliveryReasonCode(lang Lang, code string) string {
	if k, ok := deliveryCodes[code]; ok {
		return T(lang, k)
	}
	return T(lang, KeyDeliveryErrOther)
}

// ReasonCount is how many deliveries ended blocked or failed for one reason,
// as the delivery engine recorded it.
type ReasonCount struct {
	Reason string
	Count  int
	Code   string // the delivery engine's reason code, said instead of Reason; "" for older records
}

// DeliveryReasonLines renders the reasons of a broadcast report, one line
// each, in the reader's words. Two of Telegram's descriptions can say the
// same thing to a person ("kicked from the group chat", "… from the
// supergroup chat"), so their counts are added on one line, kept in the
// order the reasons came (most frequent first).
func DeliveryReasonLines(lang Lang, reasons []ReasonCount) []string {
	var said []string
	count := map[string]int{}
	for _, r := range reasons {
		w := DeliveryReason(lang, r.Reason)
		if r.Code != "" {
			w = DeliveryReasonCode(lang, r.Code)
		}
		if _, ok := count[w]; !ok {
			said = append(said, w)
		}
		count[w] += r.Count
	}
	lines := make([]string, len(said))
	for i, w := range said {
		lines[i] = T(lang, KeyDeliveryReportReason, HTML(w), Number(lang, count[w]))
	}
	return lines
}
