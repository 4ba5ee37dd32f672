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

// The preview counts the chat's articles of the last days that the
// filters would have let through, by the fan-out's test.
func TestFilterPreview(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{
		{Code: "city", Name: "Thành phố", Kind: "city", Visibility: storage.Public},
		{Code: "ward", Name: "Phường", Kind: "ward", Visibility: storage.Public, ParentCode: "city"},
	}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	city, _ := db.UnitByCode(ctx, "city")
	ward, _ := db.UnitByCode(ctx, "ward")
	if err := db.UpsertChat(ctx, storage.Chat{ID: 88, Type: "private"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, 88, 88, ward.ID); err != nil {
		t.Fatal(err)
	}
	src, err := db.AddSource(ctx, 0, "https://example.vn/rss", "Báo thành phố", []int64{city.ID}) // above the ward: reaches it
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.InsertArticles(ctx, src.ID, []storage.NewArticle{
		{GUID: "1", Title: "Tuần tra biên giới", PublishedAt: time.Now()},
		{GUID: "2", Title: "Quảng cáo gần biên giới", PublishedAt: time.Now()},
		{GUID: "3", Title: "Lễ hội mùa xuân", PublishedAt: time.Now()},
	}, false); err != nil {
		t.Fatal(err)
	}
	since := time.Now().AddDate(0, 0, -7)
	for _, c := range []struct {
		only, none    []string
		passed, total int
	}{
		{nil, nil, 3, 3},
		{[]string{"bien gioi"}, nil, 2, 3},
		{[]string{"Biên giới"}, []string{"quang cao"}, 1, 3},
	} {
		passed, total, err := db.FilterPreview(ctx, 88, since, c.only, c.none)
		if err != nil || passed != c.passed || total != c.total {
			t.Errorf("only %q none %q: %d of %d (%v), want %d of %d", c.only, c.none, passed, total, err, c.passed, c.total)
		}
	}
	if err := db.SetSourceMuted(ctx, 88, src.ID, true, 88); err != nil {
		t.Fatal(err)
	}
	if passed, _, _ := db.FilterPreview(ctx, 88, since, nil, nil); passed != 0 {
		t.Errorf("a muted source's articles pass: %d", passed)
	}
}
