package storage_test

import (
	"slices"
	"testing"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// TestBroadcastToAdmins: an alert reaches the active private chats of the
// admins, and no one else: not a member's chat, not a group, not an admin
// who blocked the bot; with units too, a chat both reach gets it once.
func TestBroadcastToAdmins(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	members := seedFollowers(t, ctx, db, u["p-tra-co"], 100, 2)
	admins := seedFollowers(t, ctx, db, u["p-khac"], 200, 3) // private chats of 200, 201, 202
	if _, err := db.X().ExecContext(ctx, `INSERT INTO chats (id, type) VALUES (-300, 'group')`); err != nil {
		t.Fatal(err)
	}
	if err := db.EnsureAdmins(ctx, []int64{admins[0], admins[1], admins[2], members[0] + 1000}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetChatStatus(ctx, admins[2], storage.ChatBlocked); err != nil {
		t.Fatal(err)
	}
	alert := storage.NewBroadcast{Kind: "alert", Lang: "vi", Text: "Nguồn tin lỗi.", ToAdmins: true, DedupKey: "alert:1"}

	id, chats, created, err := db.CreateBroadcast(ctx, alert, true, t0)
	if err != nil || !created || chats != 2 {
		t.Fatalf("alert: id %d, chats %d, created %v, %v; want 2 chats", id, chats, created, err)
	}
	if got := deliveryChats(t, ctx, db, id); !slices.Equal(got, admins[:2]) {
		t.Fatalf("alert reached %v, want %v", got, admins[:2])
	}
	if again, n, created, err := db.CreateBroadcast(ctx, alert, true, t0); err != nil || created || again != id || n != 2 {
		t.Fatalf("same key again: id %d, chats %d, created %v, %v", again, n, created, err)
	}

	both := storage.NewBroadcast{Kind: "alert", Lang: "vi", Text: "x", ToAdmins: true, UnitIDs: []int64{u["p-khac"]}}
	id, chats, _, err = db.CreateBroadcast(ctx, both, true, t0)
	if err != nil || chats != 2 || !slices.Equal(deliveryChats(t, ctx, db, id), admins[:2]) {
		t.Fatalf("units and admins: %d chats, %v", chats, err)
	}
	if _, _, _, err := db.CreateBroadcast(ctx, alert, false, t0); err == nil {
		t.Fatal("a draft to the admins was created; starting it could not reach them")
	}
}
