package main

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/sandbox"
	"github.com/loabot/loa/storage/pgtest"
)

// In the sandbox a person sets quiet hours around now and sees the next
// card arrive silently (🔕), then sets a daily digest a minute ahead and
// sees the next article come not as a card but in the digest, once, at
// that time (issue 14, acceptance 5). Through the sandbox's web chat, the
// real bot, feed poller, digest loop and the emulator.
func TestSandboxQuietHoursAndDigest(t *testing.T) {
	sb := startSandbox(t, pgtest.NewURL(t), t.TempDir())
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh") // LOA_TIMEZONE's default
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.Itoa(sandbox.LeaderID) // follows dq-co-dong, under chqs: the sandbox feed reaches him
	post := func(path string, form url.Values) {
		t.Helper()
		resp, err := http.PostForm(sb.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	say := func(text string) { post("/send", url.Values{"as": {id}, "chat": {id}, "text": {text}}) }
	// botMessages are the chat's bot messages as the page shows them.
	botMessages := func() []string {
		t.Helper()
		resp, err := http.Get(sb.URL + "/chat?as=" + id + "&chat=" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out []string
		for _, chunk := range strings.Split(string(b), `<div class="msg `)[1:] {
			if strings.HasPrefix(chunk, "bot") {
				out = append(out, chunk)
			}
		}
		return out
	}
	waitFor := func(what string, d time.Duration, ok func(ms []string) bool) []string {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			ms := botMessages()
			if ok(ms) {
				return ms
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %v; the chat shows:\n%s", what, d, strings.Join(ms, "\n"))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	with := func(ms []string, text string) []string {
		var out []string
		for _, m := range ms {
			if strings.Contains(m, text) {
				out = append(out, m)
			}
		}
		return out
	}
	clock := func(t time.Time) string { return t.Format("15:04") }

	now := time.Now().In(loc)
	quiet := clock(now.Add(-time.Hour)) + "-" + clock(now.Add(time.Hour))
	say("/caidat yen-lang " + quiet)
	waitFor("the new quiet hours shown", 20*time.Second, func(ms []string) bool {
		return len(with(ms, "Giờ yên lặng: "+strings.Replace(quiet, "-", "–", 1))) > 0
	})
	const quietTitle = "Bài thử giờ yên lặng"
	post("/publish", url.Values{"title": {quietTitle}, "body": {"Nội dung bài thử."}})
	ms := waitFor("the card", 40*time.Second, func(ms []string) bool { return len(with(ms, quietTitle)) > 0 })
	if card := with(ms, quietTitle)[0]; !strings.Contains(card, `class="silent"`) {
		t.Errorf("the card during quiet hours is not shown as silent:\n%s", card)
	}

	// A digest at the next minute (or the one after, to publish first).
	at := now.Truncate(time.Minute).Add(time.Minute)
	if time.Now().In(loc).Add(20 * time.Second).After(at) {
		at = at.Add(time.Minute)
	}
	say("/caidat tom-tat " + clock(at))
	waitFor("the digest time shown", 20*time.Second, func(ms []string) bool {
		return len(with(ms, "bản tổng hợp mỗi ngày lúc "+clock(at))) > 0
	})
	const digestTitle = "Bài thử bản tổng hợp"
	post("/publish", url.Values{"title": {digestTitle}, "body": {"Nội dung bài vào bản tổng hợp."}})
	ms = waitFor("the digest", time.Until(at)+40*time.Second, func(ms []string) bool { return len(with(ms, digestTitle)) > 0 })
	if time.Now().Before(at) {
		t.Errorf("the article came before the digest time %s: %s", clock(at), with(ms, digestTitle)[0])
	}
	time.Sleep(12 * time.Second) // a digest loop's turn: nothing more comes
	got := with(botMessages(), digestTitle)
	if len(got) != 1 || !strings.Contains(got[0], "Bản tổng hợp bài viết") {
		t.Errorf("want the article once, in a digest; the chat shows %d messages with it:\n%s", len(got), strings.Join(got, "\n"))
	}
}
