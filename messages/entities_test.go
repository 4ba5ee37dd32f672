package messages

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEntitiesToHTML(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		entities []Entity
		want     string
	}{
		{
			// A real update: UTF-16 offsets past two emoji, a bold inside a link.
			name: "real message with emoji and nested bold in link",
			text: "test bold underline 😆👍 look here",
			entities: []Entity{
				{Type: "bold", Offset: 5, Length: 4},
				{Type: "underline", Offset: 10, Length: 9},
				{Type: "text_link", Offset: 25, Length: 9, URL: "http://google.it/"},
				{Type: "bold", Offset: 30, Length: 4},
			},
			want: `test <b>bold</b> <u>underline</u> 😆👍 <a href="http://google.it/">look <b>here</b></a>`,
		},
		{
			name: "no entities: everything escaped",
			text: `Họp lúc 8h <sáng> & "đúng giờ"`,
			want: "Họp lúc 8h &lt;sáng&gt; &amp; &quot;đúng giờ&quot;",
		},
		{
			name:     "what people type inside formatting arrives as written",
			text:     "a < b && c > d; &lt; is not an entity here",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 14}},
			want:     "<b>a &lt; b &amp;&amp; c &gt; d</b>; &amp;lt; is not an entity here",
		},
		{
			name:     "Vietnamese letters are one unit each",
			text:     "Chào đồng chí Hằng",
			entities: []Entity{{Type: "bold", Offset: 5, Length: 8}, {Type: "italic", Offset: 14, Length: 4}},
			want:     "Chào <b>đồng chí</b> <i>Hằng</i>",
		},
		{
			name:     "nested",
			text:     "abcdef",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 6}, {Type: "italic", Offset: 2, Length: 2}},
			want:     "<b>ab<i>cd</i>ef</b>",
		},
		{
			name:     "overlapping: closed and reopened",
			text:     "abcdef",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 4}, {Type: "italic", Offset: 2, Length: 4}},
			want:     "<b>ab<i>cd</i></b><i>ef</i>",
		},
		{
			name:     "same start: the longer one outside, whatever the order",
			text:     "abcdef",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 2}, {Type: "italic", Offset: 0, Length: 6}},
			want:     "<i><b>ab</b>cdef</i>",
		},
		{
			name:     "two overlapping bolds are one bold",
			text:     "abcdef",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 4}, {Type: "bold", Offset: 2, Length: 4}},
			want:     "<b>abcdef</b>",
		},
		{
			name: "three overlapping kinds",
			text: "abcdefgh",
			entities: []Entity{
				{Type: "bold", Offset: 0, Length: 5},
				{Type: "italic", Offset: 2, Length: 5},
				{Type: "strikethrough", Offset: 4, Length: 4},
			},
			want: "<b>ab<i>cd<s>e</s></i></b><s><i>fg</i>h</s>", // the longer-lived <s> goes outside
		},
		{
			name:     "quote is outermost: formatting crossing into it is cut",
			text:     "abcdef",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 4}, {Type: "blockquote", Offset: 2, Length: 4}},
			want:     "<b>ab</b><blockquote><b>cd</b>ef</blockquote>",
		},
		{
			name:     "links do not nest",
			text:     "abcdef",
			entities: []Entity{{Type: "text_link", Offset: 0, Length: 4, URL: "https://a.vn/"}, {Type: "text_link", Offset: 2, Length: 4, URL: "https://b.vn/"}},
			want:     `<a href="https://a.vn/">abcd</a><a href="https://b.vn/">ef</a>`,
		},
		{
			name:     "nothing inside code",
			text:     "abcdef",
			entities: []Entity{{Type: "code", Offset: 0, Length: 6}, {Type: "bold", Offset: 2, Length: 2}},
			want:     "<code>abcdef</code>",
		},
		{
			name:     "code inside bold",
			text:     "abcdef",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 6}, {Type: "code", Offset: 2, Length: 2}},
			want:     "<b>ab<code>cd</code>ef</b>",
		},
		{
			name:     "pre with language, escaped",
			text:     "x := a < b",
			entities: []Entity{{Type: "pre", Offset: 0, Length: 10, Language: `go"><b>`}},
			want:     `<pre><code class="language-go&quot;&gt;&lt;b&gt;">x := a &lt; b</code></pre>`,
		},
		{
			name:     "pre without language",
			text:     "ls -l",
			entities: []Entity{{Type: "pre", Offset: 0, Length: 5}},
			want:     "<pre>ls -l</pre>",
		},
		{
			name: "every formatting type",
			text: "b i u s p q e",
			entities: []Entity{
				{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 2, Length: 1},
				{Type: "underline", Offset: 4, Length: 1}, {Type: "strikethrough", Offset: 6, Length: 1},
				{Type: "spoiler", Offset: 8, Length: 1}, {Type: "blockquote", Offset: 10, Length: 1},
				{Type: "expandable_blockquote", Offset: 12, Length: 1},
			},
			want: "<b>b</b> <i>i</i> <u>u</u> <s>s</s> <tg-spoiler>p</tg-spoiler> <blockquote>q</blockquote> <blockquote expandable>e</blockquote>",
		},
		{
			name: "types without HTML stay plain text",
			text: "/start@loa_bot #tin @hang https://loa.vn x",
			entities: []Entity{
				{Type: "bot_command", Offset: 0, Length: 14}, {Type: "hashtag", Offset: 15, Length: 4},
				{Type: "mention", Offset: 20, Length: 5}, {Type: "url", Offset: 26, Length: 14},
				{Type: "text_mention", Offset: 41, Length: 1}, {Type: "custom_emoji", Offset: 41, Length: 1},
			},
			want: "/start@loa_bot #tin @hang https://loa.vn x",
		},
		{
			name:     "link URL is escaped; a link without URL is plain",
			text:     "xem đây và kia",
			entities: []Entity{{Type: "text_link", Offset: 4, Length: 3, URL: `https://loa.vn/?a=1&b="2"`}, {Type: "text_link", Offset: 11, Length: 3}},
			want:     `xem <a href="https://loa.vn/?a=1&amp;b=&quot;2&quot;">đây</a> và kia`,
		},
		{
			name: "out of range offsets are clamped",
			text: "abcdef",
			entities: []Entity{
				{Type: "bold", Offset: -3, Length: 5},
				{Type: "italic", Offset: 4, Length: 100},
				{Type: "underline", Offset: 10, Length: 2},
				{Type: "strikethrough", Offset: 1, Length: 0},
				{Type: "spoiler", Offset: 1, Length: -4},
				{Type: "code", Offset: math.MaxInt, Length: math.MaxInt},
				{Type: "pre", Offset: math.MinInt, Length: math.MaxInt},
				{Type: "blockquote", Offset: 3, Length: math.MaxInt},
			},
			want: "<b>ab</b>c<blockquote>d<i>ef</i></blockquote>",
		},
		{
			name:     "boundaries inside a surrogate pair move out of it",
			text:     "a😆b",
			entities: []Entity{{Type: "bold", Offset: 2, Length: 1}, {Type: "italic", Offset: 0, Length: 2}},
			want:     "<i>a<b>😆</b></i>b",
		},
		{
			name:     "empty text",
			text:     "",
			entities: []Entity{{Type: "bold", Offset: 0, Length: 3}},
			want:     "",
		},
	}
	for _, tt := range tests {
		got := EntitiesToHTML(tt.text, tt.entities)
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if err := checkTelegramHTML(got); err != nil {
			t.Errorf("%s: invalid HTML %v: %s", tt.name, err, got)
		}
		if plain := decodeHTML(got); plain != tt.text {
			t.Errorf("%s: reads %q, want the text %q", tt.name, plain, tt.text)
		}
	}
}

// entityTypes are the types the fuzzer draws from: all with HTML and a few
// without.
var entityTypes = []string{
	"bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre",
	"text_link", "blockquote", "expandable_blockquote", "mention", "url", "bot_command",
}

// entitiesFromBytes turns fuzz bytes into entities, 3 bytes each: type,
// signed offset, signed length.
func entitiesFromBytes(b []byte) []Entity {
	var es []Entity
	for ; len(b) >= 3; b = b[3:] {
		e := Entity{
			Type:   entityTypes[int(b[0])%len(entityTypes)],
			Offset: int(int8(b[1])),
			Length: int(int8(b[2])),
		}
		if b[0]&0x80 != 0 {
			e.URL = `https://loa.vn/?a=1&b="<2>"`
			e.Language = `c<"&>`
		}
		es = append(es, e)
	}
	return es
}

func FuzzEntitiesToHTML(f *testing.F) {
	f.Add("test bold underline 😆👍 look here", []byte{0, 5, 4, 2, 10, 9, 0x87, 25, 9, 0, 30, 4})
	f.Add("a < b && c > d", []byte{0, 0, 14, 1, 2, 5})
	f.Add("abcdef", []byte{0, 0, 4, 1, 2, 4, 4, 4, 2})
	f.Add("x := 1\nfmt.Println(x)", []byte{0x86, 0, 20, 0, 3, 6})
	f.Add("a😆b🇻🇳c", []byte{0, 2, 1, 1, 0xff, 3, 5, 5, 100, 8, 0, 127})
	f.Add("Chào đồng chí", []byte{8, 0, 13, 9, 5, 8, 0, 5, 3})
	f.Fuzz(func(t *testing.T, text string, spec []byte) {
		out := EntitiesToHTML(text, entitiesFromBytes(spec))
		if err := checkTelegramHTML(out); err != nil {
			t.Fatalf("invalid HTML %v: %q", err, out)
		}
		if plain := decodeHTML(out); plain != text {
			t.Fatalf("text changed:\n got %q\nwant %q", plain, text)
		}
		if utf8.ValidString(text) && Length(out) != utf16Units(text) {
			t.Fatalf("Length(%q) = %d, want %d", out, Length(out), utf16Units(text))
		}
	})
}

func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}

func BenchmarkEntitiesToHTML(b *testing.B) {
	text := strings.Repeat("test bold underline 😆👍 look here ", 50)
	var es []Entity
	for i := 0; i < 50; i++ {
		base := i * 35
		es = append(es,
			Entity{Type: "bold", Offset: base + 5, Length: 4},
			Entity{Type: "underline", Offset: base + 10, Length: 9},
			Entity{Type: "text_link", Offset: base + 25, Length: 9, URL: "http://google.it/"},
			Entity{Type: "bold", Offset: base + 30, Length: 4})
	}
	for b.Loop() {
		EntitiesToHTML(text, es)
	}
}

func TestTailToHTML(t *testing.T) {
	// "/broadcast all " is 15 UTF-16 units; 😆 counts 2.
	text := "/broadcast all Họp 😆 <b>gấp</b> lúc 7h & đúng giờ"
	from := len("/broadcast all ")
	ents := []Entity{
		{Type: "bot_command", Offset: 0, Length: 10},
		{Type: "bold", Offset: 15, Length: 3},   // "Họp"
		{Type: "italic", Offset: 11, Length: 7}, // straddles the cut: "all Họp" → "Họp"
		{Type: "underline", Offset: 19, Length: 2},
	}
	got := TailToHTML(text, ents, from)
	want := "<b><i>Họp</i></b> <u>😆</u> &lt;b&gt;gấp&lt;/b&gt; lúc 7h &amp; đúng giờ"
	if got != want {
		t.Fatalf("TailToHTML =\n%q\nwant\n%q", got, want)
	}
	if got := TailToHTML("abc", nil, 99); got != "" {
		t.Fatalf("past the end: %q", got)
	}
}
