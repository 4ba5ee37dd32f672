package storage_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// twoHandles opens two *DB on one database, as two loa processes would.
func twoHandles(t *testing.T) (*storage.DB, *storage.DB) {
	t.Helper()
	url := pgtest.NewURL(t)
	var dbs [2]*storage.DB
	for i := range dbs {
		db, err := storage.Open(testContext(t), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// acquireWithin polls TryLock like a standby process does.
func acquireWithin(t *testing.T, db *storage.DB, key int64, limit time.Duration) *storage.Lock {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		l, err := db.TryLock(testContext(t), key)
		if err != nil {
			t.Fatal(err)
		}
		if l != nil {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock %d not acquired within %v", key, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTryLock(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	a, b := twoHandles(t)

	la, err := a.TryLock(ctx, storage.LockPolling)
	if err != nil || la == nil {
		t.Fatalf("first TryLock = %v, %v", la, err)
	}
	if err := la.Alive(ctx); err != nil {
		t.Fatalf("Alive: %v", err)
	}
	if lb, err := b.TryLock(ctx, storage.LockPolling); lb != nil || err != nil {
		t.Fatalf("second TryLock = %v, %v; want nil, nil", lb, err)
	}
	// Another connection of the same pool is another session: no re-entry.
	if l2, err := a.TryLock(ctx, storage.LockPolling); l2 != nil || err != nil {
		t.Fatalf("TryLock on the holder's DB = %v, %v; want nil, nil", l2, err)
	}
	// Other keys are independent.
	lf, err := b.TryLock(ctx, storage.LockFeeds)
	if err != nil || lf == nil {
		t.Fatalf("TryLock of another key = %v, %v", lf, err)
	}

	if err := la.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := la.Release(ctx); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if err := la.Alive(ctx); err == nil {
		t.Error("Alive after Release succeeded")
	}
	lb := acquireWithin(t, b, storage.LockPolling, time.Second)

	// The holder's process ends: closing its DB frees its locks at once.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	la = acquireWithin(t, a, storage.LockPolling, time.Second)
	acquireWithin(t, a, storage.LockFeeds, time.Second).Release(ctx)
	if err := lb.Release(ctx); err != nil {
		t.Errorf("Release after the DB was closed: %v", err)
	}
	la.Release(ctx)
	var nilLock *storage.Lock
	if err := nilLock.Release(ctx); err != nil {
		t.Errorf("Release of a nil Lock: %v", err)
	}
}

// TestLockAliveNoticesLoss: when the server ends the lock's session, Alive
// fails and a standby takes over.
func TestLockAliveNoticesLoss(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	a, b := twoHandles(t)
	l, err := a.TryLock(ctx, storage.LockDispatcher)
	if err != nil || l == nil {
		t.Fatalf("TryLock = %v, %v", l, err)
	}
	var terminated bool
	err = b.X().GetContext(ctx, &terminated, `
		SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objid = $1 AND granted`, storage.LockDispatcher)
	if err != nil || !terminated {
		t.Fatalf("terminate the holder: %v, %v", terminated, err)
	}
	if err := l.Alive(ctx); err == nil {
		t.Fatal("Alive succeeded after the session was terminated")
	}
	acquireWithin(t, b, storage.LockDispatcher, time.Second)
	l.Release(ctx) // must not hang or panic; the error is expected
	if err := l.Release(ctx); err != nil {
		t.Errorf("second Release: %v", err)
	}
}

// TestLeadOneAtATime runs two "processes" leading the same job: only one
// steps at a time, and when the leader's database goes away (the process
// died) the other takes over within the retry interval.
func TestLeadOneAtATime(t *testing.T) {
	a, b := twoHandles(t)
	var mu sync.Mutex
	steps := map[string]int{}
	active := map[string]bool{}
	overlap := false
	run := func(db *storage.DB, name string, ctx context.Context) {
		db.Lead(ctx, 9_999, 20*time.Millisecond, 5*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", func(context.Context) {
			mu.Lock()
			active[name] = true
			other := "a"
			if name == "a" {
				other = "b"
			}
			if active[other] && steps[other] > 0 {
				overlap = true
			}
			steps[name]++
			mu.Unlock()
		})
	}
	ctxA, stopA := context.WithCancel(context.Background())
	doneA := make(chan struct{})
	go func() { run(a, "a", ctxA); close(doneA) }()
	time.Sleep(100 * time.Millisecond)
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	doneB := make(chan struct{})
	go func() { run(b, "b", ctxB); close(doneB) }()
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	if steps["a"] == 0 || steps["b"] != 0 {
		mu.Unlock()
		t.Fatalf("while a leads: steps %v", steps)
	}
	mu.Unlock()
	// The leader dies: its session ends, and with it the lock.
	a.Close()
	stopA()
	<-doneA
	mu.Lock()
	active["a"] = false
	mu.Unlock()
	deadline := time.Now().Add(2 * time.Second)
	for {
		mu.Lock()
		n := steps["b"]
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("b never took over")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopB()
	<-doneB
	if overlap {
		t.Fatal("both led at once")
	}
}

// TestLeadTermStepsDownWhenTheLockIsLost: a term that runs for its whole
// leadership (the dispatcher, the poller) is cancelled within the check
// interval when its lock's session is killed, and the other process then
// takes over.
func TestLeadTermStepsDownWhenTheLockIsLost(t *testing.T) {
	a, b := twoHandles(t)
	ctx, stop := context.WithCancel(testContext(t))
	defer stop()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	const key = 9_998
	leading, ended := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		first := true
		a.LeadTerm(ctx, key, 50*time.Millisecond, quiet, "test", func(term context.Context) {
			if !first {
				<-term.Done()
				return
			}
			first = false
			close(leading)
			<-term.Done()
			close(ended)
		})
	}()
	<-leading
	var terminated bool
	if err := b.X().GetContext(ctx, &terminated, `
		SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objid = $1 AND granted`, key); err != nil || !terminated {
		t.Fatalf("terminate the holder: %v, %v", terminated, err)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the term went on after its lock was lost")
	}
	// b takes the lock before a competes again, or a retakes it: either
	// way, exactly one holds it. Here b must be able to get it within a's
	// retry once a no longer holds it.
	stop()
	<-done
	acquireWithin(t, b, key, time.Second)
}
