package delivery_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/settings"
	"github.com/loabot/loa/storage"
)

// Tests of issue 14: each chat chooses what it hears and when, with the
// injected clock, real PostgreSQL and the emulator.

var hanoi = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// testClock is the injected clock the engine, the digest loop and the test
// share.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, hanoi)
}

// settingsEngine is an engine with the production rules of issue 14.
func (f *fixture) settingsEngine(clock *testClock) *delivery.Engine {
	return f.engine(delivery.Config{
		Clock: clock.Now, Silent: settings.Silencer(hanoi),
		TopicGone: settings.TopicGone(f.db, messages.Vietnamese, clock.Now, nil),
	})
}

// chat makes c known to the emulator and the database, following units.
func (f *fixture) chat(c emulator.Chat, units ...string) emulator.Chat {
	f.t.Helper()
	f.emu.AddChat(c)
	for _, u := range units {
		if err := seed(context.Background(), f.url, []emulator.Chat{c}, f.units[u]); err != nil {
			f.t.Fatal(err)
		}
	}
	return c
}

// source adds a news source for units.
func (f *fixture) source(name string, units ...string) storage.Source {
	f.t.Helper()
	var ids []int64
	for _, u := range units {
		ids = append(ids, f.units[u])
	}
	src, err := f.db.AddSource(context.Background(), 0, "https://"+strings.ToLower(strings.ReplaceAll(name, " ", ""))+".example/rss", name, ids)
	if err != nil {
		f.t.Fatal(err)
	}
	return src
}

// article stores an article of src and hands it to e as the feed watcher
// does (kind article, its id for the chats' settings), returning its id.
func (f *fixture) article(e *delivery.Engine, src storage.Source, title, summary string) (articleID, broadcastID int64) {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.db.InsertArticles(ctx, src.ID, []storage.NewArticle{{
		GUID: title, Link: "https://example.vn/" + fmt.Sprint(len(title)) + "-" + fmt.Sprint(time.Now().UnixNano()),
		Title: title, Summary: summary, PublishedAt: at(1, 8, 0),
	}}, false); err != nil {
		f.t.Fatal(err)
	}
	arts, err := f.db.Unpushed(ctx, src.ID, 100)
	if err != nil || len(arts) != 1 {
		f.t.Fatalf("unpushed articles: %v, %v", arts, err)
	}
	a := arts[0]
	if err := f.db.MarkPushed(ctx, a.ID); err != nil {
		f.t.Fatal(err)
	}
	id, _, err := e.Enqueue(ctx, delivery.Broadcast{
		Kind: "article", Lang: messages.Vietnamese, Text: "📰 <b>" + messages.Escape(a.Title) + "</b>", NoPreview: true,
		Units: src.UnitIDs, DedupKey: fmt.Sprintf("article:%d", a.ID), ArticleID: a.ID,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return a.ID, id
}

func (f *fixture) saveSettings(chatID int64, change func(s *storage.ChatSettings)) {
	f.t.Helper()
	ctx := context.Background()
	s, err := f.db.ChatSettings(ctx, chatID)
	if err != nil {
		f.t.Fatal(err)
	}
	change(&s)
	if err := f.db.SaveChatSettings(ctx, s, storage.SettingsChange{ActorID: chatID, Action: storage.AuditSettingsQuiet, Detail: "test"}, time.Now()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) wait(chatID int64, n int) []emulator.Message {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ms, err := f.emu.WaitMessages(ctx, chatID, n)
	if err != nil {
		f.t.Fatalf("chat %d: %v (has %d messages; errors %v)", chatID, err, len(f.emu.Messages(chatID)), firstErrors(f.emu, 5))
	}
	return ms
}

// messageWith is the chat's message containing text.
func messageWith(t *testing.T, ms []emulator.Message, text string) emulator.Message {
	t.Helper()
	for _, m := range ms {
		if strings.Contains(m.Text, text) {
			return m
		}
	}
	t.Fatalf("no message with %q among %d", text, len(ms))
	return emulator.Message{}
}

func TestQuietHoursSilenceRoutineNotUrgent(t *testing.T) {
	f := newFixture(t)
	clock := &testClock{now: at(1, 23, 15)} // in the default quiet hours 22:00–06:00
	e := f.settingsEngine(clock)
	f.run(e)
	lan := f.chat(emulator.PrivateChat(emulator.User{ID: 501, FirstName: "Lan"}), "ward")
	awake := f.chat(emulator.PrivateChat(emulator.User{ID: 502, FirstName: "Minh"}), "ward")
	f.saveSettings(awake.ID, func(s *storage.ChatSettings) { s.QuietFrom, s.QuietTo = 0, 0 }) // quiet hours off
	src := f.source("Báo Quảng Ninh", "ward")

	f.article(e, src, "Diễn tập phòng thủ khu vực", "Tóm tắt.")
	ctx := context.Background()
	urgent := f.announce("Khẩn: bão số 9 đổ bộ", "ward")
	urgent.Urgent = true
	if _, _, err := e.Enqueue(ctx, urgent); err != nil {
		t.Fatal(err)
	}
	routine := f.announce("Họp giao ban sáng mai", "ward")
	if _, _, err := e.Enqueue(ctx, routine); err != nil {
		t.Fatal(err)
	}
	reminder := f.announce("Nhắc việc: nhiệm vụ đến hạn hôm nay", "ward")
	reminder.Kind, reminder.Rings = "reminder", true
	if _, _, err := e.Enqueue(ctx, reminder); err != nil {
		t.Fatal(err)
	}
	ms := f.wait(lan.ID, 4)
	for text, silent := range map[string]bool{
		"Diễn tập phòng thủ": true, "Họp giao ban": true, "bão số 9": false, "đến hạn hôm nay": false,
	} {
		if m := messageWith(t, ms, text); m.Silent != silent {
			t.Errorf("at 23:15, %q arrived with disable_notification %t, want %t", text, m.Silent, silent)
		}
	}
	for _, m := range f.wait(awake.ID, 4) {
		if m.Silent {
			t.Errorf("a chat without quiet hours got %q silently", m.Text)
		}
	}

	// In the day the same card rings.
	clock.Set(at(2, 9, 0))
	f.article(e, src, "Hội thi tuyên truyền biên giới", "Tóm tắt.")
	if m := messageWith(t, f.wait(lan.ID, 5), "Hội thi"); m.Silent {
		t.Error("at 09:00 a card arrived silently")
	}
}

func TestDigestOncePerDayWithExactlyItsArticles(t *testing.T) {
	f := newFixture(t)
	clock := &testClock{now: at(1, 10, 0)}
	e := f.settingsEngine(clock)
	f.run(e)
	digest := f.chat(emulator.PrivateChat(emulator.User{ID: 601, FirstName: "Hoa"}), "ward")
	asTheyCome := f.chat(emulator.PrivateChat(emulator.User{ID: 602, FirstName: "Nam"}), "ward")
	six := 18 * 60
	f.saveSettings(digest.ID, func(s *storage.ChatSettings) { s.DigestAt = &six })
	ward := f.source("Báo Quảng Ninh", "ward")
	other := f.source("Cổng tin nhóm", "groups") // a unit the digest chat does not follow
	city := f.source("Cổng thành phố", "city")   // above ward: reaches it
	f.article(e, ward, "Bài một của phường", "Tóm tắt bài một. Câu thứ hai.")
	f.article(e, city, "Bài của thành phố", "Tóm tắt bài thành phố.")
	f.article(e, other, "Bài của nhóm khác", "Không gửi cho phường.")
	_, last := f.article(e, ward, "Bài hai của phường", "")
	f.waitReported(e, last, 15*time.Second)
	f.wait(asTheyCome.ID, 3)
	if ms := f.emu.Messages(digest.ID); len(ms) != 0 {
		t.Fatalf("the digest chat got %d cards as they came: %q", len(ms), ms[0].Text)
	}

	// Before 18:00 nothing; Loa is down at 18:00 and back at 22:30: the
	// digest comes once, from whichever loop runs first, and never again.
	tick := func() int {
		d := &settings.Digests{Store: f.db, Clock: clock.Now, Location: hanoi, Lang: messages.Vietnamese}
		n, err := d.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	clock.Set(at(1, 17, 59))
	if n := tick(); n != 0 {
		t.Fatalf("%d digests before 18:00", n)
	}
	clock.Set(at(1, 22, 30))
	if n := tick() + tick(); n != 1 {
		t.Fatalf("%d digests after the restart, want 1", n)
	}
	ms := f.wait(digest.ID, 1)
	text := ms[0].Text
	for _, want := range []string{"Bài một của phường", "Bài hai của phường", "Bài của thành phố", "Báo Quảng Ninh", "Cổng thành phố", "Tóm tắt bài một"} {
		if !strings.Contains(text, want) {
			t.Errorf("the digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "nhóm khác") {
		t.Errorf("the digest carries an article of a unit the chat does not follow:\n%s", text)
	}
	if !ms[0].Silent {
		t.Error("the digest at 22:30 rang during quiet hours")
	}
	if len(ms[0].Entities) == 0 {
		t.Error("the digest has no links")
	}

	// The next article waits for the next day's digest, with it alone.
	clock.Set(at(1, 23, 0))
	f.article(e, ward, "Bài ba của phường", "Tóm tắt ba.")
	if n := tick(); n != 0 {
		t.Fatalf("%d digests at 23:00", n)
	}
	clock.Set(at(2, 18, 0))
	if n := tick() + tick(); n != 1 {
		t.Fatalf("%d digests the next day, want 1", n)
	}
	ms = f.wait(digest.ID, 2)
	if !strings.Contains(ms[1].Text, "Bài ba") || strings.Contains(ms[1].Text, "Bài một") {
		t.Errorf("the second digest is not exactly the article since the first:\n%s", ms[1].Text)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(f.emu.Messages(digest.ID)); n != 2 {
		t.Errorf("the digest chat has %d messages, want 2", n)
	}
}

// The labelled set of acceptance 2: articles, filters, and whether each
// passes, decided the way /search matches (accents, case, whole syllables).
func TestFiltersLabelled(t *testing.T) {
	f := newFixture(t)
	clock := &testClock{now: at(1, 10, 0)}
	e := f.settingsEngine(clock)
	f.run(e)
	src := f.source("Báo Quảng Ninh", "ward")
	articles := []struct{ title, summary string }{
		{"Bảo đảm an ninh biên giới", "Đồn biên phòng phối hợp tuần tra."},       // 0
		{"BIEN GIOI HOA BINH", "Bài viết không dấu."},                            // 1
		{"Toàn quân thi đua", "Phong trào của dân quân."},                        // 2: "an" only inside words
		{"Quảng cáo bất động sản gần biên giới", "Nội dung quảng cáo."},          // 3
		{"Hội thi kỹ thuật dân quân", "Chiến sỹ trẻ."},                           // 4: kỹ/kĩ, sỹ/sĩ
		{"Lễ hội mùa xuân", "Người dân an tâm vui xuân."},                        // 5: "an" whole
		{"Tập huấn phòng cháy", "Không liên quan đến biên phòng hay ninh bình."}, // 6
	}
	ids := make([]int64, len(articles))
	for i, a := range articles {
		ids[i], _ = f.article(e, src, a.title, a.summary)
	}
	for _, c := range []struct {
		name       string
		only, none []string
		pass       []int
	}{
		{"accent-free only", []string{"bien gioi"}, nil, []int{0, 1, 3}},
		{"accented only, any of", []string{"Biên giới", "kĩ thuật"}, nil, []int{0, 1, 3, 4}},
		{"whole syllables", []string{"an"}, nil, []int{0, 5}},
		{"spelling variants", []string{"chien si"}, nil, []int{4}},
		{"none of", nil, []string{"quang cao"}, []int{0, 1, 2, 4, 5, 6}},
		{"only and none", []string{"biên giới"}, []string{"QUẢNG CÁO"}, []int{0, 1}},
		{"two words, not a phrase", []string{"an ninh"}, nil, []int{0}},
		{"no filter", nil, nil, []int{0, 1, 2, 3, 4, 5, 6}},
	} {
		got, err := f.db.ArticlesPassing(context.Background(), ids, c.only, c.none)
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, i := range c.pass {
			want = append(want, ids[i])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (only %q, none %q): passed %v, want %v (articles %v)", c.name, c.only, c.none, got, want, ids)
		}
	}

	// The fan-out applies the same test: a chat with "only biên giới, none
	// quảng cáo" gets cards 0 and 1 of a new batch, and every bulletin.
	filtered := f.chat(emulator.PrivateChat(emulator.User{ID: 701, FirstName: "Tú"}), "ward")
	f.saveSettings(filtered.ID, func(s *storage.ChatSettings) {
		s.OnlyWords, s.NoneWords = []string{"biên giới"}, []string{"QUẢNG CÁO"}
	})
	src2 := f.source("Cổng biên phòng", "ward")
	var last int64
	for _, a := range articles {
		_, last = f.article(e, src2, a.title+" (2)", a.summary)
	}
	bulletin := f.announce("Thông báo lịch trực Tết", "ward")
	id, _, err := e.Enqueue(context.Background(), bulletin)
	if err != nil {
		t.Fatal(err)
	}
	f.waitReported(e, last, 15*time.Second)
	f.waitReported(e, id, 15*time.Second)
	var got []string
	for _, m := range f.emu.Messages(filtered.ID) {
		got = append(got, m.Text)
	}
	want := []string{"📰 Bảo đảm an ninh biên giới (2)", "📰 BIEN GIOI HOA BINH (2)", "Thông báo lịch trực Tết"}
	slices.Sort(got)
	slices.Sort(want) // one chat's messages are paced, not ordered, across broadcasts
	if !slices.Equal(got, want) {
		t.Errorf("the filtered chat got %q, want %q", got, want)
	}

	// A muted source sends nothing to the chat; bulletins still arrive.
	if err := f.db.SetSourceMuted(context.Background(), filtered.ID, src2.ID, true, filtered.ID); err != nil {
		t.Fatal(err)
	}
	_, muted := f.article(e, src2, "Biên giới bình yên", "")
	f.waitReported(e, muted, 15*time.Second)
	if n := len(f.emu.Messages(filtered.ID)); n != 3 {
		t.Errorf("a muted source reached the chat: %d messages", n)
	}
}

func TestTopicsPerUnitAndDeletedTopic(t *testing.T) {
	f := newFixture(t)
	clock := &testClock{now: at(1, 10, 0)}
	e := f.settingsEngine(clock)
	f.run(e)
	forum := f.chat(emulator.Forum(-1001234567890, "Ban chỉ huy"), "ward", "groups")
	wardTopic := f.emu.CreateTopic(forum.ID, "Phường Trà Cổ")
	groupsTopic := f.emu.CreateTopic(forum.ID, "Các nhóm")
	ctx := context.Background()
	if err := f.db.SetTopic(ctx, forum.ID, f.units["ward"], "", wardTopic, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetTopic(ctx, forum.ID, f.units["groups"], "", groupsTopic, 1); err != nil {
		t.Fatal(err)
	}
	// Bulletins go to the groups' topic too; the notice of a deleted topic
	// must not (the group's admins look in the general one).
	if err := f.db.SetTopic(ctx, forum.ID, 0, storage.TopicBulletins, groupsTopic, 1); err != nil {
		t.Fatal(err)
	}
	ward, groups := f.source("Báo Quảng Ninh", "ward"), f.source("Cổng tin nhóm", "groups")
	f.article(e, ward, "Tin của phường", "")
	f.article(e, groups, "Tin của nhóm", "")
	ms := f.wait(forum.ID, 2)
	if m := messageWith(t, ms, "Tin của phường"); m.MessageThreadID != wardTopic {
		t.Errorf("the ward's card went to topic %d, want %d", m.MessageThreadID, wardTopic)
	}
	if m := messageWith(t, ms, "Tin của nhóm"); m.MessageThreadID != groupsTopic {
		t.Errorf("the groups' card went to topic %d, want %d", m.MessageThreadID, groupsTopic)
	}

	// The ward's topic is deleted: the next card goes to the general
	// topic, and the group's admins are told there, once.
	f.emu.DeleteTopic(forum.ID, wardTopic)
	f.article(e, ward, "Tin sau khi xóa chủ đề", "")
	f.article(e, ward, "Tin thứ hai sau khi xóa", "")
	ms = f.wait(forum.ID, 5)
	if m := messageWith(t, ms, "Tin sau khi xóa chủ đề"); m.MessageThreadID != 0 {
		t.Errorf("after the topic was deleted the card went to topic %d", m.MessageThreadID)
	}
	notice := messageWith(t, ms, "Quản trị viên nhóm lưu ý")
	if notice.MessageThreadID != 0 || !strings.Contains(notice.Text, fmt.Sprint(wardTopic)) {
		t.Errorf("notice %q in topic %d", notice.Text, notice.MessageThreadID)
	}
	topics, err := f.db.ChatTopics(ctx, forum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(topics) != 2 || topics[0].ThreadID != groupsTopic || topics[1].ThreadID != groupsTopic {
		t.Errorf("routes left: %+v", topics)
	}
	time.Sleep(300 * time.Millisecond)
	n := 0
	for _, m := range f.emu.Messages(forum.ID) {
		if strings.Contains(m.Text, "Quản trị viên nhóm lưu ý") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the admins were told %d times", n)
	}
}
