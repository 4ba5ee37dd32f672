package storage

import "github.com/jmoiron/sqlx"

// X exposes the pool to the external tests, which arrange states no method
// creates (an aged update, a schema from the future, a row lock held elsewhere).
func (db *DB) X() *sqlx.DB { return db.x }

// SetChatRef makes MigrateChat move table.column for a test (uniqueWith as
// in chatRef) and returns the restore func.
func SetChatRef(table, column string, uniqueWith ...string) (restore func()) {
	old := chatRefs
	chatRefs = []chatRef{{table, column, uniqueWith}}
	return func() { chatRefs = old }
}
