package delivery_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
)

// TestPriorityFigures measures acceptance 3 of issue 11 end to end, through
// PostgreSQL and the emulator enforcing Telegram's ceilings: while a
// 20,000-chat routine broadcast goes out at 30/s, an urgent 50-chat
// bulletin and a routine 50-chat bulletin are sent; it prints how long
// after Send the last of each one's 50 chats got it.
//
//	LOA_BENCH=1 go test -run=PriorityFigures -v ./delivery/
//
// Oldest-first claiming would take about 11 minutes for both (the big
// broadcast's 20,000 chats first).
func TestPriorityFigures(t *testing.T) {
	if os.Getenv("LOA_BENCH") == "" {
		t.Skip("set LOA_BENCH=1 to measure (about half a minute)")
	}
	const big, small = 20_000, 50
	f := newFixture(t, emulator.WithLimits(emulator.TelegramLimits()))
	if _, err := f.db.ApplyUnits(context.Background(), []storage.UnitSpec{
		{Code: "city", Name: "Thành phố", Kind: "city", Visibility: storage.Public},
		{Code: "ward", Name: "Phường Trà Cổ", Kind: "ward", Visibility: storage.Public, ParentCode: "city"},
		{Code: "groups", Name: "Các nhóm", Kind: "test", Visibility: storage.Public},
		{Code: "militia", Name: "Dân quân", Kind: "militia", Visibility: storage.Public},
	}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	us, err := f.db.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		f.units[u.Code] = u.ID
	}
	f.addChats(emulator.ChatPrivate, big, "city")
	urgentChats := f.addChats(emulator.ChatPrivate, small, "militia")
	routineChats := f.addChats(emulator.ChatPrivate, small, "groups")
	// The production defaults: 16 senders, a look at the queue every second.
	e := f.engine(delivery.Config{Limiter: delivery.NewLimiter(30), Concurrency: 16, PollEvery: time.Second})
	f.run(e)
	ctx := context.Background()
	bigID, _, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "article", Text: "<b>Bài viết mới</b>", Units: []int64{f.units["city"]}})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := f.emu.WaitMessageCount(wctx, 300); err != nil { // ten seconds into it: the queue is full
		t.Fatal(err)
	}
	send := func(unit string, urgent bool) (int64, time.Time) {
		b := f.announce("<b>Diễn tập</b> phòng thủ, tập trung 7h00.", unit)
		b.Urgent = urgent
		id, _, err := e.CreateDraft(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now()
		if ok, _, err := e.Start(ctx, id, author.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
		return id, at
	}
	_, urgentAt := send("militia", true)
	_, routineAt := send("groups", false)
	reached := func(chats []emulator.Chat, from time.Time, within time.Duration) time.Duration {
		for {
			n := 0
			for _, c := range chats {
				if len(f.emu.Messages(c.ID)) > 0 {
					n++
				}
			}
			if n == len(chats) {
				return time.Since(from)
			}
			if time.Since(from) > within {
				t.Fatalf("%d of %d chats reached after %v", n, len(chats), within)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	urgentTook := reached(urgentChats, urgentAt, time.Minute)
	routineTook := reached(routineChats, routineAt, time.Minute)
	t.Logf("during a %d-chat routine broadcast at 30/s: urgent %d-chat bulletin reached all within %v of Send, routine %d-chat bulletin within %v; %d self-caused 429s",
		big, small, urgentTook.Round(10*time.Millisecond), small, routineTook.Round(10*time.Millisecond), f.emu.SelfCausedTooManyRequests())
	if urgentTook > 4*time.Second || routineTook > 10*time.Second || f.emu.SelfCausedTooManyRequests() != 0 {
		t.Errorf("want urgent ≤ 4 s, routine ≤ 10 s, no 429")
	}
	if _, err := e.Cancel(ctx, bigID, 0); err != nil {
		t.Fatal(err)
	}
}
