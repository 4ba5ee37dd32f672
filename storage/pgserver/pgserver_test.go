package pgserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// testDir returns a new directory for a server, in memory when /dev/shm
// exists (initdb is then much faster), that the postgres user can reach
// when the tests run as root.
func testDir(t *testing.T) string {
	t.Helper()
	parent := ""
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	dir, err := os.MkdirTemp(parent, "loa-pgserver-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "pg")
}

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(testContext(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	// A failing test must not leave a server behind; Stop is idempotent.
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func open(t *testing.T, s *Server) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", s.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func stopAndCheckGone(t *testing.T, s *Server) {
	t.Helper()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if !Exited(s.PID()) {
		t.Errorf("postmaster %d still running after the last Stop", s.PID())
	}
	if _, err := os.Stat(filepath.Join(s.DataDir(), "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid left behind: %v", err)
	}
}

// TestRestartKeepsData: the cluster, its database and its rows survive a
// stop and a start, and a stopped server leaves no process.
func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dir := testDir(t)
	s := start(t, Options{Dir: dir, Database: "loa"})
	if !s.Started() {
		t.Fatal("the first Start attached to nothing?")
	}
	if !strings.Contains(s.URL(), "/loa?") {
		t.Errorf("URL %q does not name the database loa", s.URL())
	}
	db := open(t, s)
	if _, err := db.ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hello')`); err != nil {
		t.Fatal(err)
	}
	var enc, collate string
	if err := db.QueryRowContext(ctx, `SELECT pg_encoding_to_char(encoding), datcollate FROM pg_database WHERE datname = 'loa'`).Scan(&enc, &collate); err != nil {
		t.Fatal(err)
	}
	if enc != "UTF8" || collate != "C" {
		t.Errorf("database encoding %s, collation %s; want UTF8, C", enc, collate)
	}
	var listen string
	if err := db.QueryRowContext(ctx, `SHOW listen_addresses`).Scan(&listen); err != nil || listen != "" {
		t.Errorf("listen_addresses = %q, %v; want none (socket only)", listen, err)
	}
	_ = db.Close()
	stopAndCheckGone(t, s)

	s2 := start(t, Options{Dir: dir, Database: "loa"})
	if !s2.Started() || s2.PID() == s.PID() {
		t.Errorf("second run: started %v, pid %d (first %d); want a new server", s2.Started(), s2.PID(), s.PID())
	}
	var v string
	if err := open(t, s2).QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v); err != nil || v != "hello" {
		t.Errorf("after a restart: %q, %v; want the row kept", v, err)
	}
	stopAndCheckGone(t, s2)
}

// TestSecondStartAttaches: a second handle on the same directory uses the
// running server, and the server stops with the last handle, whichever
// order they stop in.
func TestSecondStartAttaches(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dir := testDir(t)
	for _, starterFirst := range []bool{true, false} {
		a := start(t, Options{Dir: dir, Database: "loa"})
		b := start(t, Options{Dir: dir, Database: "loa"})
		if !a.Started() || b.Started() || b.PID() != a.PID() || b.URL() != a.URL() {
			t.Fatalf("a: started %v pid %d; b: started %v pid %d; want b attached to a's server",
				a.Started(), a.PID(), b.Started(), b.PID())
		}
		first, last := b, a
		if starterFirst {
			first, last = a, b
		}
		if err := first.Stop(); err != nil {
			t.Fatal(err)
		}
		if Exited(a.PID()) {
			t.Fatalf("starter first %v: the server stopped while another handle used it", starterFirst)
		}
		db := open(t, last)
		if err := db.PingContext(ctx); err != nil {
			t.Fatalf("starter first %v: the remaining handle cannot connect: %v", starterFirst, err)
		}
		_ = db.Close()
		stopAndCheckGone(t, last)
	}
}

// TestNotInstalled: with no binaries to find, Start fails with
// ErrNotInstalled and says what to install.
func TestNotInstalled(t *testing.T) {
	t.Parallel()
	for _, search := range [][]string{{}, {t.TempDir()}} {
		_, err := Start(testContext(t), Options{Dir: testDir(t), Search: search})
		if !errors.Is(err, ErrNotInstalled) {
			t.Fatalf("Start with search %q = %v, want ErrNotInstalled", search, err)
		}
		if !strings.Contains(err.Error(), "install") || !strings.Contains(err.Error(), "postgresql") {
			t.Errorf("message %q does not say what to install", err)
		}
	}
}

func TestInstallHint(t *testing.T) {
	for _, c := range []struct{ goos, osRelease, want string }{
		{"linux", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n", "apt-get install postgresql"},
		{"linux", "ID=ubuntu\nID_LIKE=debian\n", "apt-get install postgresql"},
		{"linux", "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n", "apt-get install postgresql"},
		{"linux", "ID=fedora\n", "dnf install postgresql-server"},
		{"linux", "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", "dnf install postgresql-server"},
		{"linux", "ID=alpine\n", "apk add postgresql"},
		{"darwin", "", "brew install postgresql"},
		{"linux", "", "apt-get install postgresql"}, // unknown: every hint
	} {
		if got := InstallHint(c.goos, c.osRelease); !strings.Contains(got, c.want) {
			t.Errorf("InstallHint(%s, %q) = %q, want it to say %q", c.goos, c.osRelease, got, c.want)
		}
	}
}

// TestLongDirUsesShortSocket: a directory whose socket path would pass the
// kernel's limit still works, through a short socket directory that goes
// with the server.
func TestLongDirUsesShortSocket(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	for len(dir) < 120 {
		dir = filepath.Join(dir, "a-rather-long-directory-name")
	}
	s := start(t, Options{Dir: dir})
	if s.SocketDir() == dir || len(s.SocketDir()) > 40 {
		t.Errorf("socket directory %q; want a short one outside %s", s.SocketDir(), dir)
	}
	if err := open(t, s).PingContext(testContext(t)); err != nil {
		t.Fatal(err)
	}
	stopAndCheckGone(t, s)
	if _, err := os.Stat(s.SocketDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory %s left behind: %v", s.SocketDir(), err)
	}
}

func TestFind(t *testing.T) {
	exe := func(dir string, names ...string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	tmp := t.TempDir()
	full := exe(filepath.Join(tmp, "path"), "initdb", "postgres")
	half := exe(filepath.Join(tmp, "half"), "initdb") // no postgres
	root := filepath.Join(tmp, "lib")
	exe(filepath.Join(root, "9.6", "bin"), "initdb", "postgres")
	exe(filepath.Join(root, "14", "bin"), "initdb", "postgres")
	exe(filepath.Join(root, "16", "bin"), "initdb") // broken install

	if got, err := Find([]string{"", half, full}); err != nil || got != full {
		t.Errorf("Find = %q, %v; want the first complete directory %s", got, err, full)
	}
	versions := newestFirst(filepath.Join(root, "*", "bin"))
	want := []string{filepath.Join(root, "16", "bin"), filepath.Join(root, "14", "bin"), filepath.Join(root, "9.6", "bin")}
	if strings.Join(versions, " ") != strings.Join(want, " ") {
		t.Errorf("newestFirst = %q, want %q", versions, want)
	}
	if got, err := Find(append([]string{half}, versions...)); err != nil || got != want[1] {
		t.Errorf("Find = %q, %v; want the newest complete version %s", got, err, want[1])
	}
	if got := newestFirst(full); len(got) != 1 || got[0] != full {
		t.Errorf("newestFirst(a plain directory) = %q", got)
	}
	_ = DefaultSearch()
}

// TestConcurrentStartsShareOneServer: handles starting at the same moment
// on a fresh directory make one cluster and one server between them.
func TestConcurrentStartsShareOneServer(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	servers := make([]*Server, 3)
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = Start(testContext(t), Options{Dir: dir, Database: "loa"})
		}()
	}
	wg.Wait()
	started := 0
	for i, s := range servers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		t.Cleanup(func() { _ = s.Stop() })
		if s.Started() {
			started++
		}
		if s.PID() != servers[0].PID() {
			t.Errorf("handle %d uses server %d, handle 0 uses %d", i, s.PID(), servers[0].PID())
		}
	}
	if started != 1 {
		t.Errorf("%d handles started a server, want 1", started)
	}
	for _, s := range servers[:len(servers)-1] {
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	if Exited(servers[0].PID()) {
		t.Fatal("the server stopped before its last handle")
	}
	stopAndCheckGone(t, servers[len(servers)-1])
}

// TestAttachAfterStarterDied: a process killed without Stop leaves its
// server running; the next Start attaches to it, and its Stop, the last,
// stops it.
func TestAttachAfterStarterDied(t *testing.T) {
	if dir := os.Getenv("PGSERVER_TEST_CHILD_DIR"); dir != "" {
		s, err := Start(context.Background(), Options{Dir: dir})
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(2)
		}
		fmt.Println("SERVER", s.PID())
		os.Exit(0) // no Stop, as after kill -9
	}
	t.Parallel()
	dir := testDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestAttachAfterStarterDied$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGSERVER_TEST_CHILD_DIR="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var pid int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "SERVER %d", &pid); err != nil {
		t.Fatalf("child did not report its server: %v\n%s", err, out)
	}
	if Exited(pid) {
		t.Fatalf("the server %d did not outlive its process", pid)
	}
	s := start(t, Options{Dir: dir})
	if s.Started() || s.PID() != pid {
		t.Errorf("Start: started %v, pid %d; want to attach to %d", s.Started(), s.PID(), pid)
	}
	if err := open(t, s).PingContext(testContext(t)); err != nil {
		t.Fatal(err)
	}
	stopAndCheckGone(t, s)
}

// BenchmarkStart measures what loa's start-up pays for its own server: a
// fresh cluster (initdb, first start, CREATE DATABASE) and a start and stop
// on a kept one. go test -run '^$' -bench Start -benchtime 5x ./storage/pgserver/
func BenchmarkStart(b *testing.B) {
	parent, err := os.MkdirTemp("/dev/shm", "loa-pgserver-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(parent)
	if err := os.Chmod(parent, 0o755); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("fresh", func(b *testing.B) {
		for i := range b.N {
			s, err := Start(ctx, Options{Dir: filepath.Join(parent, fmt.Sprint("fresh", i)), Database: "loa"})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Stop(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kept", func(b *testing.B) {
		dir := filepath.Join(parent, "kept")
		for range b.N {
			s, err := Start(ctx, Options{Dir: dir, Database: "loa"})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Stop(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestStopAfterServerKilled: a server killed behind loa's back (the OOM
// killer, an operator) makes no handle's Stop fail or wait, the one that
// started it nor one attached to it.
func TestStopAfterServerKilled(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	a := start(t, Options{Dir: dir})
	b := start(t, Options{Dir: dir})
	if err := syscall.Kill(a.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The backends follow their postmaster: wait until b's has.
	if !waitFor(10*time.Second, func() bool { return b.conn.PingContext(testContext(t)) != nil }) {
		t.Fatal("b's backend outlived the postmaster by 10 s")
	}
	for _, s := range []*Server{b, a} {
		if err := s.Stop(); err != nil {
			t.Errorf("Stop after the server was killed: %v", err)
		}
	}
	if !Exited(a.PID()) {
		t.Errorf("postmaster %d still running", a.PID())
	}
}
