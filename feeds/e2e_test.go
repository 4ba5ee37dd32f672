package feeds_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/feeds"
	"github.com/loabot/loa/storage"
)

// rss renders a feed of n items, newest first, dated a minute apart before
// the given time, as Vietnamese portals publish them.
func rss(n int, newest time.Time, extra string) string {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>Tuyên giáo Móng Cái</title><link>https://tuyengiao.example.vn/</link>`)
	b.WriteString(extra)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<item><title>Tin số %d về công tác tuyên truyền</title><link>https://tuyengiao.example.vn/tin-%d.html</link><guid>tin-%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>Ngày %d, Ban Tuyên giáo Thành ủy tổ chức hội nghị số %d. Hội nghị bàn về công tác tuyên truyền & giáo dục quốc phòng.</p>]]></description></item>`,
			i, i, i, newest.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), i+1, i)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// TestNewArticleReachesFollowersOnce runs the real chain: the watcher, the
// delivery engine's outbox and dispatcher, the bot's sender, the emulator.
func TestNewArticleReachesFollowersOnce(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	emu := emulator.NewT(t)
	client := bot.NewClient(emu.URL(), emu.Token(), 5*time.Second)
	engine, err := delivery.New(delivery.Config{
		Store: e.db, Sender: bot.NewSender(client, false, 4), Limiter: delivery.NewLimiter(30),
		PollEvery: 20 * time.Millisecond, LockRetry: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- engine.Run(ctx) }()
	defer func() { cancel(); <-done }()

	follower := emulator.User{ID: 4101, FirstName: "Theo dõi", LanguageCode: "vi"}
	outsider := emulator.User{ID: 4102, FirstName: "Ngoài", LanguageCode: "vi"}
	for _, c := range []struct {
		u    emulator.User
		unit string
	}{{follower, "tuyengiao"}, {outsider, "chqs"}} {
		emu.AddChat(emulator.PrivateChat(c.u))
		if err := e.db.UpsertChat(ctx, storage.Chat{ID: c.u.ID, Type: "private", Title: c.u.FirstName}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Subscribe(ctx, c.u.ID, c.u.ID, e.units[c.unit]); err != nil {
			t.Fatal(err)
		}
	}

	srv := newFeedServer(t)
	now := e.clk.Now()
	srv.set("/rss", rss(50, now, ""))
	w := feeds.NewWatcher(feeds.Options{
		Store: e.db, Fetcher: feeds.NewFetcher(2*time.Second, 0, 0, feeds.AllowInternal()), Publisher: engine,
		Interval: 10 * time.Minute, Clock: e.clk.Now, NoExtract: true,
	})
	if _, err := w.AddSource(ctx, storage.SystemActor, srv.URL+"/rss", "", []int64{e.units["tuyengiao"]}); err != nil {
		t.Fatal(err)
	}
	// Adding a source with 50 old items pushes at most one.
	waitQuiet(t, engine)
	if n := len(emu.Messages(follower.ID)); n > 1 {
		t.Fatalf("adding a source pushed %d cards", n)
	}
	before := len(emu.Messages(follower.ID))

	// A new item appears; within one poll interval it reaches the follower
	// once, and the outsider not at all.
	e.clk.Add(11 * time.Minute)
	srv.set("/rss", rss(50, now, `<item><title>Ký kết chương trình phối hợp công tác giai đoạn 2021 - 2025</title><link>https://tuyengiao.example.vn/ky-ket.html</link><guid>ky-ket</guid><pubDate>`+e.clk.Now().Format(time.RFC1123Z)+`</pubDate><description><![CDATA[Chiều ngày 18/11/2021, Ban Tuyên giáo Thành ủy Móng Cái và Ban CHQS TP Móng Cái ký kết chương trình phối hợp.]]></description></item>`))
	if _, err := w.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	msgs, err := emu.WaitMessages(wctx, follower.ID, before+1)
	if err != nil {
		t.Fatal(err)
	}
	card := msgs[before]
	if !strings.Contains(card.HTML, "<b>Ký kết chương trình phối hợp công tác giai đoạn 2021 - 2025</b>") || !card.DisableWebPagePreview {
		t.Fatalf("card = %q (preview disabled: %v)", card.HTML, card.DisableWebPagePreview)
	}
	// A second poll of the same feed sends nothing more.
	e.clk.Add(11 * time.Minute)
	if _, err := w.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	waitQuiet(t, engine)
	if n := len(emu.Messages(follower.ID)); n != before+1 {
		t.Fatalf("the follower got %d cards after the new item, want exactly %d", n, before+1)
	}
	if n := len(emu.Messages(outsider.ID)); n != 0 {
		t.Fatalf("a chat following no unit of the source got %d messages", n)
	}
	for _, apiErr := range emu.Errors() {
		t.Errorf("API error: %+v", apiErr)
	}
}

// waitQuiet waits until the engine has nothing pending.
func waitQuiet(t *testing.T, engine *delivery.Engine) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		list, err := engine.Recent(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, s := range list {
			pending += s.Pending
		}
		if pending == 0 {
			time.Sleep(100 * time.Millisecond)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("deliveries still pending after 10 s")
}

// TestFailingFeedAlertsAdminsOnce runs a failing feed's alert through the
// outbox to the emulator: an admin gets it once, even when the source's
// state was lost after the alert was handed over (a crash, a restart), and a
// member who follows the source's unit never sees it.
func TestFailingFeedAlertsAdminsOnce(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	emu := emulator.NewT(t)
	client := bot.NewClient(emu.URL(), emu.Token(), 5*time.Second)
	engine, err := delivery.New(delivery.Config{
		Store: e.db, Sender: bot.NewSender(client, false, 4), Limiter: delivery.NewLimiter(30),
		PollEvery: 20 * time.Millisecond, LockRetry: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- engine.Run(ctx) }()
	defer func() { cancel(); <-done }()

	admin := emulator.User{ID: 4201, FirstName: "Quản trị", LanguageCode: "vi"}
	member := emulator.User{ID: 4202, FirstName: "Thành viên", LanguageCode: "vi"}
	for _, u := range []emulator.User{admin, member} {
		emu.AddChat(emulator.PrivateChat(u))
		if err := e.db.UpsertChat(ctx, storage.Chat{ID: u.ID, Type: "private", Title: u.FirstName}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.db.Subscribe(ctx, member.ID, member.ID, e.units["tuyengiao"]); err != nil {
		t.Fatal(err)
	}
	if err := e.db.EnsureAdmins(ctx, []int64{admin.ID}); err != nil {
		t.Fatal(err)
	}

	srv := newFeedServer(t)
	srv.set("/rss", rss(3, e.clk.Now(), ""))
	w := feeds.NewWatcher(feeds.Options{
		Store: e.db, Fetcher: feeds.NewFetcher(2*time.Second, 0, 0, feeds.AllowInternal()), Publisher: engine,
		Interval: 10 * time.Minute, Clock: e.clk.Now, NoExtract: true, AlertAfter: 3,
	})
	if _, err := w.AddSource(ctx, storage.SystemActor, srv.URL+"/rss", "Tuyên giáo", []int64{e.units["tuyengiao"]}); err != nil {
		t.Fatal(err)
	}
	srv.set("/rss", "<html>not a feed</html>")
	for range 3 {
		e.clk.Add(7 * time.Hour)
		if rep, _ := w.PollOnce(ctx); rep.Failed != 1 {
			t.Fatalf("poll of a broken feed: %+v", rep)
		}
	}
	// The state that says "the admins were told" is lost; the next failure
	// hands the same alert over again, and the outbox creates nothing.
	srcs, err := e.db.Sources(ctx)
	if err != nil || len(srcs) != 1 || !srcs[0].Alerted {
		t.Fatalf("sources %+v, %v", srcs, err)
	}
	st := srcs[0].SourceState
	st.Alerted = false
	if err := e.db.SetSourceState(ctx, srcs[0].ID, st); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(7 * time.Hour)
	w.PollOnce(ctx)
	waitQuiet(t, engine)

	// The admin follows no unit: everything they got is an alert.
	got := emu.Messages(admin.ID)
	if len(got) != 1 || !strings.Contains(got[0].HTML, "lỗi 3 lần liên tiếp") {
		t.Errorf("the admin got %d messages, want exactly the one alert: %+v", len(got), got)
	}
	for _, m := range emu.Messages(member.ID) {
		if strings.Contains(m.HTML, "Nguồn tin") {
			t.Errorf("a member who is not an admin got the alert: %q", m.HTML)
		}
	}
	for _, apiErr := range emu.Errors() {
		t.Errorf("API error: %+v", apiErr)
	}
}
