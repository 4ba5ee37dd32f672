package feeds_test

import (
	"context"
	"strconv"
	"testing"
)

// Each card carries its article's id, so that the fan-out applies each
// chat's keyword filters, muted sources and digest to it (issue 14).
func TestCardsCarryTheirArticle(t *testing.T) {
	fs := newFeedServer(t)
	e := newEnv(t, nil)
	ctx := context.Background()
	fs.set("/feed.rss", fixture(t, "biencuong.rss"))
	if _, err := e.w.AddSource(ctx, 1, fs.URL+"/feed.rss", "Biên Cương", []int64{e.units["mongcai"]}); err != nil {
		t.Fatal(err)
	}
	cards := 0
	for _, b := range e.pub.all() {
		if b.Kind != "article" {
			continue
		}
		cards++
		a, err := e.db.ArticleByID(ctx, b.ArticleID)
		if err != nil || a.SourceName != "Biên Cương" || b.DedupKey != "article:"+strconv.FormatInt(a.ID, 10) {
			t.Errorf("card %q carries article %d (%q, %v)", b.DedupKey, b.ArticleID, a.SourceName, err)
		}
	}
	if cards == 0 {
		t.Fatal("no card handed over")
	}
}
