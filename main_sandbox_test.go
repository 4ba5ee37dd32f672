package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loabot/loa/sandbox"
	"github.com/loabot/loa/sandbox/browsertest"
	"github.com/loabot/loa/storage/pgserver"
	"github.com/loabot/loa/storage/pgtest"
)

// sandboxRun is a "loa sandbox" running for a test.
type sandboxRun struct {
	URL     string
	DataDir string
	stop    func() int // stops it and returns its exit code
}

// startSandbox runs "loa sandbox" as main does, on a free loopback port,
// with its own database and data directory, and waits for its one line.
func startSandbox(t *testing.T, dbURL, dataDir string) *sandboxRun {
	t.Helper()
	vars := map[string]string{"DATABASE_URL": dbURL, "LOA_SANDBOX_ADDR": "127.0.0.1:0", "LOA_DATA_DIR": dataDir, "LOA_LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	errLog := &syncBuffer{} // main_db_test.go
	go func() {
		done <- run(ctx, []string{"-env-file", filepath.Join(dataDir, "none.env"), "sandbox"}, env(vars), pw, errLog)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if err != nil || !strings.HasPrefix(line, "Open http://127.0.0.1:") {
		cancel()
		t.Fatalf("loa sandbox printed %q (%v); exit %d", line, err, <-done)
	}
	r := &sandboxRun{URL: strings.TrimSpace(strings.TrimPrefix(line, "Open ")), DataDir: dataDir}
	stopped := false
	code := 0
	r.stop = func() int {
		if !stopped {
			stopped = true
			cancel()
			select {
			case code = <-done:
			case <-time.After(20 * time.Second):
				t.Errorf("loa sandbox did not stop within 20 s")
			}
		}
		return code
	}
	t.Cleanup(func() { r.stop() })
	return r
}

// browser starts headless Chromium for a test (browsertest.New).
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.New(t, 1100, 800)
}

// within runs browser steps with a deadline, failing the test with what
// was being done.
func within(t *testing.T, ctx context.Context, what string, d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("messages") ? document.getElementById("messages").innerText + "\n---\n" + Array.from(document.querySelectorAll("#messages .msg")).slice(-2).map(e => e.outerHTML).join("\n") : document.body.innerText`))
		t.Fatalf("%s: %v\npage shows:\n%s", what, err, page)
	}
}

// pollJS polls a JavaScript predicate.
func pollJS(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0))(ctx, t)
		return chromedp.Void{}, err
	}
}

// botSaid is a predicate: the open chat has a bot message containing text.
func botSaid(text string) string {
	return fmt.Sprintf(`Array.from(document.querySelectorAll("#messages .msg.bot .text")).some(e => e.textContent.includes(%q))`, text)
}

// clickLast is a predicate that clicks the last bot button matching sel,
// found and pressed in one go (the list may be redrawn between two steps).
func clickLast(sel string) string {
	return fmt.Sprintf(`(l => l.length ? (l[l.length-1].click(), true) : false)(document.querySelectorAll('#messages .msg.bot %s'))`, sel)
}

// pressUntil presses the last bot button matching sel until done (a
// JavaScript predicate) holds, again every 3 s: on a loaded machine a
// press made while the list is redrawn can be lost, and pressing Send or
// an answer twice changes nothing.
func pressUntil(sel, done string) chromedp.Action[chromedp.Void] {
	presses++
	return pollJS(fmt.Sprintf(`(() => {
		if (%s) { return true; }
		const l = document.querySelectorAll('#messages .msg.bot %s');
		const now = Date.now(), key = "press%d";
		if (l.length && !l[l.length-1].disabled && (!window[key] || now - window[key] > 3000)) {
			window[key] = now;
			l[l.length-1].click();
		}
		return false;
	})()`, done, sel, presses))
}

// presses numbers pressUntil's steps, each remembering its last press.
var presses int

// say types a message as the open person and sends it.
func say(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SendKeys(chromedp.CSS("#text"), text),
		chromedp.Click(chromedp.CSS("#send")),
	)
}

// actAs picks a person of the cast and waits for their private chat.
func actAs(id int64) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#cast button.person[data-id="%d"]`, id))),
		pollJS(fmt.Sprintf(`document.getElementById("chat").dataset.loaded === "%d:%d"`, id, id)),
	)
}

// A militia member follows their ward by a name typed without diacritics;
// the admin announces to the ward and presses Send; the member sees the
// bulletin with its formatting. Everything goes through the page, the real
// bot and the emulator.
func TestSandboxBroadcastInBrowser(t *testing.T) {
	sb := startSandbox(t, pgtest.NewURL(t), t.TempDir())
	ctx := browser(t)
	within(t, ctx, "open the page", 15*time.Second,
		chromedp.Navigate(sb.URL),
		chromedp.WaitVisible(chromedp.CSS("#cast")),
	)
	within(t, ctx, "militia member: /start", 20*time.Second,
		actAs(sandbox.MilitiaTraCo1),
		say("/start"),
		pollJS(`document.querySelectorAll("#messages .msg.bot").length > 0`),
	)
	within(t, ctx, "militia member: /subscribe phuong tra co", 20*time.Second,
		say("/subscribe phuong tra co"),
		pollJS(botSaid("Phường Trà Cổ")),
	)
	within(t, ctx, "admin: /broadcast", 20*time.Second,
		actAs(sandbox.AdminID),
		say("/broadcast p-tra-co **Họp giao ban** lúc __7h30__ tại trụ sở phường"),
		// Found and pressed in one go: the list may be redrawn between two steps.
		pollJS(`(b => b ? (b.click(), true) : false)(document.querySelector('#messages .msg.bot button.kb[data-cb$=":send"]'))`),
	)
	within(t, ctx, "militia member sees the bulletin", 30*time.Second,
		actAs(sandbox.MilitiaTraCo1),
		pollJS(`Array.from(document.querySelectorAll("#messages .msg.bot .text b")).some(b => b.textContent === "Họp giao ban" && b.parentElement.querySelector("i") && b.parentElement.querySelector("i").textContent === "7h30")`),
	)

	// A drill call with answers to the Trà Cổ militia: Mai answers under
	// her copy, the admin chases the others with "Nhắc lại", Nam answers
	// the reminder; the admin's status counts them.
	within(t, ctx, "admin: the drill call", 40*time.Second,
		actAs(sandbox.AdminID),
		say("/broadcast dq-tra-co ? Có mặt | Vắng mặt | Đến muộn ? Diễn tập phòng thủ: tập trung 7h00 tại sân UBND phường"),
		pollJS(botSaid("Có mặt | Vắng mặt | Đến muộn")),
		pressUntil(`button.kb[data-cb$=":send"]`, botSaid("đang được gửi đến 2 cuộc trò chuyện")),
	)
	within(t, ctx, "Mai sees the drill call with its answers", 30*time.Second,
		actAs(sandbox.MilitiaTraCo2),
		pollJS(botSaid("Diễn tập phòng thủ")),
		pollJS(`Array.from(document.querySelectorAll("#messages .msg.bot button.kb")).some(b => b.textContent === "Đến muộn")`),
	)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(t.TempDir(), "sandbox.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if dst := os.Getenv("LOA_SANDBOX_SCREENSHOT"); dst != "" {
		os.WriteFile(dst, png, 0o644)
	}
	t.Logf("screenshot: %s", shot)
	within(t, ctx, "Mai answers", 20*time.Second,
		pollJS(clickLast(`button.kb[data-cb^="ans:"][data-cb$=":0"]`)),
	)
	within(t, ctx, "admin: Nhắc lại", 30*time.Second,
		actAs(sandbox.AdminID),
		pollJS(botSaid("Trả lời: 1/2")),
		pressUntil(`button.kb[data-cb$=":remind"]`, botSaid("Đang nhắc 1 người")),
	)
	within(t, ctx, "Nam answers the reminder", 30*time.Second,
		actAs(sandbox.MilitiaTraCo1),
		pollJS(botSaid("Nhắc lại")),
		pollJS(clickLast(`button.kb[data-cb^="ans:"][data-cb$=":1"]`)),
	)
	within(t, ctx, "admin sees both answers", 30*time.Second,
		actAs(sandbox.AdminID),
		pollJS(botSaid("Trả lời: 2/2")),
	)
	// A document attached from the computer, broadcast by its caption.
	doc := filepath.Join(t.TempDir(), "ke-hoach-dien-tap.pdf")
	if err := os.WriteFile(doc, []byte("%PDF-1.4 kế hoạch diễn tập"), 0o644); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, "admin: a document from the computer", 30*time.Second,
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{doc}),
		say("/broadcast dq-tra-co Kế hoạch diễn tập"),
		pollJS(botSaid("Kèm theo")),
		pressUntil(`button.kb[data-cb$=":send"]`, botSaid("đang được gửi đến 2 cuộc trò chuyện")+` && document.querySelectorAll('#messages .msg.bot button.kb[data-cb$=":send"]').length === 0`),
	)
	within(t, ctx, "Mai gets the document", 30*time.Second,
		actAs(sandbox.MilitiaTraCo2),
		pollJS(`Array.from(document.querySelectorAll("#messages .msg.bot .attachment.document")).some(e => e.textContent.includes("ke-hoach-dien-tap.pdf"))`),
	)
	if code := sb.stop(); code != 0 {
		t.Errorf("loa sandbox exited %d after Ctrl-C", code)
	}
}

// "Publish a new article" in the sandbox's feed: the real feed poller reads
// it and the card reaches a follower of the feed's units.
func TestSandboxPublishedArticleReachesFollowersInBrowser(t *testing.T) {
	sb := startSandbox(t, pgtest.NewURL(t), t.TempDir())
	ctx := browser(t)
	const title = "Móng Cái diễn tập phòng chống bão số 3 năm 2026"
	within(t, ctx, "publish an article", 15*time.Second,
		chromedp.Navigate(sb.URL),
		actAs(sandbox.AdminID),
		chromedp.Click(chromedp.CSS(`#publish`)),
		pollJS(`(d => (d.open = true))(document.querySelector("#publish").closest("details"))`),
		chromedp.SendKeys(chromedp.CSS(`#publish input[name=title]`), title),
		chromedp.SendKeys(chromedp.CSS(`#publish textarea[name=body]`), "Sáng nay, lực lượng dân quân các phường ven biển diễn tập sơ tán dân."),
		chromedp.Click(chromedp.CSS(`#publish-btn`)),
	)
	within(t, ctx, "the card arrives", 40*time.Second, pollJS(botSaid(title)))
}

// A restart keeps the cast, the chats and what was said, and the bot
// still answers: the emulator's update IDs continue above the polling
// offset Loa stored.
//
// It runs as "go run . sandbox" does on a fresh machine: no DATABASE_URL,
// so on the embedded PostgreSQL in LOA_DATA_DIR, which Ctrl-C must stop
// (no server process left behind) and a second start must find again.
func TestSandboxRestartKeepsEverything(t *testing.T) {
	dbURL, dir := "", dataDir(t) // main_db_test.go
	first := startSandbox(t, dbURL, dir)
	postmaster := func() int {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
		if err != nil {
			t.Fatalf("no embedded server running in LOA_DATA_DIR: %v", err)
		}
		pid, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
		if err != nil {
			t.Fatalf("postmaster.pid: %v", err)
		}
		return pid
	}
	pid := postmaster()
	t.Logf("embedded PostgreSQL: pid %d in %s", pid, dir)
	post := func(base, path string, form url.Values) {
		t.Helper()
		resp, err := http.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	get := func(base, path string) string {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitChat := func(base string, want int) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			page := get(base, "/chat?as=700011")
			if strings.Count(page, `class="msg bot"`) >= want {
				return page
			}
			if time.Now().After(deadline) {
				t.Fatalf("want %d bot messages, chat shows:\n%s", want, page)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	nam := url.Values{"as": {"700011"}, "chat": {"700011"}}
	nam.Set("text", "/start")
	post(first.URL, "/send", nam)
	waitChat(first.URL, 1)
	post(first.URL, "/person", url.Values{"name": {"Bình"}, "title": {"Người mới"}})
	if code := first.stop(); code != 0 {
		t.Fatalf("first run exited %d", code)
	}
	if !pgserver.Exited(pid) {
		t.Errorf("Ctrl-C left the embedded PostgreSQL %d running", pid)
	}

	second := startSandbox(t, dbURL, dir)
	if page := get(second.URL, "/"); !strings.Contains(page, "Bình") || !strings.Contains(page, "Lê Văn Nam") {
		t.Errorf("the cast did not come back")
	}
	if page := waitChat(second.URL, 1); !strings.Contains(page, "/start") {
		t.Errorf("the chat history did not come back:\n%s", page)
	}
	nam.Set("text", "/help")
	post(second.URL, "/send", nam)
	waitChat(second.URL, 2)
	pid = postmaster()
	if code := second.stop(); code != 0 {
		t.Fatalf("second run exited %d", code)
	}
	if !pgserver.Exited(pid) {
		t.Errorf("Ctrl-C left the embedded PostgreSQL %d running", pid)
	}
}

// The web chat has no login: "loa sandbox" refuses to listen off loopback.
func TestSandboxRefusesNonLoopbackAddress(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.0.2.1:8080", "example.org:8080"} {
		code, out, stderr := runLoa(t, context.Background(), map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x?sslmode=disable", "LOA_SANDBOX_ADDR": addr}, "sandbox")
		if code != 2 || out != "" || !strings.Contains(stderr, "LOA_SANDBOX_ADDR: must be on loopback") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", addr, code, out, stderr)
		}
	}
}
