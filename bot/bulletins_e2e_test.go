package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// bulletinRig is Loa as main.go wires it (bot, router, delivery engine) on
// the emulator and a real database, with a unit followed by private
// chats, a group and a group that became a supergroup.
type bulletinRig struct {
	emu      *emulator.Server
	db       *storage.DB
	chief    emulator.User
	chiefDM  emulator.Chat
	privates []emulator.User
	group    emulator.Chat
	super    emulator.Chat
	// later moves the engine's clock (schedules, automatic reminders).
	later atomic.Int64
}

func newBulletinRig(t *testing.T) *bulletinRig { return newPacedBulletinRig(t, 0) }

// newPacedBulletinRig sends at most rate messages a second (0: no limit).
func newPacedBulletinRig(t *testing.T, rate float64) *bulletinRig {
	t.Helper()
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	importUnits(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	client := bot.NewClient(emu.URL(), emu.Token(), 5*time.Second)
	r := &bulletinRig{}
	limiter := delivery.NewLimiter(rate)
	statusEvery := 50 * time.Millisecond
	if rate > 0 {
		statusEvery = 2 * time.Duration(float64(time.Second)/rate)
	}
	engine, err := delivery.New(delivery.Config{
		Store: db, Limiter: limiter, Logger: log, Sender: bot.NewSender(client, false, 4),
		// A status attempt that gives up its wait keeps the slot it
		// reserved: ticks shorter than the limiter's spacing would push
		// every slot away, so they are longer.
		StatusEvery: statusEvery, PollEvery: 20 * time.Millisecond, Metrics: prometheus.NewRegistry(),
		Clock: func() time.Time { return time.Now().Add(time.Duration(r.later.Load())) },
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- engine.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	router := handlers.NewRouter(handlers.Config{
		Store: db, Directory: db, Broadcasts: engine, ChatAdmins: client, BotUsername: "loa_bot",
		Lang: messages.Vietnamese, Logger: log,
	})
	start(t, emu, db, setup{handler: router})

	r.emu, r.db, r.chief = emu, db, emulator.User{ID: 9500, FirstName: "Chỉ huy", LanguageCode: "vi"}
	r.chiefDM = emulator.PrivateChat(r.chief)
	if err := db.EnsureAdmins(ctx, []int64{r.chief.ID}); err != nil {
		t.Fatal(err)
	}
	unit, err := db.UnitByCode(ctx, "dq-tran-phu")
	if err != nil {
		t.Fatal(err)
	}
	follow := func(c emulator.Chat) {
		typ := string(c.Type)
		if err := db.UpsertChat(ctx, storage.Chat{ID: c.ID, Type: typ, Title: c.Title + c.FirstName}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Subscribe(ctx, storage.SystemActor, c.ID, unit.ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		u := emulator.User{ID: int64(9510 + i), FirstName: fmt.Sprintf("Dân quân %d", i+1), LanguageCode: "vi"}
		emu.AddChat(emulator.PrivateChat(u))
		follow(emulator.PrivateChat(u))
		r.privates = append(r.privates, u)
	}
	r.group = emulator.Group(-9520, "Dân quân Trần Phú")
	emu.AddChat(r.group)
	follow(r.group)
	old := emulator.Group(-9521, "Tổ 2")
	emu.AddChat(old)
	follow(old)
	// The group became a supergroup: Telegram says so, Loa moves the
	// subscription, and bulletins go to the new id.
	r.super = emulator.Supergroup(-1001000009521, "Tổ 2")
	emu.Migrate(old.ID, r.super.ID)
	waitUntil(t, "the migration is handled", func() bool {
		reached, _ := db.ChatsReached(ctx, []int64{unit.ID})
		return len(reached) == 5 && reached[0] == r.super.ID
	})
	// Telegram tells the bot it is a member of the new supergroup, and Loa
	// greets it: wait for that, so that no test counts it as a bulletin.
	waitUntil(t, "the supergroup's welcome", func() bool { return len(emu.Messages(r.super.ID)) >= 1 })
	return r
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// targets are the chats the unit reaches.
func (r *bulletinRig) targets() []int64 {
	out := []int64{r.group.ID, r.super.ID}
	for _, u := range r.privates {
		out = append(out, u.ID)
	}
	return out
}

// send answers the preview of the chief's last command with Send and
// returns the preview.
func (r *bulletinRig) send(t *testing.T, before int) emulator.Message {
	t.Helper()
	var preview emulator.Message
	var data string
	waitUntil(t, "the preview", func() bool {
		for _, m := range r.emu.Messages(r.chiefDM.ID)[before:] {
			for _, row := range m.InlineKeyboard {
				for _, b := range row {
					if strings.HasSuffix(b.Value, ":send") {
						preview, data = m, b.Value
					}
				}
			}
		}
		return data != ""
	})
	r.emu.PressButton(r.chiefDM, r.chief, preview.MessageID, data)
	return preview
}

func TestBulletinsWithFilesReachEveryChatOnce(t *testing.T) {
	r := newBulletinRig(t)
	chief, dm := r.chief, r.chiefDM
	long := strings.Repeat("Diễn tập phòng thủ khu vực. ", 40) // over 1,024 characters
	cases := []struct {
		name string
		n    int // messages each chat gets
		// files the preview shows above its text
		files int
		post  func() // the chief's command
		// want checks the messages one chat got.
		want func(t *testing.T, got []emulator.Message)
	}{{
		name: "text", n: 1,
		post: func() { r.emu.SendText(dm, chief, "/broadcast dq-tran-phu Họp giao ban 7h30.") },
		want: func(t *testing.T, got []emulator.Message) {
			if len(got) != 1 || got[0].Media != "" || got[0].Text != "Họp giao ban 7h30." {
				t.Errorf("got %+v", got)
			}
		},
	}, {
		name: "photo with the command as its caption", n: 1, files: 1,
		post: func() {
			r.emu.SendPhoto(dm, chief, []byte("sơ đồ"), 1280, 960, "/broadcast dq-tran-phu Sơ đồ tập kết")
		},
		want: func(t *testing.T, got []emulator.Message) {
			if len(got) != 1 || got[0].Media != emulator.MediaPhoto || got[0].File.Width != 1280 || got[0].Text != "Sơ đồ tập kết" {
				t.Errorf("got %+v", got)
			}
		},
	}, {
		name: "document, in reply", n: 1, files: 1,
		post: func() {
			r.emu.SendDocument(dm, chief, []byte("%PDF kế hoạch"), "Kế hoạch diễn tập.pdf", "application/pdf", "Kế hoạch <b>số 12</b>")
			last := r.emu.PersonMessages(dm.ID)
			r.emu.ReplyTo(dm, chief, "/broadcast dq-tran-phu", last[len(last)-1].MessageID)
		},
		want: func(t *testing.T, got []emulator.Message) {
			if len(got) != 1 || got[0].Media != emulator.MediaDocument || got[0].File.FileName != "Kế hoạch diễn tập.pdf" || got[0].Text != "Kế hoạch <b>số 12</b>" {
				t.Errorf("got %+v", got)
			}
		},
	}, {
		name: "album, in reply to one of its parts", n: 3, files: 3,
		post: func() {
			_, ids, _ := r.emu.SendAlbum(dm, chief, []emulator.AlbumItem{
				{Kind: emulator.MediaPhoto, Data: []byte("1"), Caption: "Ảnh hiện trường"},
				{Kind: emulator.MediaPhoto, Data: []byte("2")},
				{Kind: emulator.MediaVideo, Data: []byte("3")},
			})
			settle(t, r.emu, r.db) // the parts are in before the reply
			r.emu.ReplyTo(dm, chief, "/broadcast dq-tran-phu Ảnh diễn tập sáng nay", ids[2])
		},
		want: func(t *testing.T, got []emulator.Message) {
			if len(got) != 3 || got[0].MediaGroupID == "" || got[2].MediaGroupID != got[0].MediaGroupID ||
				got[0].Text != "Ảnh diễn tập sáng nay" || got[2].Media != emulator.MediaVideo {
				t.Errorf("got %+v", got)
			}
		},
	}, {
		name: "a caption over the limit: the file, then the text", n: 2, files: 1,
		post: func() {
			// A person's caption stops at 1,024 characters, but the text of
			// a reply to a file does not.
			r.emu.SendDocument(dm, chief, []byte("docx"), "Hướng dẫn.docx", "", "")
			last := r.emu.PersonMessages(dm.ID)
			r.emu.ReplyTo(dm, chief, "/broadcast dq-tran-phu "+long, last[len(last)-1].MessageID)
		},
		want: func(t *testing.T, got []emulator.Message) {
			if len(got) != 2 || got[0].Media != emulator.MediaDocument || got[0].Text != "" || got[1].Media != "" || got[1].Text != strings.TrimSpace(long) {
				t.Errorf("got %d messages %+v", len(got), got)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := make(map[int64]int)
			for _, id := range r.targets() {
				before[id] = len(r.emu.Messages(id))
			}
			n := len(r.emu.Messages(dm.ID))
			tc.post()
			preview := r.send(t, n)
			files := 0
			for _, m := range r.emu.Messages(dm.ID)[n:] {
				if m.Media != "" && m.MessageID < preview.MessageID {
					files++
				}
			}
			if files != tc.files {
				t.Errorf("the preview shows %d files, want %d", files, tc.files)
			}
			if tc.name == "album, in reply to one of its parts" && !strings.Contains(preview.Text, "album 3 tệp") {
				t.Errorf("the preview does not say what goes with the text: %q", preview.Text)
			}
			if strings.HasPrefix(tc.name, "a caption over") && !strings.Contains(preview.Text, "tin riêng") {
				t.Errorf("the preview does not say the text follows the file: %q", preview.Text)
			}
			// Every chat gets the bulletin, once: settle, then count.
			for _, id := range r.targets() {
				waitUntil(t, "delivery", func() bool { return len(r.emu.Messages(id)) >= before[id]+tc.n })
			}
			settle(t, r.emu, r.db)
			time.Sleep(200 * time.Millisecond) // anything sent twice would be in by now
			for _, id := range r.targets() {
				tc.want(t, r.emu.Messages(id)[before[id]:])
			}
		})
	}
	for _, e := range r.emu.Errors() {
		t.Errorf("API error: %+v", e)
	}
}

// pressSuffix presses the button whose data ends with suffix under m.
func (r *bulletinRig) pressSuffix(t *testing.T, m emulator.Message, suffix string) {
	t.Helper()
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.HasSuffix(b.Value, suffix) {
				r.emu.PressButton(r.chiefDM, r.chief, m.MessageID, b.Value)
				return
			}
		}
	}
	t.Fatalf("no button …%s under %q", suffix, m.Text)
}

// TestUrgentBulletinPinnedWhereLoaMay: "Ghim" pins an urgent bulletin in
// the groups where Loa is an administrator allowed to pin; the report
// says in how many it could not.
func TestUrgentBulletinPinnedWhereLoaMay(t *testing.T) {
	r := newBulletinRig(t)
	r.emu.SetBotRights(r.group.ID, true, true)
	r.emu.SetBotRights(r.super.ID, true, false)
	before := map[int64]int{}
	for _, id := range r.targets() {
		before[id] = len(r.emu.Messages(id))
	}
	r.emu.SendText(r.chiefDM, r.chief, "/broadcast dq-tran-phu ! Báo động: tập trung ngay.")
	preview := waitN(t, r.emu, r.chiefDM.ID, 1)[0]
	r.pressSuffix(t, preview, ":pin")
	waitUntil(t, "the preview shows the pin", func() bool {
		m, _ := r.emu.Message(r.chiefDM.ID, preview.MessageID)
		return strings.Contains(m.Text, "Ghim")
	})
	preview, _ = r.emu.Message(r.chiefDM.ID, preview.MessageID)
	r.pressSuffix(t, preview, ":send")
	for _, id := range r.targets() {
		waitUntil(t, "delivery", func() bool { return len(r.emu.Messages(id)) == before[id]+1 })
	}
	// The pin follows the send.
	waitUntil(t, "the bulletin is pinned in the group", func() bool {
		return r.emu.Pinned(r.group.ID) == r.emu.Messages(r.group.ID)[before[r.group.ID]].MessageID
	})
	if got := r.emu.Pinned(r.super.ID); got != 0 {
		t.Errorf("pinned where Loa may not: %d", got)
	}
	for _, u := range r.privates {
		if r.emu.Pinned(u.ID) != 0 {
			t.Errorf("pinned in a private chat")
		}
	}
	waitUntil(t, "the report says where it could not pin", func() bool {
		for _, m := range r.emu.Messages(r.chiefDM.ID) {
			if strings.Contains(m.Text, "Không ghim được ở 1 nhóm") {
				return true
			}
		}
		return false
	})
}

// TestRecallRunsInTheEngine: /recall answers at once and the copies are
// deleted in the background, paced: the author's chat is not held (a
// command right after is answered before the recall is done), and the
// report follows with every copy deleted.
func TestRecallRunsInTheEngine(t *testing.T) {
	r := newPacedBulletinRig(t, 2) // 5 copies take over two seconds to delete
	before := map[int64]int{}
	for _, id := range r.targets() {
		before[id] = len(r.emu.Messages(id))
	}
	r.emu.SendText(r.chiefDM, r.chief, "/broadcast dq-tran-phu Họp lúc 7h.")
	r.send(t, 0)
	for _, id := range r.targets() {
		waitUntil(t, "delivery", func() bool { return len(r.emu.Messages(id)) == before[id]+1 })
	}
	settle(t, r.emu, r.db)
	n := len(r.emu.Messages(r.chiefDM.ID))
	r.emu.SendText(r.chiefDM, r.chief, "/recall 1")
	r.emu.SendText(r.chiefDM, r.chief, "/help")
	got := waitN(t, r.emu, r.chiefDM.ID, n+2)
	if !strings.Contains(got[n].Text, "đang thu hồi") || strings.Contains(got[n+1].Text, "Đã thu hồi") {
		t.Fatalf("after /recall and /help: %q, %q", got[n].Text, got[n+1].Text)
	}
	waitUntil(t, fmt.Sprintf("the recall report %+v", func() (s []string) {
		for _, m := range r.emu.Messages(r.chiefDM.ID) {
			s = append(s, m.Text)
		}
		return
	}()), func() bool {
		for _, m := range r.emu.Messages(r.chiefDM.ID)[n:] {
			if strings.Contains(m.Text, "Đã thu hồi thông báo #1: 5/5 tin nhắn") {
				return true
			}
		}
		return false
	})
	for _, id := range r.targets() {
		if got := len(r.emu.Messages(id)); got != before[id] {
			t.Errorf("chat %d keeps %d copies", id, got-before[id])
		}
	}
}

// TestAutomaticReminder: "Tự nhắc" set in the preview reminds, 30 minutes
// after the call went out, the members who have not answered, once.
func TestAutomaticReminder(t *testing.T) {
	r := newBulletinRig(t)
	ctx := context.Background()
	unit, _ := r.db.UnitByCode(ctx, "dq-tran-phu")
	for _, u := range r.privates {
		if err := r.db.UpsertUser(ctx, storage.User{ID: u.ID, FirstName: u.FirstName}); err != nil {
			t.Fatal(err)
		}
		if err := r.db.SetMembership(ctx, storage.SystemActor, u.ID, unit.ID, storage.RoleMember); err != nil {
			t.Fatal(err)
		}
	}
	r.emu.SendText(r.chiefDM, r.chief, "/broadcast dq-tran-phu ? Có mặt | Vắng mặt ? Tập trung 7h.")
	preview := waitN(t, r.emu, r.chiefDM.ID, 1)[0]
	r.pressSuffix(t, preview, ":auto")
	waitUntil(t, "the preview shows the reminder", func() bool {
		m, _ := r.emu.Message(r.chiefDM.ID, preview.MessageID)
		return strings.Contains(m.Text, "Tự nhắc")
	})
	r.send(t, 0)
	copies := map[int64]emulator.Message{}
	for _, u := range r.privates {
		copies[u.ID] = waitN(t, r.emu, u.ID, 1)[0]
	}
	first := r.privates[0]
	r.emu.PressButton(emulator.PrivateChat(first), first, copies[first.ID].MessageID, delivery.AnswerData(1, 0))
	settle(t, r.emu, r.db)
	time.Sleep(300 * time.Millisecond) // ticks pass: nothing is due yet
	for _, u := range r.privates {
		if n := len(r.emu.Messages(u.ID)); n != 1 {
			t.Fatalf("%s got %d messages before the reminder was due", u.FirstName, n)
		}
	}
	r.later.Store(int64(31 * time.Minute))
	for _, u := range r.privates[1:] {
		m := waitN(t, r.emu, u.ID, 2)[1]
		if m.ReplyToMessageID != copies[u.ID].MessageID || !strings.Contains(m.Text, "Nhắc lại") {
			t.Errorf("reminder to %s: %+v", u.FirstName, m)
		}
	}
	time.Sleep(300 * time.Millisecond)
	for _, u := range r.privates {
		want := 2
		if u.ID == first.ID {
			want = 1
		}
		if n := len(r.emu.Messages(u.ID)); n != want {
			t.Errorf("%s got %d messages, want %d", u.FirstName, n, want)
		}
	}
}
