package summary

import (
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// article reads a testdata article: the first line is the title, the rest
// the text (as a portal's page gives it, kickers, captions and bylines
// included).
func article(t *testing.T, name string) (title, text string) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	title, text, _ = strings.Cut(string(b), "\n")
	return strings.TrimSpace(title), text
}

func TestSeedArticleSummaryIsItsLead(t *testing.T) {
	_, text := article(t, "mongcai-2021-11-18.txt")
	// The file begins with the kicker; the headline is the third line.
	const want = "Chiều ngày 18/11/2021, Ban Tuyên giáo Thành ủy Móng Cái và Ban chỉ huy quân sự TP Móng Cái tổ chức ký kết chương trình phối hợp công tác giai đoạn 2021 - 2025 và kế hoạch phối hợp năm 2021 - 2022."
	got := Summarize("Ký kết chương trình phối hợp công tác", text, DefaultLimit)
	if got != want {
		t.Fatalf("summary of the seed article:\n got %q\nwant %q", got, want)
	}
}

func TestSummaries(t *testing.T) {
	for _, tc := range []struct {
		file, wantPrefix, mustContain string
	}{
		{"dan-quan-tra-co.txt", "Sáng 10/01/2022, tại TP. Móng Cái, Ban CHQS TP Móng Cái tổ chức lễ ra quân huấn luyện", "theo Kế hoạch số 12/KH-BCH ngày 05/01/2022."},
		{"hoi-nghi-bao-cao-vien.txt", "Ngày 5/7/2019, Ban Tuyên giáo Trung ương tổ chức Hội nghị báo cáo viên", "vai trò của báo chí"},
		{"mongcai-2021-11-18.txt", "Chiều ngày 18/11/2021", "2021 - 2022."},
	} {
		title, text := article(t, tc.file)
		for _, limit := range []int{DefaultLimit, 120, 60, 500} {
			got := Summarize(title, text, limit)
			if n := utf8.RuneCountInString(got); n > limit || n == 0 {
				t.Errorf("%s/%d: %d characters: %q", tc.file, limit, n, got)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("%s/%d: not NFC", tc.file, limit)
			}
			if !endsCleanly(got, text) {
				t.Errorf("%s/%d: ends mid-word: %q", tc.file, limit, got)
			}
			if limit >= DefaultLimit && (!strings.HasPrefix(got, tc.wantPrefix) || !strings.Contains(got, tc.mustContain)) {
				t.Errorf("%s/%d: summary %q", tc.file, limit, got)
			}
			t.Logf("%s/%d: %s", tc.file, limit, got)
		}
	}
}

// endsCleanly: a summary ends with a sentence's end, or with "…" right after
// a whole word of the text.
func endsCleanly(s, text string) bool {
	if strings.HasSuffix(s, "…") {
		body := strings.TrimSuffix(s, "…")
		i := strings.Index(text, body)
		if i < 0 {
			return false
		}
		next, _ := utf8.DecodeRuneInString(text[i+len(body):])
		return unicode.IsSpace(next) || unicode.IsPunct(next)
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, `"”)`))
	return isTerminator(last)
}

func TestSplitKnowsAbbreviationsAndNumbers(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Đoàn công tác đến TP. Móng Cái lúc 8 giờ. Sau đó đoàn về Hà Nội.",
			[]string{"Đoàn công tác đến TP. Móng Cái lúc 8 giờ.", "Sau đó đoàn về Hà Nội."}},
		{"Đ/c Bùi Thị Lệ Hằng phát biểu. Đ/c. Mai Xuân Thắng ký kết.",
			[]string{"Đ/c Bùi Thị Lệ Hằng phát biểu.", "Đ/c. Mai Xuân Thắng ký kết."}},
		{"TS. Lê Minh Đức và ThS. Phạm Thu Trang trình bày. Hội nghị kết thúc.",
			[]string{"TS. Lê Minh Đức và ThS. Phạm Thu Trang trình bày.", "Hội nghị kết thúc."}},
		{"Trụ sở ở Q. Hải Châu. Đoàn đi tiếp.",
			[]string{"Trụ sở ở Q. Hải Châu.", "Đoàn đi tiếp."}},
		{"Ngày 18/11/2021. Ký kết giai đoạn 2021 - 2025. Theo Nghị quyết 03-NQ/TU. Có 1.250 người.",
			[]string{"Ngày 18/11/2021.", "Ký kết giai đoạn 2021 - 2025.", "Theo Nghị quyết 03-NQ/TU.", "Có 1.250 người."}},
		{"Ông Lê Quốc Th. phát biểu. Ảnh: Q. S.",
			[]string{"Ông Lê Quốc Th. phát biểu.", "Ảnh: Q. S."}},
		{"Ông nói: “Phải làm ngay.” Mọi người đồng ý!Tiếp theo? Có. Kết thúc…",
			[]string{"Ông nói: “Phải làm ngay.”", "Mọi người đồng ý!Tiếp theo?", "Có.", "Kết thúc…"}},
		{"Dòng một không chấm\nDòng hai.", []string{"Dòng một không chấm", "Dòng hai."}},
		{"giá 2.5 triệu. tiếp tục viết thường", []string{"giá 2.5 triệu. tiếp tục viết thường"}},
	} {
		got := Sentences(tc.text)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Sentences(%q)\n got %q\nwant %q", tc.text, got, tc.want)
		}
		if strings.Join(Split(tc.text), "") != tc.text {
			t.Errorf("Split(%q) lost characters", tc.text)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"TP. Móng Cái. Đ/c Hằng. TS. A. ThS. B.", "18/11/2021. 2021 - 2025. 03-NQ/TU.",
		"...\n\n?!“”", "a.\u0301 B", "\xff. \xfe\n", "",
		"đến TP. HCM. Sau đó", "an ninh, v.v. Các đơn vị", "hàng đầu châu Á. Du khách", "Ông N.V. Hùng đã",
		"là bà N.T.T. Công an", "bà N.T.T. (SN 1982).", "GS.TSKH. Nguyễn Văn A. ThS.BS. B.", "Tp.Móng Cái",
		"nói: “Phải làm ngay. Không chậm trễ.” Hội nghị", `nói: "A. B." C.`, "“Mở mà không đóng. Câu sau", "”« »“",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := Split(s)
		if strings.Join(parts, "") != s {
			t.Fatalf("Split(%q) = %q loses or adds characters", s, parts)
		}
		for _, p := range parts {
			if p == "" {
				t.Fatalf("Split(%q) has an empty part", s)
			}
		}
		got := Summarize("tiêu đề", s, 80)
		if utf8.RuneCountInString(got) > 80 {
			t.Fatalf("Summarize too long: %q", got)
		}
	})
}

// TestSplitVietnameseNewsCases are the splitter's known errors on real
// Vietnamese news text (issue 12), each fixed.
func TestSplitVietnameseNewsCases(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"TP. HCM. ends a sentence", "Đoàn công tác đã đến TP. HCM. Sau đó đoàn về Hà Nội.",
			[]string{"Đoàn công tác đã đến TP. HCM.", "Sau đó đoàn về Hà Nội."}},
		{"TP.HCM. ends a sentence", "Hội nghị tổ chức tại TP.HCM. Các đại biểu thảo luận.",
			[]string{"Hội nghị tổ chức tại TP.HCM.", "Các đại biểu thảo luận."}},
		{"v.v. ends a sentence", "Tuyên truyền về quốc phòng, an ninh, v.v. Các đơn vị báo cáo hằng tháng.",
			[]string{"Tuyên truyền về quốc phòng, an ninh, v.v.", "Các đơn vị báo cáo hằng tháng."}},
		{"v.v. inside a sentence", "Tuyên truyền về quốc phòng, an ninh v.v. trong toàn thành phố.",
			[]string{"Tuyên truyền về quốc phòng, an ninh v.v. trong toàn thành phố."}},
		{"châu Á. ends a sentence", "Việt Nam là điểm đến hàng đầu châu Á. Du khách tăng mạnh.",
			[]string{"Việt Nam là điểm đến hàng đầu châu Á.", "Du khách tăng mạnh."}},
		{"Đông Nam Á.", "Hợp tác trong khu vực Đông Nam Á. Hai bên thống nhất.",
			[]string{"Hợp tác trong khu vực Đông Nam Á.", "Hai bên thống nhất."}},
		{"initials before a given name", "Ông N.V. Hùng, trú tại phường Trà Cổ, đã trình báo.",
			[]string{"Ông N.V. Hùng, trú tại phường Trà Cổ, đã trình báo."}},
		{"a name wholly in initials ends a sentence", "Người bị hại là bà N.T.T. Công an đang điều tra.",
			[]string{"Người bị hại là bà N.T.T.", "Công an đang điều tra."}},
		{"a name wholly in initials, then details", "Đối tượng là bà N.T.T. (SN 1982, trú tại phường Hải Hòa).",
			[]string{"Đối tượng là bà N.T.T. (SN 1982, trú tại phường Hải Hòa)."}},
		{"stacked titles GS.TSKH.", "GS.TSKH. Nguyễn Văn A trình bày tham luận. Hội thảo kết thúc.",
			[]string{"GS.TSKH. Nguyễn Văn A trình bày tham luận.", "Hội thảo kết thúc."}},
		{"stacked titles ThS.BS.", "ThS.BS. Trần Thị B cho biết. Bệnh nhân đã ổn định.",
			[]string{"ThS.BS. Trần Thị B cho biết.", "Bệnh nhân đã ổn định."}},
		{"a quotation stays with its speaker", "Đồng chí Bí thư nhấn mạnh: “Phải làm ngay. Không được chậm trễ.” Hội nghị thống nhất.",
			[]string{"Đồng chí Bí thư nhấn mạnh: “Phải làm ngay. Không được chậm trễ.”", "Hội nghị thống nhất."}},
		{"straight quotes too", `Ông nói: "Phải làm ngay. Không chậm trễ." Mọi người đồng ý.`,
			[]string{`Ông nói: "Phải làm ngay. Không chậm trễ."`, "Mọi người đồng ý."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Sentences(tc.text)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tc.text, got, tc.want)
			}
			if strings.Join(Split(tc.text), "") != tc.text {
				t.Errorf("Split(%q) lost characters", tc.text)
			}
		})
	}
}

// TestSummaryKeepsQuotationsWhole: a summary never starts inside a
// quotation whose speaker it drops, and never ends with an unbalanced
// quotation mark, even when the lead is cut.
func TestSummaryKeepsQuotationsWhole(t *testing.T) {
	text := "Sáng 18/11, Ban Tuyên giáo Thành ủy và Ban Chỉ huy Quân sự thành phố ký kết chương trình phối hợp công tác giai đoạn 2021–2025. " +
		"Phát biểu tại buổi lễ, Trưởng Ban Tuyên giáo nói: “Chương trình phối hợp công tác phải đi vào thực chất. Các đơn vị phối hợp tuyên truyền quốc phòng thường xuyên, không hình thức.” " +
		"Buổi lễ kết thúc lúc 17 giờ cùng ngày."
	for _, limit := range []int{120, 200, 300, 400} {
		got := Summarize("Ký kết chương trình phối hợp công tác tuyên truyền quốc phòng", text, limit)
		if openQuotes(got) != 0 {
			t.Errorf("limit %d: unbalanced quotation: %q", limit, got)
		}
		if strings.Contains(got, "Các đơn vị phối hợp") && !strings.Contains(got, "Trưởng Ban Tuyên giáo nói") {
			t.Errorf("limit %d: the quotation lost its speaker: %q", limit, got)
		}
	}
	lead := "Trưởng Ban Tuyên giáo nói: “Chương trình phối hợp công tác giữa hai cơ quan phải đi vào thực chất, thường xuyên và không hình thức trong suốt giai đoạn 2021–2025.”"
	got := Summarize("", lead, 60)
	if openQuotes(got) != 0 || !strings.HasSuffix(got, "…”") || utf8.RuneCountInString(got) > 60 {
		t.Errorf("a lead cut inside a quotation: %q", got)
	}
}
