package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// BenchmarkArticleFanOut is the cost of the chats' settings in the fan-out
// of one article to 100,000 chats, of which 2,000 have settings (1,000 a
// keyword filter, 500 a digest) and 200 muted the source; compared with
// the same fan-out of an announcement, which only topic routing touches.
//
//	go test -run '^$' -bench ArticleFanOut -benchtime 5x ./storage/
func BenchmarkArticleFanOut(b *testing.B) {
	ctx := context.Background()
	url := pgtest.NewURL(b)
	db, err := storage.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{{Code: "ward", Name: "Phường", Kind: "ward", Visibility: storage.Public}}, storage.SystemActor); err != nil {
		b.Fatal(err)
	}
	u, err := db.UnitByCode(ctx, "ward")
	if err != nil {
		b.Fatal(err)
	}
	const chats = 100_000
	ids := make([]int64, chats)
	for i := range ids {
		ids[i] = int64(1_000_000 + i)
	}
	pgtest.Followers(b, url, u.ID, ids)
	src, err := db.AddSource(ctx, 0, "https://example.vn/rss", "Báo", []int64{u.ID})
	if err != nil {
		b.Fatal(err)
	}
	x, err := sql.Open("postgres", url)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if _, err := x.ExecContext(ctx, `
		INSERT INTO chat_settings (chat_id, only_keys, none_keys, digest_at, updated_at)
		SELECT id, CASE WHEN id % 2 = 0 THEN '{an ninh,bien gioi}'::text[] ELSE '{}' END,
			CASE WHEN id % 2 = 0 THEN '{quang cao}'::text[] ELSE '{}' END,
			CASE WHEN id % 4 = 1 THEN 1080 END, now()
		FROM unnest($1::bigint[]) AS id`, pq.Array(ids[:2000])); err != nil {
		b.Fatal(err)
	}
	if _, err := x.ExecContext(ctx, `INSERT INTO chat_muted_sources (chat_id, source_id) SELECT unnest($1::bigint[]), $2`,
		pq.Array(ids[2000:2200]), src.ID); err != nil {
		b.Fatal(err)
	}
	items := make([]storage.NewArticle, 0, b.N+10)
	for i := range b.N + 10 {
		items = append(items, storage.NewArticle{GUID: fmt.Sprint(i), Title: fmt.Sprintf("Bảo đảm an ninh biên giới %d", i),
			Summary: "Dân quân tuần tra.", PublishedAt: time.Now()})
	}
	if _, err := db.InsertArticles(ctx, src.ID, items, false); err != nil {
		b.Fatal(err)
	}
	arts, err := db.Unpushed(ctx, src.ID, len(items))
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"announcement", "article"} {
		b.Run(kind, func(b *testing.B) {
			for i := range b.N {
				nb := storage.NewBroadcast{Kind: kind, Text: "x", UnitIDs: []int64{u.ID}}
				if kind == "article" {
					nb.ArticleID = arts[i].ID
				}
				_, n, _, err := db.CreateBroadcast(ctx, nb, true, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				if want := chats - 200 - 500; kind == "article" && n != want {
					b.Fatalf("%d deliveries, want %d", n, want)
				}
			}
		})
	}
}
