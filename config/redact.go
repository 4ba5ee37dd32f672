package config

import (
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// minSecretPart is the shortest token secret (the part after ":") that Redact
// also hides on its own. Real secrets are 35 characters; a short one from a
// malformed token would blank out ordinary words of the message.
const minSecretPart = 16

var percentHex = regexp.MustCompile(`%[0-9A-F]{2}`)

// Redact returns s with every occurrence of token replaced by [REDACTED],
// including its URL-escaped forms (":" as %3A or %3a) and, for a well-formed
// token, its secret part alone. A Bot API URL reads
// ".../bot<token>/getUpdates", and Go's *url.Error repeats the request URL
// in its message, so every error from the HTTP client must pass through
// Redact before it is logged; the result reads ".../bot[REDACTED]/getUpdates".
// An empty token leaves s unchanged.
func Redact(s, token string) string {
	if token == "" {
		return s
	}
	forms := []string{token, url.PathEscape(token), url.QueryEscape(token)}
	for _, f := range forms[1:] {
		forms = append(forms, percentHex.ReplaceAllStringFunc(f, strings.ToLower))
	}
	// Longest first, so that a form is not left half replaced by a shorter one.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, f := range slices.Compact(forms) {
		s = strings.ReplaceAll(s, f, redacted)
	}
	// The secret alone covers any other encoding of the ":" and a token
	// split at the colon; it only ever holds characters no encoding changes.
	if _, secret, ok := strings.Cut(token, ":"); ok && len(secret) >= minSecretPart {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

// redactToken keeps the bot id, which is public (it is the bot's user id) and
// tells an operator which bot a process runs as, and hides the rest.
func redactToken(token string) string {
	if token == "" {
		return ""
	}
	if id, _, ok := strings.Cut(token, ":"); ok && botIDPattern.MatchString(id) {
		return id + ":" + redacted
	}
	return redacted
}

// redactURL hides a password in the URL's user info and the token anywhere
// in it (some deployments put the token in the webhook path). A value that
// does not parse is hidden whole.
func redactURL(v, token string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil {
		return redacted
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), redacted)
		v = strings.ReplaceAll(u.String(), url.PathEscape(redacted), redacted)
	}
	return Redact(v, token)
}

// fields renders c as (variable name, value) pairs in the order of Variables,
// with the secrets hidden. The names are those the operator sets, so a log
// line tells directly which variable to change.
func (c Config) fields() [][2]string {
	ids := make([]string, len(c.AdminIDs))
	for i, id := range c.AdminIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	secret := ""
	if c.WebhookSecret != "" {
		secret = redacted
	}
	loc := ""
	if c.Location != nil {
		loc = c.Location.String()
	}
	f := [][2]string{
		{"TELEGRAM_BOT_TOKEN", redactToken(c.Token)},
		{"DATABASE_URL", redactDatabaseURL(c.DatabaseURL)},
		{"LOA_DATA_DIR", c.DataDir},
		{"TELEGRAM_API_ENDPOINT", redactURL(c.APIEndpoint, c.Token)},
		{"LOA_ADMIN_IDS", strings.Join(ids, ",")},
		{"LOA_MODE", string(c.Mode)},
		{"LOA_WEBHOOK_URL", redactURL(c.WebhookURL, c.Token)},
		{"LOA_WEBHOOK_SECRET", secret},
		{"LOA_HTTP_ADDR", c.HTTPAddr},
		{"LOA_OPS_ADDR", c.OpsAddr},
		{"LOA_LANG", c.Lang},
		{"LOA_TIMEZONE", loc},
		{"LOA_LOG_LEVEL", strings.ToLower(c.LogLevel.String())},
		{"LOA_RATE_LIMIT", strconv.Itoa(c.RateLimit)},
		{"LOA_FEED_INTERVAL", shortDuration(c.FeedInterval)},
		{"LOA_REMINDER_TIME", clockTime(c.ReminderTime)},
		{"LOA_DELIVERY_CONCURRENCY", strconv.Itoa(c.DeliveryConcurrency)},
		{"LOA_DELIVERY_MAX_AGE", shortDuration(c.DeliveryMaxAge)},
		{"LOA_FEED_ALLOW_HOSTS", strings.Join(c.FeedAllowHosts, ",")},
		{"LOA_SANDBOX_ADDR", c.SandboxAddr},
	}
	// Last line of defence for a Config not made by Load, where any field
	// might hold the token.
	for i := range f {
		f[i][1] = Redact(f[i][1], c.Token)
	}
	return f
}

// LogValue implements slog.LogValuer: logging a Config shows every setting,
// keyed by its variable name, with the token, the database password and the
// webhook secret hidden.
func (c Config) LogValue() slog.Value {
	f := c.fields()
	attrs := make([]slog.Attr, len(f))
	for i, kv := range f {
		attrs[i] = slog.String(kv[0], kv[1])
	}
	return slog.GroupValue(attrs...)
}

// String renders c as NAME=value pairs, secrets hidden, so that fmt's %v,
// %+v and %s cannot print the token.
func (c Config) String() string {
	var b strings.Builder
	for i, kv := range c.fields() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		if strings.ContainsAny(kv[1], " \t\n\"'") {
			b.WriteString(strconv.Quote(kv[1]))
		} else {
			b.WriteString(kv[1])
		}
	}
	return b.String()
}

// GoString is String, so that %#v, which would otherwise print every field
// verbatim, hides the secrets too.
func (c Config) GoString() string { return "config.Config{" + c.String() + "}" }
