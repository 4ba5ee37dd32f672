package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultToken is the token a Server accepts unless WithToken says
// otherwise. It has the shape of a real token (bot ID, colon, 35 characters)
// so that code checking the shape accepts it.
const DefaultToken = "123456789:AAH-loa-test-token-abcdefghijklmnopqrs"

type config struct {
	token     string
	username  string
	firstName string
	botID     int64
	limits    Limits
	clock     func() time.Time
	lenient   bool
}

// Option configures a Server.
type Option func(*config)

// WithToken sets the token the Server accepts; requests with any other
// token answer 401. Unless WithBotID is given, the bot's ID is the number
// before the colon, as at Telegram.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBotUsername sets the bot's username (without "@"), which getMe
// returns and "/command@username" addresses. The default is "loa_bot".
func WithBotUsername(name string) Option { return func(c *config) { c.username = name } }

// WithBotName sets the bot's first name; the default is "Loa".
func WithBotName(name string) Option { return func(c *config) { c.firstName = name } }

// WithBotID sets the bot's user ID.
func WithBotID(id int64) Option { return func(c *config) { c.botID = id } }

// WithLimits turns flood control on from the start (see Limits).
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// WithClock makes the Server read the time from clock: message dates and
// the flood-control windows follow it, so a test can step through a minute
// of group limits without waiting a minute. Long-poll and webhook timers
// still use real time.
func WithClock(clock func() time.Time) Option { return func(c *config) { c.clock = clock } }

// WithTelegramLeniency makes the Server accept exactly what Telegram
// accepts. By default the emulator is stricter where Telegram silently
// accepts input that is almost always a bug in a bot, and answers 400 with
// a description that names itself ("emulator: ..."):
//
//   - an "&" in HTML that does not start &lt; &gt; &amp; &quot; or a numeric
//     reference (Telegram shows it as is, so "&nbsp;" reaches the reader);
//   - an attribute Telegram ignores (class on <b>, target on <a>, ...);
//   - <a> without a usable href (Telegram links the text itself, or drops
//     the link);
//   - an inline button with an empty text (Telegram drops it) or with more
//     than one action field (Telegram keeps the first).
func WithTelegramLeniency() Option { return func(c *config) { c.lenient = true } }

// Server is a running Bot API emulator. All methods are safe for concurrent
// use.
type Server struct {
	httpSrv  *httptest.Server
	client   *http.Client
	token    string
	bot      User
	botJSON  []byte // the bot as "from" of its messages
	meJSON   []byte // the bot as getMe returns it
	clock    func() time.Time
	pedantic bool
	tb       TB
	files    fileRegistry // every file_id given out (media.go)

	closed    chan struct{}
	closeOnce sync.Once

	calls      map[string]*atomic.Int64 // canonical method name → count
	unknownMu  sync.Mutex
	unknownCnt map[string]int

	shards   [shardCount]chatShard
	namesMu  sync.RWMutex
	names    map[string]int64 // lower-case public username → chat ID
	usersMu  sync.RWMutex
	users    map[int64]User
	genSeq   atomic.Int64 // for AddChats
	msgSeq   atomic.Uint64
	msgCount atomic.Int64
	countMu  sync.Mutex
	countCh  chan struct{}
	countWt  atomic.Int32

	lim     limiter
	tooMany atomic.Int64
	faultState

	q updateQueue

	cbMu      sync.Mutex
	cbSeq     uint64
	callbacks map[string]*callbackState
	cbAnswers []CallbackAnswer

	markupCache  sync.Map // reply_markup parameter → *markupResult
	markupCacheN atomic.Int32

	cmdMu    sync.Mutex
	commands map[commandKey][]BotCommand

	errMu sync.Mutex
	errs  []APIError
}

// New starts a Server on 127.0.0.1. Close it when done (NewT does that for
// a test).
func New(opts ...Option) *Server {
	cfg := config{token: DefaultToken, username: "loa_bot", firstName: "Loa", clock: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.botID == 0 {
		prefix, _, _ := strings.Cut(cfg.token, ":")
		if id, err := strconv.ParseInt(prefix, 10, 64); err == nil && id > 0 {
			cfg.botID = id
		} else {
			cfg.botID = 123456789
		}
	}
	s := &Server{
		token:      cfg.token,
		bot:        User{ID: cfg.botID, IsBot: true, FirstName: cfg.firstName, Username: cfg.username},
		clock:      cfg.clock,
		pedantic:   !cfg.lenient,
		closed:     make(chan struct{}),
		calls:      make(map[string]*atomic.Int64, len(methodTable)),
		unknownCnt: map[string]int{},
		names:      map[string]int64{},
		users:      map[int64]User{},
		callbacks:  map[string]*callbackState{},
		commands:   map[commandKey][]BotCommand{},
	}
	s.botJSON = appendUser(nil, &s.bot, false)
	s.meJSON = appendUser(nil, &s.bot, true)
	for i := range s.shards {
		s.shards[i].m = map[int64]*chatState{}
	}
	for _, m := range methodTable {
		s.calls[m.name] = new(atomic.Int64)
	}
	s.q.init()
	s.SetLimits(cfg.limits)
	s.users[s.bot.ID] = s.bot

	s.httpSrv = httptest.NewUnstartedServer(s)
	s.httpSrv.Start()
	s.client = &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		Timeout: 75 * time.Second, // longer than Telegram's 50 s long-poll cap
	}
	return s
}

// TB is the part of testing.TB that NewT uses; declared here so that the
// emulator, a product package the sandbox runs too, does not link the
// testing package into the binary.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewT starts a Server that is closed when the test ends. PressButton and
// the other helpers that refuse impossible requests report through t.
func NewT(t TB, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	s.tb = t
	t.Cleanup(s.Close)
	return s
}

// Close releases waiting long polls, stops webhook delivery and shuts the
// HTTP server down. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.q.mu.Lock()
		s.q.stopWebhookLocked()
		s.q.mu.Unlock()
		s.httpSrv.Close()
		s.client.CloseIdleConnections()
	})
}

// URL is the base URL of the API, "http://127.0.0.1:PORT"; a bot calls
// URL()+"/bot<token>/<method>".
func (s *Server) URL() string { return s.httpSrv.URL }

// Endpoint is the endpoint format go-telegram-bot-api expects:
// tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), s.Client()).
func (s *Server) Endpoint() string { return s.httpSrv.URL + "/bot%s/%s" }

// Client returns an HTTP client suited to the Server: it keeps enough idle
// connections for a parallel sender (the default transport keeps two and
// would open a connection per request) and times out after 75 s, longer
// than any long poll.
func (s *Server) Client() *http.Client { return s.client }

// Token is the token the Server accepts.
func (s *Server) Token() string { return s.token }

// BotUsername is the bot's username, without "@".
func (s *Server) BotUsername() string { return s.bot.Username }

// BotID is the bot's user ID.
func (s *Server) BotID() int64 { return s.bot.ID }

// Bot is the bot's own user.
func (s *Server) Bot() User { return s.bot }

func (s *Server) now() time.Time { return s.clock() }

// fatalf reports a test's impossible request: through the test when the
// Server was made with NewT, else by panicking.
func (s *Server) fatalf(format string, args ...any) {
	if s.tb != nil {
		s.tb.Helper()
		s.tb.Fatalf(format, args...)
		return
	}
	panic(fmt.Sprintf(format, args...))
}

// ---- errors ----

// apiError is an error answer in Telegram's shape.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	migrateTo  int64
}

func badRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }

var (
	errUnauthorized = &apiError{code: 401, desc: "Unauthorized"}
	errNotFound     = &apiError{code: 404, desc: "Not Found"}
	errChatNotFound = badRequest("chat not found")
	errChatIDEmpty  = badRequest("chat_id is empty")
	errQueryInvalid = badRequest("query is too old and response timeout expired or query ID is invalid")
	errNotModified  = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	errEditNotFound = badRequest("message to edit not found")
	errReplyMissing = badRequest("message to be replied not found")
)

func tooManyRequests(sec int) *apiError {
	return &apiError{code: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(sec), retryAfter: sec}
}

func conflict(desc string) *apiError { return &apiError{code: 409, desc: "Conflict: " + desc} }

// Errors returns every error answer given so far, in order.
func (s *Server) Errors() []APIError {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return append([]APIError(nil), s.errs...)
}

func (s *Server) recordError(method string, chatID int64, e *apiError) {
	if e.code == 429 {
		s.tooMany.Add(1)
	}
	s.errMu.Lock()
	s.errs = append(s.errs, APIError{Method: method, ChatID: chatID, Code: e.code, Description: e.desc, RetryAfter: e.retryAfter, MigrateToChatID: e.migrateTo})
	s.errMu.Unlock()
}

// ---- calls ----

// Calls is the number of requests made to method (any letter case), with a
// valid token, whatever their outcome.
func (s *Server) Calls(method string) int {
	if m, ok := methodsByName[strings.ToLower(method)]; ok {
		return int(s.calls[m.name].Load())
	}
	s.unknownMu.Lock()
	defer s.unknownMu.Unlock()
	return s.unknownCnt[strings.ToLower(method)]
}

type methodFunc func(s *Server, rq *request, rp *reply)

type method struct {
	name string
	fn   methodFunc
}

// methodTable lists the implemented methods; adding one is adding a line.
var methodTable = []method{
	{"getMe", (*Server).getMe},
	{"getUpdates", (*Server).getUpdates},
	{"setWebhook", (*Server).setWebhook},
	{"deleteWebhook", (*Server).deleteWebhook},
	{"getWebhookInfo", (*Server).getWebhookInfo},
	{"sendMessage", (*Server).sendMessage},
	{"editMessageText", (*Server).editMessageText},
	{"editMessageReplyMarkup", (*Server).editMessageReplyMarkup},
	{"deleteMessage", (*Server).deleteMessage},
	{"sendPhoto", func(s *Server, rq *request, rp *reply) { s.sendFile(MediaPhoto, rq, rp) }},
	{"sendDocument", func(s *Server, rq *request, rp *reply) { s.sendFile(MediaDocument, rq, rp) }},
	{"sendVideo", func(s *Server, rq *request, rp *reply) { s.sendFile(MediaVideo, rq, rp) }},
	{"sendAudio", func(s *Server, rq *request, rp *reply) { s.sendFile(MediaAudio, rq, rp) }},
	{"sendVoice", func(s *Server, rq *request, rp *reply) { s.sendFile(MediaVoice, rq, rp) }},
	{"sendMediaGroup", (*Server).sendMediaGroup},
	{"editMessageCaption", (*Server).editMessageCaption},
	{"pinChatMessage", (*Server).pinChatMessage},
	{"answerCallbackQuery", (*Server).answerCallbackQuery},
	{"setMyCommands", (*Server).setMyCommands},
	{"getMyCommands", (*Server).getMyCommands},
	{"deleteMyCommands", (*Server).deleteMyCommands},
	{"getChat", (*Server).getChat},
	{"getChatMember", (*Server).getChatMember},
	{"getChatAdministrators", (*Server).getChatAdministrators},
	{"getChatMemberCount", (*Server).getChatMemberCount},
	{"sendChatAction", (*Server).sendChatAction},
}

// methodsByName maps both the canonical and the lower-case name, so the
// usual camelCase request needs no lower-casing.
var methodsByName map[string]*method

func init() {
	methodsByName = make(map[string]*method, 2*len(methodTable))
	for i := range methodTable {
		methodsByName[methodTable[i].name] = &methodTable[i]
		methodsByName[strings.ToLower(methodTable[i].name)] = &methodTable[i]
	}
}

// request holds a call's parameters, merged from the query string and the
// body whatever its encoding.
type request struct {
	ctx    context.Context
	params []param
}

type param struct{ key, value string }

func (rq *request) get(key string) string {
	for i := range rq.params {
		if rq.params[i].key == key {
			return rq.params[i].value
		}
	}
	return ""
}

func (rq *request) has(key string) bool {
	for i := range rq.params {
		if rq.params[i].key == key {
			return true
		}
	}
	return false
}

// int parses an integer parameter leniently, like tdlib's to_integer:
// leading digits count, anything else is 0.
func (rq *request) int(key string) int64 {
	v := strings.TrimSpace(rq.get(key))
	neg := false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		v = v[1:]
	}
	var n int64
	for i := 0; i < len(v) && isDigit(v[i]); i++ {
		n = n*10 + int64(v[i]-'0')
	}
	if neg {
		n = -n
	}
	return n
}

// bool is the Bot API's to_bool: "true", "yes" or "1", any case.
func (rq *request) bool(key string) bool {
	switch strings.ToLower(strings.TrimSpace(rq.get(key))) {
	case "true", "yes", "1":
		return true
	}
	return false
}

// reply is what a method handler produces: result JSON, or an error.
type reply struct {
	buf    []byte // the answer so far; a handler appends its result JSON
	desc   string // optional success description
	err    *apiError
	chatID int64 // for the error record
	// delay postpones the answer (Telegram throttles repeated 409s).
	delay time.Duration
}

func (rp *reply) fail(e *apiError) { rp.err = e }

var replyPool = sync.Pool{New: func() any { return &reply{buf: make([]byte, 0, 1024)} }}

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ServeHTTP answers Bot API requests: /bot<token>/<method>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, name, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || name == "" {
		s.writeError(w, "", 0, errNotFound)
		return
	}
	if token != s.token {
		s.writeError(w, name, 0, errUnauthorized)
		return
	}
	m, ok := methodsByName[name]
	if !ok {
		m, ok = methodsByName[strings.ToLower(name)]
	}
	if !ok {
		s.unknownMu.Lock()
		s.unknownCnt[strings.ToLower(name)]++
		s.unknownMu.Unlock()
		s.writeError(w, name, 0, errNotFound)
		return
	}
	s.calls[m.name].Add(1)
	if e := s.downError(); e != nil {
		s.writeError(w, m.name, 0, e)
		return
	}

	rq := request{ctx: r.Context(), params: make([]param, 0, 8)}
	if err := readParams(r, &rq); err != nil {
		s.writeError(w, m.name, 0, err)
		return
	}
	rp := replyPool.Get().(*reply)
	defer func() {
		if cap(rp.buf) <= 64<<10 {
			*rp = reply{buf: rp.buf[:0]}
			replyPool.Put(rp)
		}
	}()
	rp.buf = append(rp.buf[:0], `{"ok":true,"result":`...)
	m.fn(s, &rq, rp)
	if rp.delay > 0 {
		t := time.NewTimer(rp.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.closed:
		}
		t.Stop()
	}
	if rp.err != nil {
		s.writeError(w, m.name, rp.chatID, rp.err)
		return
	}
	if rp.desc != "" {
		rp.buf = appendStringField(rp.buf, "description", rp.desc)
	}
	rp.buf = append(rp.buf, '}')
	writeJSON(w, http.StatusOK, rp.buf)
}

// call runs a method internally (a method named in a webhook response).
func (s *Server) call(ctx context.Context, name string, params []param) (*apiError, string) {
	m, ok := methodsByName[name]
	if !ok {
		m, ok = methodsByName[strings.ToLower(name)]
	}
	if !ok {
		s.recordError(name, 0, errNotFound)
		return errNotFound, name
	}
	s.calls[m.name].Add(1)
	rp := &reply{}
	m.fn(s, &request{ctx: ctx, params: params}, rp)
	if rp.err != nil {
		s.recordError(m.name, rp.chatID, rp.err)
	}
	return rp.err, m.name
}

func (s *Server) writeError(w http.ResponseWriter, method string, chatID int64, e *apiError) {
	s.recordError(method, chatID, e)
	b := make([]byte, 0, 128)
	b = append(b, `{"ok":false`...)
	b = appendIntField(b, "error_code", int64(e.code))
	b = appendStringField(b, "description", e.desc)
	if e.retryAfter > 0 {
		b = appendIntField(append(appendKey(b, "parameters"), '{'), "retry_after", int64(e.retryAfter))
		b = append(b, '}')
	} else if e.migrateTo != 0 {
		b = appendIntField(append(appendKey(b, "parameters"), '{'), "migrate_to_chat_id", e.migrateTo)
		b = append(b, '}')
	}
	b = append(b, '}')
	writeJSON(w, e.code, b)
}

var jsonContentType = []string{"application/json"}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readParams merges the query string and the body: urlencoded form, JSON
// object or multipart form, as the Bot API accepts all of them.
func readParams(r *http.Request, rq *request) *apiError {
	if r.URL.RawQuery != "" {
		if err := parseForm(r.URL.RawQuery, rq); err != nil {
			return err
		}
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if ctParams["boundary"] == "" {
			return badRequest("can't parse multipart request")
		}
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return badRequest("can't parse multipart request")
		}
		for k, vs := range r.MultipartForm.Value {
			for _, v := range vs {
				rq.params = append(rq.params, param{k, v})
			}
		}
		return nil
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bodyPool.Put(buf)
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, 64<<20)); err != nil {
		return badRequest("can't read request body")
	}
	if buf.Len() == 0 {
		return nil
	}
	if ct == "application/json" {
		return parseJSONParams(buf.Bytes(), rq)
	}
	return parseForm(buf.String(), rq)
}

func parseForm(s string, rq *request) *apiError {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		var err error
		if k, err = unescape(k); err != nil {
			return badRequest("can't parse request parameters")
		}
		if v, err = unescape(v); err != nil {
			return badRequest("can't parse request parameters")
		}
		rq.params = append(rq.params, param{k, v})
	}
	return nil
}

func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// parseJSONParams turns a JSON object body into parameters: strings as
// they are, everything else as its JSON text (objects stay JSON, as the Bot
// API expects of reply_markup and friends).
func parseJSONParams(body []byte, rq *request) *apiError {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return badRequest("can't parse JSON encoded request")
	}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) > 0 && raw[0] == '"':
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return badRequest("can't parse JSON encoded request")
			}
			rq.params = append(rq.params, param{k, v})
		case string(raw) == "null":
		default:
			rq.params = append(rq.params, param{k, string(raw)})
		}
	}
	return nil
}

// ---- simple methods ----

func (s *Server) getMe(_ *request, rp *reply) {
	rp.buf = append(rp.buf, s.meJSON...)
}

func (s *Server) sendChatAction(rq *request, rp *reply) {
	cs, id, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = id
	if err != nil {
		rp.fail(err)
		return
	}
	switch rq.get("action") {
	case "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
		"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note":
	case "":
		rp.fail(badRequest("action is empty"))
		return
	default:
		rp.fail(badRequest("wrong parameter action in request"))
		return
	}
	cs.mu.Lock()
	err = s.checkWritableLocked(cs)
	cs.mu.Unlock()
	if err != nil {
		rp.fail(err)
		return
	}
	rp.buf = append(rp.buf, "true"...)
}
