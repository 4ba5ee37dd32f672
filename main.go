// Command loa is the Loa Telegram bot: it carries bulletins, articles,
// announcements and reminders to officials and militia units.
//
// main.go only wires: configuration → storage → handlers → bot. Every
// decision lives in the packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/config"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/settings"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgserver"
	"github.com/loabot/loa/units"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `Loa — the Telegram bot that carries bulletins to officials and militia units.

Usage:
  loa [run]        run the bot (the default)
  loa migrate      apply database migrations and exit
  loa import units FILE
                   load the unit tree from a YAML file (idempotent; see
                   examples/mongcai/units.yaml); nothing is imported if the
                   file has an error
  loa import plan FILE
                   load an agreement and its tasks from a YAML file
                   (idempotent; see examples/mongcai/plan-2021-2025.yaml);
                   nothing is imported if the file has an error
  loa sources list | add URL UNIT… | remove ID
                   the news feeds Loa watches (add fetches the feed once to
                   check it and records its items without pushing them)
  loa export reports|tasks --from DD/MM/YYYY --to DD/MM/YYYY [--unit CODE] FILE.xlsx
                   a spreadsheet of the reports from the field (a sheet per
                   kind) or of the tasks due in the period, for reviews
  loa sandbox      a practice Telegram in the browser: the real bot against
                   a Bot API emulator, with a cast of people to act as
                   (LOA_SANDBOX_ADDR, default 127.0.0.1:8080, loopback only)
  loa version      print the version
  loa help         show this help

Configuration comes from the environment and from a .env file in the
working directory (the real environment wins). See .env.example. Without
DATABASE_URL, loa runs a PostgreSQL server of its own (from the installed
server package) with its data in LOA_DATA_DIR, default ./loa-data.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main with its inputs and outputs passed in, so tests can call it.
// It returns the process exit code: 0 on success, 1 when something failed
// while running, 2 for a wrong command line or configuration.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loa", flag.ContinueOnError)
	fs.SetOutput(stderr)
	envFile := fs.String("env-file", ".env", "`path` of the .env file to load if present")
	fs.Usage = func() { fmt.Fprint(stderr, usage, "\nFlags:\n"); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	sub := "run"
	if fs.NArg() > 0 {
		sub = fs.Arg(0)
	}
	if sub == "export" {
		return runExport(ctx, *envFile, getenv, fs.Args()[1:], stdout, stderr)
	}
	argsOK := fs.NArg() <= 1
	if sub == "import" {
		argsOK = fs.NArg() == 3 && (fs.Arg(1) == "units" || fs.Arg(1) == "plan")
	}
	if sub == "sources" {
		argsOK = sourcesArgsOK(fs.Args()[1:])
	}
	if !argsOK {
		fmt.Fprintf(stderr, "loa %s: unexpected arguments: %v\n\n", sub, fs.Args()[1:])
		fs.Usage()
		return 2
	}
	switch sub {
	case "version":
		fmt.Fprintln(stdout, "loa", version)
		return 0
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "sandbox":
		return runSandbox(ctx, *envFile, getenv, stdout, stderr)
	case "run", "migrate", "import", "sources":
	default:
		fmt.Fprintf(stderr, "loa: unknown command %q\n\n", sub)
		fs.Usage()
		return 2
	}

	if err := config.LoadDotEnv(*envFile); err != nil {
		fmt.Fprintln(stderr, "loa:", err)
		return 2
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "loa: invalid configuration:")
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	db, closeDB, code := openMigrated(ctx, cfg, log, stderr)
	if db == nil {
		return code
	}
	defer closeDB()
	if sub == "import" && fs.Arg(1) == "plan" {
		rep, err := agreements.Import(ctx, db, fs.Arg(2))
		if err != nil {
			fmt.Fprintln(stderr, "loa import plan:", err)
			return 1
		}
		fmt.Fprintln(stdout, agreements.Summary(rep))
		return 0
	}
	if sub == "import" {
		rep, err := units.Import(ctx, db, fs.Arg(2), storage.SystemActor)
		if err != nil {
			fmt.Fprintln(stderr, "loa import units:", err)
			return 1
		}
		fmt.Fprintln(stdout, units.Summary(rep))
		return 0
	}
	if sub == "sources" {
		return runSources(ctx, cfg, db, fs.Args()[1:], stdout, stderr)
	}
	if sub == "migrate" {
		v, _ := db.SchemaVersion(ctx)
		fmt.Fprintf(stdout, "database schema is at version %d\n", v)
		return 0
	}
	if err := runBot(ctx, cfg, db, log); err != nil && ctx.Err() == nil {
		log.Error("loa stopped", "err", err)
		return 1
	}
	return 0
}

// embeddedSearch is where the embedded server's binaries are looked for:
// nil for pgserver.DefaultSearch; tests set it to look nowhere.
var embeddedSearch []string

// openDatabase opens the database cfg names, for every subcommand that needs
// one: DATABASE_URL when set, else Loa's own PostgreSQL server with its data
// in LOA_DATA_DIR, started here or, when another loa runs it already,
// shared with it. It logs once which database is in use. closeDB closes the
// pool and lets go of the embedded server, which stops when no other loa
// uses it. An error matching pgserver.ErrNotInstalled names the package to
// install.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (db *storage.DB, closeDB func() error, err error) {
	dbURL := cfg.DatabaseURL
	release := func() error { return nil }
	if dbURL == "" {
		srv, err := pgserver.Start(ctx, pgserver.Options{Dir: cfg.DataDir, Database: "loa", Search: embeddedSearch})
		if err != nil {
			return nil, nil, fmt.Errorf("start the embedded PostgreSQL (LOA_DATA_DIR=%s): %w", cfg.DataDir, err)
		}
		how := "started"
		if !srv.Started() {
			how = "shared with another loa"
		}
		log.Info("database: embedded PostgreSQL", "dir", filepath.Dir(srv.DataDir()), "server", how, "pid", srv.PID())
		dbURL, release = srv.URL(), srv.Stop
	} else {
		host, name := config.DatabaseTarget(dbURL)
		log.Info("database: DATABASE_URL", "host", host, "database", name)
	}
	db, err = storage.Open(ctx, dbURL)
	if err != nil {
		return nil, nil, errors.Join(err, release())
	}
	return db, func() error { return errors.Join(db.Close(), release()) }, nil
}

// openMigrated is what every subcommand that needs the database does first:
// openDatabase, then the migrations. On failure it returns a nil DB and the
// exit code: 2 when PostgreSQL is not installed (a setup problem the person
// fixes), 1 otherwise. closeDB logs its own failure.
func openMigrated(ctx context.Context, cfg config.Config, log *slog.Logger, stderr io.Writer) (db *storage.DB, closeDB func(), code int) {
	db, closeFn, err := openDatabase(ctx, cfg, log)
	if errors.Is(err, pgserver.ErrNotInstalled) {
		fmt.Fprintf(stderr, "loa: %v, or set DATABASE_URL to a PostgreSQL server of your own\n", err)
		return nil, nil, 2
	}
	if err != nil {
		log.Error("open database", "err", err)
		return nil, nil, 1
	}
	closeDB = func() {
		if err := closeFn(); err != nil {
			log.Error("close database", "err", err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		log.Error("migrate database", "err", err)
		closeDB()
		return nil, nil, 1
	}
	return db, closeDB, 0
}

// runBot wires the bot's parts and runs them until a signal arrives.
func runBot(ctx context.Context, cfg config.Config, db *storage.DB, log *slog.Logger) error {
	if err := db.EnsureAdmins(ctx, cfg.AdminIDs); err != nil {
		return fmt.Errorf("set admins from LOA_ADMIN_IDS: %w", err)
	}
	client := bot.NewClient(cfg.APIEndpoint, cfg.Token, 30*time.Second)
	me, err := connect(ctx, client, log)
	if err != nil {
		return err
	}
	log.Info("connected to Telegram", "bot", "@"+me, "mode", cfg.Mode)

	lang := messages.Lang(cfg.Lang)
	// One limiter paces broadcasts and replies alike; the dispatcher runs
	// in one process of many (advisory lock storage.LockDispatcher).
	limiter := delivery.NewLimiter(float64(cfg.RateLimit))
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	engine, err := delivery.New(delivery.Config{
		Store: db, Limiter: limiter, Logger: log, Clock: time.Now, Metrics: registry,
		// Above Telegram's free 30 messages per second only paid broadcasts go faster.
		Sender:      bot.NewSender(client, cfg.RateLimit > 30, cfg.DeliveryConcurrency),
		Concurrency: cfg.DeliveryConcurrency, MaxRetryAge: cfg.DeliveryMaxAge,
		// Each chat's quiet hours and forum topics (issue 14).
		Silent: settings.Silencer(cfg.Location), TopicGone: settings.TopicGone(db, lang, time.Now, log),
	})
	if err != nil {
		return err
	}
	// The feed poller and the reminder scheduler run under their own
	// advisory locks in one process of many, and hand what they push to
	// the delivery engine.
	watcher := newFeedWatcher(cfg, db, engine, log)
	reminders := &agreements.Scheduler{
		Store: db, Publisher: engine, Clock: time.Now, Location: cfg.Location, At: cfg.ReminderTime,
		Lang: lang, Logger: log, Reports: db, ReportPublisher: engine,
	}
	router := handlers.NewRouter(handlers.Config{
		Store: db, Directory: db, Articles: db, Sources: watcher, Tasks: db, Broadcasts: engine, ChatAdmins: client, BotUsername: me, Lang: lang,
		Location: cfg.Location, Clock: time.Now, Logger: log, Settings: db,
		Reports: db, ReportDelivery: engine,
	})
	// The digest loop looks every 10 s: a digest is at most that late, and
	// the look reads only the articles held for digests.
	digests := &settings.Digests{Store: db, Clock: time.Now, Location: cfg.Location, Lang: lang, Logger: log, Interval: 10 * time.Second}
	langs := []messages.Lang{lang}
	for _, l := range []messages.Lang{messages.Vietnamese, messages.English} {
		if l != lang {
			langs = append(langs, l)
		}
	}
	b, err := bot.New(bot.Options{
		Client: client, Store: db, Handler: router, Logger: log,
		Mode: bot.Mode(cfg.Mode), WebhookURL: cfg.WebhookURL, WebhookSecret: cfg.WebhookSecret,
		HTTPAddr: cfg.HTTPAddr, Commands: router.Commands(), Langs: langs, Pacer: limiter,
		// /healthz reports the database and Telegram, and these.
		HealthChecks: []bot.HealthCheck{{Name: "delivery", Check: engine.Health}},
	})
	if err != nil {
		return err
	}
	// Health and metrics are for the operator: on their own listener, never
	// on the webhook's public one.
	ops := http.NewServeMux()
	ops.Handle("GET /healthz", b.Health())
	ops.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))

	// Every long-lived part runs in the group and is waited for before
	// runBot returns and the database closes: a signal, or one part that
	// fails, stops them all. The bot finishes the updates it took (within
	// its grace period) and the dispatcher records the deliveries in flight.
	g, gctx := errgroup.WithContext(ctx)
	part := func(name string, run func(context.Context) error) {
		g.Go(func() error {
			err := run(gctx)
			log.Info("part stopped", "part", name)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		})
	}
	part("ops", func(ctx context.Context) error { return bot.ServeOps(ctx, cfg.OpsAddr, ops, log) })
	part("dispatcher", engine.Run)
	part("feeds", func(ctx context.Context) error { watcher.Run(ctx); return nil })
	part("reminders", func(ctx context.Context) error { reminders.RunAsLeader(ctx, db); return nil })
	part("digests", func(ctx context.Context) error { digests.RunAsLeader(ctx, db); return nil })
	part("bot", b.Run)
	return g.Wait()
}

// connect calls getMe until Telegram answers: a network that is not up yet
// at boot should delay the bot, not kill it. A wrong token is final.
func connect(ctx context.Context, client *bot.Client, log *slog.Logger) (string, error) {
	wait := time.Second
	for {
		me, err := client.Connect(ctx)
		if err == nil {
			return me.UserName, nil
		}
		var apiErr *bot.APIError
		if errors.As(err, &apiErr) && (apiErr.Err.Code == 401 || apiErr.Err.Code == 404) {
			return "", fmt.Errorf("telegram refused the token (TELEGRAM_BOT_TOKEN): %w", err)
		}
		log.Warn("cannot reach Telegram yet; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
}
