package main

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/sandbox"
	"github.com/loabot/loa/storage/pgtest"
)

// sandboxClient drives the sandbox's web chat without a browser: the same
// form posts the page makes.
type sandboxClient struct {
	t    *testing.T
	base string
}

func (c sandboxClient) post(path string, form url.Values) {
	c.t.Helper()
	resp, err := http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		c.t.Fatalf("POST %s %v: %d %s", path, form, resp.StatusCode, body)
	}
}

func (c sandboxClient) say(as int64, text string) {
	c.t.Helper()
	id := strconv.FormatInt(as, 10)
	c.post("/send", url.Values{"as": {id}, "chat": {id}, "text": {text}})
}

func (c sandboxClient) page(as int64) string {
	c.t.Helper()
	resp, err := http.Get(c.base + "/chat?as=" + strconv.FormatInt(as, 10))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return html.UnescapeString(string(b))
}

var sandboxMsg = regexp.MustCompile(`(?s)<div class="msg bot" data-id="(\d+)">(.*?)(?:<div class="msg |\z)`)

// press waits for a bot message in as's chat with a button whose data
// matches re, presses it, and returns the data.
func (c sandboxClient) press(as int64, re string) string {
	c.t.Helper()
	button := regexp.MustCompile(`data-cb="(` + re + `)"`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		msgs := sandboxMsg.FindAllStringSubmatch(c.page(as), -1)
		for i := len(msgs) - 1; i >= 0; i-- {
			if m := button.FindStringSubmatch(msgs[i][2]); m != nil {
				id := strconv.FormatInt(as, 10)
				c.post("/press", url.Values{"as": {id}, "chat": {id}, "msg": {msgs[i][1]}, "data": {m[1]}})
				return m[1]
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("no button %s in the chat of %d:\n%s", re, as, c.page(as))
	return ""
}

func (c sandboxClient) wait(as int64, want string) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(c.page(as), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("the chat of %d never showed %q:\n%s", as, want, c.page(as))
}

// In the sandbox, a militia member reports a false post with its link; the
// ward's officer receives it, takes it and closes it with a note; the
// member hears of both.
func TestSandboxReportTakenAndClosed(t *testing.T) {
	sb := startSandbox(t, pgtest.NewURL(t), t.TempDir())
	c := sandboxClient{t: t, base: sb.URL}
	c.say(sandbox.MilitiaTraCo1, "/baocao Trang Tin nóng 24h bịa chuyện dân quân đánh người https://www.facebook.com/tinnong24h/posts/123?fbclid=abc")
	c.press(sandbox.MilitiaTraCo1, `rp:k:\d+:false`)
	c.wait(sandbox.MilitiaTraCo1, "Cảm ơn đồng chí! Báo cáo số")

	c.wait(sandbox.WardTraCoID, "bịa chuyện dân quân đánh người")
	c.wait(sandbox.WardTraCoID, "Người báo cáo: Nam Lê Văn")
	c.press(sandbox.WardTraCoID, `rp:t:\d+`)
	c.wait(sandbox.MilitiaTraCo1, "đã được cán bộ phụ trách Phường Trà Cổ tiếp nhận")
	c.press(sandbox.WardTraCoID, `rp:h:\d+`)
	c.wait(sandbox.WardTraCoID, "kết quả xử lý")
	c.say(sandbox.WardTraCoID, "Đã đề nghị gỡ bài, báo công an phường")
	c.wait(sandbox.WardTraCoID, "đã xử lý; người báo cáo đã được thông báo")
	c.wait(sandbox.MilitiaTraCo1, "đã được xử lý: Đã đề nghị gỡ bài, báo công an phường")
	if code := sb.stop(); code != 0 {
		t.Errorf("loa sandbox exited %d", code)
	}
}
