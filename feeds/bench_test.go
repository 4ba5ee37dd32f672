package feeds_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/feeds"
)

// BenchmarkIngest measures feed items ingested per second — fetch, parse,
// clean, summarise, deduplicate and store — for a feed of 10,000 items.
//
//	go test -run='^$' -bench=Ingest -benchtime=3x ./feeds/
func BenchmarkIngest(b *testing.B) {
	const items = 10_000
	var feed strings.Builder
	feed.WriteString(`<rss version="2.0"><channel><title>Bench</title>`)
	for i := range items {
		fmt.Fprintf(&feed, `<item><title>Bản tin quốc phòng số %d</title><link>https://bench.example/%d</link><guid>g-%d</guid>
<pubDate>%s</pubDate><description><![CDATA[<p>Chiều ngày 18/11/2021, Ban Tuyên giáo Thành ủy Móng Cái và Ban CHQS TP. Móng Cái ký kết chương trình phối hợp số %d giai đoạn 2021 - 2025. Hai bên thống nhất nội dung phối hợp &amp; kế hoạch năm 2021 - 2022.</p>]]></description></item>`,
			i, i, i, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), i)
	}
	feed.WriteString(`</channel></rss>`)
	body := feed.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
	defer srv.Close()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, feeds.NewFetcher(time.Minute, 64<<20, 2, feeds.AllowInternal()))
		b.StartTimer()
		start := time.Now()
		got, err := e.w.AddSource(context.Background(), 1, srv.URL+"/feed.rss", "", []int64{e.units["tuyengiao"]})
		total += time.Since(start)
		if err != nil || got.Items != items {
			b.Fatalf("%d items, %v", got.Items, err)
		}
	}
	b.ReportMetric(float64(items*b.N)/total.Seconds(), "items/s")
}
