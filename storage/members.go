package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrAlreadyMember is returned when joining would not change anything: the
// user already holds the same or a higher role in the unit.
var ErrAlreadyMember = errors.New("already a member of the unit")

// Membership is a user's place in one unit.
type Membership struct {
	UserID    int64     `db:"user_id"`
	UnitID    int64     `db:"unit_id"`
	Role      string    `db:"role"` // RoleMember or RoleOfficer
	CreatedAt time.Time `db:"created_at"`
}

// Member is a user with their role in one unit. Member.Role is the role in
// the unit; the bot-wide role stays reachable as Member.User.Role.
type Member struct {
	User
	UnitID int64  `db:"unit_id"`
	Role   string `db:"unit_role"`
}

// roleRank orders unit roles so that joining never demotes: an officer who
// redeems a member's invite stays an officer.
func roleRank(role string) int {
	switch role {
	case RoleOfficer:
		return 2
	case RoleMember:
		return 1
	}
	return 0
}

func checkUnitRole(role string) error {
	if roleRank(role) == 0 {
		return fmt.Errorf("invalid unit role %q", role)
	}
	return nil
}

// Memberships returns the units userID belongs to, in display order.
func (db *DB) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	var out []Membership
	err := db.x.SelectContext(ctx, &out, `
		SELECT m.user_id, m.unit_id, m.role, m.created_at
		FROM memberships AS m JOIN units AS u ON u.id = m.unit_id
		WHERE m.user_id = $1
		ORDER BY u.position, u.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("load memberships of user %d: %w", userID, err)
	}
	return out, nil
}

// UnitMembers returns the members of one unit (not of the units below it),
// officers first, then by name.
func (db *DB) UnitMembers(ctx context.Context, unitID int64) ([]Member, error) {
	var out []Member
	err := db.x.SelectContext(ctx, &out, `
		SELECT u.id, u.first_name, u.last_name, u.username, u.language, u.role, u.created_at, u.updated_at,
		       m.unit_id, m.role AS unit_role
		FROM memberships AS m JOIN users AS u ON u.id = m.user_id
		WHERE m.unit_id = $1
		ORDER BY m.role = 'officer' DESC, u.first_name, u.last_name, u.username, u.id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("load members of unit %d: %w", unitID, err)
	}
	return out, nil
}

// SetMembership makes userID a member of unitID with role, or changes their
// role, and records it as done by actorID. Setting the role a user already
// has changes nothing and writes no audit row. A user the bot has not met
// gets an empty user row (an officer may add someone by id before they
// write). An unknown unit is ErrNotFound. Stepping an officer down revokes,
// in the same transaction, the invites they may no longer make.
func (db *DB) SetMembership(ctx context.Context, actorID, userID, unitID int64, role string) error {
	fail := func(err error) error {
		return fmt.Errorf("set membership of user %d in unit %d: %w", userID, unitID, err)
	}
	if err := checkUnitRole(role); err != nil {
		return fail(err)
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := ensureUser(ctx, tx, userID); err != nil {
			return err
		}
		changed, err := grantMembership(ctx, tx, grant{actor: actorID, user: userID, unit: unitID, role: role, demote: true})
		if err != nil || !changed || role == RoleOfficer {
			return err
		}
		return revokeLapsedInvites(ctx, tx, actorID, userID, fmt.Sprintf("now %s of unit %d", role, unitID))
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// RemoveMembership takes userID out of unitID. It returns ErrNotFound when
// they were not a member. The chats' subscriptions stay: following a public
// unit does not need membership, and a restricted unit's subscriptions are
// the caller's to drop (Unsubscribe). The invites they may no longer make
// are revoked in the same transaction.
func (db *DB) RemoveMembership(ctx context.Context, actorID, userID, unitID int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var role string
		err := tx.GetContext(ctx, &role, `
			DELETE FROM memberships WHERE user_id = $1 AND unit_id = $2 RETURNING role`, userID, unitID)
		if err != nil {
			return notFound(err)
		}
		if err := writeAudit(ctx, tx, audit{actor: actorID, action: AuditMembershipRemove, subject: userID, unit: unitID, detail: "was " + role}); err != nil {
			return err
		}
		return revokeLapsedInvites(ctx, tx, actorID, userID, fmt.Sprintf("removed from unit %d (was %s)", unitID, role))
	})
	if err != nil {
		return fmt.Errorf("remove user %d from unit %d: %w", userID, unitID, err)
	}
	return nil
}

// SetUserRole promotes userID to admin (RoleAdmin) or demotes them
// (RoleNone), recorded as done by actorID. A user the bot has not met gets
// a row with empty names. Setting the role they have changes nothing.
// Demoting revokes, in the same transaction, the invites they may no
// longer make.
func (db *DB) SetUserRole(ctx context.Context, actorID, userID int64, role string) error {
	fail := func(err error) error { return fmt.Errorf("set role of user %d: %w", userID, err) }
	if role != RoleAdmin && role != RoleNone {
		return fail(fmt.Errorf("invalid role %q", role))
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := ensureUser(ctx, tx, userID); err != nil {
			return err
		}
		var old string
		err := tx.GetContext(ctx, &old, `SELECT role FROM users WHERE id = $1 FOR UPDATE`, userID)
		if err != nil || old == role {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, userID, role); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, audit{actor: actorID, action: AuditUserRole, subject: userID, detail: old + " → " + role}); err != nil {
			return err
		}
		return revokeLapsedInvites(ctx, tx, actorID, userID, "no longer admin")
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// inTx runs f in a transaction and commits if f returns nil.
func (db *DB) inTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// ensureUser creates an empty row for a user the bot has not met yet.
func ensureUser(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, userID)
	if err != nil {
		return fmt.Errorf("create user %d: %w", userID, err)
	}
	return nil
}

// grant is a membership to give.
type grant struct {
	actor, user, unit int64
	role              string
	demote            bool   // may lower an officer to member (an explicit SetMembership)
	how               string // for the audit detail: "invite AbCdEf…", "join request 7"
}

// grantMembership gives g inside tx, with its audit row, and reports
// whether anything changed. The user row must exist. An unknown unit is
// ErrNotFound.
func grantMembership(ctx context.Context, tx *sqlx.Tx, g grant) (bool, error) {
	detail := g.role
	if g.how != "" {
		detail += " via " + g.how
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO memberships (user_id, unit_id, role, created_by) VALUES ($1, $2, $3, nullif($4, 0::bigint))
		ON CONFLICT (user_id, unit_id) DO NOTHING`, g.user, g.unit, g.role, g.actor)
	if err != nil {
		return false, foreignKeyNotFound(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, err
	} else if n == 1 {
		return true, writeAudit(ctx, tx, audit{actor: g.actor, action: AuditMembershipAdd, subject: g.user, unit: g.unit, detail: detail})
	}
	var old string
	if err := tx.GetContext(ctx, &old, `
		SELECT role FROM memberships WHERE user_id = $1 AND unit_id = $2 FOR UPDATE`, g.user, g.unit); err != nil {
		return false, err
	}
	if old == g.role || (!g.demote && roleRank(old) > roleRank(g.role)) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE memberships SET role = $3 WHERE user_id = $1 AND unit_id = $2`, g.user, g.unit, g.role); err != nil {
		return false, err
	}
	return true, writeAudit(ctx, tx, audit{actor: g.actor, action: AuditMembershipRole, subject: g.user, unit: g.unit, detail: old + " → " + detail})
}

// foreignKeyNotFound turns a foreign key violation (a unit, chat or user id
// that does not exist) into ErrNotFound, keeping PostgreSQL's detail.
func foreignKeyNotFound(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23503" { // foreign_key_violation
		return fmt.Errorf("%w: %s", ErrNotFound, pqErr.Detail)
	}
	return err
}
