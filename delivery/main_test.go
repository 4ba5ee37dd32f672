package delivery_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestMain(m *testing.M) {
	// The figures test runs the dispatcher of its 100,000-chat broadcast
	// in a process of its own, this binary, to measure that process alone.
	if os.Getenv(figuresChildEnv) != "" {
		os.Exit(figuresChild())
	}
	os.Exit(pgtest.Main(m))
}

// author writes the announcements; their private chat gets the status
// message and the report, and follows no unit.
var author = emulator.User{ID: 9001, FirstName: "Hằng", LanguageCode: "vi"}

// fixture is a database with a unit tree, the emulator, and the bot's real
// sender talking to it.
type fixture struct {
	t      *testing.T
	emu    *emulator.Server
	url    string
	db     *storage.DB
	x      *sql.DB          // for what a test looks at that no method shows
	units  map[string]int64 // city > ward; groups (a root of its own)
	sender *bot.Sender
	logs   *syncBuffer
	reg    *prometheus.Registry
}

func newFixture(t *testing.T, opts ...emulator.Option) *fixture {
	t.Helper()
	f := &fixture{t: t, emu: emulator.NewT(t, opts...), url: pgtest.NewURL(t), logs: &syncBuffer{}, reg: prometheus.NewRegistry()}
	f.db = f.open()
	x, err := sql.Open("postgres", f.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	f.x = x
	ctx := context.Background()
	if _, err := f.db.ApplyUnits(ctx, []storage.UnitSpec{
		{Code: "city", Name: "Thành phố", Kind: "city", Visibility: storage.Public},
		{Code: "ward", Name: "Phường Trà Cổ", Kind: "ward", Visibility: storage.Public, ParentCode: "city"},
		{Code: "groups", Name: "Các nhóm", Kind: "test", Visibility: storage.Public},
	}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	us, err := f.db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.units = map[string]int64{}
	for _, u := range us {
		f.units[u.Code] = u.ID
	}
	f.emu.AddChat(emulator.PrivateChat(author))
	if err := f.db.UpsertChat(ctx, storage.Chat{ID: author.ID, Type: "private"}); err != nil {
		t.Fatal(err)
	}
	client := bot.NewClient(f.emu.URL(), f.emu.Token(), 10*time.Second)
	f.sender = bot.NewSender(client, false, 64)
	t.Cleanup(func() {
		if strings.Contains(f.logs.String(), f.emu.Token()) {
			t.Error("the token appears in the log")
		}
		if t.Failed() {
			t.Logf("engine log:\n%s", tail(f.logs.String(), 60))
		}
	})
	return f
}

// open returns a new handle on the fixture's database, closed at the end.
func (f *fixture) open() *storage.DB {
	db, err := storage.Open(context.Background(), f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { db.Close() })
	return db
}

// addChats creates n chats of typ in the emulator and, following unit, in
// the database: in bulk, as storage's own benchmark does, since the API
// writes an audit row per subscription.
func (f *fixture) addChats(typ string, n int, unit string) []emulator.Chat {
	f.t.Helper()
	chats := f.emu.AddChats(typ, n)
	if err := seed(context.Background(), f.url, chats, f.units[unit]); err != nil {
		f.t.Fatal(err)
	}
	return chats
}

func seed(ctx context.Context, url string, chats []emulator.Chat, unit int64) error {
	x, err := sql.Open("postgres", url)
	if err != nil {
		return err
	}
	defer x.Close()
	ids, types := make([]int64, len(chats)), make([]string, len(chats))
	for i, c := range chats {
		ids[i], types[i] = c.ID, c.Type
	}
	if _, err := x.ExecContext(ctx, `
		INSERT INTO chats (id, type) SELECT unnest($1::bigint[]), unnest($2::text[]) ON CONFLICT DO NOTHING`,
		pq.Array(ids), pq.Array(types)); err != nil {
		return fmt.Errorf("seed chats: %w", err)
	}
	if _, err := x.ExecContext(ctx, `
		INSERT INTO subscriptions (chat_id, unit_id) SELECT unnest($1::bigint[]), $2 ON CONFLICT DO NOTHING`,
		pq.Array(ids), unit); err != nil {
		return fmt.Errorf("seed subscriptions: %w", err)
	}
	_, err = x.ExecContext(ctx, `ANALYZE chats, subscriptions`)
	return err
}

// engine builds an Engine on db (the fixture's by default) with the
// fixture's sender, log and registry unless cfg has its own.
func (f *fixture) engine(cfg delivery.Config) *delivery.Engine {
	f.t.Helper()
	if cfg.Store == nil {
		cfg.Store = f.db
	}
	if cfg.Sender == nil {
		cfg.Sender = f.sender
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.Metrics == nil {
		cfg.Metrics = f.reg
	}
	if cfg.StatusEvery == 0 {
		cfg.StatusEvery = 200 * time.Millisecond
	}
	if cfg.PollEvery == 0 {
		cfg.PollEvery = 50 * time.Millisecond
	}
	if cfg.LockRetry == 0 {
		cfg.LockRetry = 100 * time.Millisecond
	}
	e, err := delivery.New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// run runs e's dispatcher until the returned stop is called (or the test
// ends); stop returns how long Run took to return.
func (f *fixture) run(e *delivery.Engine) (stop func() time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	var once sync.Once
	var took time.Duration
	stop = func() time.Duration {
		once.Do(func() {
			begin := time.Now()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					f.t.Errorf("Run: %v", err)
				}
			case <-time.After(30 * time.Second):
				f.t.Fatal("Run did not return 30 s after its context was cancelled")
			}
			took = time.Since(begin)
		})
		return took
	}
	f.t.Cleanup(func() { stop() })
	return stop
}

// announce is an announcement by author to units.
func (f *fixture) announce(text string, units ...string) delivery.Broadcast {
	b := delivery.Broadcast{Kind: "announcement", AuthorID: author.ID, AuthorChatID: author.ID, Lang: messages.Vietnamese, Text: text}
	for _, u := range units {
		b.Units = append(b.Units, f.units[u])
	}
	return b
}

// waitReported waits until broadcast id is finished and reported.
func (f *fixture) waitReported(e *delivery.Engine, id int64, d time.Duration) delivery.Summary {
	f.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s, err := e.Broadcast(context.Background(), id)
		if err != nil {
			f.t.Fatal(err)
		}
		var reported bool
		if err := f.x.QueryRow(`SELECT reported_at IS NOT NULL FROM broadcasts WHERE id = $1`, id).Scan(&reported); err != nil {
			f.t.Fatal(err)
		}
		if reported {
			return s
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("broadcast %d not reported after %v: %+v (emulator: %d messages, errors %v)", id, d, s, f.emu.MessageCount(), firstErrors(f.emu, 5))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// counter reads a metric of the fixture's registry.
func (f *fixture) counter(name string) float64 {
	f.t.Helper()
	mfs, err := f.reg.Gather()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	f.t.Fatalf("no metric %s", name)
	return 0
}

func firstErrors(emu *emulator.Server, n int) []string {
	var out []string
	for _, e := range emu.Errors() {
		if len(out) == n {
			break
		}
		out = append(out, e.String())
	}
	return out
}

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
