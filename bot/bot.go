package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Store is what the transport needs from storage: the durable inbox of
// updates, the polling offset, and leader election (*storage.DB).
type Store interface {
	Ping(ctx context.Context) error
	PollOffset(ctx context.Context) (int64, error)
	StoreUpdates(ctx context.Context, ups []storage.InboxUpdate, nextOffset int64) (int, error)
	ClaimUpdates(ctx context.Context, owner string, limit int, lease time.Duration) ([]storage.InboxUpdate, error)
	MarkHandled(ctx context.Context, updateID int64) error
	ExtendClaims(ctx context.Context, owner string, lease time.Duration) error
	PruneUpdates(ctx context.Context, olderThan time.Duration) (int64, error)
	LeadTerm(ctx context.Context, key int64, retry time.Duration, log *slog.Logger, what string, term func(ctx context.Context))
}

// Handler answers requests; *handlers.Router is the real one.
type Handler interface {
	Handle(ctx context.Context, req handlers.Request) handlers.Response
}

// Pacer holds back messages to keep within Telegram's limits. Wait returns
// when a message may go into chatID now (or ctx is done); Backoff passes on
// Telegram's 429 retry_after for chatID.
type Pacer interface {
	Wait(ctx context.Context, chatID int64) error
	Backoff(chatID int64, d time.Duration)
}

// Mode is how updates arrive.
type Mode string

// The two ways Telegram delivers updates.
const (
	Polling Mode = "polling"
	Webhook Mode = "webhook"
)

// Options configure a Bot. Zero values get sensible defaults.
type Options struct {
	Client  *Client
	Store   Store
	Handler Handler
	Logger  *slog.Logger

	Mode          Mode
	WebhookURL    string // public https URL Telegram posts to; its path is served
	WebhookSecret string // X-Telegram-Bot-Api-Secret-Token
	HTTPAddr      string // the webhook's listener (webhook mode only)

	// Commands are registered with setMyCommands at start, described in
	// each of Langs (the first is the default for clients in other languages).
	Commands []messages.Command
	Langs    []messages.Lang

	// HealthChecks are reported by Health (/healthz) after the database
	// and Telegram, which are always checked.
	HealthChecks []HealthCheck

	// Pacer paces replies (sendMessage, editMessageText) with everything
	// else the bot sends, so that answering people never pushes broadcasts
	// over Telegram's limits; nil sends at once. *delivery.Limiter is one.
	Pacer Pacer

	Workers       int           // concurrent handlers; default 8
	PollTimeout   time.Duration // long-poll wait; default 50 s, Telegram's cap
	LockRetry     time.Duration // how often a follower tries to take over polling; default 2 s
	Lease         time.Duration // how long a claimed update is ours unless renewed: a crashed process's updates wait this long; default 20 s
	ShutdownGrace time.Duration // how long in-flight work may take after a stop signal; default 20 s
	IdleClaim     time.Duration // how often the inbox is checked without a wake-up; default 1 s
	// HealthCacheTTL is how long /healthz reuses its last getMe; default 10 s.
	HealthCacheTTL time.Duration
}

// Bot receives updates and answers them.
type Bot struct {
	o     Options
	log   *slog.Logger
	owner string
	poll  *Client
	wake  chan struct{}

	mu      sync.Mutex
	addr    net.Addr
	healthy healthCache
}

// New checks the options and builds a Bot; nothing runs until Run.
func New(o Options) (*Bot, error) {
	if o.Client == nil || o.Store == nil || o.Handler == nil {
		return nil, errors.New("bot: Client, Store and Handler are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Mode == "" {
		o.Mode = Polling
	}
	if o.Mode == Webhook && (o.WebhookURL == "" || o.WebhookSecret == "" || o.HTTPAddr == "") {
		return nil, errors.New("bot: webhook mode needs a webhook URL, a secret and an HTTP address")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PollTimeout, 50*time.Second)
	def(&o.LockRetry, 2*time.Second)
	def(&o.Lease, 20*time.Second)
	def(&o.ShutdownGrace, 20*time.Second)
	def(&o.IdleClaim, time.Second)
	def(&o.HealthCacheTTL, 10*time.Second)
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if len(o.Langs) == 0 {
		o.Langs = []messages.Lang{messages.Vietnamese}
	}
	b := &Bot{
		o:     o,
		log:   o.Logger,
		owner: ownerID(),
		wake:  make(chan struct{}, 1),
	}
	// The long poll waits up to PollTimeout on Telegram's side: its HTTP
	// timeout must be longer, or every quiet poll would end in an error.
	b.poll = o.Client.WithTimeout(o.PollTimeout + 15*time.Second)
	return b, nil
}

// ownerID names this process in claimed inbox rows, so an operator can tell
// which process holds what.
func ownerID() string {
	host, _ := os.Hostname()
	var r [4]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(r[:]))
}

// Addr is the webhook listener's address once Run has started it (tests
// listen on port 0); nil in polling mode.
func (b *Bot) Addr() net.Addr {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// Run receives and handles updates until ctx is cancelled, then stops
// taking updates, lets in-flight work finish within ShutdownGrace and
// returns. It returns an error only if it could not start.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.registerCommands(ctx); err != nil {
		// Not fatal: the command list is a convenience of the client.
		b.log.Warn("could not register the command list", "err", err)
	}

	var srv *http.Server
	if b.o.Mode == Webhook {
		ln, err := net.Listen("tcp", b.o.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", b.o.HTTPAddr, err)
		}
		b.mu.Lock()
		b.addr = ln.Addr()
		b.mu.Unlock()
		srv = &http.Server{Handler: b.routes(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				b.log.Error("http server stopped", "err", err)
			}
		}()
		b.log.Info("http listener ready", "addr", ln.Addr().String())
	}
	if b.o.Mode == Webhook {
		if err := b.setWebhook(ctx); err != nil {
			if srv != nil {
				_ = srv.Close()
			}
			return err
		}
	}

	// The handling side outlives ctx by the grace period, so that updates
	// already taken are answered before the process exits.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	var wg sync.WaitGroup
	processed := make(chan struct{})
	go func() {
		b.process(ctx, workCtx)
		close(processed)
	}()
	if b.o.Mode == Polling {
		wg.Add(1)
		go func() { defer wg.Done(); b.pollAsLeader(ctx) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); b.prune(ctx) }()

	<-ctx.Done()
	b.log.Info("stopping: no new updates are taken")
	if srv != nil {
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(shutCtx)
		cancel()
	}
	wg.Wait()
	select {
	case <-processed:
	case <-time.After(b.o.ShutdownGrace):
		b.log.Warn("in-flight updates did not finish in time; they will be handled again after the lease", "grace", b.o.ShutdownGrace)
		cancelWork()
		<-processed
	}
	b.log.Info("stopped")
	return nil
}

// notify wakes the processor after new updates were stored.
func (b *Bot) notify() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// prune forgets handled updates after two days; they are kept that long so
// an update Telegram delivers again is recognised and not handled twice.
func (b *Bot) prune(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := b.o.Store.PruneUpdates(ctx, 48*time.Hour); err != nil && ctx.Err() == nil {
			b.log.Warn("prune handled updates", "err", err)
		} else if n > 0 {
			b.log.Debug("pruned handled updates", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sleep waits d or until ctx is done, and reports whether to go on.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
