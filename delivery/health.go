package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Health returns nil when deliveries are going out, or an error that tells
// an operator what is wrong (for /healthz; no secrets in it):
//
//   - sends to Telegram have been failing for more than a minute with no
//     answer from the API (only the dispatching process knows this);
//   - deliveries are due and nobody takes them: the oldest due one has
//     waited more than 5 minutes and no dispatcher has claimed any for a
//     minute (any process sees this in the database, a standby too) — a
//     large broadcast at 30/s keeps deliveries due for longer than that,
//     but its dispatcher claims a batch every few seconds;
//   - claimed deliveries are not recorded: the latest claim is more than 5
//     minutes old (senders stuck);
//   - the database cannot be asked.
func (e *Engine) Health(ctx context.Context) error {
	now := e.clock()
	var problems []error
	if p := e.sends.sendProblem(now); p != "" {
		problems = append(problems, errors.New(p))
	}
	q, err := e.store.DeliveryQueueState(ctx, now)
	if err != nil {
		problems = append(problems, fmt.Errorf("cannot read the delivery queue from the database: %w", err))
		return errors.Join(problems...)
	}
	sinceClaim := "no delivery is claimed"
	if q.Claimed > 0 {
		sinceClaim = "the latest claim is " + age(now, q.LastClaim) + " old"
	}
	claimedLately := q.Claimed > 0 && now.Sub(q.LastClaim) < stuckClaim
	if q.Due > 0 && now.Sub(q.OldestDue) >= stuckDue && !claimedLately {
		problems = append(problems, fmt.Errorf("delivery queue stuck: %d deliveries due, the oldest for %s; %s (is a dispatcher running?)",
			q.Due, age(now, q.OldestDue), sinceClaim))
	} else if q.Claimed > 0 && now.Sub(q.LastClaim) >= stuckDue {
		problems = append(problems, fmt.Errorf("delivery queue stuck: %d deliveries claimed but not recorded; %s", q.Claimed, sinceClaim))
	}
	return errors.Join(problems...)
}

func age(now, t time.Time) string { return now.Sub(t).Round(time.Second).String() }
