package storage_test

import (
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// TestClaimUrgentFirstThenInTurns: a big routine broadcast started first,
// a small routine one and an urgent one after it. A claim takes the urgent
// deliveries first, then the two routine broadcasts in turns, so the small
// one is not queued behind the big one (oldest first would give the big
// one's ten).
func TestClaimUrgentFirstThenInTurns(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	seedFollowers(t, ctx, db, u["p-tra-co"], 1000, 100)
	seedFollowers(t, ctx, db, u["p-khac"], 2000, 5)
	seedFollowers(t, ctx, db, u["dq-co-dong"], 3000, 3)
	create := func(unit string, urgent bool, at time.Time) int64 {
		b := announcement(42, u[unit])
		if urgent {
			b.Priority = 1
		}
		id, _, _, err := db.CreateBroadcast(ctx, b, true, at)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	big := create("p-tra-co", false, t0)
	small := create("p-khac", false, t0.Add(time.Minute))
	urgent := create("dq-co-dong", true, t0.Add(2*time.Minute))

	got, err := db.ClaimDeliveries(ctx, t0.Add(3*time.Minute), 9, false)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	for _, d := range got {
		order = append(order, d.BroadcastID)
	}
	want := []int64{urgent, urgent, urgent, big, small, big, small, big, small}
	if len(order) != len(want) {
		t.Fatalf("claimed %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("claimed broadcasts in the order %v, want %v (urgent %d, big %d, small %d)", order, want, urgent, big, small)
		}
	}
	if got[0].Priority != 1 || got[3].Priority != 0 {
		t.Errorf("priorities %d, %d", got[0].Priority, got[3].Priority)
	}
	// Urgent only: nothing urgent is left.
	if more, err := db.ClaimDeliveries(ctx, t0.Add(3*time.Minute), 9, true); err != nil || len(more) != 0 {
		t.Errorf("urgent-only claim: %d, %v", len(more), err)
	}
}

// TestScheduledBroadcastFallsDueAtItsTime: the deliveries of a scheduled
// bulletin exist from the start (a restart loses nothing) and are not due
// before its time.
func TestScheduledBroadcastFallsDueAtItsTime(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	seedFollowers(t, ctx, db, u["p-khac"], 2000, 4)
	b := announcement(42, u["p-khac"])
	at := t0.Add(10 * time.Hour)
	b.ScheduledAt = &at
	id, n, _, err := db.CreateBroadcast(ctx, b, false, t0)
	if err != nil || n != 4 {
		t.Fatal(n, err)
	}
	if ok, n, err := db.StartBroadcast(ctx, id, 42, t0); !ok || n != 4 || err != nil {
		t.Fatalf("start: %v %d %v", ok, n, err)
	}
	if got, err := db.ClaimDeliveries(ctx, at.Add(-time.Second), 10, false); err != nil || len(got) != 0 {
		t.Fatalf("claimed %d before its time (%v)", len(got), err)
	}
	s, err := db.BroadcastSummary(ctx, id)
	if err != nil || s.ScheduledAt == nil || !s.ScheduledAt.Equal(at) {
		t.Fatalf("summary %+v, %v", s, err)
	}
	if got, err := db.ClaimDeliveries(ctx, at, 10, false); err != nil || len(got) != 4 {
		t.Fatalf("claimed %d at its time (%v)", len(got), err)
	}
}

// TestRecordedMessagesOfEveryPart: every message of every part is kept
// with its kind, once even when a record is repeated.
func TestRecordedMessagesOfEveryPart(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	chats := seedFollowers(t, ctx, db, u["p-khac"], 2000, 2)
	id, _, _, err := db.CreateBroadcast(ctx, announcement(42, u["p-khac"]), true, t0)
	if err != nil {
		t.Fatal(err)
	}
	album := storage.DeliveryOutcome{BroadcastID: id, ChatID: chats[0], State: storage.DeliveryPending, KeepClaim: true, PartsSent: 1,
		Messages: []storage.SentMessage{{Part: 0, MessageID: 5, Kind: "caption", SentAt: t0}, {Part: 0, MessageID: 6, Kind: "media", SentAt: t0}}}
	text := storage.DeliveryOutcome{BroadcastID: id, ChatID: chats[0], State: storage.DeliverySent, PartsSent: 2, DoneAt: t0,
		Messages: []storage.SentMessage{{Part: 1, MessageID: 7, Kind: "text", SentAt: t0}}}
	for _, outs := range [][]storage.DeliveryOutcome{{album}, {album}, {text}} {
		if err := db.RecordDeliveries(ctx, outs); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := db.DeliveredMessages(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].MessageID != 5 || ms[0].Kind != "caption" || ms[2].MessageID != 7 || ms[2].Part != 1 {
		t.Fatalf("messages %+v", ms)
	}
}
