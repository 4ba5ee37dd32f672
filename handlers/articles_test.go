package handlers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// newArticlesFixture is the directory fixture with the reading commands and
// two sources: one for the public Propaganda Department (tuyengiao), with
// 30 articles, and one for Trà Cổ's restricted militia (dq-tra-co), with 3.
func newArticlesFixture(t *testing.T) *dirFixture {
	t.Helper()
	f := newDirFixture(t)
	f.r = NewRouter(Config{
		Store: f.db, Directory: f.db, Articles: f.db, ChatAdmins: f.admins, BotUsername: "loa_bot",
		Lang: messages.Vietnamese, Location: time.FixedZone("ICT", 7*3600),
		Clock: func() time.Time { return f.now }, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
	ctx := context.Background()
	pub, err := f.db.AddSource(ctx, admin.ID, "https://tuyengiao.example/rss", "Ban Tuyên giáo", []int64{f.unit("tuyengiao").ID})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2021, 11, 1, 9, 0, 0, 0, time.UTC)
	var items []storage.NewArticle
	for i := range 30 {
		items = append(items, storage.NewArticle{
			GUID: fmt.Sprintf("tg-%d", i), Link: fmt.Sprintf("https://tuyengiao.example/bai-%d?a=1&b=2", i),
			Title:       fmt.Sprintf("Bản tin Tuyên giáo số %d <tuần> & tháng", i),
			Summary:     strings.Repeat("Ban Tuyên giáo Thành ủy triển khai công tác tuyên truyền về quốc phòng, an ninh biên giới. ", 3),
			Body:        "Toàn văn.",
			PublishedAt: day.Add(time.Duration(i) * time.Hour),
		})
	}
	if _, err := f.db.InsertArticles(ctx, pub.ID, items, true); err != nil {
		t.Fatal(err)
	}
	secret, err := f.db.AddSource(ctx, admin.ID, "https://dq.example/rss", "Dân quân Trà Cổ", []int64{f.unit("dq-tra-co").ID})
	if err != nil {
		t.Fatal(err)
	}
	var hidden []storage.NewArticle
	for i := range 3 {
		hidden = append(hidden, storage.NewArticle{
			GUID: fmt.Sprintf("dq-%d", i), Title: fmt.Sprintf("Kế hoạch tuần tra mật số %d", i),
			Summary: "Lịch tuần tra của tổ dân quân Tuyên giáo.", PublishedAt: day.Add(time.Duration(100+i) * time.Hour),
		})
	}
	if _, err := f.db.InsertArticles(ctx, secret.ID, hidden, true); err != nil {
		t.Fatal(err)
	}
	return f
}

// checkTelegramHTML fails the test unless text is one message Telegram's
// HTML parser (as the emulator enforces it) accepts.
func checkTelegramHTML(t *testing.T, text string) {
	t.Helper()
	n, err := emulator.TextLength(text)
	if err != nil {
		t.Fatalf("Telegram would refuse %q: %v", text, err)
	}
	if n > messages.MaxMessageLength || messages.Length(text) > messages.MaxMessageLength {
		t.Fatalf("%d characters in one message", n)
	}
}

func TestLatest(t *testing.T) {
	f := newArticlesFixture(t)
	for _, tc := range []struct {
		who        User
		text       string
		want       []string
		notWant    []string
		items      int
		wantButton bool
	}{
		{stranger, "/latest", []string{"<b>5 bài viết mới nhất</b>", "Bản tin Tuyên giáo số 29 &lt;tuần&gt; &amp; tháng", "02/11/2021 21:00"}, []string{"tuần tra mật"}, 5, true},
		{member, "/latest", []string{"Kế hoạch tuần tra mật số 2", "Dân quân Trà Cổ"}, nil, 5, true},
		{officerB, "/latest 20", []string{"Bản tin Tuyên giáo số 29"}, []string{"tuần tra mật"}, -1, true},
		{stranger, "/latest 3 tuyengiao", []string{"<b>3 bài viết mới nhất của Ban Tuyên giáo Thành ủy</b>", "số 29", "số 27"}, []string{"số 26"}, 3, true},
		{stranger, "/latest 3 tuyên giáo", []string{"số 29"}, nil, 3, true},
		{member, "/latest 2 dq-tra-co", []string{"mật số 2", "mật số 1"}, []string{"Tuyên giáo số"}, 2, true},
		{stranger, "/latest 2 dq-tra-co", []string{"Chỉ thành viên mới theo dõi được"}, []string{"mật"}, 0, false},
		{admin, "/latest 4 mongcai", []string{"mật số 2", "số 29"}, nil, 4, true},
		{stranger, "/latest -1", []string{"Cách dùng", "từ 1 đến 20"}, nil, 0, false},
		{stranger, "/latest 9999", []string{"Cách dùng"}, nil, 0, false},
		{stranger, "/latest 0", []string{"Cách dùng"}, nil, 0, false},
		{stranger, "/latest 99999999999999999999999", []string{"Cách dùng"}, nil, 0, false},
		{stranger, "/latest 3 khongcodonvinay", []string{"Không tìm thấy đơn vị “khongcodonvinay”"}, nil, 0, false},
	} {
		resp := f.say(dm(tc.who), tc.who, tc.text)
		if len(resp.Replies) != 1 {
			t.Fatalf("%s: %d replies", tc.text, len(resp.Replies))
		}
		got := resp.Replies[0]
		checkTelegramHTML(t, got.Text)
		for _, w := range tc.want {
			if !strings.Contains(got.Text, w) {
				t.Errorf("%d %s: no %q in\n%s", tc.who.ID, tc.text, w, got.Text)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(got.Text, w) {
				t.Errorf("%d %s: %q in\n%s", tc.who.ID, tc.text, w, got.Text)
			}
		}
		if n := strings.Count(got.Text, "/article "); tc.items >= 0 && n != tc.items {
			t.Errorf("%s: %d items", tc.text, n)
		}
		if (len(got.Buttons) == 1) != tc.wantButton {
			t.Errorf("%s: buttons %v", tc.text, got.Buttons)
		}
	}

	// /latest 20 does not fit one message with these summaries: it shows
	// what fits, and "More" goes on from there, as the same person.
	resp := f.say(dm(stranger), stranger, "/latest 20")
	shown := strings.Count(resp.Replies[0].Text, "/article ")
	t.Logf("/latest 20: %d articles in %d characters", shown, messages.Length(resp.Replies[0].Text))
	if shown < 5 || shown >= 20 {
		t.Fatalf("/latest 20 showed %d", shown)
	}
	data := resp.Replies[0].Buttons[0][0].Data
	if len(data) > 64 {
		t.Fatalf("button data %q", data)
	}
	next := f.press(dm(stranger), stranger, data)
	if len(next.Replies) != 1 || next.Replies[0].EditMessageID != 77 || strings.Contains(next.Replies[0].Text, fmt.Sprintf("số %d ", 29)) {
		t.Fatalf("More: %+v", next)
	}
	checkTelegramHTML(t, next.Replies[0].Text)
	if f.press(dm(stranger), stranger, "latest:3:"+fmt.Sprint(f.unit("dq-tra-co").ID)+":0").CallbackText == "" {
		t.Errorf("a forged button showed a restricted unit's articles")
	}
}

func TestArticleAndSearch(t *testing.T) {
	f := newArticlesFixture(t)
	ctx := context.Background()
	all, _ := f.db.LatestArticles(ctx, []int64{f.unit("dq-tra-co").ID}, 1, 0)
	secretID := all[0].ID
	pub, _ := f.db.LatestArticles(ctx, []int64{f.unit("tuyengiao").ID}, 1, 0)

	if got := f.say(dm(stranger), stranger, fmt.Sprintf("/article %d", secretID)).Replies[0].Text; !strings.Contains(got, "Không tìm thấy bài viết") {
		t.Errorf("a stranger read a restricted article: %q", got)
	}
	if got := f.say(dm(member), member, fmt.Sprintf("/article %d", secretID)).Replies[0].Text; !strings.Contains(got, "tuần tra mật") {
		t.Errorf("a member cannot read their unit's article: %q", got)
	}
	got := f.say(dm(stranger), stranger, fmt.Sprintf("/article %d", pub[0].ID)).Replies[0].Text
	checkTelegramHTML(t, got)
	if !strings.Contains(got, `<a href="https://tuyengiao.example/bai-29?a=1&amp;b=2">`) {
		t.Errorf("article: %q", got)
	}
	for _, bad := range []string{"/article", "/article abc", "/article -3"} {
		if got := f.say(dm(stranger), stranger, bad).Replies[0].Text; !strings.Contains(got, "Cách dùng") {
			t.Errorf("%s: %q", bad, got)
		}
	}

	got = f.say(dm(stranger), stranger, "/search tuyen giao").Replies[0].Text
	checkTelegramHTML(t, got)
	// How many matched in all, then the best 10; the count is of what the
	// asker may see: 30 public articles, and 3 of the restricted unit too
	// for its member.
	if !strings.Contains(got, "<b>Có 30 bài viết về “tuyen giao”</b>, đây là 10 bài sát nhất:") || strings.Contains(got, "mật") ||
		strings.Count(got, "/article ") != 10 {
		t.Errorf("/search tuyen giao (stranger): %q", got)
	}
	if got := f.say(dm(member), member, "/search TUYÊN GIÁO").Replies[0].Text; !strings.Contains(got, "<b>Có 33 bài viết về “TUYÊN GIÁO”</b>") {
		t.Errorf("/search TUYÊN GIÁO (member): %q", got)
	}
	if got := f.say(dm(member), member, "/search TUẦN TRA mật").Replies[0].Text; !strings.Contains(got, "<b>3 bài viết") {
		t.Errorf("/search for a member: %q", got)
	}
	if got := f.say(dm(stranger), stranger, "/search tuần tra mật").Replies[0].Text; !strings.Contains(got, "Không tìm thấy bài viết nào về “tuần tra mật”") {
		t.Errorf("/search for a stranger: %q", got)
	}
	if got := f.say(dm(stranger), stranger, "/search 50%_").Replies[0].Text; !strings.Contains(got, "Không tìm thấy") {
		t.Errorf("LIKE wildcards are not escaped: %q", got)
	}
	if got := f.say(dm(stranger), stranger, "/search").Replies[0].Text; !strings.Contains(got, "Cách dùng") {
		t.Errorf("/search alone: %q", got)
	}
}

func TestSourcesCommands(t *testing.T) {
	f := newArticlesFixture(t)
	if got := f.say(dm(stranger), stranger, "/sources").Replies[0].Text; !strings.Contains(got, "không có quyền") && !strings.Contains(got, "quyền") {
		t.Errorf("a stranger listed sources: %q", got)
	}
	got := f.say(dm(admin), admin, "/sources").Replies[0].Text
	checkTelegramHTML(t, got)
	if !strings.Contains(got, "Ban Tuyên giáo — https://tuyengiao.example/rss") || !strings.Contains(got, "Dân quân phường Trà Cổ") {
		t.Errorf("/sources: %q", got)
	}
	if got := f.say(dm(admin), admin, "/removesource 999").Replies[0].Text; !strings.Contains(got, "Không có nguồn tin số 999") {
		t.Errorf("/removesource 999: %q", got)
	}
	if got := f.say(dm(admin), admin, "/removesource 2").Replies[0].Text; !strings.Contains(got, "Đã xóa nguồn tin số 2") {
		t.Errorf("/removesource 2: %q", got)
	}
	if got := f.say(dm(member), member, "/latest").Replies[0].Text; strings.Contains(got, "mật") {
		t.Errorf("articles of a removed source still shown: %q", got)
	}
}
