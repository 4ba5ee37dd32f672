package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	pngenc "image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

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
		{"other local app", "POST", "/send", "", "http://127.0.0.1:1", 403},
		{"localhost page posting to 127.0.0.1", "POST", "/send", "", "http://localhost:" + port, 403},
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

// A photo or a file attached from the computer reaches the bot as
// Telegram's photo/document update and shows in the chat.
func TestAttachPhotoAndDocument(t *testing.T) {
	srv, emu, _ := newPage(t)
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	var png bytes.Buffer
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	upload := func(name string, data []byte, caption string) int {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("as", "700011")
		w.WriteField("chat", "700011")
		w.WriteField("caption", caption)
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
		w.Close()
		resp, err := http.Post(srv.URL+"/upload", w.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := upload("anh.png", png.Bytes(), "Ảnh hiện trường"); code != 204 {
		t.Fatalf("upload photo: %d", code)
	}
	if code := upload("bao-cao.pdf", []byte("%PDF-1.4 báo cáo"), ""); code != 204 {
		t.Fatalf("upload document: %d", code)
	}
	if code := upload("empty.txt", nil, ""); code != 400 {
		t.Errorf("empty file: %d, want 400", code)
	}
	bot, err := tgbotapi.NewBotAPIWithClient(emu.Token(), emu.Endpoint(), emu.Client())
	if err != nil {
		t.Fatal(err)
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 2 {
		t.Fatalf("%d updates, %v", len(ups), err)
	}
	if p := ups[0].Message.Photo; len(p) != 2 || p[1].Width != 4 || p[1].Height != 3 || ups[0].Message.Caption != "Ảnh hiện trường" {
		t.Errorf("photo update %+v", ups[0].Message)
	}
	if d := ups[1].Message.Document; d == nil || d.FileName != "bao-cao.pdf" || d.MimeType != "application/pdf" {
		t.Errorf("document update %+v", ups[1].Message)
	}
	resp, err := http.Get(srv.URL + "/chat?as=700011")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`<img src="data:image/png;base64,`, "Ảnh hiện trường", "bao-cao.pdf"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("chat does not show %q", want)
		}
	}
}

// A message the bot deletes disappears from the chat.
func TestDeletedMessageDisappears(t *testing.T) {
	srv, emu, _ := newPage(t)
	api := emu.URL() + "/bot" + emu.Token()
	resp, err := http.PostForm(api+"/sendMessage", url.Values{"chat_id": {"700011"}, "text": {"sẽ bị xoá"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	chat := func() string {
		resp, err := http.Get(srv.URL + "/chat?as=700011")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if !strings.Contains(chat(), "sẽ bị xoá") {
		t.Fatal("sent message not shown")
	}
	resp, err = http.PostForm(api+"/deleteMessage", url.Values{"chat_id": {"700011"}, "message_id": {"1"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("deleteMessage: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	if strings.Contains(chat(), "sẽ bị xoá") {
		t.Error("deleted message still shown")
	}
}

// A person added on the page can be put in a group and write there.
func TestAddPersonIntoGroup(t *testing.T) {
	srv, emu, _ := newPage(t)
	resp, err := http.PostForm(srv.URL+"/person", url.Values{"name": {"Bình"}, "title": {"Dân quân mới"}, "group": {"-4000700001"}})
	if err != nil {
		t.Fatal(err)
	}
	var added struct{ ID int64 }
	json.NewDecoder(resp.Body).Decode(&added)
	resp.Body.Close()
	if resp.StatusCode != 200 || added.ID == 0 {
		t.Fatalf("add person: %d", resp.StatusCode)
	}
	resp, err = http.PostForm(srv.URL+"/send", url.Values{"as": {strconv.FormatInt(added.ID, 10)}, "chat": {"-4000700001"}, "text": {"Chào cả nhóm"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || emu.PendingUpdates() != 1 {
		t.Errorf("write in the group: %d, %d updates", resp.StatusCode, emu.PendingUpdates())
	}
	resp, _ = http.PostForm(srv.URL+"/person", url.Values{"name": {"X"}, "group": {"-1"}})
	if resp.StatusCode != 400 {
		t.Errorf("unknown group: %d, want 400", resp.StatusCode)
	}
	resp.Body.Close()
}
