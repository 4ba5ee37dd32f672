package settings

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

var hanoi = time.FixedZone("ICT", 7*3600)

func TestQuietContains(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, hanoi) }
	for _, c := range []struct {
		q    Quiet
		t    time.Time
		want bool
	}{
		{DefaultQuiet, at(22, 0), true},
		{DefaultQuiet, at(23, 59), true},
		{DefaultQuiet, at(0, 0), true},
		{DefaultQuiet, at(5, 59), true},
		{DefaultQuiet, at(6, 0), false},
		{DefaultQuiet, at(21, 59), false},
		{DefaultQuiet, at(12, 0), false},
		{Quiet{12 * 60, 13 * 60}, at(12, 30), true},
		{Quiet{12 * 60, 13 * 60}, at(13, 0), false},
		{Quiet{}, at(23, 0), false}, // off
	} {
		if got := c.q.Contains(c.t); got != c.want {
			t.Errorf("%s contains %s = %t, want %t", c.q, c.t.Format("15:04"), got, c.want)
		}
	}
}

func TestSilent(t *testing.T) {
	night := time.Date(2026, 12, 1, 23, 0, 0, 0, hanoi)
	off, on := 0, 0
	for _, c := range []struct {
		name   string
		d      storage.Delivery
		urgent bool
		want   bool
	}{
		{"routine, defaults", storage.Delivery{}, false, true},
		{"urgent", storage.Delivery{}, true, false},
		{"reminder due today", storage.Delivery{Rings: true}, false, false},
		{"quiet hours off", storage.Delivery{QuietFrom: &off, QuietTo: &on}, false, false},
	} {
		if got := Silent(c.d, c.urgent, night); got != c.want {
			t.Errorf("%s: Silent = %t, want %t", c.name, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]int{"6:00": 360, "06:00": 360, "18": 1080, "7h30": 450, "7h": 420, "23:59": 1439} {
		if got, ok := ParseClock(in); !ok || got != want {
			t.Errorf("ParseClock(%q) = %d, %t; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"24:00", "7:5", "abc", "", "-1", "12:60"} {
		if _, ok := ParseClock(in); ok {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
	if q, ok := ParseQuiet("21:30–5:00"); !ok || q != (Quiet{1290, 300}) {
		t.Errorf("ParseQuiet = %v, %t", q, ok)
	}
	if _, ok := ParseQuiet("22:00-22:00"); ok {
		t.Error("empty quiet hours accepted")
	}
	if got := strings.Join(Keywords("An ninh, biên giới; BIEN GIOI,, ..., và"), "|"); got != "An ninh|biên giới|và" {
		t.Errorf("Keywords = %q", got)
	}
}

func TestDue(t *testing.T) {
	six := 18 * 60
	day := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, hanoi) }
	for _, c := range []struct {
		oldest, now time.Time
		want        bool
	}{
		{day(1, 10, 0), day(1, 17, 59), false},
		{day(1, 10, 0), day(1, 18, 0), true},
		{day(1, 10, 0), day(2, 9, 0), true}, // down at 18:00: caught up
		{day(1, 18, 30), day(1, 23, 0), false},
		{day(1, 18, 30), day(2, 18, 0), true},
	} {
		if got := Due(storage.DigestChat{DigestAt: &six, Oldest: c.oldest}, c.now); got != c.want {
			t.Errorf("held since %s, at %s: due %t, want %t", c.oldest, c.now, got, c.want)
		}
	}
	if !Due(storage.DigestChat{Oldest: day(1, 10, 0)}, day(1, 10, 1)) {
		t.Error("articles held for a chat that left digest mode wait")
	}
}

// A long digest is cut by the engine (messages.Split) between items, never
// inside one, and every part fits a message.
func TestDigestSplitsCleanly(t *testing.T) {
	var arts []storage.Article
	for i := range 130 {
		arts = append(arts, storage.Article{
			ID: int64(i + 1), SourceID: int64(i/40 + 1), SourceName: fmt.Sprintf("Nguồn %d", i/40+1),
			Title: fmt.Sprintf("Bài số %d về diễn tập phòng thủ khu vực", i+1), Link: fmt.Sprintf("https://example.vn/%d", i+1),
			Summary: strings.Repeat("Lực lượng dân quân phối hợp tuần tra bảo vệ biên giới. ", 5),
		})
	}
	text := RenderDigest(messages.Vietnamese, time.Date(2026, 12, 1, 18, 0, 0, 0, hanoi), arts)
	parts := messages.Split(text, messages.MaxMessageLength)
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	items := 0
	for _, p := range parts {
		if messages.Length(p) > messages.MaxMessageLength {
			t.Errorf("a part of %d characters", messages.Length(p))
		}
		for _, line := range strings.Split(p, "\n") {
			if strings.HasPrefix(line, "• ") {
				items++
				if !strings.Contains(line, "</a> — ") || !strings.HasSuffix(line, "…") {
					t.Errorf("an item cut or without its summary: %q", line)
				}
			}
		}
	}
	if items != MaxDigestArticles {
		t.Errorf("%d items, want %d", items, MaxDigestArticles)
	}
	if !strings.Contains(text, "30 bài viết khác") {
		t.Error("the articles not listed are not counted")
	}
}
