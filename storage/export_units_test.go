package storage

import "context"

// MigrateTo moves the schema up or down to version, for the test that the
// Down section of a migration undoes its Up.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := newMigrationProvider(db)
	if err != nil {
		return err
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if version < current {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}
