package sandbox

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/loabot/loa/emulator"
)

func TestRenderFromEntities(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"plain escaped", "a &lt; b &amp;&amp; c &gt; d", "a &lt; b &amp;&amp; c &gt; d"},
		{"nested", "<b>đậm <i>nghiêng</i></b> sau", "<b>đậm <i>nghiêng</i></b> sau"},
		{"spoiler", "<tg-spoiler>ẩn</tg-spoiler>", `<span class="tg-spoiler">ẩn</span>`},
		{"link", `<a href="https://x.org/?a=1&amp;b=2">x</a>`, `<a href="https://x.org/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">x</a>`},
		{"pre with language", `<pre><code class="language-go">a &lt; b</code></pre>`, `<pre><code class="language-go">a &lt; b</code></pre>`},
		{"astral before entity", "😀 <b>x</b>", "😀 <b>x</b>"},
		{"blockquote", "<blockquote>trích</blockquote>", "<blockquote>trích</blockquote>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, ents, err := emulator.ParseHTML(tc.html)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(Render(text, ents)); got != tc.want {
				t.Errorf("Render = %s\nwant     %s", got, tc.want)
			}
		})
	}
}

// Entities Telegram never sends (out of range, crossing) show plain text
// rather than break the page.
func TestRenderSurvivesBadEntities(t *testing.T) {
	got := string(Render("ab<c", []emulator.Entity{
		{Type: "bold", Offset: 0, Length: 3}, {Type: "italic", Offset: 2, Length: 2},
		{Type: "code", Offset: 3, Length: 99}, {Type: "text_link", Offset: 0, Length: 1, URL: "javascript:alert(1)"},
	}))
	if got != "<b><span>a</span>b&lt;</b>c" {
		t.Errorf("Render = %s", got)
	}
}

func TestComposeLikeTelegramApps(t *testing.T) {
	text, ents := Compose("/broadcast p-tra-co **Họp** lúc __7h30__ ||ẩn|| `x` ~~bỏ~~ a**b")
	if text != "/broadcast p-tra-co Họp lúc 7h30 ẩn x bỏ a**b" {
		t.Fatalf("text %q", text)
	}
	want := []emulator.Entity{
		{Type: "bot_command", Offset: 0, Length: 10}, {Type: "bold", Offset: 20, Length: 3},
		{Type: "italic", Offset: 28, Length: 4}, {Type: "spoiler", Offset: 33, Length: 2},
		{Type: "code", Offset: 36, Length: 1}, {Type: "strikethrough", Offset: 38, Length: 2},
	}
	if !reflect.DeepEqual(ents, want) {
		t.Errorf("entities\n%+v\nwant\n%+v", ents, want)
	}
}

// Whatever a person types, Compose yields entities inside the text and
// Render yields HTML without a raw "<" from the text.
func FuzzComposeRender(f *testing.F) {
	for _, s := range []string{"**a**", "/start@loa_bot x", "__`||~~", "😀**đ**\xff", "a**b**c__d__", "** **", "<script>&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		text, ents := Compose(typed)
		n := len(utf16.Encode([]rune(text)))
		for _, e := range ents {
			if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > n {
				t.Fatalf("Compose(%q): entity %+v outside %d units", typed, e, n)
			}
		}
		out := string(Render(text, ents))
		if strings.Contains(typed, "<") && strings.Contains(out, "<script") {
			t.Fatalf("Render(%q) let markup through: %s", typed, out)
		}
	})
}

// Every word of the page exists in both languages.
func TestLabelsInBothLanguages(t *testing.T) {
	for key := range labels["vi"] {
		if labels["en"][key] == "" {
			t.Errorf("%s has no English", key)
		}
	}
	for key := range labels["en"] {
		if labels["vi"][key] == "" {
			t.Errorf("%s has no Vietnamese", key)
		}
	}
}
