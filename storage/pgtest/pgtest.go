// Package pgtest gives every test its own real, migrated, empty PostgreSQL
// database, because storage code is only tested against the real thing.
//
// With LOA_TEST_DATABASE_URL set, databases are created on that server (the
// URL must name a database the user can connect to, and the user needs
// CREATEDB; PostgreSQL 13 or newer). Otherwise the first test that asks for a
// database starts a throwaway server from the locally installed binaries
// (storage/pgserver, the same code that runs loa's embedded server, with a
// cluster in memory), shared by all tests of the package and stopped by Main.
// Without the binaries the tests fail, saying what to install.
//
// Once per test process the schema is migrated into a template database;
// each test then gets a copy of it (CREATE DATABASE … TEMPLATE), which takes
// milliseconds, and the copy is dropped when the test ends. Names are random,
// so test binaries of several packages can share one server.
//
// Every package whose tests use pgtest needs
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/loabot/loa/storage"
)

// EnvURL names the environment variable that points tests at an existing
// server instead of a throwaway one.
const EnvURL = "LOA_TEST_DATABASE_URL"

var (
	mainCalled atomic.Bool

	setupOnce sync.Once
	shared    *cluster // nil until setupOnce ran; then the result or
	setupErr  error    // why there is none
)

// cluster is the server the tests of this process use and the template
// database on it.
type cluster struct {
	baseURL  string  // the admin database, where databases are created and dropped
	admin    *sql.DB // connected to baseURL
	template string
	server   *server // the throwaway server, nil with LOA_TEST_DATABASE_URL
}

// New returns a fresh, migrated, empty database for this test: its own
// database on the shared server, closed and dropped at t.Cleanup.
func New(t testing.TB) *storage.DB {
	t.Helper()
	dbURL := NewURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	// Cleanups run last-in first-out: this Close runs before the drop that
	// NewURL registered.
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return db
}

// NewURL is New for tests that connect by themselves (a loa process started
// by the test, a second handle on the same database): it returns the URL of a
// fresh, migrated, empty database, dropped at t.Cleanup even if something is
// still connected to it.
func NewURL(t testing.TB) string {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatalf("pgtest: the package needs func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }, " +
			"which stops the test server and drops the template")
	}
	c, err := setup()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "loa_t_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.createDatabase(ctx, name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.dropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return databaseURL(c.baseURL, name)
}

// Main runs the tests of a package, then drops the template database and
// stops the throwaway server, if this process made them, and returns the exit
// code for os.Exit. A failure to clean up turns a passing run into a failing
// one, so a leaked server gets noticed.
func Main(m *testing.M) int {
	mainCalled.Store(true)
	code := m.Run()
	if err := teardown(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func setup() (*cluster, error) {
	setupOnce.Do(func() {
		shared, setupErr = startCluster()
	})
	return shared, setupErr
}

func startCluster() (*cluster, error) {
	c := &cluster{template: "loa_tmpl_" + randomSuffix()}
	if err := c.start(); err != nil {
		// Whatever was started (a server, the template) must not outlive
		// the failure.
		_ = c.close()
		return nil, err
	}
	return c, nil
}

func (c *cluster) start() error {
	if u := os.Getenv(EnvURL); u != "" {
		c.baseURL = u
	} else {
		var err error
		if c.server, err = startServer(nil); err != nil {
			return err
		}
		c.baseURL = c.server.url
	}

	admin, err := sql.Open("postgres", c.baseURL)
	if err != nil {
		return fmt.Errorf("connect to the test server: %w", err)
	}
	c.admin = admin
	c.admin.SetMaxOpenConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.admin.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to the test server: %w", err)
	}

	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(c.template)); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	db, err := storage.Open(ctx, databaseURL(c.baseURL, c.template))
	if err != nil {
		return fmt.Errorf("template database: %w", err)
	}
	err = db.Migrate(ctx)
	// A database with connections cannot be a template: close them all.
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("template database: %w", err)
	}
	return nil
}

func teardown() error {
	if shared == nil {
		return nil
	}
	return shared.close()
}

// close drops the template and stops the server, whatever of them exists.
func (c *cluster) close() error {
	var errs []error
	if c.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.dropDatabase(ctx, c.template); err != nil {
			errs = append(errs, err)
		}
		if err := c.admin.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.server != nil {
		if err := c.server.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// createDatabase copies the template. PostgreSQL refuses to copy a database
// that has a session open, and a session closed a moment ago may take a
// moment to end on the server, so "being accessed by other users" is retried.
func (c *cluster) createDatabase(ctx context.Context, name string) error {
	stmt := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", pq.QuoteIdentifier(name), pq.QuoteIdentifier(c.template))
	for {
		_, err := c.admin.ExecContext(ctx, stmt)
		if err == nil {
			return nil
		}
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) || pqErr.Code != "55006" { // object_in_use
			return fmt.Errorf("create test database: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("create test database: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// dropDatabase drops name even while something is still connected to it
// (a loa process a test started, a pool not closed).
func (c *cluster) dropDatabase(ctx context.Context, name string) error {
	if _, err := c.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// databaseURL returns base with the database name replaced. base is a
// postgres:// URL or a key=value DSN.
func databaseURL(base, name string) string {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err == nil {
			u.Path = "/" + name
			u.RawPath = ""
			return u.String()
		}
	}
	// In a key=value DSN the last setting of a key wins.
	return base + " dbname=" + name
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails, says crypto/rand
	return hex.EncodeToString(b)
}

// Followers makes private chats of ids follow the unit unitID, in bulk:
// the storage API writes an audit row per subscription, which is right for
// people and far too slow for the tens of thousands of chats a delivery or
// fault test needs.
func Followers(t testing.TB, dbURL string, unitID int64, ids []int64) {
	t.Helper()
	x, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if _, err := x.ExecContext(ctx, `INSERT INTO chats (id, type) SELECT unnest($1::bigint[]), 'private'`, pq.Array(ids)); err != nil {
		t.Fatalf("seed chats: %v", err)
	}
	if _, err := x.ExecContext(ctx, `INSERT INTO subscriptions (chat_id, unit_id) SELECT unnest($1::bigint[]), $2`, pq.Array(ids), unitID); err != nil {
		t.Fatalf("seed subscriptions: %v", err)
	}
}
