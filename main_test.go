package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// TestMain doubles as the loa binary: with LOA_TEST_RUN_MAIN set, the test
// executable runs main() instead of tests, so process-level tests (kill -9)
// exercise the real program without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("LOA_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"loa"}, strings.Fields(os.Getenv("LOA_TEST_ARGS"))...)
		main()
		return
	}
	os.Exit(pgtest.Main(m))
}

const token = "123456789:AAH-secret-part-of-the-token-0123456789"

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func runLoa(t *testing.T, ctx context.Context, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append([]string{"-env-file", t.TempDir() + "/none.env"}, args...)
	code := run(ctx, args, env(vars), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestConfigurationErrorsExit2NamingTheVariable(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"nothing set", map[string]string{}, []string{"TELEGRAM_BOT_TOKEN"}},
		{"missing token", map[string]string{"DATABASE_URL": "postgres://loa@localhost/loa?sslmode=disable"}, []string{"TELEGRAM_BOT_TOKEN"}},
		{"bad database URL", map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": "mysql://root:hunter2@db/loa"}, []string{"DATABASE_URL"}},
		{"bad mode", map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": "postgres://localhost/loa?sslmode=disable", "LOA_MODE": "poll"}, []string{"LOA_MODE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runLoa(t, context.Background(), tt.vars)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not name %s:\n%s", w, stderr)
				}
			}
			for _, secret := range []string{token, "secret-part", "hunter2"} {
				if strings.Contains(stderr, secret) {
					t.Errorf("stderr leaks %q:\n%s", secret, stderr)
				}
			}
		})
	}
}

func TestCommandLine(t *testing.T) {
	if code, out, _ := runLoa(t, context.Background(), nil, "version"); code != 0 || !strings.HasPrefix(out, "loa ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	if code, out, _ := runLoa(t, context.Background(), nil, "help"); code != 0 || !strings.Contains(out, "loa migrate") {
		t.Errorf("help: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"frobnicate"}, {"-no-such-flag"}, {"run", "extra"}} {
		code, _, stderr := runLoa(t, context.Background(), nil, args...)
		if code != 2 || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestMigrateSubcommand(t *testing.T) {
	url := pgtest.NewURL(t)
	code, out, stderr := runLoa(t, context.Background(), map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": url}, "migrate")
	if code != 0 || !strings.Contains(out, "version") {
		t.Fatalf("migrate: exit %d, out %q, stderr %q", code, out, stderr)
	}
}

func TestTokenNeverLoggedWhenTelegramIsUnreachable(t *testing.T) {
	url := pgtest.NewURL(t)
	// A port nobody listens on: every call fails with a *url.Error that
	// quotes the URL, token included.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3500*time.Millisecond)
	defer cancel()
	code, _, stderr := runLoa(t, ctx, map[string]string{
		"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": url, "TELEGRAM_API_ENDPOINT": dead, "LOA_LOG_LEVEL": "debug",
	})
	if code != 0 {
		t.Errorf("exit %d after a stop signal, want 0", code)
	}
	if !strings.Contains(stderr, "cannot reach Telegram") || !strings.Contains(stderr, "getMe") {
		t.Fatalf("the failure is not explained:\n%s", stderr)
	}
	if strings.Contains(stderr, token) || strings.Contains(stderr, "secret-part") {
		t.Fatalf("the token leaked into the log:\n%s", stderr)
	}
}

// TestTokenNeverLoggedInWebhookMode: deployments often make the token the
// webhook's secret path; neither it nor the webhook secret may reach the log.
func TestTokenNeverLoggedInWebhookMode(t *testing.T) {
	emu := emulator.NewT(t, emulator.WithToken(token))
	const hookSecret = "hook-secret_0123456789abcdef"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	dbURL := pgtest.NewURL(t)
	go func() {
		code, _, stderr := runLoa(t, ctx, map[string]string{
			"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": dbURL, "TELEGRAM_API_ENDPOINT": emu.URL(),
			"LOA_LOG_LEVEL": "debug", "LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "https://loa.example.org/" + token,
			"LOA_WEBHOOK_SECRET": hookSecret, "LOA_HTTP_ADDR": "127.0.0.1:0", "LOA_OPS_ADDR": "127.0.0.1:0",
		})
		done <- result{code, stderr}
	}()
	waitFor(t, "setWebhook", 15*time.Second, func() bool { return emu.Calls("setWebhook") > 0 })
	time.Sleep(200 * time.Millisecond) // the line after it
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(25 * time.Second):
		t.Fatal("loa did not stop")
	}
	if r.code != 0 || !strings.Contains(r.stderr, "webhook registered") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	for _, secret := range []string{token, "secret-part", hookSecret} {
		if strings.Contains(r.stderr, secret) {
			t.Errorf("%q leaked into the log:\n%s", secret, r.stderr)
		}
	}
}

// proc is a loa process started from the test binary.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs strings.Builder
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

func startLoa(t *testing.T, vars map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LOA_TEST_RUN_MAIN=1", "LOA_TEST_ARGS=-env-file /nonexistent run")
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return p
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKilledPollerIsReplaced runs two real loa processes on one database:
// one polls, the other waits; the poller is killed with SIGKILL and the
// other takes over within seconds, and every message is answered once.
func TestKilledPollerIsReplaced(t *testing.T) {
	emu := emulator.NewT(t, emulator.WithToken(token))
	dbURL := pgtest.NewURL(t)
	db, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": dbURL,
		"TELEGRAM_API_ENDPOINT": emu.URL(), "LOA_HTTP_ADDR": "127.0.0.1:0", "LOA_OPS_ADDR": "127.0.0.1:0",
	}
	begin := time.Now()
	a := startLoa(t, vars)
	waitFor(t, "the first process to poll", 15*time.Second, func() bool {
		if strings.Contains(a.log(), "now polls") {
			return true
		}
		if time.Since(begin) > 14*time.Second {
			t.Log(a.log())
		}
		return false
	})
	b := startLoa(t, vars)
	waitFor(t, "the second process to wait", 15*time.Second, func() bool { return strings.Contains(b.log(), "waiting to take over") })

	user := emulator.User{ID: 8001, FirstName: "Hải", LanguageCode: "vi"}
	chat := emulator.PrivateChat(user)
	emu.SendText(chat, user, "/start")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := emu.WaitMessages(ctx, chat.ID, 1); err != nil {
		t.Fatal(err)
	}

	// Kill it between updates (a kill in the middle of one is the delivery
	// issue's crash test): what is measured here is the takeover.
	waitFor(t, "the first update to be marked handled", 10*time.Second, func() bool {
		n, err := db.PendingUpdates(context.Background())
		return err == nil && n == 0
	})
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	emu.SendText(chat, user, "/help")
	if _, err := emu.WaitMessages(ctx, chat.ID, 2); err != nil {
		t.Fatalf("no answer after the poller was killed: %v\nsecond process log:\n%s\npending at Telegram: %d, errors: %+v, getUpdates calls: %d", err, b.log(), emu.PendingUpdates(), emu.Errors(), emu.Calls("getUpdates"))
	}
	t.Logf("answered %v after the poller was killed", time.Since(killed).Round(time.Millisecond))
	time.Sleep(300 * time.Millisecond)
	if n := len(emu.Messages(chat.ID)); n != 2 {
		t.Fatalf("got %d replies, want 2", n)
	}

	// SIGTERM: the survivor stops cleanly with exit status 0.
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- b.cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, b.log())
		}
	case <-time.After(25 * time.Second):
		t.Fatal("loa did not exit within 25 s of SIGTERM")
	}
	// Every long-lived part was waited for before the database closed.
	for _, part := range []string{"ops", "dispatcher", "feeds", "reminders", "bot"} {
		if !strings.Contains(b.log(), `msg="part stopped" part=`+part+"\n") {
			t.Errorf("the log does not show the %s stopped:\n%s", part, b.log())
		}
	}
	for _, l := range []string{a.log(), b.log()} {
		if strings.Contains(l, token) || strings.Contains(l, "secret-part") {
			t.Fatal("the token appears in a process log")
		}
	}
}

func TestImportUnitsCommand(t *testing.T) {
	vars := map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": pgtest.NewURL(t)}
	ctx := context.Background()
	code, first, stderr := runLoa(t, ctx, vars, "import", "units", "examples/mongcai/units.yaml")
	if code != 0 {
		t.Fatalf("import: exit %d, %s", code, stderr)
	}
	code, second, stderr := runLoa(t, ctx, vars, "import", "units", "examples/mongcai/units.yaml")
	if code != 0 || !strings.Contains(first, " added") || strings.HasPrefix(first, "0 added") || !strings.HasPrefix(second, "0 added, 0 updated,") {
		t.Fatalf("second import: exit %d, %q (first %q), %s", code, second, first, stderr)
	}
	bad := t.TempDir() + "/bad.yaml"
	if err := os.WriteFile(bad, []byte("units:\n  - code: a\n    name: A\n    kind: city\n  - code: a\n    name: B\n    kind: city\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runLoa(t, ctx, vars, "import", "units", bad)
	if code != 1 || !strings.Contains(stderr, "bad.yaml:5") {
		t.Fatalf("bad file: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runLoa(t, ctx, vars, "import", "plants", "x"); code != 2 {
		t.Fatalf("import of an unknown kind: exit %d, want 2", code)
	}
}

func TestImportPlanCommand(t *testing.T) {
	vars := map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": pgtest.NewURL(t)}
	ctx := context.Background()
	if code, _, stderr := runLoa(t, ctx, vars, "import", "plan", "examples/mongcai/plan-2021-2025.yaml"); code != 1 || !strings.Contains(stderr, `unknown unit "tuyengiao"`) {
		t.Fatalf("plan before units: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runLoa(t, ctx, vars, "import", "units", "examples/mongcai/units.yaml"); code != 0 {
		t.Fatalf("import units: exit %d, %s", code, stderr)
	}
	code, first, stderr := runLoa(t, ctx, vars, "import", "plan", "examples/mongcai/plan-2021-2025.yaml")
	if code != 0 || !strings.HasPrefix(first, "agreement added; tasks: 17 added") {
		t.Fatalf("import plan: exit %d, %q, %s", code, first, stderr)
	}
	code, second, stderr := runLoa(t, ctx, vars, "import", "plan", "examples/mongcai/plan-2021-2025.yaml")
	if code != 0 || !strings.HasPrefix(second, "tasks: 0 added, 0 updated, 17 unchanged") {
		t.Fatalf("second import: exit %d, %q, %s", code, second, stderr)
	}
}
