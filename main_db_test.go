package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage/pgserver"
)

// dataDir returns a LOA_DATA_DIR for a test: in memory when /dev/shm
// exists (initdb is faster there), reachable by the postgres user when the
// tests run as root.
func dataDir(t *testing.T) string {
	t.Helper()
	parent := ""
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	dir, err := os.MkdirTemp(parent, "loa-main-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "loa-data")
}

// loaCommand returns the test binary set up to run as loa with args and
// vars, and without DATABASE_URL whatever the test's environment says.
func loaCommand(vars map[string]string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LOA_TEST_RUN_MAIN=1", "LOA_TEST_ARGS=-env-file /nonexistent "+strings.Join(args, " "))
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

var embeddedLine = regexp.MustCompile(`database: embedded PostgreSQL" dir=(\S+) server="?([a-z ]+)"? pid=(\d+)`)

// embedded returns what a loa log says of its embedded server: how it got
// it ("started" or "shared with another loa") and the postmaster's pid.
func embedded(t *testing.T, log string) (how string, pid int) {
	t.Helper()
	m := embeddedLine.FindAllStringSubmatch(log, -1)
	if len(m) != 1 {
		t.Fatalf("the log says %d times which database is in use, want once:\n%s", len(m), log)
	}
	pid, _ = strconv.Atoi(m[0][3])
	return m[0][2], pid
}

// TestMigrateWithoutDatabaseURL: loa migrate without DATABASE_URL runs on a
// server of its own in LOA_DATA_DIR, twice (the second time on the kept
// cluster), and leaves no server process behind.
func TestMigrateWithoutDatabaseURL(t *testing.T) {
	dir := dataDir(t)
	vars := map[string]string{"TELEGRAM_BOT_TOKEN": token, "LOA_DATA_DIR": dir}
	var versions []string
	for range 2 {
		var out, errOut bytes.Buffer
		cmd := loaCommand(vars, "migrate")
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("loa migrate: %v\nstdout: %s\nstderr: %s", err, out.String(), errOut.String())
		}
		how, pid := embedded(t, errOut.String())
		if how != "started" {
			t.Errorf("server %q, want started", how)
		}
		if !pgserver.Exited(pid) {
			t.Errorf("postmaster %d still running after loa migrate exited", pid)
		}
		versions = append(versions, out.String())
	}
	if !strings.Contains(versions[0], "version") || versions[0] != versions[1] {
		t.Errorf("migrate said %q, then %q", versions[0], versions[1])
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err != nil {
		t.Errorf("no cluster in LOA_DATA_DIR: %v", err)
	}
}

// TestSecondLoaSharesTheEmbeddedServer: a loa migrate next to a running
// loa uses its server and leaves it running; the server stops when the bot
// stops.
func TestSecondLoaSharesTheEmbeddedServer(t *testing.T) {
	emu := emulator.NewT(t, emulator.WithToken(token))
	dir := dataDir(t)
	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN": token, "LOA_DATA_DIR": dir,
		"TELEGRAM_API_ENDPOINT": emu.URL(), "LOA_HTTP_ADDR": "127.0.0.1:0",
	}
	var botLog syncBuffer
	bot := loaCommand(vars, "run")
	bot.Stderr = &botLog
	if err := bot.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- bot.Wait() }()
	t.Cleanup(func() {
		_ = bot.Process.Kill()
		<-waited
	})
	waitFor(t, "the bot to poll", 30*time.Second, func() bool { return strings.Contains(botLog.String(), "now polls") })
	how, pid := embedded(t, botLog.String())
	if how != "started" {
		t.Fatalf("the bot's server: %q, want started", how)
	}

	var errOut bytes.Buffer
	migrate := loaCommand(vars, "migrate")
	migrate.Stderr = &errOut
	if err := migrate.Run(); err != nil {
		t.Fatalf("loa migrate next to the bot: %v\n%s", err, errOut.String())
	}
	how2, pid2 := embedded(t, errOut.String())
	if how2 != "shared with another loa" || pid2 != pid {
		t.Errorf("loa migrate: server %q pid %d; want the bot's, %d", how2, pid2, pid)
	}
	if pgserver.Exited(pid) {
		t.Fatal("loa migrate stopped the server the bot still uses")
	}

	if err := bot.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waited:
		waited <- err
		if err != nil {
			t.Fatalf("bot exit after SIGTERM: %v\n%s", err, botLog.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the bot did not exit within 30 s of SIGTERM:\n%s", botLog.String())
	}
	if !pgserver.Exited(pid) {
		t.Errorf("postmaster %d still running after the last loa exited", pid)
	}
}

// TestEmbeddedServerNotInstalled: without the server binaries, loa says
// what to install and exits 2.
func TestEmbeddedServerNotInstalled(t *testing.T) {
	embeddedSearch = []string{}
	t.Cleanup(func() { embeddedSearch = nil })
	code, _, stderr := runLoa(t, context.Background(), map[string]string{"TELEGRAM_BOT_TOKEN": token, "LOA_DATA_DIR": dataDir(t)}, "migrate")
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"PostgreSQL server not found", "install it (", "DATABASE_URL"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

// syncBuffer is a bytes.Buffer that a process's output goroutine can write
// while the test reads it.
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
