package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loabot/loa/sandbox"
	"github.com/loabot/loa/sandbox/browsertest"
)

// browser starts headless Chromium for a test (browsertest.New).
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.New(t, 1000, 800)
}

// The page shows a bot message exactly as Telegram's entities say: every
// tag Telegram allows, nested, with escaped characters and Vietnamese in
// NFD (which must stay NFD: Telegram does not normalise).
func TestBotHTMLRenderedFromEntitiesInBrowser(t *testing.T) {
	srv, emu, _ := newPage(t)
	const nfd = "Vie\u0302\u0323t Nam" // "Việt Nam" decomposed
	html := `<b>đậm <i>nghiêng <u>gạch chân <s>gạch bỏ <tg-spoiler>ẩn</tg-spoiler></s></u></i></b> ` +
		`<strong>s</strong><em>e</em><ins>n</ins><del>d</del><strike>k</strike> ` +
		`<a href="https://example.org/?a=1&amp;b=2">liên kết <b>đậm</b></a> ` +
		`<span class="tg-spoiler">ẩn 2</span> <code>x &lt; y &amp;&amp; z</code> ` +
		`<pre><code class="language-go">if a &lt; b {}</code></pre>` +
		`<blockquote>trích <i>dẫn</i></blockquote><blockquote expandable>dài</blockquote>` + nfd + ` &gt; 1`
	resp, err := http.PostForm(emu.URL()+"/bot"+emu.Token()+"/sendMessage", url.Values{
		"chat_id": {strconv.Itoa(sandbox.MilitiaTraCo1)}, "text": {html}, "parse_mode": {"HTML"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sendMessage: %d %v", resp.StatusCode, emu.Errors())
	}
	link := `<a href="https://example.org/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">`
	want := `<b>đậm <i>nghiêng <u>gạch chân <s>gạch bỏ <span class="tg-spoiler">ẩn</span></s></u></i></b> ` +
		`<b>s</b><i>e</i><u>n</u><s>d</s><s>k</s> ` +
		link + `liên kết <b>đậm</b></a> ` +
		`<span class="tg-spoiler">ẩn 2</span> <code>x &lt; y &amp;&amp; z</code> ` +
		`<pre><code class="language-go">if a &lt; b {}</code></pre>` +
		`<blockquote>trích <i>dẫn</i></blockquote><blockquote class="expandable">dài</blockquote>` + nfd + ` &gt; 1`

	ctx := browser(t)
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err = chromedp.Do(c,
		chromedp.Navigate(srv.URL),
		chromedp.Click(chromedp.CSS(`#cast button.person[data-id="`+strconv.Itoa(sandbox.MilitiaTraCo1)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#messages .msg.bot .text")),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(c, chromedp.InnerHTML(chromedp.CSS("#messages .msg.bot .text")))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("DOM\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(got, nfd) {
		t.Errorf("the NFD text was normalised")
	}
	// The spoiler hides its text until pressed, as in Telegram.
	shown, err := chromedp.Run(c, chromedp.Evaluate[bool](`(s => { s.click(); return s.classList.contains("shown"); })(document.querySelector("#messages .tg-spoiler"))`))
	if err != nil || !shown {
		t.Errorf("spoiler not revealed on click (%v)", err)
	}
}
