package messages

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLength(t *testing.T) {
	tests := []struct {
		html string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"Tiếng Việt", 10},
		{"<b>abc</b>", 3},
		{`<a href="https://loa.vn/?a=1&amp;b=2">xem</a>`, 3},
		{`<pre><code class="language-go">x</code></pre>`, 1},
		{"&lt;&gt;&amp;&quot;", 4},
		{"&#39;&#x41;", 2},
		{"&#128512;&#x1F600;", 4}, // astral characters count 2, written as entities too
		{"😀", 2},
		{"👨‍👩‍👧", 8},
		{"🇻🇳", 4},
		{"e\u0302\u0301", 3}, // decomposed ế: three code points
		{"a\nb", 3},
		// Not valid Telegram HTML, but measured without surprises: a bare
		// character counts once, an unknown entity counts in full.
		{"a < b", 5},
		{"a & b", 5},
		{"&nbsp;", 6},
		{"&#0;", 4},
		{"<b", 2},
	}
	for _, tt := range tests {
		if got := Length(tt.html); got != tt.want {
			t.Errorf("Length(%q) = %d, want %d", tt.html, got, tt.want)
		}
	}
}

// paragraphs is a Vietnamese bulletin of the kind Loa carries, with
// formatting, an escaped character, a link and emoji.
var paragraphs = []string{
	"<b>Ban Chỉ huy Quân sự thành phố</b> tổ chức huấn luyện dân quân năm 2025. Tham dự có lãnh đạo Ban Tuyên giáo Thành ủy, cán bộ các phường, xã và hơn 200 chiến sĩ dân quân.",
	"Nội dung huấn luyện gồm chính trị, điều lệnh, kỹ thuật chiến đấu bộ binh và kỹ năng tuyên truyền trên không gian mạng. Mỗi đơn vị cử cán bộ theo dõi, báo cáo kết quả về Ban Chỉ huy trước ngày 30/6.",
	"Chương trình phối hợp giai đoạn 2021–2025 tập trung tuyên truyền chủ trương của Đảng, chính sách, pháp luật của Nhà nước về quốc phòng, an ninh; đấu tranh phản bác các quan điểm sai trái, thù địch; nắm bắt tư tưởng, dư luận xã hội trên địa bàn.",
	"Đồng chí Trưởng ban đề nghị các đơn vị duy trì giao ban hằng tháng &amp; kịp thời biểu dương những tập thể, cá nhân làm tốt! Nơi nào còn chậm cần rà soát nguyên nhân và khắc phục ngay 💪.",
	`Kế hoạch chi tiết xem tại <a href="https://loa.example/ke-hoach?nam=2025&amp;ban=tg">trang của Ban Tuyên giáo</a>. Mọi thắc mắc, đồng chí liên hệ <i>cán bộ phụ trách đơn vị</i> 🇻🇳.`,
	"Cuối năm, hai cơ quan sẽ sơ kết việc thực hiện chương trình, rút kinh nghiệm và đề ra nhiệm vụ cho năm tiếp theo. Các đơn vị gửi báo cáo bằng văn bản trước ngày 15/12!",
}

// checkParts checks what Split promises for any input: every part fits,
// is balanced (or Telegram-valid when strict), and the parts hold exactly the
// characters of the original, in order, apart from white space at the cuts.
func checkParts(t *testing.T, orig string, limit int, parts []string, strict bool) {
	t.Helper()
	if limit <= 0 {
		limit = MaxMessageLength
	}
	for i, p := range parts {
		if n := Length(p); n > limit && utf8.RuneCountInString(plainText(p)) != 1 {
			t.Errorf("part %d has length %d > %d: %q", i, n, limit, p)
		}
		check := checkBalanced
		if strict {
			check = checkTelegramHTML
		}
		if len(parts) > 1 {
			if err := check(p); err != nil {
				t.Errorf("part %d is invalid: %v: %q", i, err, p)
			}
		}
		if strict && decodeHTML(p) != plainText(p) {
			t.Errorf("part %d: html.go reads %q, the tests read %q", i, plainText(p), decodeHTML(p))
		}
	}
	if err := recovers(plainText(orig), parts); err != nil {
		t.Errorf("%v\norig %q\nparts %q", err, orig, parts)
	}
}

// recovers reports whether the parts' text, in order, is the original text
// with only white space dropped between parts.
func recovers(orig string, parts []string) error {
	pos := 0
	for i, p := range parts {
		pt := plainText(p)
		if pt == "" && len(parts) > 1 {
			return fmt.Errorf("part %d of %d has no text", i, len(parts))
		}
		if !strings.HasPrefix(orig[pos:], pt) {
			for pos < len(orig) {
				r, n := utf8.DecodeRuneInString(orig[pos:])
				if !isBreakSpace(r) {
					break
				}
				pos += n
			}
			if !strings.HasPrefix(orig[pos:], pt) {
				return fmt.Errorf("part %d %q is not the text at offset %d: %q", i, pt, pos, orig[pos:min(len(orig), pos+len(pt)+10)])
			}
		}
		pos += len(pt)
	}
	if rest := strings.TrimFunc(orig[pos:], isBreakSpace); rest != "" {
		return fmt.Errorf("text lost at the end: %q", rest)
	}
	return nil
}

func TestSplitFits(t *testing.T) {
	text := strings.Join(paragraphs, "\n\n")
	for _, tt := range []struct {
		html  string
		limit int
	}{
		{"Chào đồng chí!", MaxMessageLength},
		{text, MaxMessageLength},
		{text, Length(text)}, // exactly at the limit
		{"  <b>đầu</b> và cuối có khoảng trắng  ", 40},
		{strings.Repeat("a", MaxMessageLength), 0}, // limit ≤ 0 means MaxMessageLength
	} {
		got := Split(tt.html, tt.limit)
		if len(got) != 1 || got[0] != tt.html {
			t.Errorf("Split(%.30q, %d) = %d parts, want the text unchanged", tt.html, tt.limit, len(got))
		}
	}
	if got := Split("", 10); got != nil {
		t.Errorf("Split of empty text = %q, want nil", got)
	}
}

func TestSplitAtParagraphs(t *testing.T) {
	text := strings.Join(paragraphs, "\n\n")
	for _, limit := range []int{400, 500, 700} {
		parts := Split(text, limit)
		if len(parts) < 2 {
			t.Fatalf("limit %d: %d parts", limit, len(parts))
		}
		checkParts(t, text, limit, parts, true)
		// Every part is a run of whole paragraphs.
		next := 0
		for i, p := range parts {
			found := false
			for j := next + 1; j <= len(paragraphs); j++ {
				if plainText(p) == plainText(strings.Join(paragraphs[next:j], "\n\n")) {
					next, found = j, true
					break
				}
			}
			if !found {
				t.Errorf("limit %d: part %d is not whole paragraphs: %q", limit, i, p)
				break
			}
		}
	}
}

// sentences are short enough that a sentence end is always in the second
// half of the window.
var sentences = []string{
	"Sáng nay, dân quân phường Hòa Lạc ra quân làm vệ sinh môi trường.",
	"Hơn 50 chiến sĩ tham gia!",
	"Đồng chí chỉ huy trưởng nhắc nhở bảo đảm an toàn.",
	"Buổi chiều có kịp về dự giao ban không?",
	"Ban Tuyên giáo Thành ủy sẽ đưa tin trên trang của thành phố.",
	"Mọi người hưởng ứng nhiệt tình…",
	"Kết quả được báo cáo về Ban Chỉ huy Quân sự thành phố trong ngày.",
	"Lịch huấn luyện tuần sau gửi kèm thông báo này.",
}

func TestSplitAtSentences(t *testing.T) {
	// One long paragraph: no blank line or line break to cut at.
	var all []string
	for range 5 {
		all = append(all, sentences...)
	}
	text := "<i>" + strings.Join(all, " ") + "</i>"
	for _, limit := range []int{150, 200, 300} {
		parts := Split(text, limit)
		if len(parts) < 3 {
			t.Fatalf("limit %d: %d parts", limit, len(parts))
		}
		checkParts(t, text, limit, parts, true)
		for i, p := range parts {
			pt := plainText(p)
			if !strings.HasSuffix(p, "</i>") || !strings.HasPrefix(p, "<i>") {
				t.Errorf("limit %d: part %d lost its <i>: %q", limit, i, p)
			}
			last, _ := utf8.DecodeLastRuneInString(pt)
			if !strings.ContainsRune(".!?…", last) {
				t.Errorf("limit %d: part %d does not end a sentence: %q", limit, i, pt)
			}
			if first, _ := utf8.DecodeRuneInString(pt); !unicode.IsUpper(first) {
				t.Errorf("limit %d: part %d does not start a sentence: %q", limit, i, pt)
			}
		}
	}
}

func TestSplitLongSentenceAtSpaces(t *testing.T) {
	// A sentence longer than the window is cut between words.
	text := paragraphs[2]
	parts := Split(text, 100)
	checkParts(t, text, 100, parts, true)
	words := strings.Fields(plainText(text))
	for i, p := range parts {
		for _, w := range strings.Fields(plainText(p)) {
			if !contains(words, w) {
				t.Errorf("part %d cuts a word: %q", i, w)
			}
		}
	}
}

func TestSplitAtLines(t *testing.T) {
	var lines []string
	for i := 1; i <= 30; i++ {
		lines = append(lines, fmt.Sprintf("%d. Đơn vị dân quân phường số %d", i, i))
	}
	text := strings.Join(lines, "\n")
	parts := Split(text, 200)
	checkParts(t, text, 200, parts, true)
	for i, p := range parts {
		for _, l := range strings.Split(p, "\n") {
			if !contains(lines, l) {
				t.Errorf("part %d has a broken line %q", i, l)
			}
		}
	}
}

func TestSplitPrefersFullParts(t *testing.T) {
	// A short first paragraph is not sent alone when a sentence end later in
	// the window makes a fuller part.
	text := "Thông báo.\n\n" + strings.Join(paragraphs[1:3], " ")
	parts := Split(text, 300)
	checkParts(t, text, 300, parts, true)
	if plainText(parts[0]) == "Thông báo." {
		t.Errorf("first part is only the short paragraph; parts %q", parts)
	}
	if !strings.HasSuffix(parts[0], ".") {
		t.Errorf("first part does not end at a sentence: %q", parts[0])
	}
}

func TestSplitReopensTags(t *testing.T) {
	sentence := "Đây là một câu khá dài trong đoạn in đậm để thử việc cắt. "
	link := `<a href="https://loa.example/bai?id=1&amp;x=2">`
	tests := []struct {
		name, html, prefix, suffix string
	}{
		{"bold", "<b>" + strings.Repeat(sentence, 20) + "</b>", "<b>", "</b>"},
		{"link with attributes", link + strings.Repeat(sentence, 20) + "</a>", link, "</a>"},
		{"nested", "<blockquote expandable><i>" + strings.Repeat(sentence, 20) + "</i></blockquote>",
			"<blockquote expandable><i>", "</i></blockquote>"},
		{"pre with language", `<pre><code class="language-text">` + strings.Repeat("dòng mã\n", 60) + "</code></pre>",
			`<pre><code class="language-text">`, "</code></pre>"},
	}
	for _, tt := range tests {
		parts := Split(tt.html, 150)
		if len(parts) < 3 {
			t.Errorf("%s: %d parts", tt.name, len(parts))
		}
		checkParts(t, tt.html, 150, parts, true)
		for i, p := range parts {
			if !strings.HasPrefix(p, tt.prefix) || !strings.HasSuffix(p, tt.suffix) {
				t.Errorf("%s: part %d is not wrapped in %s…%s: %q", tt.name, i, tt.prefix, tt.suffix, p)
			}
		}
	}
}

func TestSplitBoldAcrossCut(t *testing.T) {
	html := "Mở đầu thông báo. <b>Phần in đậm bắt đầu ở đây và kéo dài qua chỗ cắt.</b> Kết thúc."
	parts := Split(html, 40)
	// The sentence end at 17 would leave the part less than half full, so
	// the cut is at the last space that fits.
	want := []string{
		"Mở đầu thông báo. <b>Phần in đậm bắt đầu ở</b>",
		"<b>đây và kéo dài qua chỗ cắt.</b> Kết thúc.",
	}
	if strings.Join(parts, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", parts, want)
	}
	checkParts(t, html, 40, parts, true)
}

func TestSplitNoEmptyElements(t *testing.T) {
	// The cut falls right after <i> opens and right before </b> closes:
	// no part may hold an empty <i></i> or <b></b>.
	html := "aaaaa<i>bbbbb</i><b>ccccc</b>ddddd"
	parts := Split(html, 5)
	want := []string{"aaaaa", "<i>bbbbb</i>", "<b>ccccc</b>", "ddddd"}
	if strings.Join(parts, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", parts, want)
	}
}

func TestSplitInsideWords(t *testing.T) {
	tests := []struct {
		name  string
		html  string
		limit int
		unit  string // every part but the last is made of whole copies of unit
	}{
		{"plain letters", strings.Repeat("a", 1000), 100, "a"},
		{"emoji are never cut in half", strings.Repeat("😆", 100), 7, "😆"},
		{"flags stay whole", strings.Repeat("🇻🇳", 50), 10, "🇻🇳"},
		{"skin tones stay on their emoji", strings.Repeat("👍🏽", 50), 10, "👍🏽"},
		{"ZWJ sequences stay whole", strings.Repeat("👨‍👩‍👧", 20), 20, "👨‍👩‍👧"},
		{"combining marks stay on their letter", strings.Repeat("e\u0302\u0301", 100), 10, "e\u0302\u0301"},
		{"entities are never cut", strings.Repeat("&amp;", 100), 7, "&amp;"},
		{"numeric entities are never cut", strings.Repeat("&#128512;", 30), 5, "&#128512;"},
		{"Vietnamese URL-like word", "https://loa.example/" + strings.Repeat("tiếng-việt-", 30), 50, ""},
	}
	for _, tt := range tests {
		parts := Split(tt.html, tt.limit)
		if len(parts) < 2 {
			t.Errorf("%s: %d parts", tt.name, len(parts))
			continue
		}
		checkParts(t, tt.html, tt.limit, parts, true)
		for i, p := range parts {
			if !utf8.ValidString(p) {
				t.Errorf("%s: part %d is not valid UTF-8", tt.name, i)
			}
			if tt.unit == "" {
				continue
			}
			if strings.ReplaceAll(p, tt.unit, "") != "" {
				t.Errorf("%s: part %d cuts a %q: %q", tt.name, i, tt.unit, p)
			}
			if i < len(parts)-1 && Length(p)+Length(tt.unit) <= tt.limit {
				t.Errorf("%s: part %d is not full: %q", tt.name, i, p)
			}
		}
	}
}

func TestSplitOddInput(t *testing.T) {
	tests := []struct {
		name  string
		html  string
		limit int
		want  []string
	}{
		{"white space only", strings.Repeat(" \n", 20), 10, nil},
		{"leading white space dropped when splitting", "\n\n   aaaa bbbb", 5, []string{"aaaa", "bbbb"}},
		{"bare characters are escaped", "a < b & c > d e", 6, []string{"a &lt; b", "&amp; c &gt;", "d e"}},
		{"astral character wider than the limit goes alone", "😆😆", 1, []string{"😆", "😆"}},
		{"misnested tags are repaired", "<b>x <i>y</b> z</i>", 3, []string{"<b>x <i>y</i></b>", "<i>z</i>"}},
		{"unmatched close dropped", "aa </b>bb cc", 5, []string{"aa bb", "cc"}},
		{"no-break space is not a place to cut", "aa\u00a0bb cc", 5, []string{"aa\u00a0bb", "cc"}},
	}
	for _, tt := range tests {
		got := Split(tt.html, tt.limit)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	text := strings.Join(paragraphs, "\n\n")
	f.Add(text, 300)
	f.Add(strings.Join(paragraphs, " "), 150)
	f.Add("<b>"+strings.Repeat("Câu thử. ", 40)+"</b>", 50)
	f.Add(strings.Repeat("😆🇻🇳👍🏽e\u0302\u0301", 20), 7)
	f.Add(strings.Repeat("&amp;&#128512;", 20), 3)
	f.Add("<b>x <i>y</b> z</i> a < b & c", 3)
	f.Add(`<a href='>'>x y z</a> <pre><code class="language-go">a
b</code></pre>`, 2)
	f.Add("a\u00a0b\u200d\u200dc", 1)
	f.Fuzz(func(t *testing.T, html string, limit int) {
		limit %= 1000
		parts := Split(html, limit)
		if html == "" && parts != nil {
			t.Fatalf("empty text gave %q", parts)
		}
		checkParts(t, html, limit, parts, false)
	})
}

func BenchmarkSplit(b *testing.B) {
	// An article of about 20 000 characters into messages of 4096.
	text := strings.Repeat(strings.Join(paragraphs, "\n\n")+"\n\n", 17)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Split(text, MaxMessageLength)
	}
}

func BenchmarkLength(b *testing.B) {
	text := strings.Repeat(strings.Join(paragraphs, "\n\n")+"\n\n", 3)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Length(text)
	}
}
