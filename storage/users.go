package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// User is a person who wrote to the bot.
type User struct {
	ID        int64     `db:"id"`
	FirstName string    `db:"first_name"`
	LastName  string    `db:"last_name"`
	Username  string    `db:"username"`
	Language  string    `db:"language"`
	Role      string    `db:"role"` // RoleNone or RoleAdmin
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Bot-wide roles. Roles inside a unit (member, officer) are kept elsewhere.
const (
	RoleNone  = "none"
	RoleAdmin = "admin"
)

// UpsertUser records a user as Telegram shows them now: names follow
// Telegram (a removed last name becomes empty); an empty Language keeps the
// stored one. It never changes Role, so a message can never grant or take
// away rights; EnsureAdmins and SetUserRole do.
func (db *DB) UpsertUser(ctx context.Context, u User) error {
	_, err := db.x.NamedExecContext(ctx, `
		INSERT INTO users (id, first_name, last_name, username, language)
		VALUES (:id, :first_name, :last_name, :username, :language)
		ON CONFLICT (id) DO UPDATE SET
			first_name = EXCLUDED.first_name,
			last_name  = EXCLUDED.last_name,
			username   = EXCLUDED.username,
			language   = CASE WHEN EXCLUDED.language = '' THEN users.language ELSE EXCLUDED.language END,
			updated_at = now()`, u)
	if err != nil {
		return fmt.Errorf("upsert user %d: %w", u.ID, err)
	}
	return nil
}

// User returns the user with the given id, or ErrNotFound.
func (db *DB) User(ctx context.Context, id int64) (User, error) {
	var u User
	err := db.x.GetContext(ctx, &u, `
		SELECT id, first_name, last_name, username, language, role, created_at, updated_at
		FROM users WHERE id = $1`, id)
	if err != nil {
		return User{}, fmt.Errorf("load user %d: %w", id, notFound(err))
	}
	return u, nil
}

// EnsureAdmins makes every listed user an admin, creating a row with empty
// names for an id the bot has not met yet (admins come from configuration
// before they ever write). Users not listed keep their role: removing an
// admin is a deliberate act, not a side effect of a shorter list.
func (db *DB) EnsureAdmins(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := db.x.ExecContext(ctx, `
		INSERT INTO users (id, role)
		SELECT DISTINCT unnest($1::bigint[]), 'admin'
		ON CONFLICT (id) DO UPDATE SET role = 'admin', updated_at = now()
		WHERE users.role <> 'admin'`, pq.Array(ids))
	if err != nil {
		return fmt.Errorf("ensure admins: %w", err)
	}
	return nil
}

// Admins returns every Loa admin, for notifications only admins should see
// (join requests of units nobody else can approve, failing sources).
func (db *DB) Admins(ctx context.Context) ([]User, error) {
	var us []User
	err := db.x.SelectContext(ctx, &us, `
		SELECT id, first_name, last_name, username, language, role, created_at, updated_at
		FROM users WHERE role = 'admin' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	return us, nil
}
