package storage_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestSubscribe(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const actor, chat = 10, -100
	if err := db.UpsertChat(ctx, storage.Chat{ID: chat, Type: "group"}); err != nil {
		t.Fatal(err)
	}
	before := len(auditActions(t, ctx, db))
	for i, step := range []struct {
		sub  bool
		unit string
		want bool
	}{
		{true, "dq-tra-co", true}, {true, "dq-tra-co", false}, {true, "chqs", true},
		{false, "dq-tra-co", true}, {false, "dq-tra-co", false}, {true, "mongcai", true},
	} {
		var changed bool
		var err error
		if step.sub {
			changed, err = db.Subscribe(ctx, actor, chat, u[step.unit])
		} else {
			changed, err = db.Unsubscribe(ctx, actor, chat, u[step.unit])
		}
		if err != nil || changed != step.want {
			t.Fatalf("step %d: changed %v, %v; want %v", i, changed, err, step.want)
		}
	}
	subs, err := db.Subscriptions(ctx, chat)
	if err != nil || !slices.Equal(subs, []int64{u["mongcai"], u["chqs"]}) {
		t.Errorf("Subscriptions = %v, %v; want mongcai, chqs in display order", subs, err)
	}
	actions := auditActions(t, ctx, db)[before:]
	want := []string{storage.AuditSubscriptionAdd, storage.AuditSubscriptionAdd, storage.AuditSubscriptionRemove, storage.AuditSubscriptionAdd}
	if !slices.Equal(actions, want) {
		t.Errorf("audit = %v, want %v (only changes)", actions, want)
	}
	log, _ := db.AuditLog(ctx, 1)
	if e := log[0]; e.ActorID != actor || e.ChatID == nil || *e.ChatID != chat || *e.UnitID != u["mongcai"] || e.SubjectUserID != nil {
		t.Errorf("audit entry %+v", e)
	}
	if _, err := db.Subscribe(ctx, actor, 12345, u["chqs"]); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Subscribe of an unknown chat = %v, want ErrNotFound", err)
	}
	if _, err := db.Subscribe(ctx, actor, chat, 999_999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Subscribe to an unknown unit = %v, want ErrNotFound", err)
	}
}

func TestChatsReached(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	chats := []struct {
		id     int64
		status string
		units  []string
	}{
		{1, storage.ChatActive, []string{"dq-tra-co"}},
		{2, storage.ChatActive, []string{"p-tra-co", "dq-tra-co"}}, // two reached units: once
		{3, storage.ChatBlocked, []string{"dq-tra-co"}},
		{4, storage.ChatLeft, []string{"p-tra-co"}},
		{-5, storage.ChatActive, []string{"chqs"}},
		{6, storage.ChatActive, []string{"dq-co-dong", "mongcai"}},
		{7, storage.ChatActive, []string{"p-khac"}},
		{8, storage.ChatActive, nil},
	}
	for _, c := range chats {
		if err := db.UpsertChat(ctx, storage.Chat{ID: c.id, Type: "group"}); err != nil {
			t.Fatal(err)
		}
		for _, code := range c.units {
			if _, err := db.Subscribe(ctx, 1, c.id, u[code]); err != nil {
				t.Fatal(err)
			}
		}
		if c.status != storage.ChatActive {
			if err := db.SetChatStatus(ctx, c.id, c.status); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		units []string
		want  []int64
	}{
		{[]string{"mongcai"}, []int64{-5, 1, 2, 6}}, // everything below the city, sorted
		{[]string{"p-tra-co"}, []int64{1, 2}},       // the ward and its militia
		{[]string{"dq-tra-co"}, []int64{1, 2}},      // not the ward's followers above it
		{[]string{"chqs"}, []int64{-5, 6}},
		{[]string{"dq-co-dong"}, []int64{6}},
		{[]string{"dq-co-dong", "dq-tra-co"}, []int64{1, 2, 6}},
		{[]string{"mongcai", "p-tra-co", "p-khac"}, []int64{-5, 1, 2, 6, 7}},
		{[]string{"p-khac"}, []int64{7}},
		{nil, nil},
	} {
		var ids []int64
		for _, code := range tc.units {
			ids = append(ids, u[code])
		}
		got, err := db.ChatsReached(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ChatsReached(%v) = %v, want %v", tc.units, got, tc.want)
		}
		if n, err := db.CountChatsReached(ctx, ids); err != nil || n != len(tc.want) {
			t.Errorf("CountChatsReached(%v) = %d, %v; want %d", tc.units, n, err, len(tc.want))
		}
	}
	if got, err := db.ChatsReached(ctx, []int64{999_999}); err != nil || len(got) != 0 {
		t.Errorf("ChatsReached of an unknown unit = %v, %v", got, err)
	}
}

// TestMigrateChatMovesSubscriptions: a group upgraded to a supergroup keeps
// following its units under the new id, also when the bot already knew the
// supergroup and some of its subscriptions.
func TestMigrateChatMovesSubscriptions(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	subscribe := func(chat int64, codes ...string) {
		t.Helper()
		if err := db.UpsertChat(ctx, storage.Chat{ID: chat, Type: "group"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if _, err := db.Subscribe(ctx, 1, chat, u[c]); err != nil {
				t.Fatal(err)
			}
		}
	}
	subs := func(chat int64) []int64 {
		t.Helper()
		s, err := db.Subscriptions(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// To a new id.
	subscribe(-100, "chqs", "dq-tra-co")
	if err := db.MigrateChat(ctx, -100, -1001, "supergroup"); err != nil {
		t.Fatal(err)
	}
	if got := subs(-1001); !slices.Equal(got, []int64{u["chqs"], u["dq-tra-co"]}) {
		t.Errorf("subscriptions at the new id = %v", got)
	}
	if got, _ := db.ChatsReached(ctx, []int64{u["mongcai"]}); !slices.Equal(got, []int64{-1001}) {
		t.Errorf("ChatsReached after the move = %v, want the new id only", got)
	}

	// Into a known id that already follows one of the same units.
	subscribe(-200, "chqs", "p-tra-co")
	subscribe(-2002, "p-tra-co", "p-khac")
	if err := db.MigrateChat(ctx, -200, -2002, "supergroup"); err != nil {
		t.Fatal(err)
	}
	if got := subs(-2002); !slices.Equal(got, []int64{u["chqs"], u["p-tra-co"], u["p-khac"]}) {
		t.Errorf("subscriptions at the known id = %v", got)
	}
	if got := subs(-200); len(got) != 0 {
		t.Errorf("the old id still follows %v", got)
	}
	if got, _ := db.ChatsReached(ctx, []int64{u["mongcai"], u["p-khac"]}); !slices.Equal(got, []int64{-2002, -1001}) {
		t.Errorf("ChatsReached after the merge = %v", got)
	}
}
