package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Actions written to the audit log. Each row tells who (actor) did what to
// whom (subject user), in which unit or chat.
const (
	AuditUnitAdd            = "unit.add"            // an import created a unit
	AuditUnitUpdate         = "unit.update"         // an import changed a unit's name, kind, visibility or parent
	AuditMembershipAdd      = "membership.add"      // subject joined unit (detail: role and how)
	AuditMembershipRole     = "membership.role"     // subject's role in unit changed
	AuditMembershipRemove   = "membership.remove"   // subject left or was removed from unit
	AuditUserRole           = "user.role"           // subject's bot-wide role changed (admin / none)
	AuditSubscriptionAdd    = "subscription.add"    // chat follows unit
	AuditSubscriptionRemove = "subscription.remove" // chat stopped following unit
	AuditInviteCreate       = "invite.create"
	AuditInviteRevoke       = "invite.revoke"
	AuditJoinRequest        = "join.request" // subject asked to join unit
	AuditJoinApprove        = "join.approve"
	AuditJoinReject         = "join.reject"
)

// SystemActor is the actor id of changes nobody typed into the bot: an
// import from the command line.
const SystemActor int64 = 0

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID            int64     `db:"id"`
	At            time.Time `db:"at"`
	ActorID       int64     `db:"actor_id"` // SystemActor for the system
	Action        string    `db:"action"`   // one of the Audit* constants
	SubjectUserID *int64    `db:"subject_user_id"`
	UnitID        *int64    `db:"unit_id"`
	ChatID        *int64    `db:"chat_id"`
	Detail        string    `db:"detail"`
}

// audit is what one audit row says; zero ids are stored as NULL, since no
// Telegram user, unit or chat has id 0.
type audit struct {
	actor   int64
	action  string
	subject int64
	unit    int64
	chat    int64
	detail  string
}

// writeAudit adds a row inside tx, so the change and its record commit or
// roll back together.
func writeAudit(ctx context.Context, tx *sqlx.Tx, a audit) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (actor_id, action, subject_user_id, unit_id, chat_id, detail)
		VALUES ($1, $2, nullif($3, 0::bigint), nullif($4, 0::bigint), nullif($5, 0::bigint), $6)`,
		a.actor, a.action, a.subject, a.unit, a.chat, a.detail)
	if err != nil {
		return fmt.Errorf("write audit %s: %w", a.action, err)
	}
	return nil
}

// AuditLog returns the newest limit entries, newest first.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("load audit log: limit must be positive, got %d", limit)
	}
	var out []AuditEntry
	err := db.x.SelectContext(ctx, &out, `
		SELECT id, at, actor_id, action, subject_user_id, unit_id, chat_id, detail
		FROM audit_log ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("load audit log: %w", err)
	}
	return out, nil
}
