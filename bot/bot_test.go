package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var (
	lan   = emulator.User{ID: 5001, FirstName: "Lan", LastName: "Nguyễn", LanguageCode: "vi"}
	minh  = emulator.User{ID: 5002, FirstName: "Minh", LanguageCode: "vi"}
	lanDM = emulator.PrivateChat(lan)
	group = emulator.Group(-4242, "Dân quân phường Trà Cổ")
)

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is one loa process as far as a test is concerned: the real bot and
// router on a real database, talking to the emulator.
type running struct {
	bot  *bot.Bot
	stop func() time.Duration // cancels and returns how long Run took to return
	log  *syncBuffer
}

type setup struct {
	mode    bot.Mode
	secret  string
	handler bot.Handler
	workers int
	pacer   bot.Pacer
	checks  []bot.HealthCheck
}

func start(t *testing.T, emu *emulator.Server, db *storage.DB, s setup) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := bot.NewClient(emu.URL(), emu.Token(), 5*time.Second)
	me, err := client.Connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	router := handlers.NewRouter(handlers.Config{
		Store: db, Directory: db, ChatAdmins: client, BotUsername: me.UserName,
		Lang: messages.Vietnamese, Logger: log,
	})
	h := s.handler
	if h == nil {
		h = router
	}
	opts := bot.Options{
		Client: client, Store: db, Handler: h, Logger: log,
		Mode: s.mode, Commands: router.Commands(), Langs: []messages.Lang{messages.Vietnamese, messages.English},
		PollTimeout: 2 * time.Second, LockRetry: 200 * time.Millisecond, IdleClaim: 50 * time.Millisecond,
		ShutdownGrace: 5 * time.Second, Workers: s.workers, HealthCacheTTL: time.Millisecond,
		HTTPAddr: "127.0.0.1:0", Pacer: s.pacer, HealthChecks: s.checks,
	}
	if s.mode == bot.Webhook {
		// Deployments often make the token the webhook's secret path:
		// it must not reach the log from there either.
		opts.WebhookURL = "https://loa.example.org/telegram/" + emu.Token()
		opts.WebhookSecret = s.secret
	}
	b, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for s.mode == bot.Webhook && b.Addr() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r := &running{bot: b, log: logs}
	var once sync.Once
	var took time.Duration
	r.stop = func() time.Duration {
		once.Do(func() {
			begin := time.Now()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("Run did not return 15 s after cancel")
			}
			took = time.Since(begin)
			_, tokenSecret, _ := strings.Cut(emu.Token(), ":")
			for _, secret := range []string{emu.Token(), tokenSecret, s.secret} {
				if secret != "" && strings.Contains(logs.String(), secret) {
					t.Errorf("a secret (%.6s…) appears in the logs:\n%s", secret, logs.String())
				}
			}
		})
		return took
	}
	t.Cleanup(func() { r.stop() })
	return r
}

func waitN(t *testing.T, emu *emulator.Server, chatID int64, n int) []emulator.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := emu.WaitMessages(ctx, chatID, n)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// settle waits until Telegram has no unconfirmed update and the inbox has
// nothing unhandled, so counts taken afterwards are final.
func settle(t *testing.T, emu *emulator.Server, db *storage.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		n, err := db.PendingUpdates(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && emu.PendingUpdates() == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("updates still pending after 10 s")
}

func TestStartHelpAndRestartNeitherLosesNorRepeats(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)

	first := start(t, emu, db, setup{})
	emu.SendText(lanDM, lan, "/start")
	got := waitN(t, emu, lanDM.ID, 1)
	if want := messages.T(messages.Vietnamese, messages.KeyStartGreeting, "Lan"); got[0].HTML != want {
		t.Fatalf("greeting = %q, want %q", got[0].HTML, want)
	}
	if !strings.Contains(got[0].Text, "Chào") {
		t.Fatalf("greeting is not Vietnamese: %q", got[0].Text)
	}
	emu.SendText(group, minh, "/help@loa_bot")
	help := waitN(t, emu, group.ID, 1)
	if !strings.Contains(help[0].Text, "/start") {
		t.Fatalf("help in the group: %q", help[0].Text)
	}
	if len(emu.CommandsFor(emulator.CommandScope{Type: "default"}, "vi")) == 0 {
		t.Fatal("the command list was not registered")
	}
	settle(t, emu, db)
	first.stop()

	// While the bot is down people keep writing.
	emu.SendText(lanDM, lan, "/help")
	emu.SendText(group, minh, "/start@loa_bot")
	emu.SendText(lanDM, lan, "xin chào")

	second := start(t, emu, db, setup{})
	waitN(t, emu, lanDM.ID, 3)
	waitN(t, emu, group.ID, 2)
	settle(t, emu, db)
	second.stop()

	// A third start must not handle anything again: a new message is answered
	// and nothing old comes back before it.
	start(t, emu, db, setup{})
	emu.SendText(lanDM, lan, "/start")
	waitN(t, emu, lanDM.ID, 4)
	settle(t, emu, db)
	time.Sleep(200 * time.Millisecond)
	if n := len(emu.Messages(lanDM.ID)); n != 4 {
		t.Fatalf("private chat got %d replies, want exactly 4", n)
	}
	if n := len(emu.Messages(group.ID)); n != 2 {
		t.Fatalf("group got %d replies, want exactly 2", n)
	}
	texts := emu.Messages(lanDM.ID)
	wantOrder := []messages.Key{messages.KeyStartGreeting, messages.KeyHelpHeader, messages.KeyPlainTextHint, messages.KeyStartGreeting}
	for i, k := range wantOrder {
		prefix := messages.T(messages.Vietnamese, k)
		if k == messages.KeyStartGreeting {
			prefix = messages.T(messages.Vietnamese, k, "Lan")
		}
		if !strings.HasPrefix(texts[i].HTML, prefix) {
			t.Errorf("reply %d = %q, want it to start with %q", i, texts[i].HTML, prefix)
		}
	}
	for _, e := range emu.Errors() {
		t.Errorf("the bot caused an API error: %+v", e)
	}
}

func TestRepliesKeepOrderWithinAChat(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	start(t, emu, db, setup{workers: 4})
	users := make([]emulator.User, 6)
	for i := range users {
		users[i] = emulator.User{ID: int64(6000 + i), FirstName: fmt.Sprintf("U%d", i), LanguageCode: "vi"}
	}
	const rounds = 5
	for r := 0; r < rounds; r++ {
		for _, u := range users {
			if r%2 == 0 {
				emu.SendText(emulator.PrivateChat(u), u, "/start")
			} else {
				emu.SendText(emulator.PrivateChat(u), u, "/help")
			}
		}
	}
	for _, u := range users {
		msgs := waitN(t, emu, u.ID, rounds)
		for r, m := range msgs {
			isGreeting := strings.HasPrefix(m.HTML, messages.T(messages.Vietnamese, messages.KeyStartGreeting, u.FirstName))
			if isGreeting != (r%2 == 0) {
				t.Fatalf("chat %d: reply %d out of order: %q", u.ID, r, m.Text)
			}
		}
	}
}

func TestWebhookChecksTheSecretAndHandlesOnce(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	const secret = "s3cret_Token-123"
	r := start(t, emu, db, setup{mode: bot.Webhook, secret: secret})
	// Run listens first, then registers the webhook.
	for deadline := time.Now().Add(5 * time.Second); emu.Calls("setWebhook") == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if emu.Calls("setWebhook") != 1 {
		t.Fatalf("setWebhook called %d times", emu.Calls("setWebhook"))
	}
	emu.AddChat(lanDM)
	hook := "http://" + r.bot.Addr().String() + "/telegram/" + emu.Token()
	update := fmt.Sprintf(`{"update_id":700001,"message":{"message_id":11,"from":{"id":%d,"is_bot":false,"first_name":"Lan","language_code":"vi"},"chat":{"id":%d,"first_name":"Lan","type":"private"},"date":1637228640,"text":"/start","entities":[{"offset":0,"length":6,"type":"bot_command"}]}}`, lan.ID, lan.ID)
	post := func(secretHeader string) int {
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(update))
		req.Header.Set("Content-Type", "application/json")
		if secretHeader != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret answered %d, want 401", code)
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Fatalf("missing secret answered %d, want 401", code)
	}
	if n, _ := db.PendingUpdates(context.Background()); n != 0 {
		t.Fatalf("a refused update was stored (%d pending)", n)
	}
	if code := post(secret); code != http.StatusOK {
		t.Fatalf("right secret answered %d, want 200", code)
	}
	waitN(t, emu, lanDM.ID, 1)
	// Telegram delivers again when it missed our answer: handled once only.
	if code := post(secret); code != http.StatusOK {
		t.Fatalf("redelivery answered %d, want 200", code)
	}
	settle(t, emu, db)
	time.Sleep(200 * time.Millisecond)
	if n := len(emu.Messages(lanDM.ID)); n != 1 {
		t.Fatalf("got %d replies, want exactly 1", n)
	}

	// And through the emulator playing Telegram with its own secret header.
	emu.RouteWebhook(func(string) string { return hook })
	emu.SendText(group, minh, "/help@loa_bot")
	waitN(t, emu, group.ID, 1)
	for _, d := range emu.WebhookDeliveries() {
		if d.StatusCode != http.StatusOK {
			t.Errorf("webhook delivery answered %d", d.StatusCode)
		}
	}
}

// TestABusyChatDoesNotHoldUpOthers: replies into one chat leave 1.1 s
// apart (Telegram's one a second); a person who writes while a group's
// commands queue up is answered at once, not after the group's queue. With
// one handling slot, a handler waiting for its chat's pace used to hold it,
// and Lan waited behind every group command claimed before his.
func TestABusyChatDoesNotHoldUpOthers(t *testing.T) {
	emu := emulator.NewT(t, emulator.WithLimits(emulator.TelegramLimits()))
	db := pgtest.New(t)
	// Waiting at Telegram before the bot starts, so that one getUpdates
	// fetches them all and the first claim (4 updates for one slot) takes
	// the group's four oldest.
	const groupCommands = 6
	for range groupCommands {
		emu.SendText(group, minh, "/help@loa_bot")
	}
	emu.SendText(lanDM, lan, "/help")
	r := start(t, emu, db, setup{workers: 1, pacer: delivery.NewLimiter(30)})
	waitN(t, emu, lanDM.ID, 1)
	// The group's fourth reply leaves 3.3 s after its first.
	if n := len(emu.Messages(group.ID)); n >= 4 {
		t.Fatalf("Lan was answered only after %d replies into the busy group\n%s", n, r.log)
	}
	// The group still gets every reply, once.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := emu.WaitMessages(ctx, group.ID, groupCommands); err != nil {
		t.Fatal(err)
	}
	settle(t, emu, db)
	if n := len(emu.Messages(group.ID)); n != groupCommands {
		t.Fatalf("group got %d replies, want %d", n, groupCommands)
	}
	for _, e := range emu.Errors() {
		t.Errorf("API error (429 would mean the pace was broken): %+v", e)
	}
}

// TestFloodingChatsDoNotStarveANewOne: six people send five commands each
// (answered 1.1 s apart per chat); Lan, writing after them, is answered
// at once. The inbox gives out the chat with the oldest waiting update
// first, so when each handled update made room to claim just one more, the
// room always went to a flooding chat and Lan waited for their backlog.
func TestFloodingChatsDoNotStarveANewOne(t *testing.T) {
	emu := emulator.NewT(t, emulator.WithLimits(emulator.TelegramLimits()))
	db := pgtest.New(t)
	flooders := make([]emulator.User, 6)
	for i := range flooders {
		flooders[i] = emulator.User{ID: int64(5101 + i), FirstName: fmt.Sprintf("F%d", i), LanguageCode: "vi"}
	}
	const each = 5
	for _, u := range flooders {
		for range each {
			emu.SendText(emulator.PrivateChat(u), u, "/help")
		}
	}
	emu.SendText(lanDM, lan, "/help")
	r := start(t, emu, db, setup{workers: 1, pacer: delivery.NewLimiter(30)})
	waitN(t, emu, lanDM.ID, 1)
	// Each flooder's third reply leaves 2.2 s after its first.
	for _, u := range flooders {
		if n := len(emu.Messages(u.ID)); n >= 3 {
			t.Fatalf("Lan was answered only after %d replies to %s\n%s", n, u.FirstName, r.log)
		}
	}
	r.stop()
	for _, e := range emu.Errors() {
		t.Errorf("API error: %+v", e)
	}
}

func TestOnlyOneProcessPollsAndAnotherTakesOver(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	a := start(t, emu, db, setup{})
	waitPolling(t, a)
	b := start(t, emu, db, setup{})
	for i := range 10 {
		u := emulator.User{ID: int64(7000 + i), FirstName: "P", LanguageCode: "vi"}
		emu.SendText(emulator.PrivateChat(u), u, "/start")
	}
	for i := range 10 {
		waitN(t, emu, int64(7000+i), 1)
	}
	a.stop()
	emu.SendText(lanDM, lan, "/start")
	begin := time.Now()
	waitN(t, emu, lanDM.ID, 1)
	t.Logf("the second process answered %v after the first stopped", time.Since(begin))
	settle(t, emu, db)
	for i := range 10 {
		if n := len(emu.Messages(int64(7000 + i))); n != 1 {
			t.Errorf("chat %d got %d replies", 7000+i, n)
		}
	}
	for _, e := range emu.Errors() {
		t.Errorf("API error (409 would mean two pollers): %+v", e)
	}
	if !strings.Contains(b.log.String(), "this process now polls") {
		t.Fatal("the second process never took over polling")
	}
}

func waitPolling(t *testing.T, r *running) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(r.log.String(), "this process now polls") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the process never started polling")
}

// panicky panics on "/boom" and otherwise answers "ok".
type panicky struct{}

func (panicky) Handle(ctx context.Context, req handlers.Request) handlers.Response {
	if req.Text == "/boom" {
		panic("boom")
	}
	return handlers.Response{Replies: []handlers.Reply{{Text: "ok"}}}
}

func TestAPanicDoesNotStopTheBot(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	r := start(t, emu, db, setup{handler: panicky{}})
	boom := emu.SendText(lanDM, lan, "/boom")
	emu.SendText(lanDM, lan, "/start")
	msgs := waitN(t, emu, lanDM.ID, 1)
	if msgs[0].Text != "ok" {
		t.Fatalf("got %q", msgs[0].Text)
	}
	settle(t, emu, db)
	if !strings.Contains(r.log.String(), fmt.Sprintf("update_id=%d", boom)) {
		t.Fatalf("the panic was not logged with its update id:\n%s", r.log.String())
	}
}

func TestShutdownIsPromptDuringALongPoll(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	r := start(t, emu, db, setup{})
	waitPolling(t, r)
	time.Sleep(300 * time.Millisecond) // inside a getUpdates wait now
	if took := r.stop(); took > 3*time.Second {
		t.Fatalf("stopping took %v", took)
	}
}

func TestHealth(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	var degraded atomic.Bool
	r := start(t, emu, db, setup{checks: []bot.HealthCheck{{Name: "delivery", Check: func(context.Context) error {
		if degraded.Load() {
			return errors.New("dispatcher has not run for 5m0s")
		}
		return nil
	}}}})
	if r.bot.Addr() != nil {
		t.Fatalf("polling mode opened a listener at %v", r.bot.Addr())
	}
	ops := httptest.NewServer(r.bot.Health())
	defer ops.Close()
	get := func() (int, map[string]string) {
		resp, err := http.Get(ops.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("health body %q: %v", body, err)
		}
		return resp.StatusCode, m
	}
	if code, m := get(); code != 200 || len(m) != 3 || m["database"] != "ok" || m["telegram"] != "ok" || m["delivery"] != "ok" {
		t.Fatalf("healthy bot: %d %v", code, m)
	}
	degraded.Store(true)
	if code, m := get(); code != 503 || m["delivery"] != "dispatcher has not run for 5m0s" || m["database"] != "ok" || m["telegram"] != "ok" {
		t.Fatalf("with delivery degraded: %d %v", code, m)
	}
	degraded.Store(false)
	emu.Close()
	time.Sleep(5 * time.Millisecond)
	code, m := get()
	if code != 503 || !strings.HasPrefix(m["telegram"], "getMe: ") || m["database"] != "ok" || m["delivery"] != "ok" {
		t.Fatalf("with Telegram down: %d %v", code, m)
	}
	if strings.Contains(m["telegram"], emu.Token()) {
		t.Fatalf("the reason leaks the token: %q", m["telegram"])
	}
}

// TestOpsListener serves and stops with its context, and says where it is.
func TestOpsListener(t *testing.T) {
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "up 1\n") })
	go func() { done <- bot.ServeOps(ctx, "127.0.0.1:0", mux, log) }()
	re := regexp.MustCompile(`ops listener ready" addr=(\S+)`)
	var addr []string
	for deadline := time.Now().Add(5 * time.Second); addr == nil && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		addr = re.FindStringSubmatch(logs.String())
	}
	if addr == nil {
		t.Fatalf("no address in the log:\n%s", logs)
	}
	resp, err := http.Get("http://" + addr[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "up 1\n" {
		t.Fatalf("got %q", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "ops listener stopped") {
		t.Fatalf("no stop in the log:\n%s", logs)
	}
	if err := bot.ServeOps(context.Background(), "127.0.0.1:99999", mux, log); err == nil {
		t.Fatal("a bad address did not fail")
	}
}
