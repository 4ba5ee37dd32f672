package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Limits of join requests, so that one stranger cannot ask every unit at
// once or ask again right after a refusal. They live in PostgreSQL, so they
// hold whichever loa process takes the request.
const (
	// JoinCooldown is how long after a refusal the same person may not ask
	// the same unit again.
	JoinCooldown = 24 * time.Hour
	// MaxPendingJoins is how many undecided requests one person may have.
	MaxPendingJoins = 3
)

// Why a join request is refused. CreateJoinRequest returns them wrapped;
// ErrJoinCooldown comes inside a *JoinCooldownError that says until when.
var (
	ErrJoinCooldown        = errors.New("join request refused recently")
	ErrTooManyJoinRequests = errors.New("too many pending join requests")
)

// JoinCooldownError is ErrJoinCooldown with the time the person may ask
// again.
type JoinCooldownError struct{ Until time.Time }

func (e *JoinCooldownError) Error() string {
	return fmt.Sprintf("%v until %s", ErrJoinCooldown, e.Until.UTC().Format(time.RFC3339))
}

func (e *JoinCooldownError) Unwrap() error { return ErrJoinCooldown }

// ErrAlreadyDecided is returned for a join request that was approved or
// rejected before: the second press of Approve does nothing.
var ErrAlreadyDecided = errors.New("join request already decided")

// Statuses of a join request.
const (
	JoinPending  = "pending"
	JoinApproved = "approved"
	JoinRejected = "rejected"
)

// JoinRequest is a user asking to become a member of a restricted unit.
type JoinRequest struct {
	ID        int64      `db:"id"`
	UserID    int64      `db:"user_id"`
	UnitID    int64      `db:"unit_id"`
	Status    string     `db:"status"` // JoinPending, JoinApproved or JoinRejected
	CreatedAt time.Time  `db:"created_at"`
	DecidedBy *int64     `db:"decided_by"`
	DecidedAt *time.Time `db:"decided_at"`
}

const joinColumns = `id, user_id, unit_id, status, created_at, decided_by, decided_at`

// CreateJoinRequest records that userID asks to join unitID. If they already
// asked and nobody decided yet, it returns that request and false, so asking
// twice does not bother officers twice. A user who already is a member gets
// ErrAlreadyMember; an unknown unit is ErrNotFound. A request of the same
// person to the same unit refused less than JoinCooldown before now is a
// *JoinCooldownError; a person who already has MaxPendingJoins undecided
// requests gets ErrTooManyJoinRequests.
func (db *DB) CreateJoinRequest(ctx context.Context, userID, unitID int64, now time.Time) (JoinRequest, bool, error) {
	var req JoinRequest
	created := false
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := ensureUser(ctx, tx, userID); err != nil {
			return err
		}
		// One person's requests are decided one at a time, so two /join
		// sent at once cannot both slip under MaxPendingJoins.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return err
		}
		var member bool
		if err := tx.GetContext(ctx, &member, `
			SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND unit_id = $2)`, userID, unitID); err != nil {
			return err
		}
		if member {
			return ErrAlreadyMember
		}
		var lim struct {
			Pending     int        `db:"pending"`
			Mine        bool       `db:"mine"`
			LastRefusal *time.Time `db:"last_refusal"`
		}
		if err := tx.GetContext(ctx, &lim, `
			SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
			       coalesce(bool_or(status = 'pending' AND unit_id = $2), false) AS mine,
			       max(decided_at) FILTER (WHERE status = 'rejected' AND unit_id = $2) AS last_refusal
			FROM join_requests WHERE user_id = $1`, userID, unitID); err != nil {
			return err
		}
		if lim.LastRefusal != nil && now.Before(lim.LastRefusal.Add(JoinCooldown)) {
			return &JoinCooldownError{Until: lim.LastRefusal.Add(JoinCooldown)}
		}
		if !lim.Mine && lim.Pending >= MaxPendingJoins {
			return ErrTooManyJoinRequests
		}
		var got []JoinRequest
		err := tx.SelectContext(ctx, &got, `
			INSERT INTO join_requests (user_id, unit_id) VALUES ($1, $2)
			ON CONFLICT (user_id, unit_id) WHERE status = 'pending' DO NOTHING
			RETURNING `+joinColumns, userID, unitID)
		if err != nil {
			return foreignKeyNotFound(err)
		}
		if len(got) == 1 {
			req, created = got[0], true
			return writeAudit(ctx, tx, audit{actor: userID, action: AuditJoinRequest, subject: userID, unit: unitID,
				detail: fmt.Sprintf("request %d", req.ID)})
		}
		// A pending request exists, committed before the INSERT looked.
		return tx.GetContext(ctx, &req, `
			SELECT `+joinColumns+` FROM join_requests
			WHERE user_id = $1 AND unit_id = $2 AND status = 'pending'`, userID, unitID)
	})
	if err != nil {
		return JoinRequest{}, false, fmt.Errorf("request to join unit %d by user %d: %w", unitID, userID, err)
	}
	return req, created, nil
}

// JoinRequest returns the join request with the given id, or ErrNotFound.
func (db *DB) JoinRequest(ctx context.Context, id int64) (JoinRequest, error) {
	var req JoinRequest
	if err := db.x.GetContext(ctx, &req, `SELECT `+joinColumns+` FROM join_requests WHERE id = $1`, id); err != nil {
		return JoinRequest{}, fmt.Errorf("load join request %d: %w", id, notFound(err))
	}
	return req, nil
}

// PendingJoinRequests returns the undecided requests for the given units,
// oldest first; nil unitIDs means every unit. An officer passes the units
// they act for.
func (db *DB) PendingJoinRequests(ctx context.Context, unitIDs []int64) ([]JoinRequest, error) {
	var out []JoinRequest
	err := db.x.SelectContext(ctx, &out, `
		SELECT `+joinColumns+` FROM join_requests
		WHERE status = 'pending' AND ($1::bigint[] IS NULL OR unit_id = ANY($1::bigint[]))
		ORDER BY created_at, id`, pq.Array(unitIDs)) // lib/pq sends a nil slice as NULL
	if err != nil {
		return nil, fmt.Errorf("load pending join requests: %w", err)
	}
	return out, nil
}

// DecideJoinRequest approves or rejects request id as actorID at now. Only
// a pending request can be decided: otherwise it returns the request as it
// is and ErrAlreadyDecided, so two officers pressing Approve at once, or one
// pressing it twice, decide once. Approving makes the user a member (an
// officer stays officer) and makes their private chat follow the unit, as
// RedeemInvite does; all in one transaction with the audit rows. Whether
// actorID may decide for the unit is for the caller to check.
func (db *DB) DecideJoinRequest(ctx context.Context, id, actorID int64, approve bool, now time.Time) (JoinRequest, error) {
	var req JoinRequest
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &req, `SELECT `+joinColumns+` FROM join_requests WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err)
		}
		if req.Status != JoinPending {
			return ErrAlreadyDecided
		}
		status, action := JoinRejected, AuditJoinReject
		if approve {
			status, action = JoinApproved, AuditJoinApprove
		}
		if err := tx.GetContext(ctx, &req, `
			UPDATE join_requests SET status = $2, decided_by = $3, decided_at = $4
			WHERE id = $1 RETURNING `+joinColumns, id, status, actorID, now); err != nil {
			return err
		}
		how := fmt.Sprintf("join request %d", id)
		if err := writeAudit(ctx, tx, audit{actor: actorID, action: action, subject: req.UserID, unit: req.UnitID, detail: how}); err != nil {
			return err
		}
		if !approve {
			return nil
		}
		g := grant{actor: actorID, user: req.UserID, unit: req.UnitID, role: RoleMember, how: how}
		if _, err := grantMembership(ctx, tx, g); err != nil {
			return err
		}
		return subscribePrivateChat(ctx, tx, actorID, req.UserID, req.UnitID, how)
	})
	if errors.Is(err, ErrAlreadyDecided) {
		return req, fmt.Errorf("decide join request %d: %w", id, err)
	}
	if err != nil {
		return JoinRequest{}, fmt.Errorf("decide join request %d: %w", id, err)
	}
	return req, nil
}
