package feeds_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loabot/loa/feeds"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

func TestInternalAddr(t *testing.T) {
	for _, c := range []struct {
		addr     string
		internal bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true},
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"172.31.255.255", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"169.254.1.1", true}, {"fe80::1", true},
		{"fc00::1", true}, {"fd00:ec2::254", true},
		{"100.64.0.1", true}, {"100.127.255.254", true},
		{"0.0.0.0", true}, {"::", true}, {"0.1.2.3", true},
		{"224.0.0.1", true}, {"239.255.255.250", true}, {"ff02::1", true}, {"ff05::2", true},
		{"255.255.255.255", true}, {"240.0.0.1", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true}, {"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true}, {"::a9fe:a9fe", true}, {"64:ff9b::7f00:1", true}, {"2002:7f00:1::", true},
		{"fec0::1", true},
		// The public internet.
		{"8.8.8.8", false}, {"1.1.1.1", false}, {"172.32.0.1", false}, {"100.128.0.1", false},
		{"203.162.4.190", false}, {"2001:4860:4860::8888", false}, {"::ffff:8.8.8.8", false},
		{"64:ff9b::808:808", false}, {"2002:808:808::", false},
	} {
		if got := feeds.InternalAddr(netip.MustParseAddr(c.addr)); got != c.internal {
			t.Errorf("InternalAddr(%s) = %v, want %v", c.addr, got, c.internal)
		}
	}
}

// guardServer answers every path with a feed, counts the requests, and
// redirects /redirect to the address given.
type guardServer struct {
	*httptest.Server
	hits     atomic.Int64
	redirect string
}

func newGuardServer(t *testing.T, body string) *guardServer {
	gs := &guardServer{}
	gs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gs.hits.Add(1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, gs.redirect, http.StatusFound)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(gs.Close)
	return gs
}

// TestFetcherRefusesInternalAddresses: the guard is on by default, checks
// the address connected to (a name that resolves to loopback, an
// IPv4-mapped IPv6 literal) and every redirect, and lets the operator's
// named hosts through.
func TestFetcherRefusesInternalAddresses(t *testing.T) {
	ctx := context.Background()
	gs := newGuardServer(t, rss(2, time.Now(), ""))
	u, _ := url.Parse(gs.URL)
	port := u.Port()
	def := feeds.NewFetcher(2*time.Second, 0, 0)
	for _, target := range []string{
		gs.URL + "/rss",
		"http://localhost:" + port + "/rss", // a name: only the dialer sees it is 127.0.0.1
		"http://[::ffff:127.0.0.1]:" + port + "/rss",
	} {
		_, err := def.Fetch(ctx, target, "", "")
		if !errors.Is(err, feeds.ErrInternal) {
			t.Errorf("Fetch(%s): err = %v, want ErrInternal", target, err)
		}
		if _, err := def.Extract(ctx, target); !errors.Is(err, feeds.ErrInternal) {
			t.Errorf("Extract(%s): err = %v, want ErrInternal", target, err)
		}
	}
	if n := gs.hits.Load(); n != 0 {
		t.Fatalf("the internal server was reached %d times", n)
	}

	// An allowed host is fetched; a redirect from it to an address that is
	// not allowed is refused before it connects.
	allowed := feeds.NewFetcher(2*time.Second, 0, 0, feeds.AllowHosts(" LocalHost "))
	if _, err := allowed.Fetch(ctx, "http://localhost:"+port+"/rss", "", ""); err != nil {
		t.Fatalf("allowed host: %v", err)
	}
	gs.redirect = "http://127.0.0.1:" + port + "/secret"
	before := gs.hits.Load()
	if _, err := allowed.Fetch(ctx, "http://localhost:"+port+"/redirect", "", ""); !errors.Is(err, feeds.ErrInternal) {
		t.Errorf("redirect to 127.0.0.1: err = %v, want ErrInternal", err)
	}
	if n := gs.hits.Load() - before; n != 1 {
		t.Errorf("the redirect chain made %d requests, want 1 (the redirect itself)", n)
	}
	if _, err := allowed.Fetch(ctx, "http://127.0.0.1:"+port+"/rss", "", ""); !errors.Is(err, feeds.ErrInternal) {
		t.Errorf("a host not named: err = %v, want ErrInternal", err)
	}
}

// TestAddSourceRefusesInternalFeed: /addsource and loa sources add share
// the watcher's AddSource, which names the reason in the admin's language.
func TestAddSourceRefusesInternalFeed(t *testing.T) {
	gs := newGuardServer(t, rss(2, time.Now(), ""))
	e := newEnv(t, feeds.NewFetcher(2*time.Second, 0, 0))
	_, err := e.w.AddSource(context.Background(), storage.SystemActor, gs.URL+"/rss", "", []int64{e.units["tuyengiao"]})
	if !errors.Is(err, feeds.ErrInternal) || feeds.Reason(err) != messages.KeySourceInternal {
		t.Fatalf("err = %v (reason %q), want ErrInternal", err, feeds.Reason(err))
	}
	if srcs, _ := e.db.Sources(context.Background()); len(srcs) != 0 || gs.hits.Load() != 0 {
		t.Fatalf("refused feed: %d sources stored, %d requests", len(srcs), gs.hits.Load())
	}
}

// TestInternalArticlePageIsNotFetched: a feed on an allowed host whose item
// links to another internal address. The item is stored and pushed with what
// the feed said; the page is never requested; the log says why.
func TestInternalArticlePageIsNotFetched(t *testing.T) {
	secret := newGuardServer(t, `<html><body><article><p>`+strings.Repeat("Mật khẩu máy chủ nội bộ là hunter2. ", 40)+`</p></article></body></html>`)
	item := `<item><title>Tin nội bộ</title><link>` + secret.URL + `/admin</link><guid>noi-bo</guid><pubDate>` +
		time.Date(2021, 11, 18, 17, 5, 0, 0, time.UTC).Format(time.RFC1123Z) + `</pubDate><description>Tin ngắn.</description></item>`
	feed := newGuardServer(t, `<rss version="2.0"><channel><title>Nội bộ</title>`+item+`</channel></rss>`)
	u, _ := url.Parse(feed.URL)

	db := newEnv(t, nil)
	var logs bytes.Buffer
	w := feeds.NewWatcher(feeds.Options{
		Store: db.db, Fetcher: feeds.NewFetcher(2*time.Second, 0, 0, feeds.AllowHosts("localhost")),
		Publisher: db.pub, Interval: 10 * time.Minute, Clock: db.clk.Now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if _, err := w.AddSource(context.Background(), storage.SystemActor, "http://localhost:"+u.Port()+"/rss", "", []int64{db.units["tuyengiao"]}); err != nil {
		t.Fatal(err)
	}
	if n := secret.hits.Load(); n != 0 {
		t.Fatalf("the internal page was requested %d times", n)
	}
	got := db.pub.all()
	if len(got) != 1 || !strings.Contains(got[0].Text, "Tin ngắn.") || strings.Contains(got[0].Text, "hunter2") {
		t.Fatalf("pushed %+v", got)
	}
	if !strings.Contains(logs.String(), "article page refused") || !strings.Contains(logs.String(), "internal address refused") {
		t.Errorf("the log does not say why:\n%s", logs.String())
	}
}

// TestUnsafeLinksAreDropped: an item whose link is not http, https, tg or
// mailto is stored without it, and its card has no link.
func TestUnsafeLinksAreDropped(t *testing.T) {
	now := time.Date(2021, 11, 18, 17, 0, 0, 0, time.UTC)
	for _, link := range []string{"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java&#9;script:alert(1)",
		"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;", "vbscript:msgbox(1)"} {
		body := `<rss version="2.0"><channel><title>T</title><item><title>Tin</title><link>` + link +
			`</link><guid>x</guid><description>Nội dung.</description></item></channel></rss>`
		f, err := feeds.ParseFeed([]byte(body), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 1 || f.Items[0].Link != "" {
			t.Errorf("link %q parsed as %+v", link, f.Items)
			continue
		}
		card := feeds.Card(messages.Vietnamese, time.UTC, storage.Article{Title: "Tin", Link: f.Items[0].Link, Summary: "Nội dung.", PublishedAt: now})
		if strings.Contains(card, "<a") {
			t.Errorf("card for %q: %s", link, card)
		}
	}
	f, _ := feeds.ParseFeed([]byte(`<rss version="2.0"><channel><title>T</title><item><title>Tin</title><link>HTTPS://Example.vn/a</link></item></channel></rss>`), now)
	if f.Items[0].Link != "https://example.vn/a" {
		t.Errorf("a good link became %q", f.Items[0].Link)
	}
}
