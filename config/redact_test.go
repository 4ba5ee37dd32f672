package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, s, token, want string
	}{
		{"plain", "token is " + testToken + ".", testToken, "token is [REDACTED]."},
		{"bot URL", "https://api.telegram.org/bot" + testToken + "/getMe", testToken, "https://api.telegram.org/bot[REDACTED]/getMe"},
		{"twice", testToken + " " + testToken, testToken, "[REDACTED] [REDACTED]"},
		{"query-escaped", "token=123456789%3A" + testSecret, testToken, "token=[REDACTED]"},
		{"query-escaped lower-case", "token=123456789%3a" + testSecret, testToken, "token=[REDACTED]"},
		{"secret alone", "secret " + testSecret + " leaked", testToken, "secret [REDACTED] leaked"},
		{"quoted in a url.Error", `Post "https://api.telegram.org/bot` + testToken + `/sendMessage": EOF`, testToken,
			`Post "https://api.telegram.org/bot[REDACTED]/sendMessage": EOF`},
		{"malformed short token", "https://api.telegram.org/bot123:abc/getMe", "123:abc", "https://api.telegram.org/bot[REDACTED]/getMe"},
		// A short secret is not hunted on its own: "abc" would blank out words.
		{"short secret alone kept", "abcdef", "123:abc", "abcdef"},
		{"token with escapable characters", "x/a%20b%2Fc/y", "a b/c", "x/[REDACTED]/y"},
		{"no token in string", "connection refused", testToken, "connection refused"},
		// ReplaceAll with an empty old string would insert between every rune.
		{"empty token", "connection refused", "", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.s, tt.token); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("dial tcp 149.154.167.220:443: connect: connection refused")
}

// TestRedactURLError redacts a real *url.Error from net/http, whose message
// carries the request URL and with it the token.
func TestRedactURLError(t *testing.T) {
	client := &http.Client{Transport: failingTransport{}}
	_, err := client.Get("https://api.telegram.org/bot" + testToken + "/getUpdates?offset=1")
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("client error %T is not a *url.Error", err)
	}
	wrapped := fmt.Errorf("get updates: %w", err)
	if !strings.Contains(wrapped.Error(), testToken) {
		t.Fatalf("test premise: the *url.Error should contain the token: %v", wrapped)
	}
	got := Redact(wrapped.Error(), testToken)
	want := `get updates: Get "https://api.telegram.org/bot[REDACTED]/getUpdates?offset=1": dial tcp 149.154.167.220:443: connect: connection refused`
	if got != want {
		t.Errorf("Redact =\n%s\nwant\n%s", got, want)
	}
}

func TestRedactDatabaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{testDBURL, "postgres://loa:[REDACTED]@localhost:5432/loa?sslmode=disable"},
		{"postgresql://loa@localhost/loa", "postgresql://loa@localhost/loa"},
		{"postgres://loa:p%40ss@localhost/loa", "postgres://loa:[REDACTED]@localhost/loa"},
		{"postgres://loa@localhost/loa?sslmode=disable&password=pw&x=1", "postgres://loa@localhost/loa?sslmode=disable&password=[REDACTED]&x=1"},
		{"host=localhost password=pw dbname=loa", "host=localhost password=[REDACTED] dbname=loa"},
		{`host=localhost password = 'a b\'c' dbname=loa`, "host=localhost password = [REDACTED] dbname=loa"},
		{`password=a\ b sslmode=disable`, "password=[REDACTED] sslmode=disable"},
		{"host=localhost user=loa", "host=localhost user=loa"},
		// What cannot be parsed cannot be redacted in part.
		{"postgres://loa:a b@localhost/loa", "[REDACTED]"},
		{"host=localhost password='pw", "[REDACTED]"},
		{"mysql://loa:pw@localhost/loa", "[REDACTED]"},
		{"pw", "[REDACTED]"},
	}
	for _, tt := range tests {
		if got := redactDatabaseURL(tt.in); got != tt.want {
			t.Errorf("redactDatabaseURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestConfigRendering checks String and LogValue on a loaded Config: every
// variable shown, the secrets hidden, whatever fmt verb or slog handler.
func TestConfigRendering(t *testing.T) {
	c, err := Load(env(map[string]string{
		"LOA_ADMIN_IDS":         "1, 2",
		"LOA_MODE":              "webhook",
		"LOA_WEBHOOK_URL":       "https://loa.example.org/" + testToken,
		"LOA_WEBHOOK_SECRET":    testHook,
		"TELEGRAM_API_ENDPOINT": "http://user:proxypass@localhost:8081",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := `TELEGRAM_BOT_TOKEN=123456789:[REDACTED] ` +
		`DATABASE_URL=postgres://loa:[REDACTED]@localhost:5432/loa?sslmode=disable LOA_DATA_DIR=./loa-data ` +
		`TELEGRAM_API_ENDPOINT=http://user:[REDACTED]@localhost:8081 ` +
		`LOA_ADMIN_IDS=1,2 LOA_MODE=webhook ` +
		`LOA_WEBHOOK_URL=https://loa.example.org/[REDACTED] LOA_WEBHOOK_SECRET=[REDACTED] ` +
		`LOA_HTTP_ADDR=127.0.0.1:8080 LOA_OPS_ADDR=127.0.0.1:8081 LOA_LANG=vi LOA_TIMEZONE=Asia/Ho_Chi_Minh LOA_LOG_LEVEL=info LOA_RATE_LIMIT=30 LOA_FEED_INTERVAL=10m LOA_REMINDER_TIME=07:30 ` +
		`LOA_DELIVERY_CONCURRENCY=16 LOA_DELIVERY_MAX_AGE=6h LOA_FEED_ALLOW_HOSTS= LOA_SANDBOX_ADDR=127.0.0.1:8080`
	if got := c.String(); got != want {
		t.Errorf("String =\n%s\nwant\n%s", got, want)
	}

	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("start", "config", c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("start", "config", &c)
	if !strings.Contains(text.String(), "config.LOA_WEBHOOK_SECRET=[REDACTED]") {
		t.Errorf("text log lacks the rendered config: %s", text.String())
	}
	if !strings.Contains(js.String(), `"TELEGRAM_BOT_TOKEN":"123456789:[REDACTED]"`) {
		t.Errorf("JSON log lacks the rendered config: %s", js.String())
	}
	outputs := map[string]string{
		"text log": text.String(), "JSON log": js.String(),
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c), "%v pointer": fmt.Sprintf("%v", &c), "%#v pointer": fmt.Sprintf("%#v", &c),
		"%v in a slice": fmt.Sprint([]Config{c}),
	}
	for name, out := range outputs {
		for _, secret := range []string{testSecret, testDBPass, testHook, "proxypass"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output contains %q:\n%s", name, secret, out)
			}
		}
	}
}

// TestConfigRenderingOfUnvalidated covers a Config not made by Load (in a
// test, or half built): malformed or misplaced secrets stay hidden.
func TestConfigRenderingOfUnvalidated(t *testing.T) {
	tests := []struct {
		name    string
		c       Config
		secrets []string
	}{
		{"short token", Config{Token: "123:abc"}, []string{"123:abc"}},
		{"token without id", Config{Token: "abcdefgh"}, []string{"abcdefgh"}},
		{"token in other fields", Config{Token: "123:abc", HTTPAddr: "123:abc", Lang: "x123:abcx", Mode: "123:abc"}, []string{"123:abc"}},
		{"unparsable database URL", Config{DatabaseURL: "postgres://loa:pa ss@localhost/loa"}, []string{"pa ss"}},
		{"database URL not postgres", Config{DatabaseURL: "mysql://loa:hunter2@localhost/loa"}, []string{"hunter2"}},
		{"webhook secret", Config{WebhookSecret: "hush"}, []string{"hush"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			slog.New(slog.NewTextHandler(&log, nil)).Info("x", "config", tt.c)
			for _, out := range []string{tt.c.String(), fmt.Sprintf("%#v", tt.c), log.String()} {
				for _, s := range tt.secrets {
					if strings.Contains(out, s) {
						t.Errorf("output contains %q: %s", s, out)
					}
				}
			}
		})
	}
}
