package feeds_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/loabot/loa/feeds"
	"github.com/loabot/loa/storage"
)

// feedServer serves files of testdata by path, and counts requests.
type feedServer struct {
	*httptest.Server
	mu     sync.Mutex
	files  map[string]string // path → body
	full   atomic.Int64      // 200 answers (the poller parses these)
	notMod atomic.Int64      // 304 answers
}

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{files: map[string]string{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(path, body string) {
	fs.mu.Lock()
	fs.files[path] = body
	fs.mu.Unlock()
}

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/slow":
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
		return
	case "/huge":
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<rss version="2.0"><channel><title>Huge</title>`))
		item := `<item><title>Tin</title><description>` + strings.Repeat("Nội dung rất dài. ", 500) + `</description></item>`
		for n := 0; n < 5<<20; n += len(item) {
			if _, err := w.Write([]byte(item)); err != nil {
				return
			}
		}
		return
	}
	fs.mu.Lock()
	body, ok := fs.files[r.URL.Path]
	fs.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("User-Agent") != feeds.UserAgent {
		http.Error(w, "who are you", http.StatusForbidden)
		return
	}
	etag := `"` + strings.ReplaceAll(norm.NFC.String(body[:0])+strings.Repeat("x", len(body)%97), "x", "e") + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		fs.notMod.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	fs.full.Add(1)
	w.Write([]byte(body))
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func count(t *testing.T, db *storage.DB, sourceID int64) int {
	t.Helper()
	n := 0
	for _, a := range allArticles(t, db) {
		if a.SourceID == sourceID {
			n++
		}
	}
	return n
}

func TestRealShapedFeeds(t *testing.T) {
	fs := newFeedServer(t)
	e := newEnv(t, feeds.NewFetcher(500*time.Millisecond, 4<<20, 2, feeds.AllowInternal()))
	ctx := context.Background()
	tg := []int64{e.units["tuyengiao"]}

	for _, tc := range []struct {
		path, file string
		items      int
		title      string
	}{
		{"/biencuong.rss", "biencuong.rss", 3, "Tin mới nhất - Báo Biên Cương RSS"},
		{"/qk3.rss", "colon-zone.rss", 2, "Báo Quân khu 3 - Quốc phòng"},
		{"/lenient.rss", "lenient.rss", 1, "Thế giới - Báo Biên Cương RSS"},
		{"/atom.xml", "atom.xml", 2, "Cổng thông tin Thành ủy Móng Cái"},
		{"/feed.json", "feed.json", 2, "Bản tin Dân quân tự vệ"},
		{"/noguid.rss", "noguid.rss", 2, "Phường Trà Cổ"},
	} {
		fs.set(tc.path, fixture(t, tc.file))
		got, err := e.w.AddSource(ctx, 1, fs.URL+tc.path, "", tg)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if got.Items != tc.items || got.Title != tc.title || count(t, e.db, got.Source.ID) != tc.items {
			t.Errorf("%s: %d items, title %q, stored %d", tc.file, got.Items, got.Title, count(t, e.db, got.Source.ID))
		}
	}
	// Adding never floods: one card per source at most (the newest item).
	if n := len(e.pub.all()); n != 6 {
		t.Errorf("adding 6 sources pushed %d cards", n)
	}

	for _, tc := range []struct {
		path string
		want error
	}{
		{"/broken.rss", feeds.ErrNotFeed},
		{"/huge", feeds.ErrTooBig},
		{"/slow", feeds.ErrTimeout},
		{"/missing.rss", feeds.ErrUnreachable},
	} {
		fs.set("/broken.rss", fixture(t, "broken.rss"))
		start := time.Now()
		_, err := e.w.AddSource(ctx, 1, fs.URL+tc.path, "", tg)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.path, err, tc.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v", tc.path, d)
		}
		t.Logf("%s: %v → %s", tc.path, err, feeds.Reason(err))
	}
	if _, err := e.w.AddSource(ctx, 1, fs.URL+"/biencuong.rss", "", tg); !errors.Is(err, storage.ErrSourceExists) {
		t.Errorf("adding a source twice: %v", err)
	}

	// The next version of the feed: one new article, one re-published
	// under a new guid (same link), one under a new guid and a new link
	// (same title, same day), and the old ones.
	bc := fixture(t, "biencuong.rss")
	extra := `<item><title>Móng Cái tổ chức Ngày hội Đại đoàn kết</title><description><![CDATA[Ngày 19/11/2021, các khu phố tổ chức Ngày hội Đại đoàn kết toàn dân tộc.]]></description>
      <pubDate>Fri, 19 Nov 2021 08:00:00 +0700</pubDate><link>https://biencuong.example/ngay-hoi-4937000.html</link><guid>https://biencuong.example/ngay-hoi-4937000.html</guid></item>
    <item><title>Ký kết chương trình phối hợp công tác giai đoạn 2021 - 2025</title><description>Bản đăng lại.</description>
      <pubDate>Thu, 18 Nov 2021 16:44:00 +0700</pubDate><link>https://biencuong.example/ky-ket-phoi-hop-4936239.html</link><guid>new-guid-1</guid></item>
    <item><title>Ký kết chương trình phối hợp công tác giai đoạn 2021 – 2025 </title><description>Bản đăng lại lần hai.</description>
      <pubDate>Thu, 18 Nov 2021 20:00:00 +0700</pubDate><link>https://biencuong.example/ky-ket-phoi-hop-v2-4936999.html</link><guid>new-guid-2</guid></item>
    <item>`
	_ = extra
	bc2 := strings.Replace(bc, "<item>", strings.Replace(extra, "–", "-", 1), 1)
	fs.set("/biencuong.rss", bc2)
	e.clk.Add(11 * time.Minute)
	before := len(e.pub.all())
	rep, err := e.w.PollOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second poll: %+v", rep)
	if rep.New != 1 || rep.Pushed != 1 || len(e.pub.all()) != before+1 {
		t.Errorf("second poll: %+v, %d new cards", rep, len(e.pub.all())-before)
	}
	card := e.pub.all()[before]
	if !strings.Contains(card.Text, "<b>Móng Cái tổ chức Ngày hội Đại đoàn kết</b>") ||
		!strings.Contains(card.Text, "19/11/2021 08:00") || !card.NoPreview || card.DedupKey == "" ||
		len(card.Units) != 1 || card.Units[0] != tg[0] {
		t.Errorf("card: %+v", card)
	}

	// What was stored is clean: NFC, no HTML, no related links, no &nbsp;,
	// dates with a colon in the zone understood, tracking parameters gone.
	for _, a := range allArticles(t, e.db) {
		for _, s := range []string{a.Title, a.Summary, a.Body} {
			if !norm.NFC.IsNormalString(s) || strings.ContainsAny(s, "<>\u00a0") || strings.Contains(s, "&amp;") || strings.Contains(s, "2.400 mẫu") {
				t.Errorf("article %d not clean: %q", a.ID, s)
			}
		}
		if strings.Contains(a.Link, "utm_") {
			t.Errorf("tracking parameters kept: %s", a.Link)
		}
		switch {
		case strings.HasPrefix(a.Title, "Quảng Ninh hoàn thành"):
			if want := time.Date(2026, 7, 17, 1, 31, 31, 0, time.UTC); !a.PublishedAt.Equal(want) {
				t.Errorf("+07:00 date read as %v", a.PublishedAt)
			}
		case strings.HasPrefix(a.Title, "Tôi phải dạy thêm"):
			if !strings.Contains(a.Body, "đứng lớp") {
				t.Errorf("mixed NFD text not normalised: %q", a.Body)
			}
		case strings.HasPrefix(a.Title, "Ký kết"):
			if !strings.Contains(a.Body, "2021 - 2025 & kế hoạch") {
				t.Errorf("entity in CDATA: %q", a.Body)
			}
		}
	}
}

func TestConditionalGet(t *testing.T) {
	fs := newFeedServer(t)
	e := newEnv(t, nil)
	ctx := context.Background()
	fs.set("/feed.rss", fixture(t, "biencuong.rss"))
	if _, err := e.w.AddSource(ctx, 1, fs.URL+"/feed.rss", "Biên Cương", []int64{e.units["mongcai"]}); err != nil {
		t.Fatal(err)
	}
	// Not due yet: nothing is fetched.
	if rep, _ := e.w.PollOnce(ctx); rep.Sources != 0 {
		t.Fatalf("polled a source before its interval: %+v", rep)
	}
	e.clk.Add(10 * time.Minute)
	rep, err := e.w.PollOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NotModified != 1 || fs.full.Load() != 1 || fs.notMod.Load() != 1 {
		t.Fatalf("second poll: %+v; server sent %d full answers, %d × 304", rep, fs.full.Load(), fs.notMod.Load())
	}
	t.Logf("server: %d full answer(s) parsed, %d × 304 not parsed", fs.full.Load(), fs.notMod.Load())
}

func TestFailingSourceAlertsOnceAndRecovers(t *testing.T) {
	fs := newFeedServer(t)
	e := newEnv(t, nil)
	ctx := context.Background()
	fs.set("/feed.rss", fixture(t, "noguid.rss"))
	if _, err := e.w.AddSource(ctx, 1, fs.URL+"/feed.rss", "Trà Cổ", []int64{e.units["mongcai"]}); err != nil {
		t.Fatal(err)
	}
	fs.set("/feed.rss", fixture(t, "broken.rss"))
	var waits []time.Duration
	for range 6 {
		e.clk.Add(7 * time.Hour) // past any back-off
		if rep, _ := e.w.PollOnce(ctx); rep.Failed != 1 {
			t.Fatalf("poll of a broken feed: %+v", rep)
		}
		srcs, _ := e.db.Sources(ctx)
		waits = append(waits, srcs[0].NextFetchAt.Sub(e.clk.Now()))
	}
	t.Logf("back-off: %v", waits)
	if waits[0] != 10*time.Minute || waits[1] != 20*time.Minute || waits[2] != 40*time.Minute || waits[5] > 6*time.Hour {
		t.Errorf("back-off %v", waits)
	}
	// The reason in words an admin reads; the HTTP status is for the log.
	if got := e.pub.alerts(); len(got) != 1 || !strings.Contains(got[0].Text, "lỗi 3 lần liên tiếp: địa chỉ này không phải nguồn tin") || !got[0].ToAdmins || len(got[0].Units) != 0 {
		t.Fatalf("admins were told %+v", got)
	}
	fs.set("/feed.rss", fixture(t, "noguid.rss"))
	e.clk.Add(7 * time.Hour)
	if rep, _ := e.w.PollOnce(ctx); rep.Failed != 0 {
		t.Fatalf("recovery poll: %+v", rep)
	}
	e.clk.Add(7 * time.Hour)
	e.w.PollOnce(ctx)
	if got := e.pub.alerts(); len(got) != 2 || !strings.Contains(got[1].Text, "hoạt động trở lại") || got[0].DedupKey == got[1].DedupKey {
		t.Fatalf("admins were told %+v", got)
	}
}

func TestTeaserIsCompletedFromThePage(t *testing.T) {
	page := `<!doctype html><html><head><title>Ký kết</title></head><body>
<nav><a href="/">Trang chủ</a> <a href="/qp">Quốc phòng</a></nav>
<article><h1>Ký kết chương trình phối hợp công tác</h1>
<p>Chiều ngày 18/11/2021, Ban Tuyên giáo Thành ủy Móng Cái và Ban chỉ huy quân sự TP Móng Cái tổ chức ký kết chương trình phối hợp công tác giai đoạn 2021 - 2025 và kế hoạch phối hợp năm 2021 - 2022.</p>
<figure><img src="/a.jpg"><figcaption>Quang cảnh lễ ký kết</figcaption></figure>
<p>Trong những năm qua, hoạt động phối hợp giữa Ban Tuyên giáo Thành ủy và BCH Quân sự thành phố đã có sự gắn kết, phối hợp trên nhiều mặt công tác, đặc biệt là công tác chính trị, tư tưởng trong đội ngũ đảng viên, chiến sỹ và nhân dân.</p>
<p>Việc ký kết nhằm tăng cường hơn nữa mối quan hệ phối hợp giữa ngành Tuyên giáo của Đảng với lực lượng vũ trang, góp phần nâng cao hiệu quả công tác tuyên giáo và công tác quốc phòng, quân sự địa phương.</p>
<p>Thu Hằng</p><p>Loading...</p></article>
<footer>© Trung tâm TTVH</footer></body></html>`
	mux := http.NewServeMux()
	mux.HandleFunc("/bai/ky-ket.html", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	text, err := feeds.NewFetcher(0, 0, 0, feeds.AllowInternal()).Extract(context.Background(), srv.URL+"/bai/ky-ket.html")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("extracted:\n%s", text)
	if !strings.HasPrefix(text, "Chiều ngày 18/11/2021") || strings.Contains(text, "Loading") ||
		strings.Contains(text, "Thu Hằng") || strings.Contains(text, "Quang cảnh") || !strings.Contains(text, "quân sự địa phương.") {
		t.Errorf("extracted %q", text)
	}
	if s := feeds.Summarize("Ký kết chương trình phối hợp công tác", text); !strings.HasSuffix(s, "năm 2021 - 2022.") {
		t.Errorf("summary %q", s)
	}
}

// allArticles reads every article through the public API: LatestArticles
// for every unit.
func allArticles(t *testing.T, db *storage.DB) []storage.Article {
	t.Helper()
	us, err := db.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	arts, err := db.LatestArticles(context.Background(), ids, 10000, 0)
	if err != nil {
		t.Fatal(err)
	}
	return arts
}
