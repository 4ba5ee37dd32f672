package storage_test

import (
	"slices"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestSearchTerms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"An ninh, TRẬT TỰ", []string{"an", "ninh", "trat", "tu"}},
		{norm.NFD.String("Dân quân tự vệ"), []string{"dan", "quan", "tu", "ve"}},
		{"Đồn Biên phòng 2021-2025", []string{"don", "bien", "phong", "2021", "2025"}},
		{"kỹ thuật, kĩ thuật; sỹ quan, sĩ quan; Mỹ, Mĩ; lý luận, lí luận", []string{
			"ki", "thuat", "ki", "thuat", "si", "quan", "si", "quan", "mi", "mi", "li", "luan", "li", "luan"}},
		{"quý, quí, hy sinh, tỷ lệ, huy động, ý kiến", []string{"qui", "qui", "hi", "sinh", "ti", "le", "huy", "dong", "y", "kien"}},
		{"baoquangninh.vn\u200b", []string{"baoquangninh", "vn"}},
		{" … ", nil},
	} {
		if got := storage.SearchTerms(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("SearchTerms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if !storage.MatchesTerms("Tăng cường AN NINH biên giới", "an ninh") || storage.MatchesTerms("Đoàn đến từ baoquangninh.vn", "an ninh") ||
		!storage.MatchesTerms("Kĩ thuật", "ky thuat") || !storage.MatchesTerms("các xã và phường", "cac va") ||
		storage.MatchesTerms("anything", "…") {
		t.Error("MatchesTerms does not match the way search does")
	}
}

// searchFixture stores articles in one public source and returns a search
// over them that gives the titles found, best first, and the total.
func searchFixture(t *testing.T, articles ...storage.NewArticle) func(q string) ([]string, int) {
	t.Helper()
	db := pgtest.New(t)
	ctx := testContext(t)
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{{Code: "tuyengiao", Name: "Ban Tuyên giáo", Kind: "dept", Visibility: storage.Public}}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	u, err := db.UnitByCode(ctx, "tuyengiao")
	if err != nil {
		t.Fatal(err)
	}
	src, err := db.AddSource(ctx, 1, "https://a.example/rss", "A", []int64{u.ID})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2022, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range articles {
		articles[i].GUID = articles[i].Title
		if articles[i].PublishedAt.IsZero() {
			articles[i].PublishedAt = day.Add(time.Duration(i) * time.Hour)
		}
	}
	if _, err := db.InsertArticles(ctx, src.ID, articles, true); err != nil {
		t.Fatal(err)
	}
	return func(q string) ([]string, int) {
		t.Helper()
		found, total, err := db.SearchArticles(ctx, []int64{u.ID}, q, 10, 0)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var titles []string
		for _, a := range found {
			titles = append(titles, a.Title)
		}
		return titles, total
	}
}

// A query of two syllables matches them as whole syllables: an article
// that holds their letters only inside other words is not found, though a
// substring search finds it.
func TestSearchMatchesWholeSyllables(t *testing.T) {
	search := searchFixture(t,
		storage.NewArticle{Title: "Tăng cường an ninh khu vực biên giới"},
		storage.NewArticle{Title: "Đoàn công tác thăm hỏi gia đình chính sách", Summary: "Theo baoquangninh.vn, đoàn đã trao 50 suất quà."},
		storage.NewArticle{Title: "Ban Dân vận hoàn thành kế hoạch năm", Summary: "Tin từ trang quangninh.gov.vn."},
	)
	if got, total := search("an ninh"); !slices.Equal(got, []string{"Tăng cường an ninh khu vực biên giới"}) || total != 1 {
		t.Errorf(`"an ninh" found %q (%d)`, got, total)
	}
	// "an" alone is a syllable of the first article only, not the letters
	// of "Ban", "Dân", "hoàn", "đoàn".
	if got, total := search("an"); len(got) != 1 || total != 1 {
		t.Errorf(`"an" found %q (%d)`, got, total)
	}
}

// Accent-free, upper-case, NFD and variant-spelled queries find accented
// text, and a query of common syllables only still finds what has them.
func TestSearchFoldsQueries(t *testing.T) {
	search := searchFixture(t,
		storage.NewArticle{Title: "Dân quân tự vệ phường Trà Cổ huấn luyện", Summary: "Lực lượng dân quân luyện tập kỹ thuật bắn súng."},
		storage.NewArticle{Title: "Tuyên dương sĩ quan trẻ xuất sắc", Summary: "Các sĩ quan và chiến sĩ của đơn vị được khen thưởng."},
		storage.NewArticle{Title: "Khảo sát đời sống dân cư", Summary: "Quân đội nhân dân giúp đỡ bà con."},
	)
	want := "Dân quân tự vệ phường Trà Cổ huấn luyện"
	for _, q := range []string{"dan quan tu ve", "DÂN QUÂN TỰ VỆ", norm.NFD.String("Dân quân tự vệ"), "TRA CO", "kĩ thuật", "ky thuat"} {
		if got, total := search(q); len(got) != 1 || got[0] != want || total != 1 {
			t.Errorf("%q found %q (%d)", q, got, total)
		}
	}
	for _, q := range []string{"sỹ quan", "SI QUAN"} {
		if got, _ := search(q); len(got) != 1 || got[0] != "Tuyên dương sĩ quan trẻ xuất sắc" {
			t.Errorf("%q found %q", q, got)
		}
	}
	// Both words anywhere match too ("quân đội nhân dân"), after the
	// phrase. "các" and "và" are too common to select anything when other
	// words are there ("các dân quân" is "dân quân")…
	for _, q := range []string{"  Dân\tquân  ", "các dân quân"} {
		if got, total := search(q); len(got) != 2 || got[0] != want || total != 2 {
			t.Errorf("%q found %q (%d)", q, got, total)
		}
	}
	// …but a query of nothing else is searched with them all.
	if got, total := search("các và"); len(got) != 1 || got[0] != "Tuyên dương sĩ quan trẻ xuất sắc" || total != 1 {
		t.Errorf(`"các và" found %q (%d)`, got, total)
	}
	if got, total := search("…"); len(got) != 0 || total != 0 {
		t.Errorf(`"…" found %q (%d)`, got, total)
	}
}

// The exact phrase ranks first, then the words near each other, then the
// words anywhere, whatever the dates; among equals the newest is first.
func TestSearchRanking(t *testing.T) {
	day := time.Date(2022, 3, 1, 8, 0, 0, 0, time.UTC)
	search := searchFixture(t,
		storage.NewArticle{Title: "Diễn đàn thanh niên", Summary: "Bảo đảm an toàn cho người dân. " + filler + " Đoàn về thăm Quảng Ninh.", PublishedAt: day.Add(4 * time.Hour)},
		storage.NewArticle{Title: "Giữ vững an ninh trật tự", Summary: "Bài cũ.", PublishedAt: day},
		storage.NewArticle{Title: "Hội nghị về trật tự", Summary: "Công tác an toàn và ninh hòa được bàn.", PublishedAt: day.Add(3 * time.Hour)},
		storage.NewArticle{Title: "Tin tổng hợp", Summary: "Tình hình an ninh trên địa bàn ổn định.", PublishedAt: day.Add(1 * time.Hour)},
		storage.NewArticle{Title: "Tin tổng hợp 2", Summary: "Tình hình an ninh trên địa bàn ổn định.", PublishedAt: day.Add(2 * time.Hour)},
	)
	got, total := search("an ninh")
	want := []string{"Giữ vững an ninh trật tự", "Tin tổng hợp 2", "Tin tổng hợp", "Hội nghị về trật tự", "Diễn đàn thanh niên"}
	if !slices.Equal(got, want) || total != 5 {
		t.Errorf("ranking:\n got %q (%d)\nwant %q", got, total, want)
	}
}

const filler = "Buổi sáng, các đại biểu đã nghe báo cáo tình hình kinh tế xã hội của địa phương trong quý vừa qua, " +
	"thảo luận về nhiệm vụ trọng tâm của những tháng cuối năm và thống nhất nhiều giải pháp cụ thể."
