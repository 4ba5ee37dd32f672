package handlers

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
)

// TestLatestLatency prints /latest's median and p99 latency, through the
// router, with 100,000 articles stored in 10 sources (one restricted). It
// takes about a minute, so it runs only with LOA_BENCH=1:
//
//	LOA_BENCH=1 go test -run=LatestLatency -v ./handlers/
func TestLatestLatency(t *testing.T) {
	if os.Getenv("LOA_BENCH") == "" {
		t.Skip("set LOA_BENCH=1 to measure /latest with 100,000 articles")
	}
	f := newArticlesFixture(t)
	ctx := context.Background()
	all, err := f.db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, u := range all[:10] {
		codes = append(codes, u.Code)
	}
	const perSource = 10_000
	start := time.Now()
	for s, code := range codes {
		u, err := f.db.UnitByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		src, err := f.db.AddSource(ctx, admin.ID, fmt.Sprintf("https://bench%d.example/rss", s), "Nguồn "+code, []int64{u.ID})
		if err != nil {
			t.Fatal(err)
		}
		for batch := 0; batch < perSource; batch += 5000 {
			items := make([]storage.NewArticle, 5000)
			for i := range items {
				n := batch + i
				items[i] = storage.NewArticle{
					GUID: fmt.Sprintf("%d-%d", s, n), Link: fmt.Sprintf("https://bench%d.example/%d", s, n),
					Title:       fmt.Sprintf("Bản tin %s số %d về công tác quốc phòng", code, n),
					Summary:     "Ban Tuyên giáo Thành ủy và Ban CHQS thành phố triển khai kế hoạch phối hợp giai đoạn 2021 - 2025.",
					PublishedAt: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n*len(codes)+s) * time.Minute),
				}
			}
			if _, err := f.db.InsertArticles(ctx, src.ID, items, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("stored %d articles in %v", len(codes)*perSource, time.Since(start).Round(time.Millisecond))
	for _, q := range []struct {
		who  User
		text string
	}{{stranger, "/latest"}, {member, "/latest 20"}, {stranger, "/latest 3 tuyengiao"}, {stranger, "/search tuyen giao so 9999"}} {
		var d []time.Duration
		for range 200 {
			s := time.Now()
			resp := f.say(dm(q.who), q.who, q.text)
			d = append(d, time.Since(s))
			if len(resp.Replies) == 0 {
				t.Fatalf("%s: no reply", q.text)
			}
		}
		slices.Sort(d)
		fmt.Printf("%-28s median %v  p99 %v  (200 requests, 100,000 articles)\n", q.text, d[len(d)/2].Round(10*time.Microsecond), d[len(d)*99/100].Round(10*time.Microsecond))
	}
}
