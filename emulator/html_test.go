package emulator

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseHTMLAccepts(t *testing.T) {
	nfd := "Vie\u0302\u0323t Nam" // "Việt Nam" with combining marks, as old keyboards type it
	tests := []struct {
		name string
		html string
		text string
		ents []Entity
	}{
		{"plain", "Xin chào", "Xin chào", nil},
		{"bold", "<b>Loa</b> phường", "Loa phường", []Entity{{Type: "bold", Offset: 0, Length: 3}}},
		{"aliases", "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>", "abcde", []Entity{
			{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 1, Length: 1}, {Type: "underline", Offset: 2, Length: 1},
			{Type: "strikethrough", Offset: 3, Length: 1}, {Type: "strikethrough", Offset: 4, Length: 1}}},
		{"nested sorted by offset then length", "<i>a<b>b</b></i>", "ab", []Entity{
			{Type: "italic", Offset: 0, Length: 2}, {Type: "bold", Offset: 1, Length: 1}}},
		{"upper-case tags", "<B>x</B>", "x", []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{"generic end tag", "<b>x</>", "x", []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{"link", `<a href="https://vnexpress.net">tin</a>`, "tin", []Entity{{Type: "text_link", Offset: 0, Length: 3, URL: "https://vnexpress.net/"}}},
		{"link with escaped query", `<a href="https://x.vn/?a=1&amp;b=2">q</a>`, "q", []Entity{{Type: "text_link", Offset: 0, Length: 1, URL: "https://x.vn/?a=1&b=2"}}},
		{"link without scheme", `<a href='example.com/a'>e</a>`, "e", []Entity{{Type: "text_link", Offset: 0, Length: 1, URL: "http://example.com/a"}}},
		{"mention by id", `<a href="tg://user?id=42">Lan</a>`, "Lan", []Entity{{Type: "text_mention", Offset: 0, Length: 3, User: &User{ID: 42}}}},
		{"code", "<code>x := 1</code>", "x := 1", []Entity{{Type: "code", Offset: 0, Length: 6}}},
		{"code language dropped outside pre", `<code class="language-go">x</code>`, "x", []Entity{{Type: "code", Offset: 0, Length: 1}}},
		{"pre", "<pre>a\nb</pre>", "a\nb", []Entity{{Type: "pre", Offset: 0, Length: 3}}},
		{"pre with language", `<pre><code class="language-go">go</code></pre>`, "go", []Entity{{Type: "pre", Offset: 0, Length: 2, Language: "go"}}},
		{"spoilers", `<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>`, "ab", []Entity{
			{Type: "spoiler", Offset: 0, Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}}},
		{"blockquote", "<blockquote>q</blockquote>", "q", []Entity{{Type: "blockquote", Offset: 0, Length: 1}}},
		{"expandable blockquote", "<blockquote expandable>q</blockquote>", "q", []Entity{{Type: "expandable_blockquote", Offset: 0, Length: 1}}},
		{"custom emoji", `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍", []Entity{{Type: "custom_emoji", Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}}},
		{"character references", "&lt;b&gt; &amp; &quot;x&quot; &#65;&#x42;&#128512;", `<b> & "x" AB😀`, nil},
		{"bare greater-than (Telegram accepts it)", "a > b -> c", "a > b -> c", nil},
		{"UTF-16 offsets after astral characters", "😀😀<b>x</b>", "😀😀x", []Entity{{Type: "bold", Offset: 4, Length: 1}}},
		{"NFD Vietnamese is not normalised", "<b>" + nfd + "</b>", nfd, []Entity{{Type: "bold", Offset: 0, Length: 10}}},
		{"empty tag makes no entity", "<b></b>x", "x", nil},
		{"trim moves entities", "\n  <b>x</b>  \n", "x", []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{"trailing spaces cut from entity", "<b>x  </b>", "x", []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{"carriage return removed", "<b>a\r\nb</b>", "a\nb", []Entity{{Type: "bold", Offset: 0, Length: 3}}},
		{"control characters become spaces", "a\x01b\tc", "a b\tc", nil},
		{"line separators removed", "a\u2028b", "ab", nil},
		{"hangul filler is not empty", "\u3164", "\u3164", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, ents, err := ParseHTML(tt.html)
			if err != nil {
				t.Fatalf("ParseHTML(%q): %v", tt.html, err)
			}
			if text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
			if len(ents) == 0 {
				ents = nil
			}
			if !reflect.DeepEqual(ents, tt.ents) {
				t.Errorf("entities = %+v, want %+v", ents, tt.ents)
			}
		})
	}
}

func TestParseHTMLRejects(t *testing.T) {
	const prefix = "Bad Request: can't parse entities: "
	tests := []struct {
		name, html, want string
	}{
		{"bare less-than", "a < b", prefix + `Unsupported start tag "" at byte offset 2`},
		{"unknown tag", "dòng 1<br>dòng 2", prefix + `Unsupported start tag "br" at byte offset 7`},
		{"paragraph", "<p>x</p>", prefix + `Unsupported start tag "p" at byte offset 0`},
		{"unclosed tag", "x<b>y", prefix + `Can't find end tag corresponding to start tag "b"`},
		{"innermost unclosed tag named", "<i><b>y</i>", prefix + `Unmatched end tag at byte offset 7, expected "</b>", found "</i>"`},
		{"stray end tag", "x</b>", prefix + "Unexpected end tag at byte offset 1"},
		{"unclosed start tag", "x <b", prefix + "Unclosed start tag at byte offset 2"},
		{"unclosed end tag", "<b>x</b", prefix + "Unclosed end tag at byte offset 4"},
		{"unquoted URL", "<a href=http://x.vn>x</a>", prefix + "Unexpected end of name token at byte offset 8"},
		{"unterminated quote", `<a href="http://x.vn>x</a>`, prefix + "Unclosed start tag at byte offset 0"},
		{"self-closing", "<b/>", prefix + `Unsupported start tag "b/" at byte offset 0`},
		{"span without class", "<span>x</span>", prefix + `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"bad emoji id", `<tg-emoji emoji-id="x">👍</tg-emoji>`, prefix + "Invalid custom emoji identifier specified"},
		{"lone surrogate", "&#xD83D;", prefix + "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"},
		{"empty", "", "Bad Request: message text is empty"},
		{"only tags", "<b> </b>", "Bad Request: message text is empty"},
		{"only blanks", " \n\t ", "Bad Request: message text is empty"},
		{"only zero-width space", "\u200b", "Bad Request: message text is empty"},
		// Stricter than Telegram (which would show the text as is):
		{"bare ampersand", "AT&T", prefix + "Unsupported character entity at byte offset 2"},
		{"unknown named entity", "a&nbsp;b", prefix + "Unsupported character entity at byte offset 1"},
		{"ampersand in href", `<a href="https://x.vn/?a=1&b=2">x</a>`, prefix + "Unsupported character entity at byte offset 26"},
		{"reference without semicolon", `<a href="https://x.vn/?a=1&lt=2">x</a>`, prefix + `Character entity without ";" at byte offset 26`},
		{"reference without semicolon in text", `a &amp b`, prefix + `Character entity without ";" at byte offset 2`},
		{"unknown attribute", `<b class="x">y</b>`, prefix + `Unsupported attribute "class" in the tag "b" at byte offset 0`},
		{"valueless attribute", `<i hidden>y</i>`, prefix + `Unsupported attribute "hidden" in the tag "i" at byte offset 0`},
		{"link without href", "<a>x.vn</a>", prefix + `Tag "a" must have a non-empty attribute "href" at byte offset 0`},
		{"link Telegram would drop", `<a href="javascript:alert(1)">x</a>`, prefix + `Invalid URL "javascript:alert(1)" in the tag "a" at byte offset 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseHTML(tt.html)
			var te *TextError
			if !errors.As(err, &te) {
				t.Fatalf("ParseHTML(%q) = %v, want a *TextError", tt.html, err)
			}
			if !strings.HasPrefix(te.Description, tt.want) {
				t.Errorf("ParseHTML(%q):\n got %s\nwant %s", tt.html, te.Description, tt.want)
			}
		})
	}
}

// TestLenientHTML pins what real Telegram does with input the default mode
// rejects.
func TestLenientHTML(t *testing.T) {
	tests := []struct {
		html, text string
		ents       []Entity
	}{
		{"AT&T &nbsp;&copy", "AT&T &nbsp;&copy", nil},
		{"&lt &ampx &#65", "< &ampx A", nil},
		{`<b class="x">y</b>`, "y", []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{"<a>vnexpress.net</a>", "vnexpress.net", []Entity{{Type: "text_link", Offset: 0, Length: 13, URL: "http://vnexpress.net/"}}},
		{`<a href="javascript:x">y</a>`, "y", nil},
		{`<a href="https://x.vn/?a=1&lt=2">x</a>`, "x", []Entity{{Type: "text_link", Offset: 0, Length: 1, URL: "https://x.vn/?a=1<=2"}}},
	}
	for _, tt := range tests {
		text, ents, err := formatText(tt.html, "HTML", nil, false)
		if err != nil {
			t.Errorf("%q: %v", tt.html, err)
			continue
		}
		if len(ents) == 0 {
			ents = nil
		}
		if text != tt.text || !reflect.DeepEqual(ents, tt.ents) {
			t.Errorf("%q = %q %+v, want %q %+v", tt.html, text, ents, tt.text, tt.ents)
		}
	}
}

func TestTextLength(t *testing.T) {
	tests := []struct {
		name    string
		html    string
		length  int
		tooLong bool
	}{
		{"4096 ASCII", strings.Repeat("a", 4096), 4096, false},
		{"4097 ASCII", strings.Repeat("a", 4097), 4097, true},
		{"2048 emoji are 4096 units", strings.Repeat("😀", 2048), 4096, false},
		{"one more character", strings.Repeat("😀", 2048) + "a", 4097, true},
		{"4096 Vietnamese letters (precomposed, one unit each)", strings.Repeat("ệ", 4096), 4096, false},
		{"NFD letters count their marks", strings.Repeat("e\u0302\u0323", 1365) + "a", 4096, false},
		{"tags do not count", "<b>" + strings.Repeat("a", 4096) + "</b>", 4096, false},
		{"entities count once", strings.Repeat("&amp;", 4096), 4096, false},
		{"trailing blanks are trimmed first", strings.Repeat("a", 4096) + "  \n", 4096, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := TextLength(tt.html)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.length {
				t.Errorf("TextLength = %d, want %d", n, tt.length)
			}
			_, _, err = formatText(tt.html, "HTML", nil, true)
			if gotTooLong := err == errTextTooLong; gotTooLong != tt.tooLong {
				t.Errorf("too long = %v (%v), want %v", gotTooLong, err, tt.tooLong)
			}
		})
	}
}

func TestFindBotCommands(t *testing.T) {
	tests := []struct {
		text string
		want []Entity
	}{
		{"/start", []Entity{{Type: "bot_command", Offset: 0, Length: 6}}},
		{"/test@foo_bot", []Entity{{Type: "bot_command", Offset: 0, Length: 13}}},
		{"/test@bar", []Entity{{Type: "bot_command", Offset: 0, Length: 9}}},
		{"/latest tin mới", []Entity{{Type: "bot_command", Offset: 0, Length: 7}}},
		{"😀 /tasks", []Entity{{Type: "bot_command", Offset: 3, Length: 6}}},
		{"gõ /help hoặc /start", []Entity{{Type: "bot_command", Offset: 3, Length: 5}, {Type: "bot_command", Offset: 14, Length: 6}}},
		{"a/b", nil},
		{"/", nil},
		{"//x", nil},
		{"/tin_mới", nil}, // glued to a letter outside [A-Za-z0-9_]
		{"/x@ab", nil},    // username too short
		{"http://x.vn/a", nil},
	}
	for _, tt := range tests {
		got := findBotCommands(tt.text)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("findBotCommands(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

// FuzzParseHTML checks that the parser never panics and that whatever it
// accepts has entities inside the text.
func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "a < b", "&#x1F600;<i>😀</i>", "<pre><code class=\"language-go\">x</code></pre>", "<a href=x>y</a>", "<b>x</>&amp", "e\u0302\u0323\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, pedantic := range []bool{true, false} {
			text, ents, err := formatText(s, "HTML", nil, pedantic)
			if err != nil {
				var te *TextError
				if !errors.As(err, &te) || !strings.HasPrefix(te.Description, "Bad Request: ") {
					t.Fatalf("error %v is not a Bad Request TextError", err)
				}
				continue
			}
			if !utf8.ValidString(text) {
				t.Fatalf("invalid UTF-8 text %q", text)
			}
			n := utf16Len(text)
			for _, e := range ents {
				if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > n {
					t.Fatalf("entity %+v outside text of %d units (%q → %q)", e, n, s, text)
				}
			}
		}
	})
}
