package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestUpsertChat(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)

	if _, err := db.Chat(ctx, -100); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Chat of an unknown id = %v, want ErrNotFound", err)
	}
	if err := db.UpsertChat(ctx, storage.Chat{ID: -100, Type: "group", Title: "Ban CHQS", Language: "vi"}); err != nil {
		t.Fatal(err)
	}
	first, err := db.Chat(ctx, -100)
	if err != nil {
		t.Fatal(err)
	}
	if first.Type != "group" || first.Title != "Ban CHQS" || first.Language != "vi" || first.Status != storage.ChatActive {
		t.Fatalf("after insert: %+v", first)
	}
	if first.CreatedAt.IsZero() || first.UpdatedAt.IsZero() {
		t.Fatalf("timestamps not set: %+v", first)
	}

	if err := db.SetChatStatus(ctx, -100, storage.ChatBlocked); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // so updated_at can move
	// A message from the chat again: new title, no language known.
	if err := db.UpsertChat(ctx, storage.Chat{ID: -100, Type: "group", Title: "Ban CHQS Móng Cái"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Chat(ctx, -100)
	if err != nil {
		t.Fatal(err)
	}
	want := first
	want.Title, want.UpdatedAt = "Ban CHQS Móng Cái", got.UpdatedAt
	if got != want {
		t.Errorf("after update:\n got %+v\nwant %+v", got, want)
	}
	if !got.CreatedAt.Equal(first.CreatedAt) || !got.UpdatedAt.After(first.UpdatedAt) {
		t.Errorf("created_at %v→%v must stay, updated_at %v→%v must move", first.CreatedAt, got.CreatedAt, first.UpdatedAt, got.UpdatedAt)
	}

	if err := db.UpsertChat(ctx, storage.Chat{ID: -100, Type: "group", Title: "x", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Chat(ctx, -100); got.Language != "en" {
		t.Errorf("language = %q, want en", got.Language)
	}
	if err := db.UpsertChat(ctx, storage.Chat{ID: 5, Type: "nonsense"}); err == nil {
		t.Error("UpsertChat accepted type nonsense")
	}
}

func TestSetChatStatus(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	if err := db.SetChatStatus(ctx, 42, storage.ChatLeft); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetChatStatus of an unknown chat = %v, want ErrNotFound", err)
	}
	if err := db.UpsertChat(ctx, storage.Chat{ID: 42, Type: "private"}); err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{storage.ChatBlocked, storage.ChatBlocked, storage.ChatLeft, storage.ChatActive} {
		if err := db.SetChatStatus(ctx, 42, status); err != nil {
			t.Fatalf("SetChatStatus(%s): %v", status, err)
		}
		if c, _ := db.Chat(ctx, 42); c.Status != status {
			t.Fatalf("status = %s, want %s", c.Status, status)
		}
	}
	if err := db.SetChatStatus(ctx, 42, "gone"); err == nil {
		t.Error("SetChatStatus accepted status gone")
	}
}

func TestMigrateChat(t *testing.T) {
	t.Parallel()
	const oldID, newID = -100, -1001234567890

	t.Run("moves", func(t *testing.T) {
		t.Parallel()
		ctx := testContext(t)
		db := pgtest.New(t)
		if err := db.UpsertChat(ctx, storage.Chat{ID: oldID, Type: "group", Title: "Dân quân", Language: "vi"}); err != nil {
			t.Fatal(err)
		}
		old, _ := db.Chat(ctx, oldID)
		for i := 0; i < 2; i++ { // the second run finds the work done
			if err := db.MigrateChat(ctx, oldID, newID, "supergroup"); err != nil {
				t.Fatalf("MigrateChat #%d: %v", i+1, err)
			}
		}
		if _, err := db.Chat(ctx, oldID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("old chat still there: %v", err)
		}
		got, err := db.Chat(ctx, newID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != "supergroup" || got.Title != "Dân quân" || got.Language != "vi" ||
			got.Status != storage.ChatActive || !got.CreatedAt.Equal(old.CreatedAt) {
			t.Errorf("moved chat = %+v (old %+v)", got, old)
		}
	})

	t.Run("merges into a known new id", func(t *testing.T) {
		t.Parallel()
		ctx := testContext(t)
		db := pgtest.New(t)
		if err := db.UpsertChat(ctx, storage.Chat{ID: oldID, Type: "group", Title: "old"}); err != nil {
			t.Fatal(err)
		}
		if err := db.UpsertChat(ctx, storage.Chat{ID: newID, Type: "supergroup", Title: "new", Language: "en"}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := db.MigrateChat(ctx, oldID, newID, "supergroup"); err != nil {
				t.Fatalf("MigrateChat #%d: %v", i+1, err)
			}
		}
		old, err := db.Chat(ctx, oldID)
		if err != nil || old.Status != storage.ChatLeft {
			t.Errorf("old chat = %+v, %v; want status left", old, err)
		}
		got, err := db.Chat(ctx, newID)
		if err != nil || got.Title != "new" || got.Language != "en" || got.Status != storage.ChatActive {
			t.Errorf("new chat = %+v, %v; want it kept as it was", got, err)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		db := pgtest.New(t)
		if err := db.MigrateChat(testContext(t), oldID, newID, "supergroup"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("MigrateChat of unknown chats = %v, want ErrNotFound", err)
		}
	})

	t.Run("to itself", func(t *testing.T) {
		t.Parallel()
		ctx := testContext(t)
		db := pgtest.New(t)
		if err := db.UpsertChat(ctx, storage.Chat{ID: oldID, Type: "group"}); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateChat(ctx, oldID, oldID, "supergroup"); err == nil {
			t.Error("MigrateChat to the same id succeeded")
		}
		if c, err := db.Chat(ctx, oldID); err != nil || c.Status != storage.ChatActive || c.Type != "group" {
			t.Errorf("chat after a refused migration: %+v, %v", c, err)
		}
	})
}

// TestMigrateChatMovesDependentRows shows how a later table hooks into
// MigrateChat, with a foreign key to chats and a row that exists at both ids,
// and that a failing move rolls everything back. Not parallel: it swaps a
// package variable.
func TestMigrateChatMovesDependentRows(t *testing.T) {
	ctx := testContext(t)
	db := pgtest.New(t)
	if _, err := db.X().ExecContext(ctx, `
		CREATE TABLE unit_chats (
			unit_id text NOT NULL,
			chat_id bigint NOT NULL REFERENCES chats (id),
			PRIMARY KEY (unit_id, chat_id))`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(storage.SetChatRef("unit_chats", "chat_id", "unit_id"))
	// -7 merges into the known -1007, where unit a already is; -9 moves to
	// the unknown -1009.
	for _, c := range []storage.Chat{{ID: -7, Type: "group"}, {ID: -8, Type: "group"}, {ID: -9, Type: "group"}, {ID: -1007, Type: "supergroup"}} {
		if err := db.UpsertChat(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.X().ExecContext(ctx, `INSERT INTO unit_chats VALUES ('a', -7), ('b', -7), ('a', -8), ('a', -1007), ('c', -9)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range [][2]int64{{-7, -1007}, {-9, -1009}, {-9, -1009}} {
		if err := db.MigrateChat(ctx, m[0], m[1], "supergroup"); err != nil {
			t.Fatal(err)
		}
	}
	var rows []struct {
		Unit string `db:"unit_id"`
		Chat int64  `db:"chat_id"`
	}
	if err := db.X().SelectContext(ctx, &rows, `SELECT unit_id, chat_id FROM unit_chats ORDER BY unit_id, chat_id`); err != nil {
		t.Fatal(err)
	}
	want := "[{a -1007} {a -8} {b -1007} {c -1009}]"
	if got := fmtRows(rows); got != want {
		t.Errorf("unit_chats = %s, want %s", got, want)
	}

	// A failing move leaves everything as it was.
	storage.SetChatRef("no_such_table", "chat_id")
	if err := db.MigrateChat(ctx, -8, -1008, "supergroup"); err == nil {
		t.Fatal("MigrateChat succeeded with a broken statement")
	}
	if _, err := db.Chat(ctx, -8); err != nil {
		t.Errorf("chat -8 after a failed move: %v", err)
	}
	if _, err := db.Chat(ctx, -1008); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("chat -1008 exists after a failed move: %v", err)
	}
}

// TestMigrateChatConcurrently: several processes meeting the same 400
// migrate_to_chat_id at once all succeed and leave one chat. Those that wait
// for the first one's row lock must find the moved chat, not ErrNotFound.
func TestMigrateChatConcurrently(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	for pair := int64(1); pair <= 10; pair++ {
		oldID, newID := -pair, -1000-pair
		if err := db.UpsertChat(ctx, storage.Chat{ID: oldID, Type: "group", Title: "t"}); err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		errs := make(chan error, 8)
		for range cap(errs) {
			go func() {
				<-start
				errs <- db.MigrateChat(ctx, oldID, newID, "supergroup")
			}()
		}
		close(start)
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if c, err := db.Chat(ctx, newID); err != nil || c.Title != "t" {
			t.Errorf("new chat = %+v, %v", c, err)
		}
		if _, err := db.Chat(ctx, oldID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("old chat still there: %v", err)
		}
	}
}
