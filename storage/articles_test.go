package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestArticlesAreStoredOnce(t *testing.T) {
	db := pgtest.New(t)
	ctx := testContext(t)
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{{Code: "tuyengiao", Name: "Ban Tuyên giáo", Kind: "dept", Visibility: storage.Public}}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	u, err := db.UnitByCode(ctx, "tuyengiao")
	if err != nil {
		t.Fatal(err)
	}
	src, err := db.AddSource(ctx, 1, "https://a.example/rss", "A", []int64{u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddSource(ctx, 1, "https://a.example/rss", "A", []int64{u.ID}); !errors.Is(err, storage.ErrSourceExists) {
		t.Fatalf("second AddSource: %v", err)
	}
	day := time.Date(2021, 11, 18, 9, 44, 0, 0, time.UTC)
	first := []storage.NewArticle{
		{GUID: "g1", Link: "https://a.example/1", Title: "Ký kết chương trình", PublishedAt: day},
		{GUID: "g1", Link: "https://a.example/1b", Title: "Trùng guid trong cùng lô", PublishedAt: day},
		{Link: "https://a.example/2", Title: "Không có guid", PublishedAt: day},
		{Title: "Không có guid, không có link", PublishedAt: day},
	}
	if n, err := db.InsertArticles(ctx, src.ID, first, false); err != nil || n != 3 {
		t.Fatalf("first insert: %d, %v", n, err)
	}
	again := []storage.NewArticle{
		{GUID: "g1", Link: "https://a.example/1", Title: "Ký kết chương trình", PublishedAt: day},                   // same guid
		{GUID: "new", Link: "https://a.example/2", Title: "Tiêu đề đổi", PublishedAt: day},                          // same link
		{GUID: "new2", Link: "https://a.example/9", Title: "KÝ KẾT  chương trình", PublishedAt: day.Add(time.Hour)}, // same title, same day
		{Title: "Không có guid, không có link", PublishedAt: day},                                                   // same title, same day
		{GUID: "g3", Title: "Ký kết chương trình", PublishedAt: day.Add(48 * time.Hour)},                            // same title, another day: new
	}
	if n, err := db.InsertArticles(ctx, src.ID, again, false); err != nil || n != 1 {
		t.Fatalf("second insert stored %d new, %v", n, err)
	}
	un, err := db.Unpushed(ctx, src.ID, 10)
	if err != nil || len(un) != 4 || un[0].SourceName != "A" || len(un[0].UnitIDs) != 1 {
		t.Fatalf("unpushed: %+v %v", un, err)
	}
	if err := db.MarkPushed(ctx, un[0].ID); err != nil {
		t.Fatal(err)
	}
	if un, _ := db.Unpushed(ctx, src.ID, 10); len(un) != 3 {
		t.Fatalf("after MarkPushed: %d unpushed", len(un))
	}
	found, total, err := db.SearchArticles(ctx, []int64{u.ID}, "ky ket", 10, 0)
	if err != nil || len(found) != 2 || total != 2 {
		t.Fatalf("search: %d of %d, %v", len(found), total, err)
	}
	if found, total, _ := db.SearchArticles(ctx, []int64{u.ID + 1000}, "ky ket", 10, 0); len(found) != 0 || total != 0 {
		t.Fatalf("search outside the reader's units found %d", len(found))
	}
	if _, err := db.RemoveSource(ctx, 1, src.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LatestArticles(ctx, []int64{u.ID}, 10, 0); len(got) != 0 {
		t.Fatalf("articles of a removed source: %d", len(got))
	}
}
