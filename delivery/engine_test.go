package delivery_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// TestBroadcastToTwoThousandChats is acceptance test (1): 2,000 chats, of
// which 10% blocked or removed the bot, 3 groups were upgraded to
// supergroups, and the emulator answers 429 now and then. Every active
// chat gets the message exactly once (counted in the emulator), the gone
// ones are marked, the migrated groups get it at their new id, and the
// report counts all of it.
func TestBroadcastToTwoThousandChats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	privates := f.addChats(emulator.ChatPrivate, 1800, "ward")
	groups := f.addChats(emulator.ChatGroup, 200, "city")
	rng := rand.New(rand.NewPCG(18, 11))

	gone := map[int64]string{} // chat → status it must end in
	for _, i := range rng.Perm(len(privates))[:180] {
		f.emu.Block(privates[i].ID)
		gone[privates[i].ID] = storage.ChatBlocked
	}
	perm := rng.Perm(len(groups))
	for _, i := range perm[:20] {
		f.emu.Kick(groups[i].ID)
		gone[groups[i].ID] = storage.ChatLeft
	}
	migrated := map[int64]int64{}
	for k, i := range perm[20:23] {
		to := -1_009_000_000_000 - int64(k)
		f.emu.Migrate(groups[i].ID, to)
		migrated[groups[i].ID] = to
	}
	all := append(append([]emulator.Chat{}, privates...), groups...)
	forced := 0
	for _, i := range rng.Perm(len(all))[:12] {
		if _, ok := gone[all[i].ID]; ok {
			continue
		}
		if _, ok := migrated[all[i].ID]; ok {
			continue
		}
		f.emu.ForceRetryAfter(all[i].ID, 1, 1+rng.IntN(2))
		forced++
	}

	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(0), Concurrency: 16})
	f.run(e)
	text := "<b>Thông báo khẩn</b>: toàn bộ dân quân tập trung lúc 7h30 &amp; mang theo trang bị."
	id, chats, err := e.Enqueue(ctx, f.announce(text, "city"))
	if err != nil || chats != 2000 {
		t.Fatalf("enqueue: %d chats, %v", chats, err)
	}
	s := f.waitReported(e, id, 90*time.Second)

	for _, c := range all {
		got := len(f.emu.Messages(c.ID))
		want := 1
		if _, ok := gone[c.ID]; ok {
			want = 0
		}
		if to, ok := migrated[c.ID]; ok {
			want = 0
			if n := len(f.emu.Messages(to)); n != 1 {
				t.Errorf("migrated group %d got %d messages at its new id %d, want 1", c.ID, n, to)
			}
		}
		if got != want {
			t.Errorf("chat %d (%s) got %d messages, want %d", c.ID, c.Type, got, want)
		}
		if want == 1 {
			if m := f.emu.Messages(c.ID)[0]; m.HTML != text {
				t.Errorf("chat %d got %q", c.ID, m.HTML)
			}
		}
	}
	for id, status := range gone {
		if c, err := f.db.Chat(ctx, id); err != nil || c.Status != status {
			t.Errorf("gone chat %d is %q (%v), want %s", id, c.Status, err, status)
		}
	}
	for old, to := range migrated {
		if _, err := f.db.Chat(ctx, old); err == nil {
			t.Errorf("migrated group %d still has its old row", old)
		}
		c, err := f.db.Chat(ctx, to)
		if err != nil || c.Type != "supergroup" || c.Status != storage.ChatActive {
			t.Errorf("supergroup %d: %+v, %v", to, c, err)
		}
		if subs, _ := f.db.Subscriptions(ctx, to); !slices.Equal(subs, []int64{f.units["city"]}) {
			t.Errorf("supergroup %d follows %v, want the old group's units", to, subs)
		}
	}
	if s.State != delivery.StateDone || s.Total != 2000 || s.Sent != 1800 || s.Blocked != 200 || s.Failed != 0 || s.Pending != 0 {
		t.Errorf("summary %+v", s)
	}
	if len(s.Reasons) != 2 || s.Reasons[0].Count != 180 || s.Reasons[0].Reason != "Forbidden: bot was blocked by the user" ||
		s.Reasons[1].Count != 20 || !strings.HasPrefix(s.Reasons[1].Reason, "Forbidden: bot was kicked") {
		t.Errorf("reasons %+v", s.Reasons)
	}
	// The only 429s were the forced ones, each handled without a failure.
	if got, want := f.emu.TooManyRequests(), int(f.counter("loa_delivery_rate_limited_total")); got != want || got < forced {
		t.Errorf("emulator answered %d 429s, the engine counted %d, %d chats were forced", got, want, forced)
	}
	for name, want := range map[string]float64{
		"loa_delivery_sent_total": 1800, "loa_delivery_blocked_total": 200, "loa_delivery_failed_total": 0,
		"loa_delivery_migrated_total": 3, "loa_delivery_queue_depth": 0,
	} {
		if got := f.counter(name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	msgs := f.emu.Messages(author.ID)
	if len(msgs) != 2 {
		t.Fatalf("the author got %d messages, want the status and the report: %+v", len(msgs), msgs)
	}
	if st := msgs[0].Text; !strings.Contains(st, "Đã gửi xong 2.000/2.000 ▓▓▓▓▓▓▓▓ 100%") {
		t.Errorf("final status %q", st)
	}
	for _, w := range []string{"(2.000 cuộc trò chuyện)", "Đã gửi: 1.800", "rời nhóm: 200", "Lỗi: 0", "người nhận đã chặn Loa: 180"} {
		if !strings.Contains(msgs[1].Text, w) {
			t.Errorf("report lacks %q:\n%s", w, msgs[1].Text)
		}
	}
	if !strings.Contains(f.logs.String(), "broadcast finished") {
		t.Error("no log line for the finished broadcast")
	}
}

// TestWithinTelegramsLimits is acceptance test (3): with the emulator's
// ceilings set to Telegram's (30/s in all, 1/s per chat, 20/min per group),
// broadcasts that press on all three, and replies through the same limiter,
// never cause a 429.
func TestWithinTelegramsLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, emulator.WithLimits(emulator.TelegramLimits()))
	ctx := context.Background()
	wardChats := f.addChats(emulator.ChatPrivate, 10, "ward")
	cityChats := f.addChats(emulator.ChatPrivate, 30, "city")
	groups := f.addChats(emulator.ChatGroup, 4, "groups")
	if err := seed(ctx, f.url, groups, f.units["city"]); err != nil {
		t.Fatal(err)
	}
	lim := delivery.NewLimiter(30)
	e := f.engine(delivery.Config{Limiter: lim, Concurrency: 16, StatusEvery: time.Second})
	begin := time.Now()
	f.run(e)

	// 44 chats at once: the bot-wide ceiling.
	if _, _, err := e.Enqueue(ctx, f.announce("Thông báo chung.", "city")); err != nil {
		t.Fatal(err)
	}
	// Three parts into each of 10 chats: the per-chat ceiling.
	long := longText(3)
	if _, _, err := e.Enqueue(ctx, f.announce(long, "ward")); err != nil {
		t.Fatal(err)
	}
	// Five more into each group: the per-group ceiling (six in all).
	for i := range 5 {
		b := f.announce(fmt.Sprintf("Nhóm: lệnh số %d.", i+1), "groups")
		b.AuthorChatID = 0
		if _, _, err := e.Enqueue(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// Replies to a person meanwhile, through the same limiter.
	replies := make(chan error, 1)
	go func() {
		var err error
		for i := range 3 {
			if err = lim.Wait(ctx, cityChats[0].ID); err != nil {
				break
			}
			if _, err = f.sender.Send(ctx, cityChats[0].ID, delivery.Outgoing{Text: fmt.Sprintf("Trả lời %d", i+1), NoPreview: true}); err != nil {
				break
			}
		}
		replies <- err
	}()

	// And the author's status and report for the first two.
	want := len(wardChats)*4 + len(cityChats) + len(groups)*6 + 3 + 4
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := f.emu.WaitMessageCount(wctx, want); err != nil {
		t.Fatalf("%v; errors %v", err, firstErrors(f.emu, 5))
	}
	took := time.Since(begin)
	if err := <-replies; err != nil {
		t.Fatal(err)
	}
	if n := f.emu.TooManyRequests(); n != 0 {
		t.Fatalf("%d answers 429 (%v)", n, firstErrors(f.emu, 5))
	}
	for _, c := range groups {
		if n := len(f.emu.Messages(c.ID)); n != 6 {
			t.Errorf("group %d got %d messages, want 6", c.ID, n)
		}
	}
	for _, c := range wardChats {
		msgs := f.emu.Messages(c.ID)
		if len(msgs) != 4 {
			t.Fatalf("chat %d got %d messages, want 4", c.ID, len(msgs))
		}
	}
	// Six messages into a group need ≥ 4 s at 4 then 1 per 4 s; the rest
	// is quicker. Much slower would mean the limiter wastes Telegram's
	// allowance.
	t.Logf("%d messages in %v, no 429", want, took.Round(time.Millisecond))
	if took < 4*time.Second || took > 20*time.Second {
		t.Errorf("took %v, want 4–20 s", took)
	}
}

// longText is a text of n messages' worth, in paragraphs.
func longText(n int) string {
	var sb strings.Builder
	for i := 0; messages.Length(sb.String()) < (n-1)*messages.MaxMessageLength+1000; i++ {
		fmt.Fprintf(&sb, "<b>Mục %d.</b> Tuyên truyền chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước về quốc phòng, an ninh; xây dựng nền quốc phòng toàn dân gắn với thế trận an ninh nhân dân vững chắc.\n\n", i+1)
	}
	return strings.TrimSpace(sb.String())
}

func TestLongTextGoesInOrderedPartsAsOneDelivery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	chats := append(f.addChats(emulator.ChatPrivate, 1, "city"), f.addChats(emulator.ChatGroup, 1, "city")...)
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(30)})
	f.run(e)
	text := longText(3)
	id, _, err := e.Enqueue(ctx, f.announce(text, "city"))
	if err != nil {
		t.Fatal(err)
	}
	s := f.waitReported(e, id, 30*time.Second)
	if s.Total != 2 || s.Sent != 2 {
		t.Errorf("summary %+v, want 2 deliveries sent", s)
	}
	parts := 0
	for _, c := range chats {
		msgs := f.emu.Messages(c.ID)
		var html []string
		for i, m := range msgs {
			html = append(html, m.HTML)
			if i > 0 && m.MessageID <= msgs[i-1].MessageID {
				t.Errorf("parts out of order in chat %d", c.ID)
			}
		}
		parts = len(msgs)
		if len(msgs) < 3 || strings.Join(html, "\n\n") != text {
			t.Errorf("chat %d got %d parts that do not make the text", c.ID, len(msgs))
		}
	}
	var recorded int
	if err := f.x.QueryRowContext(ctx, `SELECT parts_sent FROM deliveries WHERE broadcast_id = $1 AND chat_id = $2`, id, chats[0].ID).Scan(&recorded); err != nil || recorded != parts {
		t.Errorf("parts_sent %d (%v), want %d", recorded, err, parts)
	}
}

func TestDraftStartsOnceAndOnlyByItsAuthor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	chats := f.addChats(emulator.ChatPrivate, 20, "ward")
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(0)})
	f.run(e)

	if n, err := e.Preview(ctx, []int64{f.units["city"]}); err != nil || n != 20 {
		t.Fatalf("preview %d, %v", n, err)
	}
	id, n, err := e.CreateDraft(ctx, f.announce("Bản nháp.", "city"))
	if err != nil || n != 20 {
		t.Fatalf("draft: %d chats, %v", n, err)
	}
	time.Sleep(300 * time.Millisecond) // a dispatcher is running: it must find nothing
	if got := f.emu.MessageCount(); got != 0 {
		t.Fatalf("%d messages sent for a draft", got)
	}
	if s, _ := e.Broadcast(ctx, id); s.State != delivery.StateDraft || s.Total != 0 || s.Excerpt != "Bản nháp." {
		t.Errorf("draft summary %+v", s)
	}
	if ok, n, err := e.Start(ctx, id, author.ID+1); ok || n != 0 || err != nil {
		t.Fatalf("someone else's start: %v, %d, %v", ok, n, err)
	}
	if ok, n, err := e.Start(ctx, id, author.ID); !ok || n != 20 || err != nil {
		t.Fatalf("the author's start: %v, %d, %v", ok, n, err)
	}
	if ok, n, err := e.Start(ctx, id, author.ID); ok || n != 0 || err != nil {
		t.Fatalf("a second start: %v, %d, %v", ok, n, err)
	}
	s := f.waitReported(e, id, 20*time.Second)
	if s.Sent != 20 {
		t.Errorf("summary %+v", s)
	}
	for _, c := range chats {
		if n := len(f.emu.Messages(c.ID)); n != 1 {
			t.Errorf("chat %d got %d messages", c.ID, n)
		}
	}
	if _, err := e.Broadcast(ctx, id+1000); err == nil {
		t.Error("an unknown broadcast was found")
	}
}

func TestEnqueueWithADedupKeyOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addChats(emulator.ChatPrivate, 5, "ward")
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(0)})
	f.run(e)
	b := delivery.Broadcast{Kind: "article", Text: "<b>Bài mới</b>", Units: []int64{f.units["city"]}, DedupKey: "article:1"}
	id1, n1, err1 := e.Enqueue(ctx, b)
	id2, n2, err2 := e.Enqueue(ctx, b)
	if err1 != nil || err2 != nil || id1 != id2 || n1 != 5 || n2 != 5 {
		t.Fatalf("enqueue twice: (%d, %d, %v), (%d, %d, %v)", id1, n1, err1, id2, n2, err2)
	}
	f.waitReported(e, id1, 20*time.Second)
	if got := f.emu.MessageCount(); got != 5 {
		t.Errorf("%d messages, want 5", got)
	}
	for _, bad := range []delivery.Broadcast{
		{Kind: "article", Text: " ", Units: b.Units},
		{Kind: "", Text: "x", Units: b.Units},
		{Kind: "article", Text: "x"},
		{Kind: "article", Text: strings.Repeat("x", delivery.MaxTextLength+1), Units: b.Units},
	} {
		if _, _, err := e.Enqueue(ctx, bad); err == nil {
			t.Errorf("enqueued %+v", bad)
		}
	}
}

// TestCancelStopsTheRest: after Cancel, in the dispatching process or in
// another, only what was in flight still goes out.
func TestCancelStopsTheRest(t *testing.T) {
	t.Parallel()
	for _, elsewhere := range []bool{false, true} {
		t.Run(map[bool]string{false: "here", true: "elsewhere"}[elsewhere], func(t *testing.T) {
			t.Parallel()
			testCancel(t, elsewhere)
		})
	}
}

func testCancel(t *testing.T, elsewhere bool) {
	f := newFixture(t)
	ctx := context.Background()
	f.addChats(emulator.ChatPrivate, 200, "ward")
	const concurrency, rate = 4, 40
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(rate), Concurrency: concurrency, StatusEvery: 2 * time.Second})
	f.run(e)
	canceller, slack := e, concurrency
	if elsewhere {
		// Another process's engine, which does not dispatch: the
		// dispatcher learns of the cancel within half a second.
		canceller = f.engine(delivery.Config{Store: f.open(), Metrics: prometheus.NewRegistry()})
		slack += rate / 2
	}
	id, _, err := e.Enqueue(ctx, f.announce("Sẽ bị dừng.", "ward"))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := f.emu.WaitMessageCount(wctx, 30); err != nil {
		t.Fatal(err)
	}
	n, err := canceller.Cancel(ctx, id, author.ID)
	atCancel := f.emu.MessageCount() - len(f.emu.Messages(author.ID))
	if err != nil || n < 100 || n > 200-atCancel+concurrency {
		t.Fatalf("cancelled %d of 200 when %d were sent, %v", n, atCancel, err)
	}
	s := f.waitReported(e, id, 20*time.Second)
	sent := f.emu.MessageCount() - len(f.emu.Messages(author.ID))
	if sent > atCancel+slack {
		t.Errorf("%d sent, %d when cancelled: more than %d after the cancel", sent, atCancel, slack)
	}
	if s.State != delivery.StateCancelled || s.Sent != sent || s.Sent+s.Cancelled != 200 || s.Pending != 0 {
		t.Errorf("summary %+v, %d messages in the emulator", s, sent)
	}
	if again, err := canceller.Cancel(ctx, id, author.ID); again != 0 || err != nil {
		t.Errorf("second cancel: %d, %v", again, err)
	}
	msgs := f.emu.Messages(author.ID)
	if len(msgs) != 2 || !strings.Contains(msgs[0].Text, "Đã dừng ở") || !strings.Contains(msgs[1].Text, "Không gửi vì đã dừng") {
		t.Errorf("author's messages %+v", msgs)
	}
	recent, err := e.Recent(ctx, 5)
	if err != nil || len(recent) != 1 || recent[0].ID != id || recent[0].Cancelled != s.Cancelled || recent[0].Excerpt != "Sẽ bị dừng." {
		t.Errorf("recent %+v, %v", recent, err)
	}
}

// TestAuthorSeesOneStatusMessage: one message, edited at most once per
// StatusEvery, then the report.
func TestAuthorSeesOneStatusMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addChats(emulator.ChatPrivate, 90, "ward")
	const every = 1500 * time.Millisecond
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(20), StatusEvery: every})
	f.run(e)
	begin := time.Now()
	id, _, err := e.Enqueue(ctx, f.announce("Kiểm tra trạng thái.", "ward"))
	if err != nil {
		t.Fatal(err)
	}
	f.waitReported(e, id, 30*time.Second)
	took := time.Since(begin)
	msgs := f.emu.Messages(author.ID)
	if len(msgs) != 2 {
		t.Fatalf("author got %d messages", len(msgs))
	}
	st := msgs[0]
	maxEdits := int(took/every) + 1
	if st.Edits < 2 || st.Edits > maxEdits {
		t.Errorf("status edited %d times in %v, want 2–%d (at most every %v)", st.Edits, took, maxEdits, every)
	}
	if !strings.HasSuffix(st.Text, "Đã gửi xong 90/90 ▓▓▓▓▓▓▓▓ 100%") || !strings.Contains(st.Text, fmt.Sprintf("#%d", id)) {
		t.Errorf("status %q", st.Text)
	}
	if !strings.Contains(msgs[1].Text, "Đã gửi: 90") {
		t.Errorf("report %q", msgs[1].Text)
	}
}
