package storage

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew means the database was migrated by a newer loa than this
// one: running old code on a newer schema could corrupt data, so Migrate
// refuses. Match it with errors.Is; the error itself is a *SchemaTooNewError.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// SchemaTooNewError tells the operator which versions disagree.
type SchemaTooNewError struct {
	Database int64 // the version the database is at
	Known    int64 // the newest migration this binary carries
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database schema is at version %d, this binary knows up to %d: upgrade loa", e.Database, e.Known)
}

// Is makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaTooNewError) Is(target error) bool { return target == ErrSchemaTooNew }

// gooseTable is goose's default version table; SchemaVersion reads it itself
// so that a health check never creates it.
const gooseTable = "goose_db_version"

// Migrate applies every embedded migration the database has not seen yet.
//
// It holds the session advisory lock LockMigrate for the whole run, so loa
// processes started together (a rolling deploy, `docker compose up --scale`)
// migrate one after the other: the first applies, the others find nothing to
// do. The lock is our own pg_advisory_lock, not goose's session locker,
// because goose's locker polls at whole seconds while ours wakes the moment
// the lock is free.
//
// Before anything is applied it compares versions and returns a
// *SchemaTooNewError (errors.Is ErrSchemaTooNew) if the database is ahead of
// this binary.
func (db *DB) Migrate(ctx context.Context) (err error) {
	lock, err := db.lock(ctx, LockMigrate, true)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() {
		// Unlock even when ctx is cancelled; if unlocking fails the
		// connection is dropped, which ends the session and its lock.
		if rerr := lock.Release(context.WithoutCancel(ctx)); rerr != nil && err == nil {
			err = fmt.Errorf("migrate: %w", rerr)
		}
	}()

	p, err := newMigrationProvider(db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sources := p.ListSources()
	known := sources[len(sources)-1].Version
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > known {
		return fmt.Errorf("migrate: %w", &SchemaTooNewError{Database: current, Known: known})
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// newMigrationProvider builds a goose provider over the embedded files. The
// provider API keeps goose's settings out of package globals, which other
// code in the same binary could change.
func newMigrationProvider(db *DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db.x.DB, fsys,
		goose.WithDisableGlobalRegistry(true))
}

// SchemaVersion returns the version of the newest migration applied to the
// database, 0 for a database never migrated. It writes nothing.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var exists bool
	if err := db.x.GetContext(ctx, &exists, `SELECT to_regclass($1) IS NOT NULL`, gooseTable); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int64
	if err := db.x.GetContext(ctx, &v, `SELECT coalesce(max(version_id), 0) FROM `+gooseTable); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}
