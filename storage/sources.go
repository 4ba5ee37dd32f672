package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Audit actions of sources.
const (
	AuditSourceAdd    = "source.add"
	AuditSourceRemove = "source.remove"
)

// ErrSourceExists is returned (wrapped) by AddSource for a URL already watched.
var ErrSourceExists = errors.New("source already exists")

// Source is a news feed Loa watches, with the units its articles go to and
// the state of its fetches.
type Source struct {
	ID        int64         `db:"id"`
	URL       string        `db:"url"`
	Name      string        `db:"name"`
	UnitIDs   pq.Int64Array `db:"unit_ids"`
	CreatedAt time.Time     `db:"created_at"`
	SourceState
}

// SourceState is what the poller remembers about a source between fetches.
type SourceState struct {
	ETag         string     `db:"etag"`          // validator for If-None-Match
	LastModified string     `db:"last_modified"` // validator for If-Modified-Since, as the server sent it
	FetchedAt    *time.Time `db:"fetched_at"`    // last successful fetch; nil before the first
	NextFetchAt  time.Time  `db:"next_fetch_at"`
	Failures     int        `db:"failures"` // consecutive failed fetches
	LastError    string     `db:"last_error"`
	Alerted      bool       `db:"alerted"` // admins were told it fails
}

const sourceColumns = `s.id, s.url, s.name, s.created_at, s.etag, s.last_modified, s.fetched_at,
	s.next_fetch_at, s.failures, s.last_error, s.alerted,
	ARRAY(SELECT su.unit_id FROM source_units AS su WHERE su.source_id = s.id ORDER BY su.unit_id) AS unit_ids`

// AddSource starts watching url under name for unitIDs (at least one),
// recorded as done by actorID. The first fetch is due at once. A URL already
// watched is ErrSourceExists; an unknown unit is ErrNotFound.
func (db *DB) AddSource(ctx context.Context, actorID int64, url, name string, unitIDs []int64) (Source, error) {
	if len(unitIDs) == 0 {
		return Source{}, fmt.Errorf("add source %q: no unit", url)
	}
	var id int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `
			INSERT INTO sources (url, name, created_by) VALUES ($1, $2, nullif($3, 0::bigint))
			ON CONFLICT (url) DO NOTHING RETURNING id`, url, name, actorID)
		if err != nil {
			if notFound(err) == ErrNotFound {
				return ErrSourceExists
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO source_units (source_id, unit_id) SELECT $1, unnest($2::bigint[])
			ON CONFLICT DO NOTHING`, id, pq.Array(unitIDs)); err != nil {
			return foreignKeyNotFound(err)
		}
		for _, u := range unitIDs {
			if err := writeAudit(ctx, tx, audit{actor: actorID, action: AuditSourceAdd, unit: u, detail: url}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Source{}, fmt.Errorf("add source %q: %w", url, err)
	}
	return db.Source(ctx, id)
}

// Source returns one source, or ErrNotFound.
func (db *DB) Source(ctx context.Context, id int64) (Source, error) {
	var s Source
	if err := db.x.GetContext(ctx, &s, `SELECT `+sourceColumns+` FROM sources AS s WHERE s.id = $1`, id); err != nil {
		return Source{}, fmt.Errorf("load source %d: %w", id, notFound(err))
	}
	return s, nil
}

// Sources returns every source, oldest first.
func (db *DB) Sources(ctx context.Context) ([]Source, error) {
	var out []Source
	if err := db.x.SelectContext(ctx, &out, `SELECT `+sourceColumns+` FROM sources AS s ORDER BY s.id`); err != nil {
		return nil, fmt.Errorf("load sources: %w", err)
	}
	return out, nil
}

// DueSources returns the sources whose next fetch is due at now.
func (db *DB) DueSources(ctx context.Context, now time.Time) ([]Source, error) {
	var out []Source
	if err := db.x.SelectContext(ctx, &out, `
		SELECT `+sourceColumns+` FROM sources AS s WHERE s.next_fetch_at <= $1 ORDER BY s.next_fetch_at, s.id`, now); err != nil {
		return nil, fmt.Errorf("load due sources: %w", err)
	}
	return out, nil
}

// RemoveSource stops watching a source and deletes its articles, recorded
// as done by actorID. An unknown id is ErrNotFound.
func (db *DB) RemoveSource(ctx context.Context, actorID, id int64) (Source, error) {
	s, err := db.Source(ctx, id)
	if err != nil {
		return Source{}, err
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return writeAudit(ctx, tx, audit{actor: actorID, action: AuditSourceRemove, detail: s.URL})
	})
	if err != nil {
		return Source{}, fmt.Errorf("remove source %d: %w", id, err)
	}
	return s, nil
}

// SetSourceState records the outcome of a fetch.
func (db *DB) SetSourceState(ctx context.Context, id int64, st SourceState) error {
	_, err := db.x.ExecContext(ctx, `
		UPDATE sources SET etag = $2, last_modified = $3, fetched_at = $4, next_fetch_at = $5,
			failures = $6, last_error = $7, alerted = $8
		WHERE id = $1`, id, st.ETag, st.LastModified, st.FetchedAt, st.NextFetchAt, st.Failures, st.LastError, st.Alerted)
	if err != nil {
		return fmt.Errorf("save state of source %d: %w", id, err)
	}
	return nil
}
