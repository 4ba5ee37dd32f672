package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/storage"
)

// pollAsLeader long-polls Telegram while this process leads polling
// (storage.LockPolling). Telegram allows one getUpdates caller per token (a
// second one gets 409 Conflict), so every other process waits and takes
// over within LockRetry when the leader dies and PostgreSQL drops its
// session lock. The term's context ends when the lock is lost, which ends
// the long poll at once.
func (b *Bot) pollAsLeader(ctx context.Context) {
	b.o.Store.LeadTerm(ctx, storage.LockPolling, b.o.LockRetry, b.log, "polling", func(ctx context.Context) {
		b.log.Info("this process now polls Telegram for updates")
		b.pollLoop(ctx)
	})
}

// pollLoop fetches updates and stores them in the inbox together with the
// next offset, in one transaction. Only the next getUpdates, sent with that
// offset, confirms them to Telegram: an update is either still on Telegram's
// side or safely in PostgreSQL, never neither.
func (b *Bot) pollLoop(ctx context.Context) {
	// A webhook left from an earlier deployment makes getUpdates fail.
	if _, err := b.o.Client.Call(ctx, "deleteWebhook", nil); err != nil && ctx.Err() == nil {
		b.log.Warn("deleteWebhook before polling", "err", err)
	}
	backoff := time.Second
	for ctx.Err() == nil {
		offset, err := b.o.Store.PollOffset(ctx)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Warn("read polling offset", "err", err)
			}
			sleep(ctx, backoff)
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		raws, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.Err.Code == http.StatusConflict {
				b.log.Error("Telegram refuses polling: another program uses this token, or a webhook is set", "err", err)
			} else if errors.As(err, &apiErr) && apiErr.Err.Code == http.StatusTooManyRequests {
				sleep(ctx, max(apiErr.RetryAfter(), time.Second))
				continue
			} else {
				b.log.Warn("getUpdates", "err", err)
			}
			sleep(ctx, backoff)
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		if len(raws) == 0 {
			continue
		}
		if err := b.storeRaw(ctx, raws, true); err != nil {
			if ctx.Err() == nil {
				b.log.Warn("store updates; they stay on Telegram's side and are fetched again", "err", err)
			}
			sleep(ctx, time.Second)
		}
	}
}

func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	allowed, _ := json.Marshal(allowedUpdates)
	params := tgbotapi.Params{
		"timeout":         strconv.Itoa(int(b.o.PollTimeout / time.Second)),
		"limit":           "100",
		"allowed_updates": string(allowed),
	}
	if offset > 0 {
		params["offset"] = strconv.FormatInt(offset, 10)
	}
	raw, err := b.poll.Call(ctx, "getUpdates", params)
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, errors.New("getUpdates: result is not a list")
	}
	return out, nil
}

// storeRaw puts updates in the inbox. withOffset also moves the polling
// offset past them. An update that cannot be read at all is logged and
// skipped over rather than blocking every later one forever.
func (b *Bot) storeRaw(ctx context.Context, raws []json.RawMessage, withOffset bool) error {
	ups := make([]storage.InboxUpdate, 0, len(raws))
	var next int64
	for _, raw := range raws {
		var head struct {
			UpdateID int64 `json:"update_id"`
		}
		_ = json.Unmarshal(raw, &head)
		next = max(next, head.UpdateID+1)
		u, err := inboxUpdate(raw)
		if err != nil {
			b.log.Error("unreadable update skipped", "update_id", head.UpdateID, "err", err)
			continue
		}
		ups = append(ups, u)
	}
	if !withOffset {
		next = 0
	}
	n, err := b.o.Store.StoreUpdates(ctx, ups, next)
	if err != nil {
		return err
	}
	if n > 0 {
		b.notify()
	}
	return nil
}

// setWebhook registers this deployment's URL and secret with Telegram.
// Every process does it at start; it is idempotent.
func (b *Bot) setWebhook(ctx context.Context) error {
	allowed, _ := json.Marshal(allowedUpdates)
	_, err := b.o.Client.Call(ctx, "setWebhook", tgbotapi.Params{
		"url":             b.o.WebhookURL,
		"secret_token":    b.o.WebhookSecret,
		"allowed_updates": string(allowed),
		"max_connections": "40",
	})
	if err != nil {
		// Telegram's answer may quote the URL back, and the URL's path
		// often holds the token.
		return fmt.Errorf("setWebhook %s: %s", webhookOrigin(b.o.WebhookURL), b.redact(err.Error()))
	}
	b.log.Info("webhook registered", "url", webhookOrigin(b.o.WebhookURL))
	return nil
}

// webhookOrigin is the webhook URL as it may be logged: scheme and host
// only. Deployments commonly make the path secret (often the bot token
// itself), so no part of it is ever shown.
func webhookOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[REDACTED]"
	}
	return u.Scheme + "://" + u.Host + "/[REDACTED]"
}

// redact hides the token, the webhook URL's path and the webhook secret in
// a text about to be logged or returned.
func (b *Bot) redact(s string) string {
	s = b.o.Client.Redact(s)
	if u, err := url.Parse(b.o.WebhookURL); err == nil && len(u.Path) > 1 {
		s = strings.ReplaceAll(s, u.Path, "/[REDACTED]")
	}
	if b.o.WebhookSecret != "" {
		s = strings.ReplaceAll(s, b.o.WebhookSecret, "[REDACTED]")
	}
	return s
}

// maxUpdateSize bounds a webhook body; real updates are a few kilobytes.
const maxUpdateSize = 1 << 20

// webhook receives updates from Telegram. It stores each one in the inbox
// and answers at once: Telegram waits for the answer before it sends the
// next, and a stored update survives a crash. A wrong or missing secret is
// refused before the body is read.
func (b *Bot) webhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(b.o.WebhookSecret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateSize+1))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if len(body) > maxUpdateSize {
		http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !json.Valid(body) {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	u, err := inboxUpdate(body)
	if err != nil {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	if _, err := b.o.Store.StoreUpdates(r.Context(), []storage.InboxUpdate{u}, 0); err != nil {
		// Telegram retries what it did not get a 2xx for: nothing is lost.
		b.log.Error("store webhook update", "update_id", u.UpdateID, "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	b.notify()
	w.WriteHeader(http.StatusOK)
}

// routes is the webhook listener: the webhook's path and nothing else
// (health and metrics are on the ops listener, see ServeOps).
func (b *Bot) routes() http.Handler {
	mux := http.NewServeMux()
	path := "/"
	if u, err := url.Parse(b.o.WebhookURL); err == nil && u.Path != "" {
		path = u.Path
	}
	mux.HandleFunc(path, b.webhook)
	return mux
}
