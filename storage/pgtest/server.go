package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/loabot/loa/storage/pgserver"
)

// testSettings fit a throwaway server. Durability is not needed, and the
// server's log stays quiet: tests provoke errors on purpose by the thousand,
// and the log lives in memory.
var testSettings = map[string]string{
	"fsync":                   "off",
	"synchronous_commit":      "off",
	"full_page_writes":        "off",
	"log_min_messages":        "panic",
	"log_min_error_statement": "panic",
	"log_checkpoints":         "off",
}

// server is the throwaway PostgreSQL of a test process: a pgserver cluster
// in a directory of its own, removed by stop, and a watchdog for when the
// test process dies without running Main's cleanup.
type server struct {
	pg      *pgserver.Server
	dir     string // everything of the server's, removed by stop
	dataDir string
	url     string

	watchdog   *exec.Cmd
	watchdogIn io.WriteCloser
}

// startServer starts a throwaway server from the binaries found in search
// (nil: pgserver.DefaultSearch).
func startServer(search []string) (*server, error) {
	dir := memoryDir()
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "loa-pgtest-"); err != nil {
			return nil, fmt.Errorf("start the test server: %w", err)
		}
	}
	// As root the server runs as postgres, which must get through.
	if err := os.Chmod(dir, 0o755); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start the test server: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pg, err := pgserver.Start(ctx, pgserver.Options{
		Dir: filepath.Join(dir, "pg"), Search: search, Settings: testSettings, NoSync: true,
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		if errors.Is(err, pgserver.ErrNotInstalled) {
			// Whoever reads this has just seen the suite fail on a fresh
			// machine: say both ways out.
			return nil, fmt.Errorf("%w; or set %s=postgres://user:pass@host:5432/db?sslmode=disable", err, EnvURL)
		}
		return nil, fmt.Errorf("start the test server: %w", err)
	}
	s := &server{pg: pg, dir: dir, dataDir: pg.DataDir(), url: pg.URL()}
	if err := s.startWatchdog(); err != nil {
		_ = s.stop()
		return nil, err
	}
	return s, nil
}

// memoryDir returns a new directory in /dev/shm when that has room, else "".
// In memory the server starts in about 0.6 s instead of 2 s, and CREATE
// DATABASE … TEMPLATE, the cost of every test, takes about 15 ms instead of
// 200 ms, even with fsync off. Docker gives containers only 64 MiB of
// /dev/shm by default: too little.
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
	cmd.Env = append(os.Environ(), "PGDATA="+s.dataDir, "PGTEST_DIR="+s.dir)
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

// stop shuts the server down (a fast shutdown: clients still connected are
// disconnected), waits until it is gone and removes its files.
func (s *server) stop() error {
	err := s.pg.Stop()
	if s.watchdog != nil {
		// Nothing left for it to do: end it rather than let it find the
		// server gone when this process exits.
		_ = s.watchdog.Process.Kill()
		_ = s.watchdog.Wait()
	}
	if rerr := os.RemoveAll(s.dir); rerr != nil {
		err = errors.Join(err, fmt.Errorf("remove the test server's files: %w", rerr))
	}
	return err
}
