package sandbox_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/sandbox"
)

// newPage starts the web chat alone (no database): the default cast in an
// emulator, served on loopback.
func newPage(t *testing.T) (*httptest.Server, *emulator.Server, *sandbox.Sandbox) {
	t.Helper()
	emu := emulator.NewT(t)
	sb, err := sandbox.New(sandbox.Options{Emulator: emu})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Seed(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return srv, emu, sb
}

// A page of another site (or a DNS name rebound to 127.0.0.1) must not
// read a person's chats nor act as them.
func TestForeignHostOrOriginIsRefused(t *testing.T) {
	srv, emu, _ := newPage(t)
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	tests := []struct {
		name, method, path, host, origin string
		want                             int
	}{
		{"page on loopback", "GET", "/", "", "", 200},
		{"page as localhost", "GET", "/", "localhost:" + port, "", 200},
		{"page as [::1]", "GET", "/", "[::1]:" + port, "", 200},
		{"same-origin post", "POST", "/send", "", srv.URL, 204},
		{"foreign host", "GET", "/", "evil.example:" + port, "", 403},
		{"rebound name", "GET", "/chat?as=700011", "loa.attacker.example", "", 403},
		{"foreign host feed", "GET", "/feed.xml", "evil.example", "", 403},
		{"foreign origin post", "POST", "/send", "", "http://evil.example", 403},
		{"foreign origin on loopback port", "POST", "/send", "", "http://evil.example:" + port, 403},
		{"null origin", "POST", "/send", "", "null", 403},
		{"foreign origin events", "GET", "/events", "", "https://evil.example", 403},
		{"foreign origin press", "POST", "/press", "", "http://evil.example", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := emu.PendingUpdates()
			var body *strings.Reader
			if tc.method == "POST" {
				body = strings.NewReader(url.Values{"as": {"700011"}, "chat": {"700011"}, "text": {"/start"}}.Encode())
			} else {
				body = strings.NewReader("")
			}
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, body)
			if tc.method == "POST" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == 403 && emu.PendingUpdates() != before {
				t.Errorf("a refused request still injected an update")
			}
		})
	}
}

// Nothing a person types may crash the sandbox or reach the bot as
// something Telegram would not deliver.
func TestSendRefusesWhatTelegramWouldNotDeliver(t *testing.T) {
	srv, emu, _ := newPage(t)
	post := func(form url.Values) int {
		resp, err := http.PostForm(srv.URL+"/send", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for name, form := range map[string]url.Values{
		"empty":          {"as": {"700011"}, "text": {""}},
		"spaces":         {"as": {"700011"}, "text": {" \n\t "}},
		"too long":       {"as": {"700011"}, "text": {strings.Repeat("a", 4097)}},
		"unknown person": {"as": {"1"}, "text": {"hi"}},
		"not a number":   {"as": {"x"}, "text": {"hi"}},
		"foreign group":  {"as": {"700021"}, "chat": {"-4000700001"}, "text": {"hi"}},
	} {
		if code := post(form); code != 400 {
			t.Errorf("%s: status %d, want 400", name, code)
		}
	}
	if n := emu.PendingUpdates(); n != 0 {
		t.Errorf("%d updates injected by refused messages", n)
	}
	if code := post(url.Values{"as": {"700011"}, "text": {"\xff\xfe <b>&amp; ||x"}}); code != 204 {
		t.Errorf("odd but deliverable text: status %d, want 204", code)
	}
	if n := emu.PendingUpdates(); n != 1 {
		t.Errorf("%d updates, want 1", n)
	}
}
