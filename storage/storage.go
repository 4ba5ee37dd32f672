// Package storage is Loa's only door to PostgreSQL: every SQL statement of the
// project lives here, behind methods named after what they do for the bot.
//
// Schema changes are goose migrations embedded from migrations/*.sql and
// applied by [DB.Migrate]. Tests use a real server through storage/pgtest.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrNotFound is returned (wrapped) when the asked-for row does not exist.
var ErrNotFound = errors.New("not found")

// Pool sets the limits of the connection pool. Every [Lock] and every running
// [DB.Migrate] holds one connection of MaxOpenConns for as long as it lives.
type Pool struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration // recycle connections so a failover or a pgbouncer restart is picked up
	ConnMaxIdleTime time.Duration
}

// DefaultPool fits one loa process: a handful of workers, four leader locks
// and headroom, well below PostgreSQL's default max_connections of 100 even
// with several processes sharing a server.
var DefaultPool = Pool{
	MaxOpenConns:    20,
	MaxIdleConns:    10,
	ConnMaxLifetime: 30 * time.Minute,
	ConnMaxIdleTime: 5 * time.Minute,
}

// Option changes how [Open] sets up the database handle.
type Option func(*options)

type options struct {
	pool Pool
}

// WithPool replaces [DefaultPool].
func WithPool(p Pool) Option {
	return func(o *options) { o.pool = p }
}

// DB is the database of one loa process. It is safe for concurrent use.
type DB struct {
	x *sqlx.DB

	mu     sync.Mutex
	locks  map[*Lock]struct{} // held session locks, released by Close
	closed bool
}

// Open connects to the PostgreSQL server named by url (a postgres:// URL or a
// key=value DSN as lib/pq understands them) and checks the connection with a
// ping. Errors never contain the password of url: they end up in logs.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	o := options{pool: DefaultPool}
	for _, opt := range opts {
		opt(&o)
	}
	// A connector parses the URL now, so a typo fails here and not at the
	// first query.
	connector, err := pq.NewConnector(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", redact(url, err))
	}
	x := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	x.SetMaxOpenConns(o.pool.MaxOpenConns)
	x.SetMaxIdleConns(o.pool.MaxIdleConns)
	x.SetConnMaxLifetime(o.pool.ConnMaxLifetime)
	x.SetConnMaxIdleTime(o.pool.ConnMaxIdleTime)
	if err := x.PingContext(ctx); err != nil {
		_ = x.Close()
		return nil, fmt.Errorf("open database: %w", redact(url, err))
	}
	return &DB{x: x, locks: make(map[*Lock]struct{})}, nil
}

// Close releases every [Lock] still held through db (so another process can
// take over leadership at once instead of waiting for TCP to time out) and
// closes the pool.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	locks := make([]*Lock, 0, len(db.locks))
	for l := range db.locks {
		locks = append(locks, l)
	}
	db.mu.Unlock()

	for _, l := range locks {
		// Dropping the connection ends the session, which releases the lock
		// even when the server cannot be reached to say so.
		l.discard()
	}
	if err := db.x.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Ping checks that the server answers, for health checks.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.x.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// notFound maps sql.ErrNoRows to ErrNotFound and leaves other errors alone.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

var dsnPassword = regexp.MustCompile(`password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)

// redact returns err with every spelling of dsn's password removed from its
// message. Errors of net/url quote the whole URL, and a DSN parse error can
// quote a piece of it; when anything had to be removed the result is a plain
// error, so no wrapped error can leak the password through errors.As either.
func redact(dsn string, err error) error {
	msg := err.Error()
	clean := msg
	for _, secret := range passwords(dsn) {
		if secret != "" {
			clean = strings.ReplaceAll(clean, secret, "xxxxx")
		}
	}
	if clean == msg {
		return err
	}
	return errors.New(clean)
}

// passwords finds the password in a URL or key=value DSN without relying on a
// parser that may just have failed on it, in its raw and its decoded form.
func passwords(dsn string) []string {
	var out []string
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				out = append(out, pw)
				if dec, err := url.PathUnescape(pw); err == nil && dec != pw {
					out = append(out, dec)
				}
			}
		}
	}
	for _, m := range dsnPassword.FindAllStringSubmatch(dsn, -1) {
		v := m[1]
		out = append(out, v)
		if strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") && len(v) >= 2 {
			inner := v[1 : len(v)-1]
			out = append(out, inner, strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(inner))
		}
	}
	// The longest first, so a password that contains another candidate is
	// removed whole.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
