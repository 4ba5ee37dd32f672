package feeds_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/feeds"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
	"github.com/loabot/loa/units"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// clock is a settable clock for schedules.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// publisher records broadcasts, deduplicating by key as the engine does.
type publisher struct {
	mu   sync.Mutex
	got  []feeds.Broadcast
	keys map[string]bool
}

func (p *publisher) Enqueue(_ context.Context, b feeds.Broadcast) (int64, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil {
		p.keys = map[string]bool{}
	}
	if p.keys[b.DedupKey] {
		return 0, 0, nil
	}
	p.keys[b.DedupKey] = true
	p.got = append(p.got, b)
	return int64(len(p.got)), 1, nil
}

func (p *publisher) all() []feeds.Broadcast {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]feeds.Broadcast(nil), p.got...)
}

// alerts are the broadcasts to the admins the watcher handed over.
func (p *publisher) alerts() []feeds.Broadcast {
	var out []feeds.Broadcast
	for _, b := range p.all() {
		if b.Kind == "alert" {
			out = append(out, b)
		}
	}
	return out
}

// env is a database with the Móng Cái units, a watcher on a fake clock and
// a recording publisher.
type env struct {
	db    *storage.DB
	clk   *clock
	pub   *publisher
	w     *feeds.Watcher
	units map[string]int64
}

func newEnv(t testing.TB, fetcher *feeds.Fetcher) *env {
	t.Helper()
	db := pgtest.New(t)
	if _, err := units.Import(context.Background(), db, "../examples/mongcai/units.yaml", storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	all, err := db.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, clk: &clock{now: time.Date(2021, 11, 18, 17, 0, 0, 0, time.UTC)}, pub: &publisher{}, units: map[string]int64{}}
	for _, u := range all {
		e.units[u.Code] = u.ID
	}
	if fetcher == nil {
		fetcher = feeds.NewFetcher(2*time.Second, 0, 0, feeds.AllowInternal())
	}
	e.w = feeds.NewWatcher(feeds.Options{
		Store: db, Fetcher: fetcher, Publisher: e.pub,
		Interval: 10 * time.Minute, Clock: e.clk.Now, NoExtract: true,
	})
	return e
}
