// Package config reads Loa's settings from the environment (and a .env file)
// once, at start-up, checks every one of them, and hands the rest of the
// program a typed Config.
//
// Everything is validated here, before the process talks to Telegram or
// PostgreSQL, so that a typo stops start-up with one clear list of problems
// instead of surfacing hours later as a failed send. Secrets (the bot token,
// the database password, the webhook secret) never appear in an error or in
// the rendered Config: operators paste start-up errors into chats and tickets.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // LoadLocation must work in a scratch or distroless image, which has no zoneinfo.
	"unicode/utf8"
)

// Mode says how updates arrive from Telegram.
type Mode string

// The two ways Telegram delivers updates. Polling needs no public address and
// suits one machine; a webhook lets several processes behind a load balancer
// share the work.
const (
	ModePolling Mode = "polling"
	ModeWebhook Mode = "webhook"
)

// Config is Loa's validated configuration. Only Load builds a usable one; its
// String and LogValue hide the secrets, so a Config may be logged as a whole.
type Config struct {
	Token         string         // TELEGRAM_BOT_TOKEN
	DatabaseURL   string         // DATABASE_URL: postgres:// URL or lib/pq key=value string; "" for the embedded server
	DataDir       string         // LOA_DATA_DIR: where the embedded server keeps its data when DatabaseURL is ""
	APIEndpoint   string         // TELEGRAM_API_ENDPOINT, base URL without trailing slash
	AdminIDs      []int64        // LOA_ADMIN_IDS, Telegram user ids, in the order given, without duplicates
	Mode          Mode           // LOA_MODE
	WebhookURL    string         // LOA_WEBHOOK_URL, set in webhook mode
	WebhookSecret string         // LOA_WEBHOOK_SECRET, set in webhook mode
	HTTPAddr      string         // LOA_HTTP_ADDR, host:port of the webhook listener (webhook mode)
	OpsAddr       string         // LOA_OPS_ADDR, host:port of /healthz and /metrics
	Lang          string         // LOA_LANG: "vi" or "en"
	Location      *time.Location // LOA_TIMEZONE
	LogLevel      slog.Level     // LOA_LOG_LEVEL
	RateLimit     int            // LOA_RATE_LIMIT, messages per second for the whole bot
	FeedInterval  time.Duration  // LOA_FEED_INTERVAL, how often each news feed is fetched
	ReminderTime  time.Duration  // LOA_REMINDER_TIME, time of day (after midnight in LOA_TIMEZONE) of task reminders
	// LOA_DELIVERY_CONCURRENCY, messages the dispatcher has in flight at once
	DeliveryConcurrency int
	// LOA_DELIVERY_MAX_AGE, how long a delivery failing for a temporary reason is retried
	DeliveryMaxAge time.Duration
	// LOA_FEED_ALLOW_HOSTS, host names (lower case, exact) whose feeds and
	// pages may be on internal addresses: an intranet portal
	FeedAllowHosts []string
	// LOA_SANDBOX_ADDR, loopback host:port of the web chat of "loa sandbox"
	SandboxAddr string
}

// Variable describes one environment variable Loa reads.
type Variable struct {
	Name        string
	Default     string // "" when there is none
	Required    bool   // always required; LOA_WEBHOOK_URL and LOA_WEBHOOK_SECRET are required in webhook mode only
	Description string // one short phrase, for the README table
}

// Defaults, shared by Variables and Load so that the documentation cannot
// drift from what the code does.
const (
	defaultAPIEndpoint  = "https://api.telegram.org"
	defaultDataDir      = "./loa-data"
	defaultMode         = string(ModePolling)
	defaultHTTPAddr     = "127.0.0.1:8080"
	defaultOpsAddr      = "127.0.0.1:8081"
	defaultLang         = "vi"
	defaultTimezone     = "Asia/Ho_Chi_Minh"
	defaultLogLevel     = "info"
	defaultRateLimit    = "30"
	defaultFeedInterval = "10m"
	defaultReminderTime = "07:30"

	defaultDeliveryConcurrency = "16"
	defaultDeliveryMaxAge      = "6h"
	defaultSandboxAddr         = "127.0.0.1:8080"
)

// Variables lists every variable Loa reads, in the order of Config's fields.
// Tests check that .env.example documents exactly these; the README table is
// made from them.
var Variables = []Variable{
	{"TELEGRAM_BOT_TOKEN", "", true, "Bot token from @BotFather"},
	{"DATABASE_URL", "", false, "PostgreSQL URL or key=value string; unset: Loa's own server"},
	{"LOA_DATA_DIR", defaultDataDir, false, "Data directory of Loa's own PostgreSQL (no DATABASE_URL)"},
	{"TELEGRAM_API_ENDPOINT", defaultAPIEndpoint, false, "Bot API server base URL"},
	{"LOA_ADMIN_IDS", "", false, "Comma-separated Telegram user ids of admins"},
	{"LOA_MODE", defaultMode, false, "How updates arrive: polling or webhook"},
	{"LOA_WEBHOOK_URL", "", false, "Public https URL for updates (webhook mode)"},
	{"LOA_WEBHOOK_SECRET", "", false, "Secret Telegram sends with each update (webhook mode)"},
	{"LOA_HTTP_ADDR", defaultHTTPAddr, false, "host:port of the webhook listener (webhook mode)"},
	{"LOA_OPS_ADDR", defaultOpsAddr, false, "host:port serving /healthz and /metrics"},
	{"LOA_LANG", defaultLang, false, "Language of the bot's messages: vi or en"},
	{"LOA_TIMEZONE", defaultTimezone, false, "IANA time zone for dates and schedules"},
	{"LOA_LOG_LEVEL", defaultLogLevel, false, "debug, info, warn or error"},
	{"LOA_RATE_LIMIT", defaultRateLimit, false, "Messages per second for the whole bot, 1–1000"},
	{"LOA_FEED_INTERVAL", defaultFeedInterval, false, "How often each news feed is fetched, 1m–24h"},
	{"LOA_REMINDER_TIME", defaultReminderTime, false, "Time of day (HH:MM) task reminders are sent"},
	{"LOA_DELIVERY_CONCURRENCY", defaultDeliveryConcurrency, false, "Messages the dispatcher sends at once, 1–256"},
	{"LOA_DELIVERY_MAX_AGE", defaultDeliveryMaxAge, false, "How long failing deliveries are retried, 1m–72h"},
	{"LOA_FEED_ALLOW_HOSTS", "", false, "Feed hosts allowed on internal addresses"},
	{"LOA_SANDBOX_ADDR", defaultSandboxAddr, false, "Web chat of loa sandbox: loopback host:port only"},
}

// ErrRequired is the cause of a VarError for a required variable that is unset
// or empty. Test for it with errors.Is.
var ErrRequired = errors.New("required")

// VarError is one problem with one variable. Load joins them with errors.Join,
// so its error has one line per problem; use errors.As on each of the joined
// errors (Unwrap() []error) to get at them.
type VarError struct {
	Name string // the environment variable
	Err  error  // what is wrong; never contains a secret
}

// Error reads "NAME is required" or "NAME: what is wrong".
func (e *VarError) Error() string {
	if errors.Is(e.Err, ErrRequired) {
		return e.Name + " is " + e.Err.Error() // "X is required", "X is required when LOA_MODE=webhook"
	}
	return e.Name + ": " + e.Err.Error()
}

func (e *VarError) Unwrap() error { return e.Err }

// Load reads the variables through getenv (os.Getenv in main, a map in tests)
// and validates all of them. Values are trimmed of surrounding spaces, and an
// empty value means the default, as if unset.
//
// It returns either a fully valid Config, or the zero Config and every problem
// at once, one line each, each naming its variable: fixing one typo per restart
// is slow. No error contains the token, the database password or the webhook
// secret, even when they are malformed or typed into the wrong variable.
func Load(getenv func(string) string) (Config, error) {
	l := loader{getenv: getenv}
	l.collectSecrets()

	var c Config
	c.Token = l.token()
	c.DatabaseURL = l.databaseURL()
	c.DataDir = l.dataDir()
	c.APIEndpoint = l.apiEndpoint()
	c.AdminIDs = l.adminIDs()
	c.Mode = l.mode()
	c.WebhookURL = l.webhookURL(c.Mode)
	c.WebhookSecret = l.webhookSecret(c.Mode)
	c.HTTPAddr = l.hostPort("LOA_HTTP_ADDR", defaultHTTPAddr)
	c.OpsAddr = l.hostPort("LOA_OPS_ADDR", defaultOpsAddr)
	if c.Mode == ModeWebhook && c.HTTPAddr != "" && c.HTTPAddr == c.OpsAddr && !strings.HasSuffix(c.OpsAddr, ":0") {
		l.failf("LOA_OPS_ADDR", "must differ from LOA_HTTP_ADDR: health and metrics are not served on the public webhook listener")
	}
	c.Lang = l.lang()
	c.Location = l.location()
	c.LogLevel = l.logLevel()
	c.RateLimit = l.rateLimit()
	c.FeedInterval = l.feedInterval()
	c.ReminderTime = l.reminderTime()
	c.DeliveryConcurrency = l.deliveryConcurrency()
	c.DeliveryMaxAge = l.deliveryMaxAge()
	c.FeedAllowHosts = l.feedAllowHosts()
	c.SandboxAddr = l.sandboxAddr()

	if len(l.errs) > 0 {
		return Config{}, errors.Join(l.errs...)
	}
	return c, nil
}

// loader holds the state of one Load: where values come from, the secrets no
// message may echo, and the problems found so far.
type loader struct {
	getenv  func(string) string
	secrets []string
	errs    []error
}

func (l *loader) get(name string) string { return strings.TrimSpace(l.getenv(name)) }

// getOr returns the value of name, or def when it is unset or empty.
func (l *loader) getOr(name, def string) string {
	if v := l.get(name); v != "" {
		return v
	}
	return def
}

func (l *loader) fail(name string, err error) {
	l.errs = append(l.errs, &VarError{Name: name, Err: err})
}

func (l *loader) failf(name, format string, args ...any) {
	l.fail(name, fmt.Errorf(format, args...))
}

// collectSecrets gathers, before any message is written, every value that no
// message may contain, whichever variable the message is about.
func (l *loader) collectSecrets() {
	if t := l.get("TELEGRAM_BOT_TOKEN"); t != "" {
		l.secrets = append(l.secrets, t)
		// The secret part alone, too, as Redact does and for the same reason
		// only when long enough not to hide ordinary words.
		if _, secret, ok := strings.Cut(t, ":"); ok && len(secret) >= minSecretPart {
			l.secrets = append(l.secrets, secret)
		}
	}
	if pw := databasePassword(l.get("DATABASE_URL")); pw != "" {
		l.secrets = append(l.secrets, pw)
	}
	if s := l.get("LOA_WEBHOOK_SECRET"); s != "" {
		l.secrets = append(l.secrets, s)
	}
}

// maxShown bounds how much of a bad value an error quotes: enough to
// recognise it, not enough to flood a log line.
const maxShown = 64

// quote returns v quoted for an error message, or a note that it is hidden
// when it contains a secret: the token pasted into LOA_ADMIN_IDS must not leak
// through that variable's error.
func (l *loader) quote(v string) string {
	for _, s := range l.secrets {
		if strings.Contains(v, s) {
			return "(value hidden: it contains a secret)"
		}
	}
	if utf8.RuneCountInString(v) > maxShown {
		v = string([]rune(v)[:maxShown]) + "…"
	}
	return strconv.Quote(v)
}

// Telegram tokens are "<bot id>:<secret>"; the secret has been 35 characters
// of the URL-safe base64 alphabet for years. The bounds are loose so that a
// change of length on Telegram's side does not lock Loa out, yet tight enough
// to catch a truncated paste.
var (
	botIDPattern       = regexp.MustCompile(`^[0-9]{1,20}$`)
	tokenSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{30,64}$`)
)

func (l *loader) token() string {
	const name = "TELEGRAM_BOT_TOKEN"
	v := l.get(name)
	if v == "" {
		l.fail(name, ErrRequired)
		return ""
	}
	// Every message below describes the shape of the mistake and none quotes
	// any part of the value, because any part of it may be the secret.
	const want = "want <bot id>:<secret> exactly as @BotFather gives it; value not shown"
	id, secret, hasColon := strings.Cut(v, ":")
	switch {
	case len(v) > 1 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0]:
		l.failf(name, "malformed: wrapped in quotes (%s)", want)
	case strings.HasPrefix(strings.ToLower(v), "bot") && hasColon && botIDPattern.MatchString(id[3:]):
		l.failf(name, `malformed: starts with "bot"; give the token alone (%s)`, want)
	case !hasColon:
		l.failf(name, `malformed: no ":" (%s)`, want)
	case !botIDPattern.MatchString(id):
		l.failf(name, `malformed: the part before ":" is not a numeric bot id (%s)`, want)
	case !tokenSecretPattern.MatchString(secret):
		l.failf(name, `malformed: the part after ":" is not 30–64 characters of A-Z a-z 0-9 _ - (%s)`, want)
	default:
		return v
	}
	return ""
}

func (l *loader) databaseURL() string {
	const name = "DATABASE_URL"
	v := l.get(name)
	if v == "" {
		return "" // Loa runs a server of its own, in LOA_DATA_DIR
	}
	if err := checkDatabaseURL(v, l.quote); err != nil {
		l.fail(name, err)
		return ""
	}
	return v
}

// dataDir reads LOA_DATA_DIR, checked even with DATABASE_URL set, so that a
// value kept for later is known good already. The directory itself is
// created when the embedded server first starts.
func (l *loader) dataDir() string {
	const name = "LOA_DATA_DIR"
	v := l.getOr(name, defaultDataDir)
	if strings.HasPrefix(v, "~") {
		// Neither .env nor Go expands it: it would make a directory named "~".
		l.failf(name, "starts with ~, which is not expanded; write the full path, such as /home/me/loa-data")
		return ""
	}
	if fi, err := os.Stat(v); err == nil && !fi.IsDir() {
		l.failf(name, "%s is a file, not a directory", l.quote(v))
		return ""
	}
	return v
}

// botPathPattern catches an endpoint written the way go-telegram-bot-api
// spells its own (".../bot%s/%s") or with a token in it: the bot package adds
// /bot<token>/<method> itself.
var botPathPattern = regexp.MustCompile(`/bot([0-9]|%s|\{)`)

func (l *loader) apiEndpoint() string {
	const name = "TELEGRAM_API_ENDPOINT"
	v := l.getOr(name, defaultAPIEndpoint)
	u, err := url.Parse(v)
	switch {
	case strings.Contains(v, "%s") || (err == nil && botPathPattern.MatchString(u.Path)):
		l.failf(name, "give the server's base URL only, such as %s; Loa adds /bot<token>/<method>", defaultAPIEndpoint)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		l.failf(name, "must be an http:// or https:// URL with a host, such as %s", defaultAPIEndpoint)
	case u.RawQuery != "" || u.Fragment != "" || strings.Contains(v, "#"):
		l.failf(name, "must not have a query or fragment")
	default:
		// Callers append "/bot<token>/<method>"; a trailing slash would double it.
		return strings.TrimRight(v, "/")
	}
	return ""
}

func (l *loader) adminIDs() []int64 {
	// A duplicate grants nothing more, so commaList drops it silently.
	return commaList(l, "LOA_ADMIN_IDS", "want positive user ids separated by commas, such as 123456789,987654321",
		func(item string) (int64, string) {
			n, err := strconv.ParseInt(item, 10, 64)
			switch {
			case err == nil && n < 0:
				return 0, fmt.Sprintf("%s is a group or channel id, not a user id", l.quote(item))
			case err != nil && errors.Is(err, strconv.ErrRange):
				return 0, fmt.Sprintf("%s is too large for a user id", l.quote(item))
			case err != nil || item[0] == '+':
				return 0, fmt.Sprintf("%s is not a user id (digits only)", l.quote(item))
			case n == 0:
				return 0, "0 is not a user id"
			}
			return n, ""
		})
}

// commaList reads the comma-separated list in the variable name, each item
// trimmed and read by parse, which returns the value or why the item is
// wrong. An empty item ("1,,2", "1,2,") is reported rather than skipped: in
// a list that grants rights or opens the network, a hole usually means a
// value was lost in an edit, and the operator should look. Duplicates are
// dropped. Every problem is reported at once, ending with want (the form
// expected); the list is then nil.
func commaList[T comparable](l *loader, name, want string, parse func(item string) (T, string)) []T {
	v := l.get(name)
	if v == "" {
		return nil
	}
	var (
		out      []T
		seen     = make(map[T]bool)
		problems []string
	)
	for i, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			problems = append(problems, fmt.Sprintf("item %d is empty", i+1))
			continue
		}
		x, problem := parse(item)
		switch {
		case problem != "":
			problems = append(problems, problem)
		case !seen[x]:
			seen[x] = true
			out = append(out, x)
		}
	}
	if len(problems) > 0 {
		l.failf(name, "%s; %s", strings.Join(problems, "; "), want)
		return nil
	}
	return out
}

func (l *loader) mode() Mode {
	const name = "LOA_MODE"
	v := l.getOr(name, defaultMode)
	switch m := Mode(strings.ToLower(v)); m {
	case ModePolling, ModeWebhook:
		return m
	}
	l.failf(name, "must be polling or webhook, got %s", l.quote(v))
	return ""
}

// Telegram sends webhooks to these ports only (setWebhook documentation).
var webhookPorts = map[string]bool{"443": true, "80": true, "88": true, "8443": true}

// webhookURL is required in webhook mode and checked whenever set, so that a
// value kept for a later switch to webhook mode is known good already.
func (l *loader) webhookURL(m Mode) string {
	const name = "LOA_WEBHOOK_URL"
	v := l.get(name)
	if v == "" {
		if m == ModeWebhook {
			l.fail(name, fmt.Errorf("%w when LOA_MODE=webhook", ErrRequired))
		}
		return ""
	}
	// The URL is never quoted back: some deployments put the token in the path.
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Scheme == "" || u.Opaque != "":
		l.failf(name, "not a URL; want https://host/path")
	case u.Scheme != "https":
		l.failf(name, "must use https://; Telegram delivers webhooks over HTTPS only")
	case u.Hostname() == "":
		l.failf(name, "has no host; want https://host/path")
	case u.Port() != "" && !webhookPorts[u.Port()]:
		l.failf(name, "port %s is not one Telegram sends webhooks to; use 443, 80, 88 or 8443", l.quote(u.Port()))
	case u.Fragment != "" || strings.Contains(v, "#"):
		l.failf(name, "must not have a #fragment")
	default:
		return v
	}
	return ""
}

// webhookSecretPattern is Telegram's rule for setWebhook's secret_token, which
// comes back in the X-Telegram-Bot-Api-Secret-Token header of every update.
var webhookSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (l *loader) webhookSecret(m Mode) string {
	const name = "LOA_WEBHOOK_SECRET"
	v := l.get(name)
	switch {
	case v == "":
		if m == ModeWebhook {
			l.fail(name, fmt.Errorf("%w when LOA_MODE=webhook", ErrRequired))
		}
	case len(v) > 256:
		l.failf(name, "longer than 256 characters, Telegram's limit for secret_token")
	case !webhookSecretPattern.MatchString(v):
		l.failf(name, "may contain only A-Z a-z 0-9 _ - (Telegram's rule for secret_token); value not shown")
	default:
		return v
	}
	return ""
}

// hostPort reads a listener address (LOA_HTTP_ADDR, LOA_OPS_ADDR).
func (l *loader) hostPort(name, def string) string {
	v := l.getOr(name, def)
	host, port, err := net.SplitHostPort(v)
	if err != nil || strings.ContainsAny(host, " /") {
		l.failf(name, "must be host:port, such as %s or :%s, got %s", def, def[strings.LastIndex(def, ":")+1:], l.quote(v))
		return ""
	}
	// Port 0 asks the kernel for a free port (tests and several processes
	// on one host use it; the chosen address is logged at start).
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		l.failf(name, "port must be a number from 0 to 65535, got %s", l.quote(port))
		return ""
	}
	return v
}

func (l *loader) lang() string {
	const name = "LOA_LANG"
	v := l.getOr(name, defaultLang)
	switch s := strings.ToLower(v); s {
	case "vi", "en":
		return s
	}
	l.failf(name, "must be vi or en, got %s", l.quote(v))
	return ""
}

func (l *loader) location() *time.Location {
	const name = "LOA_TIMEZONE"
	v := l.getOr(name, defaultTimezone)
	// "Local" would make dates depend on the machine (UTC in most
	// containers), which is what naming a zone is meant to prevent.
	if v == "Local" {
		l.failf(name, "name a zone such as %s; Local depends on the machine", defaultTimezone)
		return nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		l.failf(name, "unknown time zone %s; want an IANA name such as %s", l.quote(v), defaultTimezone)
		return nil
	}
	return loc
}

func (l *loader) logLevel() slog.Level {
	const name = "LOA_LOG_LEVEL"
	v := l.getOr(name, defaultLogLevel)
	// Only the four names: slog's own parser also takes "info+2" and the
	// like, which nobody should need in an environment variable.
	switch strings.ToLower(v) {
	case "debug":
		return slog.LevelDebug
	case "info":
		return slog.LevelInfo
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	l.failf(name, "must be debug, info, warn or error, got %s", l.quote(v))
	return slog.LevelInfo
}

// Telegram allows about 30 messages per second per bot; paid broadcasts
// (allow_paid_broadcast) raise that to 1000.
const maxRateLimit = 1000

func (l *loader) rateLimit() int {
	const name = "LOA_RATE_LIMIT"
	v := l.getOr(name, defaultRateLimit)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxRateLimit {
		l.failf(name, "must be a whole number from 1 to %d messages per second, got %s", maxRateLimit, l.quote(v))
		return 0
	}
	return n
}

// feedInterval bounds LOA_FEED_INTERVAL: more often than a minute is
// impolite to the portals (and their feeds change less often anyway); less
// often than a day is no longer news.
func (l *loader) feedInterval() time.Duration {
	const name = "LOA_FEED_INTERVAL"
	v := l.getOr(name, defaultFeedInterval)
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute || d > 24*time.Hour {
		l.failf(name, "must be a duration from 1m to 24h, such as 10m or 1h30m, got %s", l.quote(v))
		return 0
	}
	return d
}

// shortDuration writes d as people write it in .env: "10m", not "10m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// reminderTime reads LOA_REMINDER_TIME, a time of day HH:MM on a 24-hour
// clock in LOA_TIMEZONE: reminders arrive at the start of the working day,
// not whenever the bot happens to look.
func (l *loader) reminderTime() time.Duration {
	const name = "LOA_REMINDER_TIME"
	v := l.getOr(name, defaultReminderTime)
	t, err := time.Parse("15:04", v)
	if err != nil {
		l.failf(name, "must be a time of day HH:MM on a 24-hour clock, such as 07:30, got %s", l.quote(v))
		return 0
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}

// clockTime writes a time of day as LOA_REMINDER_TIME is written: "07:30".
func clockTime(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// maxDeliveryConcurrency bounds LOA_DELIVERY_CONCURRENCY: each sender holds
// an HTTP connection, and more than a few dozen gain nothing at Telegram's
// rates; it is also how many messages a crash can send twice.
const maxDeliveryConcurrency = 256

func (l *loader) deliveryConcurrency() int {
	const name = "LOA_DELIVERY_CONCURRENCY"
	v := l.getOr(name, defaultDeliveryConcurrency)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxDeliveryConcurrency {
		l.failf(name, "must be a whole number from 1 to %d, got %s", maxDeliveryConcurrency, l.quote(v))
		return 0
	}
	return n
}

// deliveryMaxAge bounds LOA_DELIVERY_MAX_AGE: under a minute a short
// network outage would fail whole broadcasts; after three days a message is
// no longer news.
func (l *loader) deliveryMaxAge() time.Duration {
	const name = "LOA_DELIVERY_MAX_AGE"
	v := l.getOr(name, defaultDeliveryMaxAge)
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute || d > 72*time.Hour {
		l.failf(name, "must be a duration from 1m to 72h, such as 6h or 30m, got %s", l.quote(v))
		return 0
	}
	return d
}

// hostNamePattern is a DNS host name (or an IPv4 address, which has the same
// shape): labels of letters, digits and inner hyphens, separated by dots.
var hostNamePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// feedAllowHosts reads LOA_FEED_ALLOW_HOSTS: the feed poller refuses
// internal addresses (a feed could otherwise make Loa fetch and publish a
// page of the operator's network), except for the hosts named here, an
// intranet portal the operator chose. Names match exactly, so a URL, a port
// or a wildcard is an error rather than a silent no-match or a hole.
func (l *loader) feedAllowHosts() []string {
	return commaList(l, "LOA_FEED_ALLOW_HOSTS", "want host names separated by commas, such as tin.intranet.vn,portal.local",
		func(item string) (string, string) {
			item = strings.ToLower(item)
			if len(item) > 253 || !hostNamePattern.MatchString(item) {
				return "", fmt.Sprintf("%s is not a host name (no scheme, port, path or wildcard)", l.quote(item))
			}
			return item, ""
		})
}

// sandboxAddr is where "loa sandbox" serves its web chat. The page has no
// login and acts as anyone of the cast, so it listens on loopback only.
func (l *loader) sandboxAddr() string {
	const name = "LOA_SANDBOX_ADDR"
	v := l.getOr(name, defaultSandboxAddr)
	host, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		l.failf(name, "must be host:port, such as %s, got %s", defaultSandboxAddr, l.quote(v))
		return ""
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		l.failf(name, "must be on loopback (127.0.0.1, ::1 or localhost): the sandbox has no login, got %s", l.quote(v))
		return ""
	}
	return v
}
