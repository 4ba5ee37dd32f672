package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type webhookState struct {
	url     string
	secret  string
	maxConn int
	stop    chan struct{}
}

// stopWebhookLocked removes the webhook and ends its delivery worker.
func (q *updateQueue) stopWebhookLocked() {
	if q.webhook != nil {
		close(q.webhook.stop)
		q.webhook = nil
	}
}

// RouteWebhook makes the emulator deliver updates itself while a webhook is
// set, playing the reverse proxy that a test cannot otherwise put at the
// bot's real HTTPS address: each update is POSTed, one at a time and in
// order, to route(webhookURL) with the X-Telegram-Bot-Api-Secret-Token
// header when a secret token was set. An update is confirmed when the bot
// answers 2xx; otherwise it is retried after a short delay (10 ms, doubling
// up to 1 s). A JSON answer with a "method" field is executed as Telegram
// does ("reply to the webhook"). A route that returns "" holds delivery.
func (s *Server) RouteWebhook(route func(webhookURL string) string) {
	s.q.mu.Lock()
	s.q.route = route
	s.q.signalLocked()
	s.q.mu.Unlock()
}

// WebhookDeliveries returns every delivery attempt so far, in order.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	return append([]WebhookDelivery(nil), s.q.deliveries...)
}

// validSecret reports a secret_token of 1–256 characters A-Z, a-z, 0-9, _
// and -.
func validSecret(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// checkWebhookURL validates a webhook URL as the Bot API does before it
// tries to connect: HTTPS only, on ports 80, 88, 443 or 8443.
func checkWebhookURL(raw string) *apiError {
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s // the Bot API's default protocol
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || strings.ContainsAny(raw, " \t\r\n") {
		return badRequest("invalid webhook URL specified")
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	switch u.Port() {
	case "", "80", "88", "443", "8443":
	default:
		return badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
	}
	return nil
}

// setWebhook follows the Bot API: setting a URL is allowed once a second
// (more often answers 429 retry after 1), the same settings again answer
// "Webhook is already set", and a waiting getUpdates is ended with 409
// "terminated by setWebhook request".
func (s *Server) setWebhook(rq *request, rp *reply) {
	raw := strings.TrimSpace(rq.get("url"))
	if raw == "" {
		s.deleteWebhook(rq, rp)
		return
	}
	secret := rq.get("secret_token")
	if len(secret) > 256 {
		rp.fail(badRequest("secret token is too long"))
		return
	}
	if !validSecret(secret) {
		rp.fail(badRequest("secret token contains unallowed characters"))
		return
	}
	if err := checkWebhookURL(raw); err != nil {
		rp.fail(err)
		return
	}
	maxConn := defaultMaxWebhookConns
	if rq.has("max_connections") {
		maxConn = clamp(int(rq.int("max_connections")), 1, 100)
	}
	drop := rq.bool("drop_pending_updates")
	mask, maskGiven := parseAllowedUpdates(rq.get("allowed_updates"))

	q := &s.q
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	if now.Before(q.lastSet.Add(time.Second)) {
		rp.fail(tooManyRequests(1))
		return
	}
	q.lastSet = now
	if maskGiven {
		q.allowed = mask
	}
	if wh := q.webhook; wh != nil && wh.url == raw && wh.secret == secret && wh.maxConn == maxConn && !drop {
		rp.buf = append(rp.buf, "true"...)
		rp.desc = "Webhook is already set"
		return
	}
	q.abortPollLocked("terminated by setWebhook request")
	q.stopWebhookLocked()
	if drop {
		q.forgetBeforeLocked(q.nextID)
	}
	wh := &webhookState{url: raw, secret: secret, maxConn: maxConn, stop: make(chan struct{})}
	q.webhook = wh
	q.lastErrDate, q.lastErrMsg = 0, ""
	go s.deliverWebhook(wh)
	rp.buf = append(rp.buf, "true"...)
	rp.desc = "Webhook was set"
}

func (s *Server) deleteWebhook(rq *request, rp *reply) {
	q := &s.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if rq.bool("drop_pending_updates") {
		q.forgetBeforeLocked(q.nextID)
	}
	rp.buf = append(rp.buf, "true"...)
	if q.webhook == nil {
		rp.desc = "Webhook is already deleted"
		return
	}
	q.stopWebhookLocked()
	rp.desc = "Webhook was deleted"
}

func (s *Server) getWebhookInfo(_ *request, rp *reply) {
	q := &s.q
	q.mu.Lock()
	defer q.mu.Unlock()
	b := append(rp.buf, '{')
	wh := q.webhook
	if wh == nil {
		b = appendStringField(b, "url", "")
	} else {
		b = appendStringField(b, "url", wh.url)
	}
	b = appendBoolField(b, "has_custom_certificate", false)
	b = appendIntField(b, "pending_update_count", int64(len(q.items)))
	if wh != nil {
		if q.lastErrDate != 0 {
			b = appendIntField(b, "last_error_date", q.lastErrDate)
			b = appendStringField(b, "last_error_message", q.lastErrMsg)
		}
		b = appendIntField(b, "max_connections", int64(wh.maxConn))
		if q.allowed != defaultAllowed {
			b = append(appendKey(b, "allowed_updates"), '[')
			first := true
			for i, t := range updateTypes {
				if q.allowed&(1<<i) != 0 {
					if !first {
						b = append(b, ',')
					}
					first = false
					b = appendString(b, t)
				}
			}
			b = append(b, ']')
		}
	}
	rp.buf = append(b, '}')
}

// deliverWebhook is the delivery worker of one webhook setting; it ends
// when the webhook is deleted or replaced, or the Server closes.
func (s *Server) deliverWebhook(wh *webhookState) {
	q := &s.q
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-wh.stop:
		case <-s.closed:
		case <-ctx.Done():
		}
		cancel()
	}()
	const minBackoff, maxBackoff = 10 * time.Millisecond, time.Second
	backoff := minBackoff
	for {
		q.mu.Lock()
		var upd queuedUpdate
		var route func(string) string
		for {
			if q.webhook != wh {
				q.mu.Unlock()
				return
			}
			if len(q.items) > 0 && q.route != nil {
				upd, route = q.items[0], q.route
				break
			}
			wake := q.wake
			q.mu.Unlock()
			select {
			case <-wake:
			case <-ctx.Done():
				return
			}
			q.mu.Lock()
		}
		q.mu.Unlock()

		d := WebhookDelivery{UpdateID: upd.id, WebhookURL: wh.url, Secret: wh.secret, At: time.Now()}
		d.Target = route(wh.url)
		ok := s.post(ctx, &d, upd.json)
		if ctx.Err() != nil {
			return
		}
		q.mu.Lock()
		if q.webhook == wh {
			if ok {
				if len(q.items) > 0 && q.items[0].id == upd.id {
					q.forgetBeforeLocked(upd.id + 1)
				}
			} else {
				q.lastErrDate, q.lastErrMsg = time.Now().Unix(), d.Err
			}
		}
		q.deliveries = append(q.deliveries, d)
		q.mu.Unlock()
		if ok {
			backoff = minBackoff
			continue
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// post sends one update and runs a method the bot put in its answer. It
// reports whether the bot accepted the update.
func (s *Server) post(ctx context.Context, d *WebhookDelivery, body []byte) bool {
	if d.Target == "" {
		d.Err = "emulator: RouteWebhook gave no target"
		return false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Target, bytes.NewReader(body))
	if err != nil {
		d.Err = err.Error()
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if d.Secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", d.Secret)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		d.Err = "Connection failed: " + err.Error()
		return false
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	d.StatusCode = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		d.Err = "Wrong response from the webhook: " + strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
		return false
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct == "application/json" && len(bytes.TrimSpace(answer)) > 0 {
		s.replyToWebhook(ctx, d, answer)
	}
	return true
}

// replyToWebhook executes the method a bot returned in its webhook answer.
func (s *Server) replyToWebhook(ctx context.Context, d *WebhookDelivery, answer []byte) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(answer, &obj) != nil {
		return
	}
	var name string
	if raw, ok := obj["method"]; !ok || json.Unmarshal(raw, &name) != nil || name == "" {
		return
	}
	delete(obj, "method")
	rest, _ := json.Marshal(obj)
	rq := request{ctx: ctx}
	if err := parseJSONParams(rest, &rq); err != nil {
		d.ReplyMethod, d.ReplyError = name, err.desc
		return
	}
	err, canonical := s.call(ctx, name, rq.params)
	d.ReplyMethod = canonical
	if err != nil {
		d.ReplyError = err.desc
	}
}
