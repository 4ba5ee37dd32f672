package feeds

import "testing"

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"a caption glued to a sentence is split off",
			"Hai bên cam kết phối hợp chặt chẽ.Quang cảnh lễ ký kết",
			"Hai bên cam kết phối hợp chặt chẽ.\n\nQuang cảnh lễ ký kết"},
		{"a place written without a space stays in its sentence",
			"Đoàn công tác đến Tp.Móng Cái làm việc với Ban Chỉ huy Quân sự.",
			"Đoàn công tác đến Tp.Móng Cái làm việc với Ban Chỉ huy Quân sự."},
		{"a title written without a space too",
			"Báo cáo viên Ths.Nguyễn Văn An trình bày chuyên đề.",
			"Báo cáo viên Ths.Nguyễn Văn An trình bày chuyên đề."},
		{"TP.HCM and numbers are never split", "Tại TP.HCM có 1.250 đại biểu.", "Tại TP.HCM có 1.250 đại biểu."},
		{"NFD, non-breaking spaces and zero-width characters",
			"Pho\u0301ng thu\u0309\u00a0\u00a0dân\u200b sự", "Phóng thủ dân sự"},
		{"scraping artefacts are dropped", "Nội dung chính.\nLoading...\nChia sẻ\nẢnh: Thu Hằng", "Nội dung chính."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanText(tc.in); got != tc.want {
				t.Errorf("CleanText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
