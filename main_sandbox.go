package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/config"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/sandbox"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

// The example data of a first start, embedded so that the binary runs the
// sandbox from any directory.
var (
	//go:embed examples/mongcai/units.yaml
	exampleUnits []byte
	//go:embed examples/mongcai/plan-2021-2025.yaml
	examplePlan []byte
)

const sandboxStateFile = "sandbox.json"

// sandboxEnv is the environment the bot sees in the sandbox: the emulator's
// token and address, polling, listeners on free loopback ports, and feeds
// read every minute. What the person set wins elsewhere.
func sandboxEnv(getenv func(string) string, emu *emulator.Server) func(string) string {
	return func(k string) string {
		switch k {
		case "TELEGRAM_BOT_TOKEN":
			return emu.Token()
		case "TELEGRAM_API_ENDPOINT":
			return emu.URL()
		case "LOA_MODE":
			return "polling"
		case "LOA_HTTP_ADDR", "LOA_OPS_ADDR":
			return "127.0.0.1:0"
		case "LOA_FEED_INTERVAL", "LOA_LOG_LEVEL":
			if v := getenv(k); v != "" {
				return v
			}
			return map[string]string{"LOA_FEED_INTERVAL": "1m", "LOA_LOG_LEVEL": "warn"}[k]
		}
		return getenv(k)
	}
}

// runSandbox is "loa sandbox": the real bot against the Bot API emulator,
// with the web chat on LOA_SANDBOX_ADDR. It returns the exit code.
func runSandbox(ctx context.Context, envFile string, getenv func(string) string, stdout, stderr io.Writer) int {
	if err := config.LoadDotEnv(envFile); err != nil {
		fmt.Fprintln(stderr, "loa:", err)
		return 2
	}
	// The emulator starts first: the bot's configuration names its address.
	emu := emulator.New(emulator.WithLimits(emulator.TelegramLimits()), emulator.WithBotUsername("loa_sandbox_bot"))
	defer emu.Close()
	cfg, err := config.Load(sandboxEnv(getenv, emu))
	if err != nil {
		fmt.Fprintln(stderr, "loa: invalid configuration:")
		fmt.Fprintln(stderr, err)
		return 2
	}
	// The sandbox serves its own news feed on its loopback address, which
	// the feed poller refuses unless the host is allowed by name.
	feedHost, _, _ := net.SplitHostPort(cfg.SandboxAddr)
	cfg.FeedAllowHosts = append(cfg.FeedAllowHosts, strings.ToLower(strings.Trim(feedHost, "[]")))
	ln, err := net.Listen("tcp", cfg.SandboxAddr)
	if err != nil {
		fmt.Fprintf(stderr, "loa sandbox: listen on %s: %v (set LOA_SANDBOX_ADDR to another port)\n", cfg.SandboxAddr, err)
		return 1
	}
	defer ln.Close()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	db, closeDB, code := openMigrated(ctx, cfg, log, stderr)
	if db == nil {
		return code
	}
	defer closeDB()
	sb, err := openSandbox(ctx, db, emu, cfg.DataDir, log)
	if err != nil {
		log.Error("start the sandbox", "err", err)
		return 1
	}
	if err := sb.Seed(ctx, "http://"+ln.Addr().String()+"/feed.xml"); err != nil {
		log.Error("start the sandbox", "err", err)
		return 1
	}

	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("sandbox web chat stopped", "err", err)
			stop()
		}
	})
	wg.Go(func() { sb.Run(runCtx) })
	fmt.Fprintf(stdout, "Open http://%s\n", ln.Addr())

	err = runBot(runCtx, cfg, db, log)
	stop()
	// The page keeps an event stream open: close rather than wait for it.
	shutCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	if srv.Shutdown(shutCtx) != nil {
		srv.Close()
	}
	cancel()
	wg.Wait()
	if err != nil && ctx.Err() == nil {
		log.Error("loa stopped", "err", err)
		return 1
	}
	return 0
}

// openSandbox imports the example units and plan on a first start (no
// state file yet) and restores the sandbox's state otherwise.
func openSandbox(ctx context.Context, db *storage.DB, emu *emulator.Server, dataDir string, log *slog.Logger) (*sandbox.Sandbox, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	statePath := filepath.Join(dataDir, sandboxStateFile)
	if _, err := os.Stat(statePath); errors.Is(err, fs.ErrNotExist) {
		if err := importExamples(ctx, db, dataDir); err != nil {
			return nil, err
		}
	}
	offset, err := db.PollOffset(ctx)
	if err != nil {
		return nil, err
	}
	return sandbox.New(sandbox.Options{Emulator: emu, Store: db, StatePath: statePath, PollOffset: offset, Logger: log})
}

// importExamples loads the Móng Cái units and plan (both imports are
// idempotent) from the copies embedded in the binary.
func importExamples(ctx context.Context, db *storage.DB, dataDir string) error {
	dir, err := os.MkdirTemp(dataDir, "examples-")
	if err != nil {
		return fmt.Errorf("import the examples: %w", err)
	}
	defer os.RemoveAll(dir)
	unitsPath, planPath := filepath.Join(dir, "units.yaml"), filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(unitsPath, exampleUnits, 0o600); err != nil {
		return fmt.Errorf("import the examples: %w", err)
	}
	if err := os.WriteFile(planPath, examplePlan, 0o600); err != nil {
		return fmt.Errorf("import the examples: %w", err)
	}
	if _, err := units.Import(ctx, db, unitsPath, storage.SystemActor); err != nil {
		return fmt.Errorf("import example units: %w", err)
	}
	if _, err := agreements.Import(ctx, db, planPath); err != nil {
		return fmt.Errorf("import example plan: %w", err)
	}
	return nil
}
