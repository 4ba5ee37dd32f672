package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

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
// ErrAlreadyMember; an unknown unit is ErrNotFound.
func (db *DB) CreateJoinRequest(ctx context.Context, userID, unitID int64) (JoinRequest, bool, error) {
	var req JoinRequest
	created := false
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := ensureUser(ctx, tx, userID); err != nil {
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
