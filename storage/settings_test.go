package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestChatSettingsDefaultsSaveAndMigrate(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	const group, super = -4001, -1004000000001
	if err := db.UpsertChat(ctx, storage.Chat{ID: group, Type: "group", Title: "Nhóm"}); err != nil {
		t.Fatal(err)
	}
	s, err := db.ChatSettings(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	if s.Found || s.QuietFrom != 22*60 || s.QuietTo != 6*60 || s.DigestAt != nil || len(s.OnlyWords) != 0 {
		t.Fatalf("defaults: %+v", s)
	}
	at := 7 * 60
	s.DigestAt, s.OnlyWords, s.NoneWords = &at, []string{"Biên giới", "..."}, []string{"quảng cáo"}
	if err := db.SaveChatSettings(ctx, s, storage.SettingsChange{ActorID: 42, Action: storage.AuditSettingsFilter, Detail: "only"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	var keys, only pq.StringArray
	if err := db.X().QueryRowContext(ctx, `SELECT only_keys, only_words FROM chat_settings WHERE chat_id = $1`, group).Scan(
		&keys, &only); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "bien gioi" || len(only) != 2 {
		t.Errorf("only keys %q (a keyword with nothing to match has no key), words %q", keys, only)
	}
	log, err := db.AuditLog(ctx, 1)
	if err != nil || len(log) != 1 || log[0].Action != storage.AuditSettingsFilter || log[0].ActorID != 42 {
		t.Errorf("audit: %+v %v", log, err)
	}

	// The group becomes a supergroup: its settings follow it.
	if err := db.MigrateChat(ctx, group, super, "supergroup"); err != nil {
		t.Fatal(err)
	}
	if s, err := db.ChatSettings(ctx, super); err != nil || !s.Found || s.DigestAt == nil || *s.DigestAt != at {
		t.Errorf("after the migration: %+v %v", s, err)
	}
}

func TestEnqueueChatMessageOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	if err := db.UpsertChat(ctx, storage.Chat{ID: 77, Type: "private"}); err != nil {
		t.Fatal(err)
	}
	m := storage.ChatMessage{ChatID: 77, Kind: "notice", Lang: "vi", Text: "Chủ đề đã bị xóa", DedupKey: "topic-gone:77:5"}
	for i, want := range []bool{true, false} {
		created, err := db.EnqueueChatMessage(ctx, m, time.Now())
		if err != nil || created != want {
			t.Errorf("call %d: created %t, %v", i, created, err)
		}
	}
	var n int
	if err := db.X().GetContext(ctx, &n, `SELECT count(*) FROM deliveries WHERE chat_id = 77 AND state = 'pending'`); err != nil || n != 1 {
		t.Errorf("%d deliveries, %v", n, err)
	}
}
