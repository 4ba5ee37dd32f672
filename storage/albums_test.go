package storage_test

import (
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// TestAlbumPartsAreFoundTogetherAndForgotten: the parts of an album come
// back in order, once each, apart from other chats' and other albums'; a
// day later they are gone, so the table holds only recent file ids.
func TestAlbumPartsAreFoundTogetherAndForgotten(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	now := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	save := func(chat int64, group string, msg int, at time.Time) {
		t.Helper()
		if err := db.SaveAlbumPart(ctx, storage.AlbumPart{ChatID: chat, MediaGroupID: group, MessageID: msg, Kind: "photo", FileID: "f" + group, ReceivedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	save(1, "g", 12, now)
	save(1, "g", 11, now)
	save(1, "g", 11, now) // Telegram sent the update again
	save(2, "g", 13, now)
	save(1, "h", 14, now)
	parts, err := db.AlbumParts(ctx, 1, "g")
	if err != nil || len(parts) != 2 || parts[0].MessageID != 11 || parts[1].MessageID != 12 {
		t.Fatalf("album g in chat 1: %+v %v", parts, err)
	}
	save(3, "later", 1, now.Add(storage.AlbumKeep+time.Minute))
	if parts, _ := db.AlbumParts(ctx, 1, "g"); len(parts) != 0 {
		t.Errorf("parts a day old are kept: %+v", parts)
	}
}

// TestAutomaticReminderFallsDueOnce: a bulletin asking answers with a
// reminder after 30 minutes is due at 30 minutes after it went out, once;
// one without the option never is.
func TestAutomaticReminderFallsDueOnce(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	seedFollowers(t, ctx, db, u["p-tra-co"], 1000, 3)
	start := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	b := announcement(42, u["p-tra-co"])
	b.Content = []byte(`{"answers":["Đã nhận"],"remind_after":30}`)
	id, _, _, err := db.CreateBroadcast(ctx, b, true, start)
	if err != nil {
		t.Fatal(err)
	}
	plain := announcement(42, u["p-tra-co"])
	if _, _, _, err := db.CreateBroadcast(ctx, plain, true, start); err != nil {
		t.Fatal(err)
	}
	due := func(at time.Time) []int64 {
		t.Helper()
		ids, err := db.DueAutoReminders(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if ids := due(start.Add(29 * time.Minute)); len(ids) != 0 {
		t.Fatalf("due after 29 minutes: %v", ids)
	}
	if ids := due(start.Add(31 * time.Minute)); len(ids) != 1 || ids[0] != id {
		t.Fatalf("due after 31 minutes: %v, want [%d]", ids, id)
	}
	if ids := due(start.Add(2 * time.Hour)); len(ids) != 0 {
		t.Fatalf("due again: %v", ids)
	}
}

// TestLostRemindersAreClaimedAgain: a reminder claimed by a process that
// died before sending it (no message recorded) counts as lost after
// ReminderResend and is claimed again; one that was sent, or is younger,
// never is, so nobody is reminded twice and nobody is left out.
func TestLostRemindersAreClaimedAgain(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	seedFollowers(t, ctx, db, u["p-tra-co"], 1000, 3)
	start := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	b := announcement(42, u["p-tra-co"])
	b.Content = []byte(`{"answers":["Đã nhận"]}`)
	id, _, _, err := db.CreateBroadcast(ctx, b, true, start)
	if err != nil {
		t.Fatal(err)
	}
	claim := func(at time.Time, users ...int64) []int64 {
		t.Helper()
		got, err := db.ClaimReminders(ctx, id, users, at)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	lost := func(at time.Time) []int64 {
		t.Helper()
		ids, err := db.LostReminders(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := claim(start, 1000, 1001); len(got) != 2 {
		t.Fatalf("first claim: %v", got)
	}
	// 1000's reminder went out; 1001's process died before sending.
	if err := db.SetReminderMessage(ctx, id, 1000, 77); err != nil {
		t.Fatal(err)
	}
	if got := claim(start.Add(time.Minute), 1000, 1001); len(got) != 0 {
		t.Fatalf("a minute later, while it may still be on its way: claimed again %v", got)
	}
	if ids := lost(start.Add(storage.ReminderResend - time.Second)); len(ids) != 0 {
		t.Fatalf("lost before ReminderResend: %v", ids)
	}
	at := start.Add(storage.ReminderResend)
	if ids := lost(at); len(ids) != 1 || ids[0] != id {
		t.Fatalf("lost at ReminderResend: %v, want [%d]", ids, id)
	}
	if got := claim(at, 1000, 1001); len(got) != 1 || got[0] != 1001 {
		t.Fatalf("claimed again: %v, want only the unsent [1001]", got)
	}
	if ids := lost(at); len(ids) != 0 {
		t.Fatalf("still lost right after the new claim: %v", ids)
	}
}
