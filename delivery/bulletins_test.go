package delivery_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
)

// shiftClock is a clock a test moves forward.
type shiftClock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *shiftClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.d)
}

func (c *shiftClock) add(d time.Duration) {
	c.mu.Lock()
	c.d += d
	c.mu.Unlock()
}

// TestEditAndRecallReachEveryCopy: a bulletin in two parts to private
// chats, a group and a group that turned into a supergroup on the way;
// /edit changes the first message of every copy, /recall deletes every
// message of every copy, and what Telegram refuses (a message over 48 hours
// old) is counted by its reason, not hidden.
func TestEditAndRecallReachEveryCopy(t *testing.T) {
	clock := &shiftClock{}
	f := newFixture(t, emulator.WithClock(clock.now))
	ctx := context.Background()
	private := f.addChats(emulator.ChatPrivate, 3, "ward")
	group := emulator.Group(-7001, "Nhóm dân quân")
	old := emulator.Group(-7002, "Nhóm cũ")
	for _, g := range []emulator.Chat{group, old} {
		f.emu.AddChat(g)
		if err := seed(ctx, f.url, []emulator.Chat{g}, f.units["ward"]); err != nil {
			t.Fatal(err)
		}
	}
	const super = -1007002000000
	f.emu.Migrate(old.ID, super)
	e := f.engine(delivery.Config{})
	f.run(e)
	id, n, err := e.Enqueue(ctx, f.announce("<b>Diễn tập</b> phòng thủ lúc 7h00.", "ward"))
	if err != nil || n != 5 {
		t.Fatal(n, err)
	}
	f.waitReported(e, id, 30*time.Second)
	chats := []int64{private[0].ID, private[1].ID, private[2].ID, group.ID, super}
	for _, c := range chats {
		if ms := f.emu.Messages(c); len(ms) != 1 || ms[0].Text != "Diễn tập phòng thủ lúc 7h00." {
			t.Fatalf("chat %d got %+v", c, ms)
		}
	}

	rev, err := e.Edit(ctx, id, author.ID, "<b>Diễn tập</b> phòng thủ lúc 7h30.")
	if err != nil || rev.Messages != 5 || rev.Done != 5 || len(rev.Refused) != 0 {
		t.Fatalf("edit: %+v, %v", rev, err)
	}
	for _, c := range chats {
		if ms := f.emu.Messages(c); len(ms) != 1 || ms[0].Text != "Diễn tập phòng thủ lúc 7h30." || ms[0].Edits != 1 {
			t.Fatalf("chat %d after the edit: %+v", c, ms)
		}
	}

	// One copy is deleted in time; then two days pass for the others.
	var log []storage.AuditEntry
	if log, err = f.db.AuditLog(ctx, 10); err != nil || len(log) == 0 || log[0].Action != storage.AuditBroadcastEdit || log[0].ActorID != author.ID {
		t.Fatalf("audit after the edit: %+v %v", log, err)
	}
	id2, _, err := e.Enqueue(ctx, f.announce("Tin thứ hai.", "ward"))
	if err != nil {
		t.Fatal(err)
	}
	f.waitReported(e, id2, 30*time.Second)
	clock.add(49 * time.Hour)
	rev, err = e.Recall(ctx, id2, author.ID)
	if err != nil || rev.Messages != 5 || rev.Done != 0 || rev.Refused[delivery.ReasonCantDelete] != 5 {
		t.Fatalf("recall after 49 h: %+v, %v", rev, err)
	}
	clock.add(-49 * time.Hour)
	rev, err = e.Recall(ctx, id, author.ID)
	if err != nil || rev.Messages != 5 || rev.Done != 5 {
		t.Fatalf("recall: %+v, %v", rev, err)
	}
	for _, c := range chats {
		if ms := f.emu.Messages(c); len(ms) != 1 || ms[0].Text != "Tin thứ hai." {
			t.Fatalf("chat %d after the recall: %+v", c, ms)
		}
	}
}

// TestScheduledBulletinAcrossARestart: a bulletin scheduled for later goes
// out once at its time although the dispatcher stopped and another took
// over meanwhile; one cancelled before its time never goes.
func TestScheduledBulletinAcrossARestart(t *testing.T) {
	clock := &shiftClock{}
	f := newFixture(t)
	ctx := context.Background()
	chats := f.addChats(emulator.ChatPrivate, 4, "ward")
	first := f.engine(delivery.Config{Clock: clock.now})
	stop := f.run(first)
	draft := func(text string) int64 {
		b := f.announce(text, "ward")
		b.At = clock.now().Add(2 * time.Hour)
		id, _, err := first.CreateDraft(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, err := first.Start(ctx, id, author.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
		return id
	}
	kept := draft("Họp lúc 9h.")
	dropped := draft("Tin sẽ hủy.")
	if _, err := first.Cancel(ctx, dropped, author.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a few looks at the queue: nothing is due
	for _, c := range chats {
		if ms := f.emu.Messages(c.ID); len(ms) != 0 {
			t.Fatalf("chat %d got %+v before its time", c.ID, ms)
		}
	}
	stop()
	clock.add(2*time.Hour + time.Second)
	second := f.engine(delivery.Config{Clock: clock.now, Store: f.open(), Metrics: prometheus.NewRegistry()})
	f.run(second)
	s := f.waitReported(second, kept, 30*time.Second)
	if s.Sent != 4 {
		t.Fatalf("after its time: %+v", s)
	}
	time.Sleep(300 * time.Millisecond)
	for _, c := range chats {
		if ms := f.emu.Messages(c.ID); len(ms) != 1 || ms[0].Text != "Họp lúc 9h." {
			t.Fatalf("chat %d got %+v", c.ID, ms)
		}
	}
}
