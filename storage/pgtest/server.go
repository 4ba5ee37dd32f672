package pgtest

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	rubenpgtest "github.com/rubenv/pgtest"
)

// debianRoot is where Debian and Ubuntu install the server binaries, one
// directory per major version, outside PATH.
const debianRoot = "/usr/lib/postgresql"

// errNoPostgres says what to do, since whoever reads it has just seen the
// test suite fail on a fresh machine.
var errNoPostgres = errors.New("PostgreSQL not found: install the server " +
	"(Debian/Ubuntu: apt-get install -y postgresql) or set " +
	EnvURL + "=postgres://user:pass@host:5432/db?sslmode=disable")

// findBinDir returns the directory holding initdb and postgres: the first
// directory of pathList that has both, else the newest <root>/<version>/bin.
func findBinDir(pathList string, root string) (string, error) {
	has := func(dir string) bool {
		for _, name := range []string{"initdb", "postgres"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
				return false
			}
		}
		return true
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir != "" && has(dir) {
			return dir, nil
		}
	}
	entries, _ := os.ReadDir(root)
	var versions []string
	for _, e := range entries {
		if _, err := strconv.ParseFloat(e.Name(), 64); err == nil && has(filepath.Join(root, e.Name(), "bin")) {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) == 0 {
		return "", fmt.Errorf("%w (looked for initdb and postgres on PATH and in %s/*/bin)", errNoPostgres, root)
	}
	slices.SortFunc(versions, func(a, b string) int {
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		return cmp.Compare(y, x)
	})
	return filepath.Join(root, versions[0], "bin"), nil
}

// server is a throwaway PostgreSQL started by rubenv/pgtest, plus what that
// package lacks: a URL for lib/pq with sslmode=disable, a shutdown that does
// not depend on su, and a watchdog for when the test process dies without
// running Main's cleanup.
type server struct {
	pg      *rubenpgtest.PG
	dataDir string
	url     string

	watchdog   *exec.Cmd
	watchdogIn io.WriteCloser
}

func startServer(binDir string) (*server, error) {
	cfg := rubenpgtest.New().UseBinariesIn(binDir)
	if dir := memoryDir(); dir != "" {
		cfg = cfg.DataDir(dir) // removed by Stop, as its own temp dir would be
	}
	pg, err := cfg.Start()
	if err != nil {
		// Its error carries the output of initdb or postgres.
		return nil, fmt.Errorf("start PostgreSQL from %s: %w", binDir, err)
	}
	// rubenv/pgtest opens a pool on its "test" database; we use our own.
	_ = pg.DB.Close()
	s := &server{
		pg:      pg,
		dataDir: filepath.Join(filepath.Dir(pg.Host), "data"),
	}
	q := url.Values{"host": {pg.Host}, "sslmode": {"disable"}}
	if pg.User != "" {
		q.Set("user", pg.User)
	}
	s.url = (&url.URL{Scheme: "postgres", Path: "/postgres", RawQuery: q.Encode()}).String()
	if err := s.startWatchdog(); err != nil {
		_ = s.stop()
		return nil, err
	}
	return s, nil
}

// memoryDir returns a new directory in /dev/shm when that has room, else "",
// and rubenv/pgtest uses the default temp directory. In memory the server
// starts in about 0.6 s instead of 2 s, and CREATE DATABASE … TEMPLATE, the
// cost of every test, takes about 15 ms instead of 200 ms, even with fsync off.
// Docker gives containers only 64 MiB of /dev/shm by default: too little.
func memoryDir() string {
	const need = 1 << 30
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err != nil || st.Bavail*uint64(st.Bsize) < need {
		return ""
	}
	dir, err := os.MkdirTemp("/dev/shm", "loa-pgtest-")
	if err != nil {
		return ""
	}
	return dir
}

// tune makes the server fit a test run. Above all it silences the server's
// log: rubenv/pgtest connects the server's stdout and stderr to pipes that
// nobody reads, and once a pipe is full (64 KiB of "ERROR: ..." lines from
// tests that provoke errors) every backend that logs would block. Durability
// is not needed either.
func (s *server) tune(ctx context.Context, admin *sql.DB) error {
	for _, stmt := range []string{
		"ALTER SYSTEM SET log_min_messages = 'panic'",
		"ALTER SYSTEM SET log_min_error_statement = 'panic'",
		"ALTER SYSTEM SET log_checkpoints = off",
		"ALTER SYSTEM SET synchronous_commit = off",
		"ALTER SYSTEM SET full_page_writes = off",
		"SELECT pg_reload_conf()",
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("configure the test server: %s: %w", stmt, err)
		}
	}
	return nil
}

// startWatchdog starts a shell that waits for this process to end, noticed
// as the end of its stdin, whose only writer we are, and then stops the
// server and removes its files. It covers what Main cannot: a test binary
// killed by `go test -timeout`, a panic, a forgotten Main, kill -9. In its
// own process group, a Ctrl-C in the terminal does not stop it early.
func (s *server) startWatchdog() error {
	cmd := exec.Command("/bin/sh", "-c", `
		cat >/dev/null
		pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null) || exit 0
		kill -INT "$pid" 2>/dev/null
		i=0
		while [ -e "$PGDATA/postmaster.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
		if [ -e "$PGDATA/postmaster.pid" ]; then kill -KILL "$pid" 2>/dev/null; fi
		rm -rf "$PGTEST_DIR"`)
	cmd.Env = append(os.Environ(), "PGDATA="+s.dataDir, "PGTEST_DIR="+filepath.Dir(s.dataDir))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("start the test server's watchdog: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the test server's watchdog: %w", err)
	}
	s.watchdog, s.watchdogIn = cmd, in
	return nil
}

// stop shuts the server down and removes its files.
//
// rubenv/pgtest's own Stop sends SIGINT to the process it started, which,
// when the tests run as root, is `su - postgres -c postgres …`, not
// PostgreSQL: su answers with SIGTERM to postgres, a "smart" shutdown that
// waits for every client to leave, and after two seconds SIGKILL. So we first
// send SIGINT (a "fast" shutdown: clients are disconnected, data is written)
// to the postmaster itself, named in postmaster.pid, wait until it is gone
// and su has followed it, and only then let rubenv/pgtest reap its process
// and remove the directory.
func (s *server) stop() error {
	var errs []error
	if pid, err := postmasterPID(s.dataDir); err == nil {
		parent := parentPID(pid)
		if err := syscall.Kill(pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("stop the test server: %w", err))
		}
		if !waitFor(30*time.Second, func() bool {
			_, err := os.Stat(filepath.Join(s.dataDir, "postmaster.pid"))
			return errors.Is(err, os.ErrNotExist)
		}) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			errs = append(errs, fmt.Errorf("stop the test server: postmaster %d did not shut down in 30s, killed", pid))
		}
		if parent > 0 && parent != os.Getpid() {
			waitFor(5*time.Second, func() bool { return exited(parent) })
		}
	}
	if err := s.pg.Stop(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		errs = append(errs, fmt.Errorf("stop the test server: %w", err))
	}
	if s.watchdog != nil {
		// Nothing left for it to do: end it rather than let it find the
		// server gone when this process exits.
		_ = s.watchdog.Process.Kill()
		_ = s.watchdog.Wait()
	}
	return errors.Join(errs...)
}

// postmasterPID reads the postmaster's pid from the first line of
// postmaster.pid in the data directory.
func postmasterPID(dataDir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// parentPID returns pid's parent from /proc, 0 if unknown.
func parentPID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may
	// contain anything, are: state ppid ...
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0
	}
	f := strings.Fields(rest)
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// exited reports whether pid is gone or a zombie waiting to be reaped.
func exited(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	return !ok || strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X")
}

func waitFor(limit time.Duration, done func() bool) bool {
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
