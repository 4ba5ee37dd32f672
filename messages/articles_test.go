package messages

import (
	"strings"
	"testing"
	"time"
)

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		title := "Ký kết chương trình phối hợp công tác giai đoạn 2021 - 2025 & kế hoạch <2021 - 2022>"
		when := DateTime(time.Date(2021, 11, 18, 9, 44, 0, 0, time.UTC), nil)
		lead := "Chiều ngày 18/11/2021, Ban Tuyên giáo Thành ủy Móng Cái và Ban chỉ huy quân sự TP Móng Cái tổ chức ký kết chương trình phối hợp công tác giai đoạn 2021 - 2025 và kế hoạch phối hợp năm 2021 - 2022."
		link := Link("https://mongcai.example/ky-ket?a=1&b=2", Plain(lang, KeyArticleReadMore))
		return map[Key][]any{
			KeyArticleCard:          {title, when, "Trung tâm TTVH Móng Cái", lead, link},
			KeyLatestHeader:         {5},
			KeyLatestHeaderUnit:     {3, "Ban Tuyên giáo Thành ủy", "tuyengiao"},
			KeyLatestItem:           {42, title, when, "Trung tâm TTVH Móng Cái", lead},
			KeyLatestUsage:          {20},
			KeyArticleFull:          {title, when, "Trung tâm TTVH Móng Cái", lead + "\n\n" + lead, link},
			KeyArticleNotFound:      {42},
			KeySearchHeader:         {7, "tuyen giao"},
			KeySearchHeaderTop:      {Number(lang, 12345), "tuyen giao", 10},
			KeySearchEmpty:          {"tuyen giao <b>"},
			KeySourcesLine:          {1, "Báo Quảng Ninh", "https://baoquangninh.example/rss?x=1&y=2", "Ban Tuyên giáo Thành ủy, Ban Chỉ huy Quân sự thành phố", HTML(T(lang, KeySourceOK))},
			KeySourceFailing:        {Count(3), FeedReason(lang, "unreachable: HTTP 502 Bad Gateway")},
			KeySourceAdded:          {1, "Báo Quảng Ninh", Count(1250), "Ban Tuyên giáo Thành ủy, Ban Chỉ huy Quân sự thành phố"},
			KeySourceExists:         {"https://baoquangninh.example/rss"},
			KeySourceUnreachable:    {"https://baoquangninh.example/rss"},
			KeySourceTimeout:        {"https://baoquangninh.example/rss"},
			KeySourceTooBig:         {"https://baoquangninh.example/rss"},
			KeySourceNotFeed:        {"https://baoquangninh.example/"},
			KeySourceBadURL:         {"ftp://x"},
			KeySourceInternal:       {"http://127.0.0.1:8080/rss"},
			KeySourceRemoved:        {1, "Báo Quảng Ninh"},
			KeySourceNotFound:       {9},
			KeySourceAlertFailing:   {"Báo Quảng Ninh", "https://baoquangninh.example/rss", 3, FeedReason(lang, "timed out: context deadline exceeded")},
			KeySourceAlertRecovered: {"Báo Quảng Ninh", "https://baoquangninh.example/rss"},
		}
	})
	toastKeys = append(toastKeys, KeyLatestMore, KeyArticleReadMore)
}

func TestArticleCardIsOneShortMessage(t *testing.T) {
	long := strings.Repeat("Tiêu đề rất dài ", 20)
	card := T(Vietnamese, KeyArticleCard, long, "18/11/2021 16:44", "Nguồn & tin", strings.Repeat("a", 300), Link("https://x.example/?a=1&b=2", "Đọc"))
	if Length(card) > MaxMessageLength || !strings.Contains(card, "Nguồn &amp; tin") || !strings.Contains(card, `href="https://x.example/?a=1&amp;b=2"`) {
		t.Fatalf("card: %q", card)
	}
}
