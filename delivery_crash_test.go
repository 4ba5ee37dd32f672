package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// TestKilledDispatcherLosesNothing is the delivery engine's crash test: a
// real loa process is killed with SIGKILL in the middle of a 2,000-chat
// broadcast and started again. No chat misses the message; the chats that
// got it twice (sent, then killed before the record was committed) are at
// most the concurrency.
func TestKilledDispatcherLosesNothing(t *testing.T) {
	const chats, concurrency = 2000, 16
	emu := emulator.NewT(t, emulator.WithToken(token))
	dbURL := pgtest.NewURL(t)
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{{Code: "city", Name: "Thành phố", Kind: "city", Visibility: storage.Public}}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	city, err := db.UnitByCode(ctx, "city")
	if err != nil {
		t.Fatal(err)
	}
	all := emu.AddChats(emulator.ChatPrivate, chats)
	pgtest.Followers(t, dbURL, city.ID, emulator.ChatIDs(all))

	// Enqueued before any loa runs, as another process (or a handler)
	// would: the dispatcher finds it in the database.
	e, err := delivery.New(delivery.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	id, n, err := e.Enqueue(ctx, delivery.Broadcast{Kind: "announcement", Lang: messages.Vietnamese,
		Text: "<b>Diễn tập</b> phòng thủ khu vực, 7h30 ngày 20/11.", Units: []int64{city.ID}})
	if err != nil || n != chats {
		t.Fatalf("enqueue: %d chats, %v", n, err)
	}

	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": dbURL, "TELEGRAM_API_ENDPOINT": emu.URL(),
		"LOA_OPS_ADDR": "127.0.0.1:0", "LOA_RATE_LIMIT": "200", "LOA_DELIVERY_CONCURRENCY": "16",
	}
	a := startLoa(t, vars)
	waitFor(t, "500 messages from the first process", 30*time.Second, func() bool { return emu.MessageCount() >= 500 })
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()
	atKill := emu.MessageCount()
	if atKill >= chats {
		t.Fatalf("the broadcast was over (%d messages) before the kill", atKill)
	}

	b := startLoa(t, vars)
	waitFor(t, "the broadcast to finish after the restart", 60*time.Second, func() bool {
		s, err := e.Broadcast(ctx, id)
		return err == nil && s.State == delivery.StateDone
	})
	missing, twice := 0, 0
	for _, c := range all {
		switch n := len(emu.Messages(c.ID)); {
		case n == 0:
			missing++
		case n == 2:
			twice++
		case n > 2:
			t.Errorf("chat %d got the message %d times", c.ID, n)
		}
	}
	t.Logf("killed at %d messages; after the restart: %d chats missing the message, %d got it twice (at most %d allowed)",
		atKill, missing, twice, concurrency)
	if missing != 0 || twice > concurrency {
		t.Errorf("%d chats missing, %d twice; want 0 and at most %d", missing, twice, concurrency)
	}
	s, _ := e.Broadcast(ctx, id)
	if s.Sent != chats || s.Pending != 0 {
		t.Errorf("summary %+v", s)
	}
	if !strings.Contains(b.log(), "freed the deliveries a previous dispatcher had claimed") {
		t.Errorf("the restarted process did not free the dead one's claims:\n%s", b.log())
	}

	// The counters and the queue, at /metrics.
	addr := regexp.MustCompile(`ops listener ready" addr=(\S+)`).FindStringSubmatch(b.log())
	if addr == nil {
		t.Fatalf("no listener address in the log:\n%s", b.log())
	}
	resp, err := http.Get("http://" + addr[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"loa_delivery_sent_total ", "loa_delivery_queue_depth 0", "loa_delivery_rate_limited_total 0", "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, b.log())
	}
	if !strings.Contains(b.log(), "broadcast finished") {
		t.Errorf("no log line for the finished broadcast:\n%s", b.log())
	}
}
