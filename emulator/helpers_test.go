package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

var (
	lan  = User{ID: 1001, FirstName: "Lan", LastName: "Nguyễn", Username: "lan_ng", LanguageCode: "vi"}
	minh = User{ID: 1002, FirstName: "Minh", LanguageCode: "vi"}
	unit = Group(-400123, "Tổ dân phòng 5")
)

// newBot connects go-telegram-bot-api to s, as Loa does.
func newBot(t testing.TB, s *Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), s.Client())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return bot
}

// apiError unwraps the library's error, as Loa's code does.
func asAPIError(t testing.TB, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tgbotapi.Error", err, err)
	}
	return e
}

func wantAPIError(t testing.TB, err error, code int, desc string) *tgbotapi.Error {
	t.Helper()
	e := asAPIError(t, err)
	if e.Code != code || e.Message != desc {
		t.Fatalf("error = %d %q, want %d %q", e.Code, e.Message, code, desc)
	}
	return e
}

// rawResponse is a Bot API answer read without the library, to check the
// exact shape.
type rawResponse struct {
	Status int
	Body   string
	JSON   map[string]json.RawMessage
}

func (r rawResponse) field(t testing.TB, name string, v any) {
	t.Helper()
	raw, ok := r.JSON[name]
	if !ok {
		t.Fatalf("answer %s has no %q", r.Body, name)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("field %q of %s: %v", name, r.Body, err)
	}
}

func doRaw(t testing.TB, s *Server, req *http.Request) rawResponse {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := rawResponse{Status: resp.StatusCode, Body: string(body)}
	if err := json.Unmarshal(body, &r.JSON); err != nil {
		t.Fatalf("answer %q is not a JSON object: %v", body, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return r
}

// postForm calls a method the way go-telegram-bot-api does.
func postForm(t testing.TB, s *Server, method string, params url.Values) rawResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/bot"+s.Token()+"/"+method, strings.NewReader(params.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doRaw(t, s, req)
}

func postJSON(t testing.TB, s *Server, method string, body string) rawResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/bot"+s.Token()+"/"+method, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return doRaw(t, s, req)
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// fakeClock is a settable clock for flood-control tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 11, 18, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func send(bot *tgbotapi.BotAPI, chatID int64, html string) (tgbotapi.Message, error) {
	m := tgbotapi.NewMessage(chatID, html)
	m.ParseMode = tgbotapi.ModeHTML
	return bot.Send(m)
}
