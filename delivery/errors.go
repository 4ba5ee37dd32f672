package delivery

import (
	"fmt"
	"time"
)

// ErrorKind says what a failed send means for the delivery.
type ErrorKind int

// How the dispatcher treats each kind of failure.
const (
	// Temporary: network errors, timeouts, 5xx. Retried with exponential
	// back-off and jitter, for up to MaxRetryAge, then failed.
	Temporary ErrorKind = iota
	// RateLimited: Telegram's 429. Nothing more goes to the chat for
	// RetryAfter; it is not a failure and uses up no attempt.
	RateLimited
	// Blocked: 403 (blocked by the user, account deleted, bot kicked or
	// not a member). The chat is marked blocked or left; never retried.
	Blocked
	// Migrated: 400 with migrate_to_chat_id. The chat and its
	// subscriptions move to MigrateTo, and the message goes there.
	Migrated
	// Permanent: any other refusal (400 chat not found, bad HTML, …).
	// Failed with the reason; never retried.
	Permanent
)

func (k ErrorKind) String() string {
	switch k {
	case Temporary:
		return "temporary"
	case RateLimited:
		return "rate limited"
	case Blocked:
		return "blocked"
	case Migrated:
		return "migrated"
	case Permanent:
		return "permanent"
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// SendError is how a Sender reports a failed send, classified. An error of
// any other type is taken as Temporary.
type SendError struct {
	Kind       ErrorKind
	RetryAfter time.Duration // RateLimited
	MigrateTo  int64         // Migrated: the supergroup's id
	// Reason is Telegram's description ("Forbidden: bot was blocked by the
	// user") or the transport error, as the report shows it. It must not
	// contain the token.
	Reason string
	// Code is why, as one of the Reason codes, which the report renders
	// in the reader's language; "" lets the engine choose by Kind.
	Code string
	Err  error // the underlying error, if any
}

// Reason codes: why a delivery was blocked or failed (deliveries.reason_code),
// or why an edit, a deletion or a pin was refused. messages.DeliveryReasonCode
// says them to a person; the Sender (which knows Telegram's words) picks
// them.
const (
	ReasonBlocked        = "blocked"          // the person blocked Loa
	ReasonDeactivated    = "deactivated"      // the account was deleted
	ReasonKicked         = "kicked"           // Loa was removed from the group
	ReasonNotMember      = "not_member"       // Loa is not in the group
	ReasonLeft           = "left"             // the chat was left or blocked before this delivery
	ReasonChatNotFound   = "chat_not_found"   // the chat no longer exists
	ReasonTooLong        = "too_long"         // the text is over 4096 characters
	ReasonCaptionTooLong = "caption_too_long" // the caption is over 1024 characters
	ReasonFormat         = "format"           // Telegram could not parse the HTML
	ReasonBadFile        = "bad_file"         // the file_id is not one Telegram knows
	ReasonUpgraded       = "upgraded"         // the group became a supergroup
	ReasonRateLimit      = "rate_limit"       // Telegram asked to slow down
	ReasonGaveUp         = "gave_up"          // temporary errors for longer than MaxRetryAge
	ReasonCantEdit       = "cant_edit"        // the message can no longer be edited
	ReasonCantDelete     = "cant_delete"      // the message can no longer be deleted (48 h)
	ReasonCantPin        = "cant_pin"         // Loa may not pin in that group
	ReasonOther          = "other"            // anything else
)

func (e *SendError) Error() string {
	return fmt.Sprintf("send: %s: %s", e.Kind, e.Reason)
}

func (e *SendError) Unwrap() error { return e.Err }
