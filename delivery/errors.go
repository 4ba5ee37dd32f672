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
	Err    error // the underlying error, if any
}

func (e *SendError) Error() string {
	return fmt.Sprintf("send: %s: %s", e.Kind, e.Reason)
}

func (e *SendError) Unwrap() error { return e.Err }
