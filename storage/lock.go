package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Keys of the session advisory locks that elect one process of many for a
// job. They live in one list so no two jobs ever share a key.
const (
	LockMigrate    int64 = 7_000 // held while Migrate runs
	LockPolling    int64 = 7_001 // the one getUpdates poller
	LockDispatcher int64 = 7_002 // the one delivery dispatcher
	LockFeeds      int64 = 7_003 // the one feed poller
	LockReminders  int64 = 7_004 // the one reminder scheduler
)

// Lock is a held PostgreSQL session advisory lock. A session lock belongs to
// a connection, so the Lock keeps one connection out of the pool for its whole
// life; if that connection dies, the server drops the lock and another process
// may take it. Check [Lock.Alive] regularly and stop leading when it fails.
type Lock struct {
	db  *DB
	key int64

	mu   sync.Mutex
	conn *sql.Conn // nil once released
}

// TryLock takes the session advisory lock key without waiting. It returns
// nil, nil when another session holds it. Release the Lock when done; closing
// the DB releases it too.
func (db *DB) TryLock(ctx context.Context, key int64) (*Lock, error) {
	l, err := db.lock(ctx, key, false)
	if err != nil {
		return nil, fmt.Errorf("try lock %d: %w", key, err)
	}
	return l, nil
}

// lock takes key on a dedicated connection, waiting for it if wait is set.
func (db *DB) lock(ctx context.Context, key int64, wait bool) (*Lock, error) {
	if db.isClosed() {
		return nil, errors.New("database is closed")
	}
	conn, err := db.x.Conn(ctx)
	if err != nil {
		return nil, err
	}
	got := true
	if wait {
		_, err = conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key)
	} else {
		err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got)
	}
	if err != nil {
		// A cancel can arrive after the server granted the lock: never give
		// a connection that may hold it back to the pool.
		discard(conn)
		return nil, err
	}
	if !got {
		_ = conn.Close()
		return nil, nil
	}
	l := &Lock{db: db, key: key, conn: conn}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		discard(conn)
		return nil, errors.New("database is closed")
	}
	db.locks[l] = struct{}{}
	db.mu.Unlock()
	return l, nil
}

func (db *DB) isClosed() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.closed
}

// Key returns the advisory lock key.
func (l *Lock) Key() int64 { return l.key }

// Alive checks, on the lock's own connection, that this session still holds
// the lock. An error means leadership may be lost (connection broken, server
// restarted, lock released by someone with pg_advisory_unlock_all): stop the
// work that needs the lock and release it.
func (l *Lock) Alive(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return fmt.Errorf("lock %d: released", l.key)
	}
	// A bigint key is stored in pg_locks as classid (high 32 bits), objid
	// (low 32 bits) and objsubid 1.
	hi, lo := int64(uint64(l.key)>>32), int64(uint32(l.key))
	var held bool
	err := l.conn.QueryRowContext(ctx, `
		SELECT EXISTS (
			SELECT 1 FROM pg_locks
			WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
			  AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1)`,
		hi, lo).Scan(&held)
	if err != nil {
		return fmt.Errorf("lock %d: %w", l.key, err)
	}
	if !held {
		return fmt.Errorf("lock %d: no longer held", l.key)
	}
	return nil
}

// Release unlocks and returns the connection to the pool. It is safe to call
// more than once and on a nil Lock. If the unlock cannot be confirmed, the
// connection is closed instead, which ends the session and frees the lock on
// the server.
func (l *Lock) Release(ctx context.Context) error {
	if l == nil {
		return nil
	}
	conn := l.take()
	if conn == nil {
		return nil
	}
	var ok bool
	err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key).Scan(&ok)
	if err != nil || !ok {
		discard(conn)
		if err != nil {
			return fmt.Errorf("release lock %d: %w", l.key, err)
		}
		return fmt.Errorf("release lock %d: was not held any more", l.key)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("release lock %d: %w", l.key, err)
	}
	return nil
}

// discard drops the lock's connection without talking to the server.
func (l *Lock) discard() {
	if conn := l.take(); conn != nil {
		discard(conn)
	}
}

// take detaches the connection from l and from its DB's list.
func (l *Lock) take() *sql.Conn {
	l.mu.Lock()
	conn := l.conn
	l.conn = nil
	l.mu.Unlock()
	l.db.mu.Lock()
	delete(l.db.locks, l)
	l.db.mu.Unlock()
	return conn
}

// discard closes conn's underlying connection instead of returning it to the
// pool: database/sql throws away a connection whose Raw callback reports
// driver.ErrBadConn.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

// LeadTerm runs term for as long as this process holds the session
// advisory lock key, and tries again to take the lock every retry when
// another process holds it: of several loa processes sharing the database
// exactly one does the job (polls Telegram, dispatches deliveries, polls
// feeds, sends reminders), and another takes over within retry when it dies
// and PostgreSQL drops its session.
//
// term's context ends when ctx ends or when the lock's connection no longer
// holds the lock (checked every checkEvery), so a leader whose connection
// broke stops at once instead of working beside its successor. When term
// returns, the lock is released; unless ctx is done, LeadTerm then competes
// for it again. Errors are logged under what. LeadTerm returns when ctx
// ends and term has returned.
//
// It is the one implementation of "in one process at a time"; Lead is its
// form for periodic steps.
func (db *DB) LeadTerm(ctx context.Context, key int64, retry time.Duration, log *slog.Logger, what string, term func(ctx context.Context)) {
	waiting := false
	for ctx.Err() == nil {
		lock, err := db.TryLock(ctx, key)
		if err != nil || lock == nil {
			if err != nil && ctx.Err() == nil {
				log.Warn(what+": cannot take the lock", "err", err)
			} else if lock == nil && !waiting {
				log.Info(what + ": another process leads; waiting to take over")
				waiting = true
			}
			sleepCtx(ctx, retry)
			continue
		}
		waiting = false
		log.Info(what + ": this process now leads")
		termCtx, stepDown := context.WithCancel(ctx)
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			watchLock(termCtx, lock, min(retry, checkEvery), log, what, stepDown)
		}()
		term(termCtx)
		stepDown()
		<-watched
		relCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = lock.Release(relCtx)
		cancel()
	}
}

// checkEvery bounds how long a leader may go on after its lock's connection
// broke.
const checkEvery = 2 * time.Second

// watchLock cancels the term (stepDown) when lock is no longer held.
func watchLock(ctx context.Context, lock *Lock, every time.Duration, log *slog.Logger, what string, stepDown func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := lock.Alive(ctx); err != nil {
			if ctx.Err() == nil {
				log.Warn(what+": lost the lock's connection; stepping down", "err", err)
			}
			stepDown()
			return
		}
	}
}

// Lead runs step every interval while this process leads the job key
// (LeadTerm): the form of the feed poller and the reminder scheduler.
func (db *DB) Lead(ctx context.Context, key int64, retry, interval time.Duration, log *slog.Logger, what string, step func(ctx context.Context)) {
	db.LeadTerm(ctx, key, retry, log, what, func(ctx context.Context) {
		for ctx.Err() == nil {
			step(ctx)
			sleepCtx(ctx, interval)
		}
	})
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
