package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// seedFollowers adds n active private chats (ids first, first+1, …)
// following unitID, in bulk: the API writes an audit row per subscription,
// which would make the setup the slow part.
func seedFollowers(t testing.TB, ctx context.Context, db *storage.DB, unitID, first int64, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	if _, err := db.X().ExecContext(ctx, `
		INSERT INTO chats (id, type) SELECT unnest($1::bigint[]), 'private';
	`, pq.Array(ids)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.X().ExecContext(ctx, `
		INSERT INTO subscriptions (chat_id, unit_id) SELECT unnest($1::bigint[]), $2`, pq.Array(ids), unitID); err != nil {
		t.Fatal(err)
	}
	return ids
}

var t0 = time.Date(2021, 11, 18, 9, 0, 0, 0, time.UTC)

func announcement(author int64, units ...int64) storage.NewBroadcast {
	return storage.NewBroadcast{Kind: "announcement", AuthorID: author, AuthorChatID: author, Lang: "vi",
		Text: "Họp giao ban lúc <b>7h30</b>.", UnitIDs: units}
}

func deliveryChats(t *testing.T, ctx context.Context, db *storage.DB, broadcastID int64) []int64 {
	t.Helper()
	var ids []int64
	if err := db.X().SelectContext(ctx, &ids, `SELECT chat_id FROM deliveries WHERE broadcast_id = $1 ORDER BY chat_id`, broadcastID); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestBroadcastDraftAndStart(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	// Chats of a platoon below the ward, of the ward itself, of another
	// root, and a blocked one: the ward reaches the first two.
	platoon := seedFollowers(t, ctx, db, u["dq-tra-co"], 100, 3)
	ward := seedFollowers(t, ctx, db, u["p-tra-co"], 200, 2)
	seedFollowers(t, ctx, db, u["p-khac"], 300, 4)
	if err := db.SetChatStatus(ctx, platoon[0], storage.ChatBlocked); err != nil {
		t.Fatal(err)
	}
	const author, other = 42, 43

	id, chats, created, err := db.CreateBroadcast(ctx, announcement(author, u["p-tra-co"]), false, t0)
	if err != nil || !created || chats != 4 {
		t.Fatalf("draft: id %d, chats %d, created %v, %v; want 4 chats", id, chats, created, err)
	}
	if got := deliveryChats(t, ctx, db, id); len(got) != 0 {
		t.Fatalf("a draft has deliveries: %v", got)
	}
	if ok, n, err := db.StartBroadcast(ctx, id, other, t0); ok || n != 0 || err != nil {
		t.Fatalf("someone else's start: %v, %d, %v", ok, n, err)
	}
	if got := deliveryChats(t, ctx, db, id); len(got) != 0 {
		t.Fatalf("someone else's start created deliveries: %v", got)
	}
	ok, n, err := db.StartBroadcast(ctx, id, author, t0.Add(time.Minute))
	if !ok || n != 4 || err != nil {
		t.Fatalf("author's start: %v, %d, %v; want 4 deliveries", ok, n, err)
	}
	want := append(append([]int64{}, platoon[1:]...), ward...)
	if got := deliveryChats(t, ctx, db, id); !slices.Equal(got, want) {
		t.Errorf("deliveries to %v, want %v", got, want)
	}
	if ok, n, err := db.StartBroadcast(ctx, id, author, t0); ok || n != 0 || err != nil {
		t.Fatalf("second start: %v, %d, %v", ok, n, err)
	}
	s, err := db.BroadcastSummary(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.State != storage.BroadcastSending || s.Total != 4 || s.Pending != 4 || s.StartedAt == nil ||
		!s.StartedAt.Equal(t0.Add(time.Minute)) || !slices.Equal([]int64(s.UnitIDs), []int64{u["p-tra-co"]}) {
		t.Errorf("summary %+v", s)
	}
	if _, err := db.BroadcastSummary(ctx, id+100); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown broadcast: %v", err)
	}
}

func TestEnqueueTwiceWithOneKeyCreatesNothingNew(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	seedFollowers(t, ctx, db, u["mongcai"], 100, 5)
	b := announcement(0, u["mongcai"])
	b.DedupKey = "article:17"
	id, n, created, err := db.CreateBroadcast(ctx, b, true, t0)
	if err != nil || !created || n != 5 {
		t.Fatalf("first: %d, %d, %v, %v", id, n, created, err)
	}
	seedFollowers(t, ctx, db, u["mongcai"], 200, 2) // more chats now: still nothing new
	// Concurrently, as two processes' pollers might.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id2, n2, created2, err := db.CreateBroadcast(ctx, b, true, t0)
			if err != nil || created2 || id2 != id || n2 != 5 {
				t.Errorf("again: %d, %d, %v, %v; want %d, 5, false", id2, n2, created2, err, id)
			}
		}()
	}
	wg.Wait()
	var count int
	if err := db.X().GetContext(ctx, &count, `SELECT count(*) FROM broadcasts`); err != nil || count != 1 {
		t.Errorf("%d broadcasts, %v", count, err)
	}
	if got := deliveryChats(t, ctx, db, id); len(got) != 5 {
		t.Errorf("%d deliveries, want 5", len(got))
	}
	// Without a key, the same broadcast twice is two broadcasts.
	b.DedupKey = ""
	a1, _, _, _ := db.CreateBroadcast(ctx, b, true, t0)
	a2, _, _, _ := db.CreateBroadcast(ctx, b, true, t0)
	if a1 == a2 || a1 == 0 {
		t.Errorf("keyless broadcasts %d and %d", a1, a2)
	}
}

func TestTwoClaimersNeverGetTheSameDelivery(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	// Two handles: the connections of two processes.
	url := pgtest.NewURL(t)
	db, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	u := seedUnits(t, ctx, db)
	const chats = 1000
	seedFollowers(t, ctx, db, u["mongcai"], 1, chats)
	if _, _, _, err := db.CreateBroadcast(ctx, announcement(0, u["mongcai"]), true, t0); err != nil {
		t.Fatal(err)
	}

	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
	)
	for i := range 6 {
		h := db
		if i%2 == 1 {
			h = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := h.ClaimDeliveries(ctx, t0, 37, false)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ChatID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != chats {
		t.Fatalf("%d chats claimed, want %d", len(seen), chats)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("chat %d claimed %d times", id, n)
		}
	}
	// Claimed rows are never due again, however late…
	if got, _ := db.ClaimDeliveries(ctx, t0.Add(24*time.Hour), 10, false); len(got) != 0 {
		t.Fatalf("claimed again: %d", len(got))
	}
	// …but a new dispatcher frees them at once.
	n, err := db.ReleaseDeliveryClaims(ctx)
	if err != nil || n != chats {
		t.Fatalf("released %d, %v", n, err)
	}
	got, err := db.ClaimDeliveries(ctx, t0, 2000, false)
	if err != nil || len(got) != chats {
		t.Fatalf("after release: %d, %v", len(got), err)
	}
	if d := got[0]; d.ChatType != "private" || d.ChatStatus != storage.ChatActive || d.Attempts != 0 || d.PartsSent != 0 || d.RetrySince != nil {
		t.Errorf("claimed %+v", d)
	}
}

func TestRecordDeliveries(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	ids := seedFollowers(t, ctx, db, u["mongcai"], 1, 5)
	const group = -4242
	if err := db.UpsertChat(ctx, storage.Chat{ID: group, Type: "group"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, 0, group, u["chqs"]); err != nil {
		t.Fatal(err)
	}
	id, _, _, err := db.CreateBroadcast(ctx, announcement(0, u["mongcai"]), true, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.ClaimDeliveries(ctx, t0, 10, false); err != nil || len(got) != 6 {
		t.Fatalf("claimed %d, %v", len(got), err)
	}
	now := t0.Add(time.Second)
	later := t0.Add(time.Hour)
	outs := []storage.DeliveryOutcome{
		{BroadcastID: id, ChatID: ids[0], State: storage.DeliverySent, PartsSent: 1, MessageID: 7, DoneAt: now},
		{BroadcastID: id, ChatID: ids[1], State: storage.DeliveryBlocked, Reason: "Forbidden: bot was blocked by the user", DoneAt: now, ChatGone: true},
		{BroadcastID: id, ChatID: group, State: storage.DeliveryBlocked, Reason: "Forbidden: bot was kicked from the group chat", DoneAt: now, ChatGone: true},
		{BroadcastID: id, ChatID: ids[2], State: storage.DeliveryFailed, Reason: "Bad Request: chat not found", DoneAt: now},
		{BroadcastID: id, ChatID: ids[3], State: storage.DeliveryPending, DueAt: later, Attempts: 1, RetrySince: now, Reason: "timeout"},
		{BroadcastID: id, ChatID: ids[4], State: storage.DeliveryPending, KeepClaim: true, PartsSent: 2, MessageID: 9},
	}
	if err := db.RecordDeliveries(ctx, outs); err != nil {
		t.Fatal(err)
	}
	for chat, want := range map[int64]string{ids[0]: storage.ChatActive, ids[1]: storage.ChatBlocked, group: storage.ChatLeft} {
		if c, _ := db.Chat(ctx, chat); c.Status != want {
			t.Errorf("chat %d is %s, want %s", chat, c.Status, want)
		}
	}
	s, _ := db.BroadcastSummary(ctx, id)
	if s.Total != 6 || s.Sent != 1 || s.Blocked != 2 || s.Failed != 1 || s.Pending != 2 {
		t.Errorf("counts %+v", s)
	}
	// The rescheduled one is due at its time, with its attempt and retry
	// start; the one in progress stays claimed.
	if got, _ := db.ClaimDeliveries(ctx, later.Add(-time.Second), 10, false); len(got) != 0 {
		t.Fatalf("claimed before it was due: %+v", got)
	}
	got, err := db.ClaimDeliveries(ctx, later, 10, false)
	if err != nil || len(got) != 1 {
		t.Fatalf("due later: %+v, %v", got, err)
	}
	if d := got[0]; d.ChatID != ids[3] || d.Attempts != 1 || d.RetrySince == nil || !d.RetrySince.Equal(now) || d.PartsSent != 0 {
		t.Errorf("rescheduled %+v", d)
	}
	// Its dispatcher died: both are free again, and the one in progress
	// resumes after part 2.
	if n, _ := db.ReleaseDeliveryClaims(ctx); n != 2 {
		t.Errorf("released %d claims, want 2", n)
	}
	got, _ = db.ClaimDeliveries(ctx, later, 10, false)
	slices.SortFunc(got, func(a, b storage.Delivery) int { return int(a.ChatID - b.ChatID) })
	if len(got) != 2 || got[1].ChatID != ids[4] || got[1].PartsSent != 2 {
		t.Errorf("after release %+v", got)
	}
	reasons, err := db.FailureReasons(ctx, id, 10)
	if err != nil || len(reasons) != 3 || reasons[0].Count != 1 {
		t.Errorf("reasons %+v, %v", reasons, err)
	}

	// Cancelled: a failure recorded later does not undo the cancel, a sent
	// message is recorded as sent.
	n, err := db.CancelBroadcast(ctx, id, 42, later)
	if err != nil || n != 2 {
		t.Fatalf("cancelled %d, %v; want 2", n, err)
	}
	if err := db.RecordDeliveries(ctx, []storage.DeliveryOutcome{
		{BroadcastID: id, ChatID: ids[3], State: storage.DeliveryFailed, Reason: "late", DoneAt: later},
		{BroadcastID: id, ChatID: ids[4], State: storage.DeliverySent, PartsSent: 3, MessageID: 10, DoneAt: later},
		{BroadcastID: id, ChatID: ids[0], State: storage.DeliveryFailed, Reason: "sent already", DoneAt: later},
	}); err != nil {
		t.Fatal(err)
	}
	s, _ = db.BroadcastSummary(ctx, id)
	if s.State != storage.BroadcastCancelled || s.Sent != 2 || s.Failed != 1 || s.Cancelled != 1 || s.Pending != 0 {
		t.Errorf("after cancel %+v", s)
	}
}

func TestCancelFinishAndReport(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	ids := seedFollowers(t, ctx, db, u["mongcai"], 1, 3)
	if _, err := db.CancelBroadcast(ctx, 999, 1, t0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("cancel of an unknown broadcast: %v", err)
	}
	draft, _, _, _ := db.CreateBroadcast(ctx, announcement(5, u["mongcai"]), false, t0)
	if n, err := db.CancelBroadcast(ctx, draft, 5, t0); n != 0 || err != nil {
		t.Errorf("cancel a draft: %d, %v", n, err)
	}
	if ok, _, _ := db.StartBroadcast(ctx, draft, 5, t0); ok {
		t.Error("a cancelled draft started")
	}
	if got, err := db.CancelledBroadcasts(ctx, []int64{draft, draft + 1}); err != nil || !slices.Equal(got, []int64{draft}) {
		t.Errorf("cancelled broadcasts %v, %v", got, err)
	}

	id, _, _, _ := db.CreateBroadcast(ctx, announcement(5, u["mongcai"]), true, t0)
	if ok, err := db.FinishBroadcast(ctx, id, t0); ok || err != nil {
		t.Fatalf("finished with deliveries pending: %v, %v", ok, err)
	}
	var outs []storage.DeliveryOutcome
	for _, c := range ids {
		outs = append(outs, storage.DeliveryOutcome{BroadcastID: id, ChatID: c, State: storage.DeliverySent, PartsSent: 1, DoneAt: t0})
	}
	if err := db.RecordDeliveries(ctx, outs); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.FinishBroadcast(ctx, id, t0.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("finish: %v, %v", ok, err)
	}
	if n, err := db.CancelBroadcast(ctx, id, 5, t0); n != 0 || err != nil {
		t.Errorf("cancel of a finished broadcast: %d, %v", n, err)
	}
	un, err := db.UnreportedBroadcasts(ctx)
	if err != nil || len(un) != 2 || un[0].ID != draft || un[1].ID != id {
		t.Fatalf("unreported: %+v, %v", un, err)
	}
	if err := db.MarkBroadcastReported(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	// Frozen: deleting the rows no longer changes the counts.
	if _, err := db.X().ExecContext(ctx, `DELETE FROM deliveries WHERE broadcast_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	recent, err := db.RecentBroadcasts(ctx, 10)
	if err != nil || len(recent) != 2 || recent[0].ID != id {
		t.Fatalf("recent %+v, %v", recent, err)
	}
	if r := recent[0]; r.State != storage.BroadcastDone || r.Total != 3 || r.Sent != 3 || r.ReportedAt == nil || r.FinishedAt == nil {
		t.Errorf("reported %+v", r)
	}
	if un, _ := db.UnreportedBroadcasts(ctx); len(un) != 1 {
		t.Errorf("still unreported: %+v", un)
	}
}

func TestMigrateChatMovesDeliveries(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const oldID, newID = -4242, -1001234567890
	if err := db.UpsertChat(ctx, storage.Chat{ID: oldID, Type: "group", Title: "Trà Cổ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, 0, oldID, u["p-tra-co"]); err != nil {
		t.Fatal(err)
	}
	id, n, _, err := db.CreateBroadcast(ctx, announcement(0, u["mongcai"]), true, t0)
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if err := db.MigrateChat(ctx, oldID, newID, "supergroup"); err != nil {
		t.Fatal(err)
	}
	if got := deliveryChats(t, ctx, db, id); !slices.Equal(got, []int64{newID}) {
		t.Errorf("deliveries to %v after the migration, want the new id", got)
	}
	if subs, _ := db.Subscriptions(ctx, newID); !slices.Equal(subs, []int64{u["p-tra-co"]}) {
		t.Errorf("subscriptions %v", subs)
	}
}

// BenchmarkClaimAndRecord measures the dispatcher's two statements, without
// Telegram: claiming 256 due deliveries at a time and recording them sent
// in groups of 16, as 16 senders would.
//
//	go test -run='^$' -bench=ClaimAndRecord -benchtime=3x ./storage/
func BenchmarkClaimAndRecord(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	if _, err := db.ApplyUnits(ctx, testSpecs(), storage.SystemActor); err != nil {
		b.Fatal(err)
	}
	city, _ := db.UnitByCode(ctx, "mongcai")
	const chats = 20_000
	seedFollowers(b, ctx, db, city.ID, 1, chats)
	b.ResetTimer()
	var total int
	for b.Loop() {
		b.StopTimer()
		if _, _, _, err := db.CreateBroadcast(ctx, announcement(0, city.ID), true, t0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for {
			got, err := db.ClaimDeliveries(ctx, t0, 256, false)
			if err != nil {
				b.Fatal(err)
			}
			if len(got) == 0 {
				break
			}
			for len(got) > 0 {
				k := min(16, len(got))
				outs := make([]storage.DeliveryOutcome, k)
				for i, d := range got[:k] {
					outs[i] = storage.DeliveryOutcome{BroadcastID: d.BroadcastID, ChatID: d.ChatID, State: storage.DeliverySent, PartsSent: 1, MessageID: 1, DoneAt: t0}
				}
				if err := db.RecordDeliveries(ctx, outs); err != nil {
					b.Fatal(err)
				}
				got = got[k:]
				total += k
			}
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "deliveries/s")
}
