package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Why an invite cannot be redeemed. RedeemInvite returns them wrapped.
var (
	ErrInviteUnknown = errors.New("invite unknown")
	ErrInviteExpired = errors.New("invite expired")
	ErrInviteUsedUp  = errors.New("invite used up")
	ErrInviteRevoked = errors.New("invite revoked")
)

// Invite lets whoever has its code join a unit with a role, up to MaxUses
// times, until ExpiresAt, unless revoked.
type Invite struct {
	Code      string     `db:"code"`
	UnitID    int64      `db:"unit_id"`
	Role      string     `db:"role"` // RoleMember or RoleOfficer
	MaxUses   int        `db:"max_uses"`
	Uses      int        `db:"uses"`
	ExpiresAt time.Time  `db:"expires_at"`
	RevokedAt *time.Time `db:"revoked_at"`
	CreatedBy int64      `db:"created_by"`
	CreatedAt time.Time  `db:"created_at"`
}

// inviteCode is the form of a code: the deep-link payload alphabet, at
// least as long as NewInviteCode's 22 characters and within Telegram's 64.
var inviteCode = regexp.MustCompile(`^[A-Za-z0-9_-]{22,64}$`)

// NewInviteCode returns a fresh invite code: 16 bytes (128 bits) from
// crypto/rand in unpadded base64url, 22 characters of A-Za-z0-9_-, so it
// goes as is into a deep link t.me/<bot>?start=<code> (at most 64 such
// characters). 128 bits cannot be guessed, so a code needs no other secret.
func NewInviteCode() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails, says crypto/rand
	return base64.RawURLEncoding.EncodeToString(b)
}

// codeHint is the part of an invite code written to the audit log: enough to
// tell invites apart, too little to redeem one.
func codeHint(code string) string {
	if len(code) > 6 {
		code = code[:6]
	}
	return code + "…"
}

const inviteColumns = `code, unit_id, role, max_uses, uses, expires_at, revoked_at, created_by, created_at`

// CreateInvite stores inv (Code from NewInviteCode; Uses and RevokedAt are
// ignored; a zero CreatedAt means now) with an audit row by inv.CreatedBy.
// An unknown unit is ErrNotFound.
func (db *DB) CreateInvite(ctx context.Context, inv Invite) error {
	fail := func(err error) error { return fmt.Errorf("create invite for unit %d: %w", inv.UnitID, err) }
	switch {
	case !inviteCode.MatchString(inv.Code):
		return fail(errors.New("the code must be 22 to 64 characters of A-Za-z0-9_- (use NewInviteCode)"))
	case checkUnitRole(inv.Role) != nil:
		return fail(checkUnitRole(inv.Role))
	case inv.MaxUses <= 0:
		return fail(fmt.Errorf("max uses must be positive, got %d", inv.MaxUses))
	case inv.ExpiresAt.IsZero():
		return fail(errors.New("no expiry time"))
	}
	var createdAt *time.Time
	if !inv.CreatedAt.IsZero() {
		createdAt = &inv.CreatedAt
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO invites (code, unit_id, role, max_uses, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()))`,
			inv.Code, inv.UnitID, inv.Role, inv.MaxUses, inv.ExpiresAt, inv.CreatedBy, createdAt)
		if err != nil {
			return foreignKeyNotFound(err)
		}
		return writeAudit(ctx, tx, audit{actor: inv.CreatedBy, action: AuditInviteCreate, unit: inv.UnitID,
			detail: fmt.Sprintf("%s, %s, up to %d uses, until %s", codeHint(inv.Code), inv.Role, inv.MaxUses,
				inv.ExpiresAt.UTC().Format(time.RFC3339))})
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// Invite returns the invite with the given code, or ErrNotFound.
func (db *DB) Invite(ctx context.Context, code string) (Invite, error) {
	var inv Invite
	if err := db.x.GetContext(ctx, &inv, `SELECT `+inviteColumns+` FROM invites WHERE code = $1`, code); err != nil {
		return Invite{}, fmt.Errorf("load invite %s: %w", codeHint(code), notFound(err))
	}
	return inv, nil
}

// RedeemInvite lets userID join the invite's unit. In one transaction, with
// the invite row locked so that two people racing for the last use cannot
// both win, it checks the invite (ErrInviteUnknown, ErrInviteRevoked,
// ErrInviteExpired against now, ErrInviteUsedUp), gives userID the invite's
// role (never demoting an officer), counts the use, and makes the user's
// private chat follow the unit (creating the user and chat rows if the bot
// has not recorded them yet). The audit rows name the invite's creator as
// actor: they granted the role, the redeemer only accepted it.
//
// A user who already holds the invite's role or a higher one gets the
// invite and ErrAlreadyMember, and no use is counted; this is checked before
// ErrInviteUsedUp, so whoever took the last use and taps the link again
// hears that they are in, not that the invite is used up.
func (db *DB) RedeemInvite(ctx context.Context, code string, userID int64, now time.Time) (Invite, error) {
	var inv Invite
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &inv, `SELECT `+inviteColumns+` FROM invites WHERE code = $1 FOR UPDATE`, code)
		if err != nil {
			if errors.Is(notFound(err), ErrNotFound) {
				return ErrInviteUnknown
			}
			return err
		}
		switch {
		case inv.RevokedAt != nil:
			return ErrInviteRevoked
		case !now.Before(inv.ExpiresAt):
			return ErrInviteExpired
		}
		// The creator's rights as they are now, not as they were when the
		// link was made: a demoted officer's link admits nobody. Demotions
		// revoke such invites too (revokeLapsedInvites); this check also
		// covers rights lost some other way (a unit moved in the tree).
		var may bool
		if err := tx.GetContext(ctx, &may, `SELECT `+mayInviteSQL("$1", "$2"), inv.CreatedBy, inv.UnitID); err != nil {
			return err
		}
		if !may {
			return fmt.Errorf("%w: its creator %d may no longer invite to unit %d", ErrInviteRevoked, inv.CreatedBy, inv.UnitID)
		}
		var role string
		err = tx.GetContext(ctx, &role, `
			SELECT role FROM memberships WHERE user_id = $1 AND unit_id = $2 FOR UPDATE`, userID, inv.UnitID)
		if err == nil && roleRank(role) >= roleRank(inv.Role) {
			return ErrAlreadyMember
		}
		if err != nil && !errors.Is(notFound(err), ErrNotFound) {
			return err
		}
		if inv.Uses >= inv.MaxUses {
			return ErrInviteUsedUp
		}
		if err := ensureUser(ctx, tx, userID); err != nil {
			return err
		}
		how := "invite " + codeHint(inv.Code)
		g := grant{actor: inv.CreatedBy, user: userID, unit: inv.UnitID, role: inv.Role, how: how}
		if _, err := grantMembership(ctx, tx, g); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &inv.Uses, `
			UPDATE invites SET uses = uses + 1 WHERE code = $1 RETURNING uses`, inv.Code); err != nil {
			return err
		}
		return subscribePrivateChat(ctx, tx, inv.CreatedBy, userID, inv.UnitID, how)
	})
	if err != nil {
		err = fmt.Errorf("redeem invite %s for user %d: %w", codeHint(code), userID, err)
		// The invite as it was tells the person which unit it was for.
		for _, refusal := range []error{ErrAlreadyMember, ErrInviteRevoked, ErrInviteExpired, ErrInviteUsedUp} {
			if errors.Is(err, refusal) {
				return inv, err
			}
		}
		return Invite{}, err
	}
	return inv, nil
}

// mayInviteSQL is the one statement of who may invite to a unit (with
// either role): a Loa admin, or an officer of the unit or of a unit above
// it. user and unit are SQL expressions (placeholders or columns). /invite
// asks it through MayInvite, RedeemInvite asks it again for the creator at
// redemption, and revokeLapsedInvites revokes what it no longer allows, so
// the three never disagree.
func mayInviteSQL(user, unit string) string {
	return `(EXISTS (SELECT 1 FROM users WHERE id = ` + user + ` AND role = '` + RoleAdmin + `')
		OR EXISTS (
			WITH RECURSIVE up (id, parent_id) AS (
				SELECT id, parent_id FROM units WHERE id = ` + unit + `
				UNION ALL
				SELECT u.id, u.parent_id FROM units AS u JOIN up ON u.id = up.parent_id)
			SELECT 1 FROM up JOIN memberships AS m ON m.unit_id = up.id
			WHERE m.user_id = ` + user + ` AND m.role = '` + RoleOfficer + `'))`
}

// MayInvite reports whether userID may now make invites to unitID: admins
// for every unit, officers for their unit and the units below it.
func (db *DB) MayInvite(ctx context.Context, userID, unitID int64) (bool, error) {
	var may bool
	if err := db.x.GetContext(ctx, &may, `SELECT `+mayInviteSQL("$1", "$2"), userID, unitID); err != nil {
		return false, fmt.Errorf("may user %d invite to unit %d: %w", userID, unitID, err)
	}
	return may, nil
}

// revokeLapsedInvites revokes, inside tx, the invites of creatorID that are
// still usable but that creatorID may no longer make (mayInviteSQL), after
// a change of their rights by actorID. Each revoked invite gets its audit
// row naming why. Expiry is not looked at: the database's clock is not the
// bot's, and an expired invite revoked as well is harmless.
func revokeLapsedInvites(ctx context.Context, tx *sqlx.Tx, actorID, creatorID int64, why string) error {
	var gone []Invite
	err := tx.SelectContext(ctx, &gone, `
		UPDATE invites AS i SET revoked_at = now()
		WHERE i.created_by = $1 AND i.revoked_at IS NULL AND i.uses < i.max_uses
		  AND NOT `+mayInviteSQL("i.created_by", "i.unit_id")+`
		RETURNING `+inviteColumns, creatorID)
	if err != nil {
		return fmt.Errorf("revoke lapsed invites of user %d: %w", creatorID, err)
	}
	for _, inv := range gone {
		if err := writeAudit(ctx, tx, audit{actor: actorID, action: AuditInviteRevoke, subject: creatorID, unit: inv.UnitID,
			detail: fmt.Sprintf("%s, %s, used %d of %d; its creator may no longer invite here: %s",
				codeHint(inv.Code), inv.Role, inv.Uses, inv.MaxUses, why)}); err != nil {
			return err
		}
	}
	return nil
}

// ActiveInvites returns the invites that can still be redeemed at now (not
// revoked, not expired, not used up) for the given units, oldest first; nil
// unitIDs means every unit.
func (db *DB) ActiveInvites(ctx context.Context, unitIDs []int64, now time.Time) ([]Invite, error) {
	var out []Invite
	err := db.x.SelectContext(ctx, &out, `
		SELECT `+inviteColumns+` FROM invites
		WHERE revoked_at IS NULL AND expires_at > $1 AND uses < max_uses
		  AND ($2::bigint[] IS NULL OR unit_id = ANY($2::bigint[]))
		ORDER BY created_at, code`, now, pq.Array(unitIDs)) // lib/pq sends a nil slice as NULL, an empty one as {}
	if err != nil {
		return nil, fmt.Errorf("load active invites: %w", err)
	}
	return out, nil
}

// RevokeInvite makes code unusable from now on, recorded as done by
// actorID. Revoking a revoked invite changes nothing; an unknown code is
// ErrNotFound.
func (db *DB) RevokeInvite(ctx context.Context, actorID int64, code string, now time.Time) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var inv Invite
		err := tx.GetContext(ctx, &inv, `SELECT `+inviteColumns+` FROM invites WHERE code = $1 FOR UPDATE`, code)
		if err != nil {
			return notFound(err)
		}
		if inv.RevokedAt != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invites SET revoked_at = $2 WHERE code = $1`, code, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, audit{actor: actorID, action: AuditInviteRevoke, unit: inv.UnitID,
			detail: fmt.Sprintf("%s, %s, used %d of %d", codeHint(code), inv.Role, inv.Uses, inv.MaxUses)})
	})
	if err != nil {
		return fmt.Errorf("revoke invite %s: %w", codeHint(code), err)
	}
	return nil
}
