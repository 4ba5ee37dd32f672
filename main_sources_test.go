package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loabot/loa/storage/pgtest"
)

// TestSourcesAddRefusesInternalFeeds: "loa sources add" uses the poller's
// guard, and LOA_FEED_ALLOW_HOSTS lets a named intranet host through.
func TestSourcesAddRefusesInternalFeeds(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`<rss version="2.0"><channel><title>Cổng tin nội bộ</title><item><title>Tin</title><link>https://tin.example.vn/1</link><guid>1</guid></item></channel></rss>`))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	vars := map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": pgtest.NewURL(t)}
	ctx := context.Background()
	if code, _, stderr := runLoa(t, ctx, vars, "import", "units", "examples/mongcai/units.yaml"); code != 0 {
		t.Fatalf("import units: exit %d, %s", code, stderr)
	}
	code, _, stderr := runLoa(t, ctx, vars, "sources", "add", "http://localhost:"+u.Port()+"/rss", "tuyengiao")
	if code != 1 || !strings.Contains(stderr, "internal address refused") || hits.Load() != 0 {
		t.Fatalf("internal feed: exit %d, %d requests, stderr %q", code, hits.Load(), stderr)
	}
	vars["LOA_FEED_ALLOW_HOSTS"] = "localhost"
	code, out, stderr := runLoa(t, ctx, vars, "sources", "add", "http://localhost:"+u.Port()+"/rss", "tuyengiao")
	if code != 0 || !strings.Contains(out, "Cổng tin nội bộ") {
		t.Fatalf("allowed host: exit %d, %q, %s", code, out, stderr)
	}
}
