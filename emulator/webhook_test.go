package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const hookURL = "https://loa.example.vn/telegram/webhook"

// setHook sets the webhook with a secret and routes it to h.
func setHook(t *testing.T, s *Server, h http.Handler) {
	t.Helper()
	bot := httptest.NewServer(h)
	t.Cleanup(bot.Close)
	s.RouteWebhook(func(u string) string {
		if u != hookURL {
			t.Errorf("route asked for %q", u)
		}
		return bot.URL + "/telegram/webhook"
	})
	r := postForm(t, s, "setWebhook", url.Values{"url": {hookURL}, "secret_token": {"s3cr3t_T-0k"}})
	if r.Body != `{"ok":true,"result":true,"description":"Webhook was set"}` {
		t.Fatalf("setWebhook = %s", r.Body)
	}
}

func TestSetWebhookValidation(t *testing.T) {
	s := NewT(t)
	tests := []struct {
		params url.Values
		want   string
	}{
		{url.Values{"url": {"http://loa.example.vn/hook"}}, `{"ok":false,"error_code":400,"description":"Bad Request: bad webhook: An HTTPS URL must be provided for webhook"}`},
		{url.Values{"url": {"https://loa.example.vn:8080/hook"}}, `{"ok":false,"error_code":400,"description":"Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"}`},
		{url.Values{"url": {hookURL}, "secret_token": {"có dấu"}}, `{"ok":false,"error_code":400,"description":"Bad Request: secret token contains unallowed characters"}`},
		{url.Values{"url": {hookURL}, "secret_token": {"a:b"}}, `{"ok":false,"error_code":400,"description":"Bad Request: secret token contains unallowed characters"}`},
	}
	for _, tt := range tests {
		if r := postForm(t, s, "setWebhook", tt.params); r.Body != tt.want || r.Status != 400 {
			t.Errorf("setWebhook(%v) = %d %s", tt.params, r.Status, r.Body)
		}
	}
	if r := postForm(t, s, "setWebhook", url.Values{"url": {hookURL}}); r.Body != `{"ok":true,"result":true,"description":"Webhook was set"}` {
		t.Errorf("setWebhook = %s", r.Body)
	}
	// Telegram allows one setWebhook per second.
	if r := postForm(t, s, "setWebhook", url.Values{"url": {hookURL}}); r.Body != `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}` {
		t.Errorf("second setWebhook = %s", r.Body)
	}
	r := postForm(t, s, "getWebhookInfo", nil)
	var info tgbotapi.WebhookInfo
	r.field(t, "result", &info)
	if info.URL != hookURL || info.MaxConnections != 40 || !info.IsSet() {
		t.Errorf("getWebhookInfo = %s", r.Body)
	}
	want := `{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}`
	if r := postForm(t, s, "getUpdates", nil); r.Status != 409 || r.Body != want {
		t.Errorf("getUpdates with a webhook = %d %s", r.Status, r.Body)
	}
	if r := postForm(t, s, "deleteWebhook", nil); r.Body != `{"ok":true,"result":true,"description":"Webhook was deleted"}` {
		t.Errorf("deleteWebhook = %s", r.Body)
	}
	if r := postForm(t, s, "deleteWebhook", nil); r.Body != `{"ok":true,"result":true,"description":"Webhook is already deleted"}` {
		t.Errorf("deleteWebhook again = %s", r.Body)
	}
	if r := postForm(t, s, "getUpdates", nil); r.Status != 200 {
		t.Errorf("getUpdates after deleteWebhook = %s", r.Body)
	}
}

func TestWebhookDelivery(t *testing.T) {
	s := NewT(t)
	var mu sync.Mutex
	var got []tgbotapi.Update
	setHook(t, s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cr3t_T-0k" || r.Header.Get("Content-Type") != "application/json" || r.Method != http.MethodPost {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		var u tgbotapi.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, u)
		mu.Unlock()
	}))
	first := s.SendText(PrivateChat(lan), lan, "/start")
	last := s.SendText(PrivateChat(lan), lan, "/latest")
	if err := s.WaitConfirmed(ctxT(t, 5*time.Second), last); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].UpdateID != first || got[1].Message.Text != "/latest" {
		t.Fatalf("bot received %+v", got)
	}
	ds := s.WebhookDeliveries()
	if len(ds) != 2 || ds[0].Secret != "s3cr3t_T-0k" || ds[0].StatusCode != 200 || ds[0].WebhookURL != hookURL || ds[0].Err != "" {
		t.Errorf("deliveries = %+v", ds)
	}
	if s.PendingUpdates() != 0 {
		t.Errorf("pending = %d", s.PendingUpdates())
	}
}

func TestWebhookRetries(t *testing.T) {
	s := NewT(t)
	var calls atomic.Int32
	setHook(t, s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "database down", http.StatusInternalServerError)
		}
	}))
	id := s.SendText(PrivateChat(lan), lan, "x")
	if err := s.WaitConfirmed(ctxT(t, 5*time.Second), id); err != nil {
		t.Fatal(err)
	}
	ds := s.WebhookDeliveries()
	if len(ds) != 3 || ds[0].StatusCode != 500 || ds[0].Err != "Wrong response from the webhook: 500 Internal Server Error" || ds[2].StatusCode != 200 || ds[2].UpdateID != id {
		t.Errorf("deliveries = %+v", ds)
	}
	r := postForm(t, s, "getWebhookInfo", nil)
	var info tgbotapi.WebhookInfo
	r.field(t, "result", &info)
	if info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate == 0 || info.PendingUpdateCount != 0 {
		t.Errorf("getWebhookInfo = %s", r.Body)
	}
}

// TestWebhookReply: a bot may answer a webhook request with a method call.
func TestWebhookReply(t *testing.T) {
	s := NewT(t)
	setHook(t, s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u tgbotapi.Update
		_ = json.NewDecoder(r.Body).Decode(&u)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"method": "sendMessage", "chat_id": u.Message.Chat.ID, "text": "<b>Chào</b>", "parse_mode": "HTML"})
	}))
	s.SendText(PrivateChat(lan), lan, "/start")
	msgs, err := s.WaitMessages(ctxT(t, 5*time.Second), lan.ID, 1)
	if err != nil || msgs[0].Text != "Chào" {
		t.Fatalf("reply in webhook answer: %v %+v", err, msgs)
	}
	if ds := s.WebhookDeliveries(); len(ds) != 1 || ds[0].ReplyMethod != "sendMessage" || ds[0].ReplyError != "" {
		t.Errorf("deliveries = %+v", ds)
	}
}

func TestWebhookDropPending(t *testing.T) {
	s := NewT(t)
	s.SendText(PrivateChat(lan), lan, "old")
	setHookHeld := func() {
		s.RouteWebhook(func(string) string { return "" }) // hold delivery
		postForm(t, s, "setWebhook", url.Values{"url": {hookURL}, "drop_pending_updates": {"true"}})
	}
	setHookHeld()
	if s.PendingUpdates() != 0 {
		t.Errorf("drop_pending_updates left %d", s.PendingUpdates())
	}
	s.SendText(PrivateChat(lan), lan, "new")
	postForm(t, s, "deleteWebhook", url.Values{"drop_pending_updates": {"true"}})
	if s.PendingUpdates() != 0 {
		t.Errorf("deleteWebhook drop_pending_updates left %d", s.PendingUpdates())
	}
	r := postForm(t, s, "getUpdates", nil)
	if r.Body != `{"ok":true,"result":[]}` {
		t.Errorf("getUpdates = %s", r.Body)
	}
}
