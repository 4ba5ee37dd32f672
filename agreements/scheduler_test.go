package agreements_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

var hanoi = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a moment in Hà Nội: at("03/12/2021 07:30").
func at(s string) time.Time {
	t, err := time.ParseInLocation("02/01/2006 15:04", s, hanoi)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) time.Time {
	t, err := time.Parse("02/01/2006", s)
	if err != nil {
		panic(err)
	}
	return t
}

// recorder plays the delivery engine: it keeps each broadcast once per
// dedup key, as the engine does, and fans it out to the chats that follow
// its units or a unit below them (storage.ChatsReached, the engine's query).
type recorder struct {
	db  *storage.DB
	now func() time.Time
	// engine, when set, gets every broadcast too: the real delivery engine,
	// whose dispatcher sends to the emulator.
	engine agreements.Publisher

	mu     sync.Mutex
	keys   map[string]int64
	calls  int
	sent   []recorded
	byChat map[int64][]recorded
}

type recorded struct {
	b   agreements.Broadcast
	day string // dd/mm in Hà Nội when it was handed over
}

func newRecorder(db *storage.DB, now func() time.Time) *recorder {
	return &recorder{db: db, now: now, keys: map[string]int64{}, byChat: map[int64][]recorded{}}
}

func (r *recorder) Enqueue(ctx context.Context, b agreements.Broadcast) (int64, int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.engine != nil {
		// Every call, duplicates too: the engine must drop them itself.
		if _, _, err := r.engine.Enqueue(ctx, b); err != nil {
			return 0, 0, err
		}
	}
	if id, dup := r.keys[b.DedupKey]; dup {
		return id, 0, nil
	}
	chats, err := r.db.ChatsReached(ctx, b.Units)
	if err != nil {
		return 0, 0, err
	}
	id := int64(len(r.sent) + 1)
	r.keys[b.DedupKey] = id
	rec := recorded{b: b, day: r.now().In(hanoi).Format("02/01")}
	r.sent = append(r.sent, rec)
	for _, c := range chats {
		r.byChat[c] = append(r.byChat[c], rec)
	}
	return id, len(chats), nil
}

type fixture struct {
	t     *testing.T
	db    *storage.DB
	now   time.Time
	pub   *recorder
	keys  map[int64]string // task id → key
	tasks map[string]storage.Task
}

func newFixture(t *testing.T, planPath string) *fixture {
	t.Helper()
	db := newDB(t, false)
	if _, err := agreements.Import(context.Background(), db, planPath); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, keys: map[int64]string{}, tasks: map[string]storage.Task{}}
	f.pub = newRecorder(db, func() time.Time { return f.now })
	ts, err := db.Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		f.keys[x.ID] = x.Key
		f.tasks[x.Key] = x
	}
	return f
}

// scheduler is a fresh scheduler, as a restarted process would build it.
func (f *fixture) scheduler() *agreements.Scheduler {
	return &agreements.Scheduler{
		Store: f.db, Publisher: f.pub, Clock: func() time.Time { return f.now }, Location: hanoi,
		At: 7*time.Hour + 30*time.Minute, Lang: messages.Vietnamese,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// tick runs a fresh scheduler at moment and returns "key kind" of each
// reminder sent (digests apart).
func (f *fixture) tick(moment time.Time) []string {
	f.t.Helper()
	f.now = moment
	sent, err := f.scheduler().Tick(context.Background())
	if err != nil {
		f.t.Fatalf("Tick at %v: %v", moment, err)
	}
	var out []string
	for _, s := range sent {
		if s.Kind != agreements.KindDigest {
			out = append(out, f.keys[s.TaskID]+" "+s.Kind)
		}
	}
	slices.Sort(out)
	return out
}

func (f *fixture) done(key, due string) {
	f.t.Helper()
	_, err := f.db.UpdateOccurrence(context.Background(), storage.OccurrenceUpdate{
		TaskID: f.tasks[key].ID, DueOn: date(due), UserID: 100, At: f.now, Action: storage.UpdateDone})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) follow(chatID int64, code string) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.db.UpsertChat(ctx, storage.Chat{ID: chatID, Type: "private", Title: code}); err != nil {
		f.t.Fatal(err)
	}
	u, err := f.db.UnitByCode(ctx, code)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.db.Subscribe(ctx, 100, chatID, u.ID); err != nil {
		f.t.Fatal(err)
	}
}

// TestMonthOfReminders walks December 2021 of the shipped plan day by day.
// Before it, the November occurrence of tuyen-truyen-qp was done and the
// scheduler had run up to 30/11; during it, three tasks are reported done
// and the bot is down from 16 to 18/12. Each day is ticked before the
// reminder time (nothing may go out), at 07:30 in Hà Nội, and twice more by
// fresh schedulers (restarts: nothing more may go out).
func TestMonthOfReminders(t *testing.T) {
	f := newFixture(t, fixturePlan)
	// One person's private chat per unit (private chats are paced at one
	// message a second; groups at 19 a minute would make this walk slow).
	chats := map[string]int64{"tuyengiao": 101, "chqs": 102, "dq-tra-co": 103, "p-tra-co": 104, "dq-hai-son": 105, "x-bac-son": 106}
	emu := emulator.NewT(t)
	for code, id := range chats {
		f.follow(id, code)
		emu.AddChat(emulator.PrivateChat(emulator.User{ID: id, FirstName: code}))
	}
	engine, err := delivery.New(delivery.Config{
		Store: f.db, Sender: bot.NewSender(bot.NewClient(emu.URL(), emu.Token(), 5*time.Second), false, 8),
		Limiter: delivery.NewLimiter(30), PollEvery: 20 * time.Millisecond, LockRetry: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.pub.engine = engine
	runCtx, stopEngine := context.WithCancel(context.Background())
	engineDone := make(chan error, 1)
	go func() { engineDone <- engine.Run(runCtx) }()
	defer func() { stopEngine(); <-engineDone }()
	f.now = at("25/11/2021 10:00")
	f.done("tuyen-truyen-qp", "25/11/2021")
	if err := f.db.SetLastReminderDay(context.Background(), date("30/11/2021")); err != nil {
		t.Fatal(err)
	}

	want := map[int][]string{
		1:  {"bao-ve-nen-tang overdue", "thi-dua-quyet-thang overdue"},
		2:  {"bao-ve-nen-tang overdue", "thi-dua-quyet-thang overdue"},
		3:  {"bao-ve-nen-tang overdue", "covid-19 week"},
		4:  {"du-luan-xa-hoi tomorrow"},
		5:  {"du-luan-xa-hoi today"},
		7:  {"bao-ve-nen-tang overdue"},
		8:  {"bien-gioi week"},
		9:  {"covid-19 tomorrow"},
		10: {"covid-19 today"},
		11: {"covid-19 overdue"},
		12: {"covid-19 overdue"},
		13: {"covid-19 overdue", "tham-muu-nq03 week"},
		14: {"bao-ve-nen-tang overdue", "bien-gioi tomorrow"},
		15: {"bien-gioi today", "ky-niem-22-12 week"},
		// 16–18: the bot is down. 19: one catch-up per occurrence that
		// missed something, saying where it stands today.
		19: {"bien-gioi overdue", "covid-19 overdue", "tham-muu-nq03 tomorrow", "tuyen-truyen-qp week"},
		20: {"tham-muu-nq03 today"},
		21: {"bao-ve-nen-tang overdue", "ky-niem-22-12 tomorrow"},
		22: {"bien-gioi overdue", "ky-niem-22-12 today"},
		23: {"ky-niem-22-12 overdue", "quan-triet-nghi-quyet week"},
		24: {"bao-ve-nen-tang week", "covid-19 overdue", "ky-niem-22-12 overdue", "tuyen-truyen-qp tomorrow"},
		25: {"ky-niem-22-12 overdue", "tuyen-truyen-qp today"},
		26: {"tuyen-truyen-qp overdue"},
		27: {"tuyen-truyen-qp overdue"},
		28: {"bao-ve-nen-tang overdue", "tuyen-truyen-qp overdue"},
		29: {"bien-gioi overdue", "du-luan-xa-hoi week", "ky-niem-22-12 overdue", "quan-triet-nghi-quyet tomorrow"},
		30: {"bao-ve-nen-tang tomorrow", "quan-triet-nghi-quyet today"},
		31: {"bao-ve-nen-tang today", "covid-19 overdue", "quan-triet-nghi-quyet overdue"},
	}
	var digestDays []string
	for d := 1; d <= 31; d++ {
		if d >= 16 && d <= 18 {
			continue // down
		}
		day := fmt.Sprintf("%02d/12/2021", d)
		if got := f.tick(at(day + " 07:29")); len(got) != 0 {
			t.Errorf("%s before 07:30: sent %v", day, got)
		}
		moment := at(day + " 07:30")
		if d == 19 {
			moment = at(day + " 09:12") // back after the outage
		}
		if got := f.tick(moment); !slices.Equal(got, want[d]) {
			t.Errorf("%s: sent %v\nwant %v", day, got, want[d])
		}
		for _, later := range []string{" 07:31", " 23:59"} {
			if got := f.tick(at(day + later)); len(got) != 0 {
				t.Errorf("%s%s, after a restart: sent again %v", day, later, got)
			}
		}
		switch d {
		case 2:
			f.done("thi-dua-quyet-thang", "30/11/2021")
		case 5:
			f.done("du-luan-xa-hoi", "05/12/2021")
		case 20:
			f.done("tham-muu-nq03", "20/12/2021")
		}
	}
	for _, r := range f.pub.sent {
		if r.b.Kind != agreements.BroadcastKind || r.b.Lang != messages.Vietnamese || !r.b.NoPreview {
			t.Errorf("broadcast %+v", r.b)
		}
		if strings.HasPrefix(r.b.DedupKey, "digest:") {
			digestDays = append(digestDays, r.day)
		}
	}

	// Digests go out on Mondays only (6, 13, 20, 27/12/2021), once per unit.
	slices.Sort(digestDays)
	if days := slices.Compact(slices.Clone(digestDays)); !slices.Equal(days, []string{"06/12", "13/12", "20/12", "27/12"}) {
		t.Errorf("digests went out on %v", days)
	}

	// What each unit's chats received: a reminder reaches the chats of
	// the lead and supporting units and of the units below them.
	involved := map[string][]string{
		"tuyengiao": {"tuyen-truyen-qp", "tham-muu-nq03", "ky-niem-22-12", "thi-dua-quyet-thang", "bao-ve-nen-tang", "du-luan-xa-hoi", "covid-19", "quan-triet-nghi-quyet"},
		// du-luan-xa-hoi goes to p-tra-co, and so to its militia below it.
		"dq-tra-co":  {"bien-gioi", "covid-19", "du-luan-xa-hoi"},
		"p-tra-co":   {"du-luan-xa-hoi"},
		"dq-hai-son": {"bien-gioi"},
		"x-bac-son":  {},
	}
	for code, keys := range involved {
		var wantChat, got []string
		for d, list := range want {
			for _, r := range list {
				if slices.Contains(keys, strings.Fields(r)[0]) {
					wantChat = append(wantChat, fmt.Sprintf("%02d/12 %s", d, r))
				}
			}
		}
		for _, r := range f.pub.byChat[chats[code]] {
			if strings.HasPrefix(r.b.DedupKey, "reminder:") {
				got = append(got, r.day+" "+f.reminderOf(r.b.DedupKey))
			}
		}
		slices.Sort(wantChat)
		slices.Sort(got)
		if !slices.Equal(got, wantChat) {
			t.Errorf("the %s chat received\n%v\nwant\n%v", code, got, wantChat)
		}
	}
	// chqs is in every task: its chat got every reminder, each once.
	total, reminders := 0, 0
	for _, list := range want {
		total += len(list)
	}
	for _, r := range f.pub.byChat[chats["chqs"]] {
		if strings.HasPrefix(r.b.DedupKey, "reminder:") {
			reminders++
		}
	}
	if reminders != total {
		t.Errorf("the chqs chat received %d reminders, want %d", reminders, total)
	}

	// And what the chats really received, through the delivery engine and
	// the emulator: exactly those broadcasts, each once.
	for code, id := range chats {
		want := len(f.pub.byChat[id])
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		got, err := emu.WaitMessages(ctx, id, want)
		cancel()
		if err != nil {
			t.Fatalf("the %s chat: %v", code, err)
		}
		var texts, wantTexts []string
		for _, m := range got {
			texts = append(texts, m.HTML)
		}
		for _, r := range f.pub.byChat[id] {
			wantTexts = append(wantTexts, r.b.Text)
		}
		slices.Sort(texts)
		slices.Sort(wantTexts)
		if !slices.Equal(texts, wantTexts) {
			t.Errorf("the %s chat received %d messages in the emulator, want %d:\n%q\nwant\n%q", code, len(texts), len(wantTexts), texts, wantTexts)
		}
	}
	withButtons := 0
	for _, m := range emu.Messages(chats["chqs"]) {
		if len(m.InlineKeyboard) == 1 && strings.HasPrefix(m.InlineKeyboard[0][0].CallbackData(), "tk:d:") {
			withButtons++
		}
	}
	if withButtons != total {
		t.Errorf("%d of the chqs chat's %d reminders carry the Done button", withButtons, total)
	}
	time.Sleep(300 * time.Millisecond)
	for code, id := range chats {
		if n, want := len(emu.Messages(id)), len(f.pub.byChat[id]); n != want {
			t.Errorf("the %s chat received %d messages in the end, want exactly %d", code, n, want)
		}
	}
	for _, e := range emu.Errors() {
		t.Errorf("API error: %+v", e)
	}
}

// reminderOf turns a reminder's dedup key back into "task-key kind".
func (f *fixture) reminderOf(key string) string {
	parts := strings.Split(key, ":") // reminder:<task>:<due>:<kind>:<day>
	var id int64
	fmt.Sscan(parts[1], &id)
	return f.keys[id] + " " + parts[3]
}

// writePlan writes a one-agreement plan with the given tasks (YAML lines).
func writePlan(t *testing.T, from, until, tasks string) string {
	t.Helper()
	src := "agreement:\n  code: test\n  title: Test\n  signed: " + from + "\n  from: " + from + "\n  until: " + until +
		"\n  signers: [tuyengiao, chqs]\ntasks:\n" + tasks
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReminderTimeInHanoi: 07:30 in Hà Nội is 00:30 UTC the same day; the
// clock may be in any zone.
func TestReminderTimeInHanoi(t *testing.T) {
	f := newFixture(t, fixturePlan)
	if err := f.db.SetLastReminderDay(context.Background(), date("02/12/2021")); err != nil {
		t.Fatal(err)
	}
	if got := f.tick(time.Date(2021, 12, 3, 0, 29, 59, 0, time.UTC)); len(got) != 0 {
		t.Fatalf("00:29:59 UTC = 07:29:59 in Hà Nội: sent %v", got)
	}
	// 23:00 UTC on the 2nd is already 06:00 on the 3rd in Hà Nội: still early.
	if got := f.tick(time.Date(2021, 12, 2, 23, 0, 0, 0, time.UTC)); len(got) != 0 {
		t.Fatalf("06:00 in Hà Nội: sent %v", got)
	}
	got := f.tick(time.Date(2021, 12, 3, 0, 30, 0, 0, time.UTC))
	if want := []string{"bao-ve-nen-tang overdue", "covid-19 week", "thi-dua-quyet-thang overdue"}; !slices.Equal(got, want) {
		t.Fatalf("00:30 UTC = 07:30 in Hà Nội: sent %v, want %v", got, want)
	}
	if last, _, _ := f.db.LastReminderDay(context.Background()); !last.Equal(date("03/12/2021")) {
		t.Errorf("the run is recorded for %v, want 03/12/2021 (Hà Nội's day, not UTC's)", last)
	}
	text := f.pub.sent[len(f.pub.sent)-1].b.Text
	if !strings.Contains(text, "còn 7 ngày") || !strings.Contains(text, "10/12/2021") || !strings.Contains(text, "/done ") {
		t.Errorf("reminder text:\n%s", text)
	}
}

// TestDueOnImportDay: a task due the day the plan is imported is reminded
// of that day, whether the import comes before or after the reminder time;
// the very first run sends nothing for the days before it.
func TestDueOnImportDay(t *testing.T) {
	for _, importAt := range []string{"18/11/2021 06:00", "18/11/2021 15:00"} {
		t.Run(importAt, func(t *testing.T) {
			f := newFixture(t, writePlan(t, "18/11/2021", "31/12/2021",
				"  - key: ky-ket\n    title: Lễ ký kết\n    lead: tuyengiao\n    due: 18/11/2021\n"+
					"  - key: earlier\n    title: Việc trước đó\n    lead: chqs\n    due: 17/11/2021\n    from: 01/11/2021\n"))
			moment := at(importAt)
			got := f.tick(moment)
			if moment.Hour() < 7 {
				if len(got) != 0 {
					t.Fatalf("before 07:30: %v", got)
				}
				got = f.tick(at("18/11/2021 07:30"))
			}
			if want := []string{"earlier overdue", "ky-ket today"}; !slices.Equal(got, want) {
				t.Errorf("sent %v, want %v", got, want)
			}
			if got := f.tick(at("19/11/2021 07:30")); !slices.Equal(got, []string{"earlier overdue", "ky-ket overdue"}) {
				t.Errorf("the next day: %v", got)
			}
		})
	}
}

// TestShortMonthsAndLeapYears: a task due on the 31st every month is due on
// the last day of shorter months, and one due on 29/02 every year on 28/02
// in common years and 29/02 in 2024.
func TestShortMonthsAndLeapYears(t *testing.T) {
	f := newFixture(t, writePlan(t, "01/01/2023", "31/12/2025",
		"  - key: cuoi-thang\n    title: Báo cáo cuối tháng\n    lead: tuyengiao\n    every: month\n    day: 31\n"+
			"  - key: nhuan\n    title: Ngày nhuận\n    lead: chqs\n    every: year\n    on: 29/02\n"))
	walk := func(from, to time.Time) map[string][]string {
		out := map[string][]string{}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if got := f.tick(time.Date(d.Year(), d.Month(), d.Day(), 7, 30, 0, 0, hanoi)); len(got) > 0 {
				out[d.Format("02/01")] = got
			}
		}
		return out
	}
	// January's reports are in: only February's dates are under test.
	f.done("cuoi-thang", "31/01/2023")
	f.done("cuoi-thang", "31/01/2024")
	if err := f.db.SetLastReminderDay(context.Background(), date("19/02/2023")); err != nil {
		t.Fatal(err)
	}
	got := walk(date("20/02/2023"), date("28/02/2023"))
	want := map[string][]string{
		"21/02": {"cuoi-thang week", "nhuan week"},
		"27/02": {"cuoi-thang tomorrow", "nhuan tomorrow"},
		"28/02": {"cuoi-thang today", "nhuan today"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("February 2023: %v\nwant %v", got, want)
	}
	f.done("cuoi-thang", "28/02/2023")
	f.done("nhuan", "28/02/2023")
	if got := walk(date("01/03/2023"), date("04/03/2023")); len(got) != 0 {
		t.Errorf("done tasks still reminded: %v", got)
	}
	// 2024 is a leap year.
	if err := f.db.SetLastReminderDay(context.Background(), date("20/02/2024")); err != nil {
		t.Fatal(err)
	}
	f.tick(at("21/02/2024 07:30"))
	got = walk(date("22/02/2024"), date("29/02/2024"))
	want = map[string][]string{
		"22/02": {"cuoi-thang week", "nhuan week"},
		"28/02": {"cuoi-thang tomorrow", "nhuan tomorrow"},
		"29/02": {"cuoi-thang today", "nhuan today"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("February 2024: %v\nwant %v", got, want)
	}
}
