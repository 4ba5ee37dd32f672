package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgserver"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNewGivesEmptyMigratedDatabase(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := New(t)
	if v, err := db.SchemaVersion(ctx); err != nil || v < 1 {
		t.Errorf("SchemaVersion = %d, %v; want the latest migration", v, err)
	}
	if n, err := db.PendingUpdates(ctx); err != nil || n != 0 {
		t.Errorf("PendingUpdates = %d, %v; want 0", n, err)
	}
	if _, err := db.Chat(ctx, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Chat(1) = %v, want ErrNotFound", err)
	}
}

func TestNewDatabasesAreIndependent(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	a, b := New(t), New(t)
	if err := a.UpsertChat(ctx, storage.Chat{ID: 1, Type: "private"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Chat(ctx, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a chat stored through one database shows in the other: %v", err)
	}
}

func TestNewURLWorksWithOpen(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	u := NewURL(t)
	if os.Getenv(EnvURL) == "" && !strings.Contains(u, "sslmode=disable") {
		t.Errorf("URL %q lacks sslmode=disable", u)
	}
	db, err := storage.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v < 1 {
		t.Errorf("SchemaVersion = %d, %v", v, err)
	}
}

func TestDatabaseDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("user", func(t *testing.T) {
		u, err := url.Parse(NewURL(t))
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(u.Path, "/")
		// Left open on purpose, like a loa process a test forgot to stop.
		db, err := storage.Open(testContext(t), u.String())
		if err != nil {
			t.Fatal(err)
		}
		_ = db
	})
	var exists bool
	err := shared.admin.QueryRowContext(testContext(t), `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists)
	if err != nil || exists {
		t.Errorf("database %q exists after its test: %v, %v", name, exists, err)
	}
}

func TestDatabaseURL(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"postgres:///postgres?host=%2Ftmp%2Fs&sslmode=disable&user=postgres", "postgres:///loa_t_1?host=%2Ftmp%2Fs&sslmode=disable&user=postgres"},
		{"postgres://u:p%40ss@db:5432/loa?sslmode=disable", "postgres://u:p%40ss@db:5432/loa_t_1?sslmode=disable"},
		{"host=db user=u dbname=loa sslmode=disable", "host=db user=u dbname=loa sslmode=disable dbname=loa_t_1"},
	} {
		if got := databaseURL(c.base, "loa_t_1"); got != c.want {
			t.Errorf("databaseURL(%q) = %q, want %q", c.base, got, c.want)
		}
	}
}

// TestNoPostgresMessage: on a machine without PostgreSQL the suite fails
// with a message that says how to fix it.
func TestNoPostgresMessage(t *testing.T) {
	for _, search := range [][]string{{}, {t.TempDir()}} {
		_, err := startServer(search)
		if !errors.Is(err, pgserver.ErrNotInstalled) {
			t.Fatalf("startServer(%q) = %v, want ErrNotInstalled", search, err)
		}
		for _, want := range []string{
			"PostgreSQL server not found",
			"install it (",
			"postgresql",
			"LOA_TEST_DATABASE_URL=postgres://user:pass@host:5432/db?sslmode=disable",
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not say %q", err, want)
			}
		}
	}
}

// localBinaries checks that there is a server to start for tests of the
// throwaway server itself, which have nothing to test when the suite runs
// on LOA_TEST_DATABASE_URL without local binaries.
func localBinaries(t *testing.T) {
	t.Helper()
	_, err := pgserver.Find(pgserver.DefaultSearch())
	if err != nil && os.Getenv(EnvURL) != "" {
		t.Skipf("no local PostgreSQL to start (the suite uses %s): %v", EnvURL, err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) || pgserver.Exited(pid)
}

// TestServerStops: stop ends PostgreSQL quickly even with a client still
// connected, and leaves no files.
func TestServerStops(t *testing.T) {
	t.Parallel()
	localBinaries(t)
	s, err := startServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := pgserver.ReadPID(s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(testContext(t), s.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(testContext(t)); err != nil {
		t.Fatal(err)
	}

	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) {
		t.Errorf("postmaster %d still running", pid)
	}
	if _, err := os.Stat(s.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("server directory left behind: %v", err)
	}
}

// TestWatchdogStopsServerOfDeadProcess starts a child test process that
// starts a server and exits without any cleanup, as after a -timeout panic,
// and checks that the server stops and its files go anyway.
func TestWatchdogStopsServerOfDeadProcess(t *testing.T) {
	if os.Getenv("PGTEST_WATCHDOG_CHILD") == "1" {
		localBinaries(t)
		s, err := startServer(nil)
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(2)
		}
		pid, _ := pgserver.ReadPID(s.dataDir)
		fmt.Println("SERVER", pid, s.dataDir)
		os.Exit(0) // no Main, no stop, no deferred calls
	}
	t.Parallel()
	localBinaries(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchdogStopsServerOfDeadProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGTEST_WATCHDOG_CHILD=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var (
		pid     int
		dataDir string
	)
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "SERVER" {
			pid, _ = strconv.Atoi(f[1])
			dataDir = f[2]
		}
	}
	if pid == 0 {
		t.Fatalf("child did not report its server:\n%s", out)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, statErr := os.Stat(filepath.Dir(dataDir))
		if gone(pid) && errors.Is(statErr, os.ErrNotExist) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("15 s after its process died: postmaster %d gone: %v; directory: %v", pid, gone(pid), statErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
