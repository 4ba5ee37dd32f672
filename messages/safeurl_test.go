package messages

import (
	"strings"
	"testing"
)

// TestSafeURL checks the schemes a link may have, read as browsers read
// them: tricks with case, spaces and control characters do not get a
// javascript: or data: link through.
func TestSafeURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://tuyengiao.example.vn/tin-1.html", "https://tuyengiao.example.vn/tin-1.html"},
		{"http://example.vn/a?b=1&c=2", "http://example.vn/a?b=1&c=2"},
		{"HTTPS://Example.vn/", "https://Example.vn/"},
		{"  https://example.vn/x  ", "https://example.vn/x"},
		{"tg://resolve?domain=loabot", "tg://resolve?domain=loabot"},
		{"mailto:ban@example.vn", "mailto:ban@example.vn"},
		{"ht\ttps://example.vn/", "https://example.vn/"},
		{"javascript:alert(1)", ""},
		{"JaVaScRiPt:alert(1)", ""},
		{" javascript:alert(1)", ""},
		{"\x00\x01javascript:alert(1)", ""},
		{"java\tscript:alert(1)", ""},
		{"java\nscript:alert(1)", ""},
		{"java\x00script:alert(1)", ""},
		{"javascript :alert(1)", ""},
		{"data:text/html,<script>alert(1)</script>", ""},
		{"DATA:text/html;base64,PHNjcmlwdD4=", ""},
		{"vbscript:msgbox(1)", ""},
		{"file:///etc/passwd", ""},
		{"/relative/path", ""},
		{"//example.vn/x", ""},
		{"tin-1.html", ""},
		{":nothing", ""},
		{"", ""},
	} {
		if got := SafeURL(c.in); got != c.want {
			t.Errorf("SafeURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestLinkWritesOnlySafeHrefs checks both places that write <a href>: a
// link the code builds and a person's text_link entity.
func TestLinkWritesOnlySafeHrefs(t *testing.T) {
	for _, bad := range []string{"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
		"data:text/html,<b>x</b>", "vbscript:msgbox(1)"} {
		if got := Link(bad, "Đọc tiếp"); strings.Contains(string(got), "<a") || got != "Đọc tiếp" {
			t.Errorf("Link(%q) = %q, want the text alone", bad, got)
		}
		got := EntitiesToHTML("xem đây", []Entity{{Type: "text_link", Offset: 4, Length: 3, URL: bad}})
		if strings.Contains(got, "<a") {
			t.Errorf("text_link to %q rendered %q", bad, got)
		}
	}
	if got := Link("https://example.vn/a", "Đọc tiếp"); got != `<a href="https://example.vn/a">Đọc tiếp</a>` {
		t.Errorf("a safe link became %q", got)
	}
}
