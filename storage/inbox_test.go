package storage_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func update(id, chat int64) storage.InboxUpdate {
	return storage.InboxUpdate{UpdateID: id, ChatID: chat, Payload: fmt.Appendf(nil, `{"update_id": %d}`, id)}
}

func ids(ups []storage.InboxUpdate) []int64 {
	out := []int64{}
	for _, u := range ups {
		out = append(out, u.UpdateID)
	}
	return out
}

func store(t *testing.T, db *storage.DB, ups ...storage.InboxUpdate) {
	t.Helper()
	if _, err := db.StoreUpdates(testContext(t), ups, 0); err != nil {
		t.Fatal(err)
	}
}

func claim(t *testing.T, db *storage.DB, owner string, limit int, lease time.Duration) []int64 {
	t.Helper()
	got, err := db.ClaimUpdates(testContext(t), owner, limit, lease)
	if err != nil {
		t.Fatal(err)
	}
	return ids(got)
}

func markHandled(t *testing.T, db *storage.DB, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		if err := db.MarkHandled(testContext(t), id); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStoreUpdates(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)

	if off, err := db.PollOffset(ctx); err != nil || off != 0 {
		t.Fatalf("PollOffset of a new database = %d, %v; want 0", off, err)
	}
	steps := []struct {
		ups        []storage.InboxUpdate
		nextOffset int64
		wantNew    int
		wantOffset int64
	}{
		{[]storage.InboxUpdate{update(1, 10), update(2, 20), update(3, 10)}, 4, 3, 4},
		{[]storage.InboxUpdate{update(3, 10), update(4, 0)}, 5, 1, 5}, // 3 delivered twice
		{[]storage.InboxUpdate{update(4, 0), update(4, 0)}, 3, 0, 5},  // an older offset is ignored
		{nil, 0, 0, 5},
		{nil, 9, 0, 9},
	}
	for i, s := range steps {
		n, err := db.StoreUpdates(ctx, s.ups, s.nextOffset)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		off, err := db.PollOffset(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != s.wantNew || off != s.wantOffset {
			t.Errorf("step %d: %d new, offset %d; want %d new, offset %d", i, n, off, s.wantNew, s.wantOffset)
		}
	}
	if n, err := db.PendingUpdates(ctx); err != nil || n != 4 {
		t.Errorf("PendingUpdates = %d, %v; want 4", n, err)
	}

	// Payload comes back as the same JSON.
	got, err := db.ClaimUpdates(ctx, "w", 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range got {
		var p struct {
			UpdateID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(u.Payload, &p); err != nil || p.UpdateID != u.UpdateID {
			t.Errorf("payload of %d = %s (%v)", u.UpdateID, u.Payload, err)
		}
	}
}

// TestStoreUpdatesIsOneTransaction: a batch that fails stores neither its
// updates nor its offset, so the poller asks Telegram for them again.
func TestStoreUpdatesIsOneTransaction(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	if _, err := db.StoreUpdates(ctx, []storage.InboxUpdate{update(1, 1)}, 2); err != nil {
		t.Fatal(err)
	}
	bad := storage.InboxUpdate{UpdateID: 3, ChatID: 1, Payload: []byte(`{not json`)}
	if _, err := db.StoreUpdates(ctx, []storage.InboxUpdate{update(2, 1), bad}, 4); err == nil {
		t.Fatal("StoreUpdates accepted a payload that is not JSON")
	}
	if off, _ := db.PollOffset(ctx); off != 2 {
		t.Errorf("offset = %d after a failed batch, want 2", off)
	}
	if n, _ := db.PendingUpdates(ctx); n != 1 {
		t.Errorf("%d updates stored after a failed batch, want 1", n)
	}
}

func TestClaimUpdatesKeepsChatOrder(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	// chat 10: 1 3 5; chat 20: 2 4; chat 30: 6
	store(t, db, update(1, 10), update(2, 20), update(3, 10), update(4, 20), update(5, 10), update(6, 30))

	if got := claim(t, db, "a", 3, time.Minute); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("a claims %v, want 1 2 3 (oldest first)", got)
	}
	// Chats 10 and 20 are busy, for b and for a itself; chat 10's 5 must
	// wait for 1 and 3, chat 20's 4 for 2.
	if got := claim(t, db, "b", 10, time.Minute); !slices.Equal(got, []int64{6}) {
		t.Fatalf("b claims %v, want 6", got)
	}
	if got := claim(t, db, "a", 10, time.Minute); len(got) != 0 {
		t.Fatalf("a claims %v again, want nothing while its chats are busy", got)
	}
	markHandled(t, db, 1)
	if got := claim(t, db, "b", 10, time.Minute); len(got) != 0 {
		t.Fatalf("b claims %v, want nothing: 3 of chat 10 is still with a", got)
	}
	markHandled(t, db, 2, 3)
	if got := claim(t, db, "b", 10, time.Minute); !slices.Equal(got, []int64{4, 5}) {
		t.Fatalf("b claims %v, want 4 5", got)
	}
	markHandled(t, db, 4, 5, 6)
	if got := claim(t, db, "a", 10, time.Minute); len(got) != 0 {
		t.Fatalf("claims %v after all were handled", got)
	}
	if n, err := db.PendingUpdates(testContext(t)); err != nil || n != 0 {
		t.Errorf("PendingUpdates = %d, %v; want 0", n, err)
	}
}

// TestClaimUpdatesLimitKeepsOrder: when the limit cuts a chat's run, the rest
// of it waits for the first part, even for another owner.
func TestClaimUpdatesLimitKeepsOrder(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	store(t, db, update(1, 10), update(2, 10), update(3, 10), update(4, 20))
	if got := claim(t, db, "a", 2, time.Minute); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("a claims %v, want 1 2", got)
	}
	if got := claim(t, db, "b", 10, time.Minute); !slices.Equal(got, []int64{4}) {
		t.Fatalf("b claims %v, want 4 only", got)
	}
	markHandled(t, db, 1, 2)
	if got := claim(t, db, "b", 10, time.Minute); !slices.Equal(got, []int64{3}) {
		t.Fatalf("b claims %v, want 3", got)
	}
}

// TestClaimUpdatesSkipsAGap: a row locked by someone else is skipped, and so
// is everything after it in its chat, which must not overtake it.
func TestClaimUpdatesSkipsAGap(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	store(t, db, update(1, 10), update(2, 20), update(3, 10), update(4, 10))
	tx, err := db.X().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM updates WHERE update_id = 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, db, "a", 10, time.Minute); !slices.Equal(got, []int64{2}) {
		t.Fatalf("claims %v while 1 is locked, want 2 only", got)
	}
	tx.Rollback()
	if got := claim(t, db, "a", 10, time.Minute); !slices.Equal(got, []int64{1, 3, 4}) {
		t.Fatalf("claims %v after the lock is gone, want 1 3 4", got)
	}
}

// TestClaimUpdatesLateStoredUpdateWaits: an update stored after a later one
// of its chat was handed out (possible with several webhook receivers) waits
// until that chat is free; it does not run beside it.
func TestClaimUpdatesLateStoredUpdateWaits(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	store(t, db, update(10, 7))
	if got := claim(t, db, "a", 10, time.Minute); !slices.Equal(got, []int64{10}) {
		t.Fatalf("a claims %v, want 10", got)
	}
	store(t, db, update(9, 7))
	if got := claim(t, db, "b", 10, time.Minute); len(got) != 0 {
		t.Fatalf("b claims %v while a holds chat 7, want nothing", got)
	}
	markHandled(t, db, 10)
	if got := claim(t, db, "b", 10, time.Minute); !slices.Equal(got, []int64{9}) {
		t.Fatalf("b claims %v, want 9", got)
	}
}

func TestClaimUpdatesAfterLeaseExpires(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	store(t, db, update(1, 10), update(2, 10), update(3, 20))

	if got := claim(t, db, "dead", 10, 50*time.Millisecond); len(got) != 3 {
		t.Fatalf("claims %v, want all 3", got)
	}
	time.Sleep(100 * time.Millisecond)
	if got := claim(t, db, "alive", 1, time.Minute); !slices.Equal(got, []int64{1}) {
		t.Fatalf("after the lease: claims %v, want 1", got)
	}
	// dead's keep-alive must not take back what alive holds now, yet it
	// keeps what nobody took (3).
	if err := db.ExtendClaims(ctx, "dead", time.Hour); err != nil {
		t.Fatal(err)
	}
	var owners []string
	if err := db.X().SelectContext(ctx, &owners, `SELECT claimed_by FROM updates ORDER BY update_id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"alive", "dead", "dead"}; !slices.Equal(owners, want) {
		t.Fatalf("owners = %v, want %v", owners, want)
	}
	if got := claim(t, db, "other", 10, time.Minute); len(got) != 0 {
		t.Fatalf("claims %v, want nothing: 2 is extended, and 1 of its chat is with alive", got)
	}
}

func TestExtendClaimsKeepsLease(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	store(t, db, update(1, 10))
	if got := claim(t, db, "a", 10, 200*time.Millisecond); len(got) != 1 {
		t.Fatalf("claims %v", got)
	}
	if err := db.ExtendClaims(testContext(t), "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := claim(t, db, "b", 10, time.Minute); len(got) != 0 {
		t.Fatalf("b claims %v from an extended lease", got)
	}
}

func TestClaimUpdatesArguments(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	for _, c := range []struct {
		owner string
		limit int
		lease time.Duration
	}{{"", 1, time.Second}, {"a", 0, time.Second}, {"a", 1, 0}} {
		if _, err := db.ClaimUpdates(testContext(t), c.owner, c.limit, c.lease); err == nil {
			t.Errorf("ClaimUpdates(%q, %d, %v) accepted", c.owner, c.limit, c.lease)
		}
	}
}

func TestMarkHandled(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	if err := db.MarkHandled(ctx, 99); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("MarkHandled of an unknown update = %v, want ErrNotFound", err)
	}
	store(t, db, update(1, 10), update(2, 10))
	markHandled(t, db, 1, 1) // twice is fine
	if n, _ := db.PendingUpdates(ctx); n != 1 {
		t.Errorf("PendingUpdates = %d, want 1", n)
	}
	// A handled update is never handed out, not even unclaimed.
	if got := claim(t, db, "a", 10, time.Minute); !slices.Equal(got, []int64{2}) {
		t.Errorf("claims %v, want 2", got)
	}
	// And is still recognised as a repeat.
	if n, err := db.StoreUpdates(ctx, []storage.InboxUpdate{update(1, 10)}, 0); err != nil || n != 0 {
		t.Errorf("storing handled update again: %d new, %v", n, err)
	}
}

func TestPruneUpdates(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	if _, err := db.PruneUpdates(ctx, time.Hour); err == nil {
		t.Error("PruneUpdates accepted a retention of one hour")
	}
	store(t, db, update(1, 10), update(2, 10), update(3, 10), update(4, 10))
	markHandled(t, db, 1, 2, 4)
	// 1 (handled) and 3 (not handled) are old; 2 and 4 are recent.
	if _, err := db.X().ExecContext(ctx, `UPDATE updates SET received_at = now() - interval '72 hours' WHERE update_id IN (1, 3)`); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneUpdates(ctx, storage.MinUpdateRetention)
	if err != nil || n != 1 {
		t.Fatalf("PruneUpdates = %d, %v; want 1", n, err)
	}
	var left []int64
	if err := db.X().SelectContext(ctx, &left, `SELECT update_id FROM updates ORDER BY update_id`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(left, []int64{2, 3, 4}) {
		t.Errorf("left %v, want 2 3 4", left)
	}
}

// TestClaimUpdatesConcurrently runs a poller that keeps storing updates and
// workers of two owners, each owner on its own *DB as two processes would
// be, and checks that no chat is ever in two workers' hands at once, that
// each chat's updates are handled in order without a gap, and that all are
// handled exactly once.
func TestClaimUpdatesConcurrently(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	url := pgtest.NewURL(t)
	var dbs [2]*storage.DB
	for i := range dbs {
		db, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}

	const chats, total, workersPerOwner = 12, 600, 4
	var (
		mu       sync.Mutex
		stored   = map[int64][]int64{} // chat → its update ids, in order
		handled  = map[int64][]int64{} // chat → what was handled, in order
		inHand   = map[int64]int{}     // chat → worker now handling it
		problems []string
		done     = make(chan struct{})
	)
	problem := func(format string, args ...any) {
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}

	var wg sync.WaitGroup
	wg.Go(func() { // the poller
		defer close(done)
		rng := rand.New(rand.NewPCG(1, 2))
		for id := int64(1); id <= total; {
			var batch []storage.InboxUpdate
			for n := 1 + rng.IntN(20); n > 0 && id <= total; n-- {
				u := update(id, 1+rng.Int64N(chats))
				batch = append(batch, u)
				if rng.IntN(10) == 0 {
					batch = append(batch, u) // a repeat delivery
				}
				id++
			}
			mu.Lock()
			for _, u := range batch {
				if s := stored[u.ChatID]; len(s) == 0 || s[len(s)-1] != u.UpdateID {
					stored[u.ChatID] = append(s, u.UpdateID)
				}
			}
			mu.Unlock()
			if _, err := dbs[0].StoreUpdates(ctx, batch, id); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	for w := range 2 * workersPerOwner {
		owner, db := fmt.Sprint("owner", w%2), dbs[w%2]
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for {
				select {
				case <-done:
					if n, err := db.PendingUpdates(ctx); err != nil || n == 0 {
						return
					}
				default:
				}
				ups, err := db.ClaimUpdates(ctx, owner, 1+rng.IntN(4), time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ups) == 0 {
					time.Sleep(time.Millisecond)
					continue
				}
				for _, u := range ups {
					mu.Lock()
					if other, ok := inHand[u.ChatID]; ok && other != w {
						problem("chat %d: update %d given to worker %d while worker %d handles the chat", u.ChatID, u.UpdateID, w, other)
					}
					inHand[u.ChatID] = w
					h, s := handled[u.ChatID], stored[u.ChatID]
					if len(h) >= len(s) || s[len(h)] != u.UpdateID {
						problem("chat %d: update %d handled after %v, but the chat's updates are %v", u.ChatID, u.UpdateID, h, s)
					}
					handled[u.ChatID] = append(h, u.UpdateID)
					mu.Unlock()

					time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond) // the handler

					mu.Lock()
					delete(inHand, u.ChatID) // before MarkHandled frees the chat
					mu.Unlock()
					if err := db.MarkHandled(ctx, u.UpdateID); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()

	for _, p := range problems {
		t.Error(p)
	}
	count := 0
	for chat, s := range stored {
		count += len(handled[chat])
		if !slices.Equal(handled[chat], s) {
			t.Errorf("chat %d: handled %v, stored %v", chat, handled[chat], s)
		}
	}
	if count != total {
		t.Errorf("handled %d updates, want %d", count, total)
	}
}
