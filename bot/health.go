package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// HealthCheck is one part /healthz reports on: Check returns nil when the
// part works, or why it does not.
type HealthCheck struct {
	Name  string
	Check func(context.Context) error
}

// healthCache keeps the last Telegram check for a few seconds, so a load
// balancer probing every second does not become traffic to Telegram.
type healthCache struct {
	at  time.Time
	err error
}

// checks are the parts /healthz reports on: the database and Telegram,
// then Options.HealthChecks.
func (b *Bot) checks() []HealthCheck {
	return append([]HealthCheck{
		{Name: "database", Check: b.o.Store.Ping},
		{Name: "telegram", Check: b.telegramHealth},
	}, b.o.HealthChecks...)
}

// telegramHealth calls getMe, at most once per HealthCacheTTL.
func (b *Bot) telegramHealth(ctx context.Context) error {
	b.mu.Lock()
	cached := b.healthy
	b.mu.Unlock()
	if time.Since(cached.at) <= b.o.HealthCacheTTL {
		return cached.err
	}
	_, err := b.o.Client.Call(ctx, "getMe", nil)
	b.mu.Lock()
	b.healthy = healthCache{at: time.Now(), err: err}
	b.mu.Unlock()
	return err
}

// Health is the /healthz handler: every check runs (at once, within 5 s)
// and the answer is JSON naming each one, "ok" or its reason, with 200 when
// all pass and 503 when any fails, so a load balancer or an operator sees
// what is degraded.
func (b *Bot) Health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		checks := b.checks()
		results := make([]error, len(checks))
		var wg sync.WaitGroup
		for i, c := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = runCheck(ctx, c)
			}()
		}
		wg.Wait()
		status := make(map[string]string, len(checks))
		code := http.StatusOK
		for i, c := range checks {
			if results[i] == nil {
				status[c.Name] = "ok"
				continue
			}
			reason := b.redact(results[i].Error())
			status[c.Name] = reason
			code = http.StatusServiceUnavailable
			b.log.Warn("health: "+c.Name+" failing", "err", reason)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(status)
	})
}

// runCheck runs one check; a panic in it is a failure, not a crash.
func runCheck(ctx context.Context, c HealthCheck) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errors.New("check panicked")
		}
	}()
	if c.Check == nil {
		return nil
	}
	return c.Check(ctx)
}

// ServeOps serves h (health and metrics) on addr until ctx ends, then shuts
// the server down within 5 s. It is meant for an operator's network only
// (default 127.0.0.1): nothing on it is for Telegram or the public. It logs
// "ops listener ready" with the address (port 0 picks a free one) and
// returns an error only when it cannot listen or serve.
func ServeOps(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("ops listener on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("ops listener ready", "addr", ln.Addr().String())
	select {
	case err := <-served:
		return fmt.Errorf("ops listener: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	<-served
	log.Info("ops listener stopped")
	return nil
}
