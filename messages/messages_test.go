package messages

import (
	"errors"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Chào đồng chí", "Chào đồng chí"},
		{"a < b > c", "a &lt; b &gt; c"},
		{"Tom & Jerry", "Tom &amp; Jerry"},
		{"&lt;", "&amp;lt;"}, // what a person typed, not an entity
		{`say "hi"`, "say &quot;hi&quot;"},
		{"it's", "it's"},
		{"<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"},
		{"😆 & 👍", "😆 &amp; 👍"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := decodeHTML(Escape(tt.in)); got != tt.in {
			t.Errorf("Escape(%q) reads back as %q", tt.in, got)
		}
	}
}

func TestFormattingHelpers(t *testing.T) {
	tests := []struct {
		got  HTML
		want string
	}{
		{Bold("Đơn vị <1>"), "<b>Đơn vị &lt;1&gt;</b>"},
		{Italic("a & b"), "<i>a &amp; b</i>"},
		{Code("/join <mã đơn vị>"), "<code>/join &lt;mã đơn vị&gt;</code>"},
		{Link(`https://loa.example/a?x=1&y="2"`, "Bài <mới>"), `<a href="https://loa.example/a?x=1&amp;y=&quot;2&quot;">Bài &lt;mới&gt;</a>`},
		{Link("", "không có liên kết"), "không có liên kết"},
		{Bold("Nguye\u0302\u0303n"), "<b>Nguyễn</b>"}, // decomposed input comes out NFC
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
		if err := checkTelegramHTML(string(tt.got)); err != nil {
			t.Errorf("%q: %v", tt.got, err)
		}
	}
}

type unitName string

func (u unitName) String() string { return "Đơn vị <" + string(u) + ">" }

func TestTEscapesArguments(t *testing.T) {
	catalogVI["test.args"] = "%s|%v|%d|%s|%s|%q|%5.1f|%t|%v"
	catalogEN["test.args"] = "en %s|%v|%d|%s|%s|%q|%5.1f|%t|%v"
	defer delete(catalogVI, "test.args")
	defer delete(catalogEN, "test.args")

	got := T(Vietnamese, "test.args",
		"<script>&", unitName("A&B"), 1240, Bold("x<y"), errors.New("db <down>"),
		`a"b`, 3.14159, true, nil)
	want := `&lt;script&gt;&amp;|Đơn vị &lt;A&amp;B&gt;|1240|<b>x&lt;y</b>|db &lt;down&gt;|&quot;a\&quot;b&quot;|  3.1|true|&lt;nil&gt;`
	if got != want {
		t.Errorf("T escaped arguments as\n%s\nwant\n%s", got, want)
	}
	if got := T(English, "test.args", "<", "", 0, HTML(""), "", "", 0.0, false, 1); !strings.HasPrefix(got, "en &lt;|") {
		t.Errorf("English rendering = %q", got)
	}
}

func TestTNormalisesArgumentsToNFC(t *testing.T) {
	got := T(Vietnamese, KeyStartGreeting, "Nguye\u0302\u0303n Va\u0306n A")
	if !strings.HasPrefix(got, "Chào đồng chí Nguyễn Văn A!") {
		t.Errorf("greeting starts %q", got[:min(len(got), 40)])
	}
}

func TestTFallbacks(t *testing.T) {
	catalogVI["test.only_vi"] = "chỉ có tiếng Việt: %s"
	defer delete(catalogVI, "test.only_vi")

	if got, want := T(English, "test.only_vi", "x"), "chỉ có tiếng Việt: x"; got != want {
		t.Errorf("missing English entry: got %q, want the Vietnamese %q", got, want)
	}
	if got, want := T("fr", KeyNotAllowed), catalogVI[KeyNotAllowed]; got != want {
		t.Errorf("unknown language: got %q, want Vietnamese %q", got, want)
	}
	if got, want := T(English, "no.such<key>"), "no.such&lt;key&gt;"; got != want {
		t.Errorf("missing key: got %q, want %q", got, want)
	}
	if got, want := T(English, KeyNotAllowed), catalogEN[KeyNotAllowed]; got != want {
		t.Errorf("English: got %q, want %q", got, want)
	}
}

func TestTPercent(t *testing.T) {
	catalogVI["test.percent"] = "đã gửi 100%%"
	defer delete(catalogVI, "test.percent")
	if got, want := T(Vietnamese, "test.percent"), "đã gửi 100%"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func BenchmarkT(b *testing.B) {
	for b.Loop() {
		T(Vietnamese, KeyStartGreeting, "Bùi Thị Lệ Hằng")
	}
}
