package config

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// testToken has the shape of a real token and is obviously not one.
const (
	testToken  = "123456789:TESTtestTESTtestTESTtestTESTtest-_1"
	testSecret = "TESTtestTESTtestTESTtestTESTtest-_1"
	testDBPass = "s3cretPassw0rd"
	testDBURL  = "postgres://loa:" + testDBPass + "@localhost:5432/loa?sslmode=disable"
	testHook   = "hook-Secret_42"
)

// env returns a getenv over the minimal valid environment with overrides
// applied; an override of "" unsets a variable, as Load treats empty as unset.
func env(overrides map[string]string) func(string) string {
	m := map[string]string{
		"TELEGRAM_BOT_TOKEN": testToken,
		"DATABASE_URL":       testDBURL,
	}
	for k, v := range overrides {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// errLines returns the lines of err's message, nil for a nil error.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Token:       testToken,
		DatabaseURL: testDBURL,
		DataDir:     "./loa-data",
		APIEndpoint: "https://api.telegram.org",
		Mode:        ModePolling,
		HTTPAddr:    "127.0.0.1:8080",
		OpsAddr:     "127.0.0.1:8081",
		Lang:        "vi",
		LogLevel:    slog.LevelInfo,
		RateLimit:   30, FeedInterval: 600_000_000_000, // 10m
		ReminderTime:        27_000_000_000_000,                     // 07:30
		DeliveryConcurrency: 16, DeliveryMaxAge: 21_600_000_000_000, // 6h
		SandboxAddr: "127.0.0.1:8080",
	}
	if c.Location == nil || c.Location.String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("Location = %v, want Asia/Ho_Chi_Minh", c.Location)
	}
	c.Location = nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load(minimal env) =\n%#v\nwant\n%#v", c, want)
	}
}

// TestLoadVariables covers each variable: valid values (and what they become),
// invalid ones (exactly one error line, naming the variable), and defaults.
func TestLoadVariables(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name string
		env  map[string]string
		get  func(Config) any // the field under test, when Load succeeds
		want any
		// when Load fails: the one line must start with errVar and contain errHas.
		errVar, errHas string
	}{
		// TELEGRAM_BOT_TOKEN
		{name: "token", get: token, want: testToken},
		{name: "token trimmed", env: map[string]string{"TELEGRAM_BOT_TOKEN": "  " + testToken + "\n"}, get: token, want: testToken},
		{name: "token unset", env: map[string]string{"TELEGRAM_BOT_TOKEN": ""}, errVar: "TELEGRAM_BOT_TOKEN", errHas: "TELEGRAM_BOT_TOKEN is required"},
		{name: "token only spaces", env: map[string]string{"TELEGRAM_BOT_TOKEN": "   "}, errVar: "TELEGRAM_BOT_TOKEN", errHas: "is required"},
		{name: "token short secret", env: map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc"}, errVar: "TELEGRAM_BOT_TOKEN", errHas: `the part after ":"`},
		{name: "token no colon", env: map[string]string{"TELEGRAM_BOT_TOKEN": testSecret}, errVar: "TELEGRAM_BOT_TOKEN", errHas: `no ":"`},
		{name: "token bot prefix", env: map[string]string{"TELEGRAM_BOT_TOKEN": "bot" + testToken}, errVar: "TELEGRAM_BOT_TOKEN", errHas: `starts with "bot"`},
		{name: "token quoted", env: map[string]string{"TELEGRAM_BOT_TOKEN": `"` + testToken + `"`}, errVar: "TELEGRAM_BOT_TOKEN", errHas: "quotes"},
		{name: "token id not numeric", env: map[string]string{"TELEGRAM_BOT_TOKEN": "abc:" + testSecret}, errVar: "TELEGRAM_BOT_TOKEN", errHas: "numeric bot id"},
		{name: "token bad character", env: map[string]string{"TELEGRAM_BOT_TOKEN": testToken[:len(testToken)-1] + "!"}, errVar: "TELEGRAM_BOT_TOKEN", errHas: `the part after ":"`},
		{name: "token too long", env: map[string]string{"TELEGRAM_BOT_TOKEN": testToken + long}, errVar: "TELEGRAM_BOT_TOKEN", errHas: `the part after ":"`},

		// LOA_SANDBOX_ADDR: the web chat has no login, so loopback only.
		{name: "sandbox addr", env: map[string]string{"LOA_SANDBOX_ADDR": "[::1]:0"}, get: func(c Config) any { return c.SandboxAddr }, want: "[::1]:0"},
		{name: "sandbox addr localhost", env: map[string]string{"LOA_SANDBOX_ADDR": "localhost:9090"}, get: func(c Config) any { return c.SandboxAddr }, want: "localhost:9090"},
		{name: "sandbox addr every interface", env: map[string]string{"LOA_SANDBOX_ADDR": ":8080"}, errVar: "LOA_SANDBOX_ADDR", errHas: "loopback"},
		{name: "sandbox addr public", env: map[string]string{"LOA_SANDBOX_ADDR": "0.0.0.0:8080"}, errVar: "LOA_SANDBOX_ADDR", errHas: "loopback"},
		{name: "sandbox addr no port", env: map[string]string{"LOA_SANDBOX_ADDR": "127.0.0.1"}, errVar: "LOA_SANDBOX_ADDR", errHas: "host:port"},

		// DATABASE_URL
		{name: "db url", get: dbURL, want: testDBURL},
		{name: "db postgresql scheme", env: map[string]string{"DATABASE_URL": "postgresql://loa@db.example.org/loa?sslmode=verify-full"}, get: dbURL, want: "postgresql://loa@db.example.org/loa?sslmode=verify-full"},
		{name: "db key=value", env: map[string]string{"DATABASE_URL": `host=localhost user=loa password='a b\'c' dbname=loa sslmode=disable`}, get: dbURL, want: `host=localhost user=loa password='a b\'c' dbname=loa sslmode=disable`},
		{name: "db key = value spaced", env: map[string]string{"DATABASE_URL": "host = /run/postgresql dbname = loa"}, get: dbURL, want: "host = /run/postgresql dbname = loa"},
		{name: "db custom tls sslmode", env: map[string]string{"DATABASE_URL": "host=db sslmode=pqgo-mytls"}, get: dbURL, want: "host=db sslmode=pqgo-mytls"},
		{name: "db unset: Loa's own server", env: map[string]string{"DATABASE_URL": ""}, get: dbURL, want: ""},
		// LOA_DATA_DIR
		{name: "data dir default", get: dataDir, want: "./loa-data"},
		{name: "data dir absolute", env: map[string]string{"LOA_DATA_DIR": "/var/lib/loa/"}, get: dataDir, want: "/var/lib/loa/"},
		{name: "data dir tilde", env: map[string]string{"LOA_DATA_DIR": "~/loa-data"}, errVar: "LOA_DATA_DIR", errHas: "~, which is not expanded"},
		{name: "data dir a file", env: map[string]string{"LOA_DATA_DIR": "config.go"}, errVar: "LOA_DATA_DIR", errHas: `"config.go" is a file`},
		{name: "db other scheme", env: map[string]string{"DATABASE_URL": "mysql://loa:loa@localhost/loa"}, errVar: "DATABASE_URL", errHas: "not a PostgreSQL URL (postgres://user:pass@host:5432/db?sslmode=disable)"},
		{name: "db upper-case scheme", env: map[string]string{"DATABASE_URL": "POSTGRES://loa@localhost/loa"}, errVar: "DATABASE_URL", errHas: "not a PostgreSQL URL"},
		{name: "db a word", env: map[string]string{"DATABASE_URL": "loa"}, errVar: "DATABASE_URL", errHas: "not a PostgreSQL URL"},
		{name: "db unescaped password", env: map[string]string{"DATABASE_URL": "postgres://loa:a b@localhost/loa"}, errVar: "DATABASE_URL", errHas: "percent-encode"},
		{name: "db bad port", env: map[string]string{"DATABASE_URL": "postgres://loa@localhost:99999/loa"}, errVar: "DATABASE_URL", errHas: "port must be"},
		{name: "db bad sslmode in URL", env: map[string]string{"DATABASE_URL": "postgres://loa@localhost/loa?sslmode=off"}, errVar: "DATABASE_URL", errHas: `sslmode "off" is not one of`},
		{name: "db bad query", env: map[string]string{"DATABASE_URL": "postgres://loa@localhost/loa?sslmode=%zz"}, errVar: "DATABASE_URL", errHas: "malformed query"},
		{name: "db bad sslmode in key=value", env: map[string]string{"DATABASE_URL": "host=localhost sslmode=bogus"}, errVar: "DATABASE_URL", errHas: `sslmode "bogus"`},
		{name: "db key without value", env: map[string]string{"DATABASE_URL": "host=localhost dbname"}, errVar: "DATABASE_URL", errHas: "expected key=value pairs"},
		{name: "db unterminated quote", env: map[string]string{"DATABASE_URL": "host=localhost password='abc"}, errVar: "DATABASE_URL", errHas: "unterminated quoted value"},

		// TELEGRAM_API_ENDPOINT
		{name: "endpoint default", get: endpoint, want: "https://api.telegram.org"},
		{name: "endpoint local server", env: map[string]string{"TELEGRAM_API_ENDPOINT": "http://localhost:8081"}, get: endpoint, want: "http://localhost:8081"},
		{name: "endpoint trailing slash trimmed", env: map[string]string{"TELEGRAM_API_ENDPOINT": "http://localhost:8081/telegram/"}, get: endpoint, want: "http://localhost:8081/telegram"},
		{name: "endpoint no scheme", env: map[string]string{"TELEGRAM_API_ENDPOINT": "api.telegram.org"}, errVar: "TELEGRAM_API_ENDPOINT", errHas: "http:// or https://"},
		{name: "endpoint ftp", env: map[string]string{"TELEGRAM_API_ENDPOINT": "ftp://api.telegram.org"}, errVar: "TELEGRAM_API_ENDPOINT", errHas: "http:// or https://"},
		{name: "endpoint format string", env: map[string]string{"TELEGRAM_API_ENDPOINT": "https://api.telegram.org/bot%s/%s"}, errVar: "TELEGRAM_API_ENDPOINT", errHas: "base URL only"},
		{name: "endpoint with token", env: map[string]string{"TELEGRAM_API_ENDPOINT": "https://api.telegram.org/bot" + testToken}, errVar: "TELEGRAM_API_ENDPOINT", errHas: "base URL only"},
		{name: "endpoint with query", env: map[string]string{"TELEGRAM_API_ENDPOINT": "https://api.telegram.org?x=1"}, errVar: "TELEGRAM_API_ENDPOINT", errHas: "query"},

		// LOA_FEED_ALLOW_HOSTS
		{name: "allow hosts default", get: allowHosts, want: []string(nil)},
		{name: "allow hosts", env: map[string]string{"LOA_FEED_ALLOW_HOSTS": " Tin.Intranet.VN, portal.local ,tin.intranet.vn"}, get: allowHosts, want: []string{"tin.intranet.vn", "portal.local"}},
		{name: "allow hosts ip", env: map[string]string{"LOA_FEED_ALLOW_HOSTS": "10.0.0.5"}, get: allowHosts, want: []string{"10.0.0.5"}},
		{name: "allow hosts url", env: map[string]string{"LOA_FEED_ALLOW_HOSTS": "http://tin.intranet.vn"}, errVar: "LOA_FEED_ALLOW_HOSTS", errHas: `"http://tin.intranet.vn" is not a host name`},
		{name: "allow hosts port", env: map[string]string{"LOA_FEED_ALLOW_HOSTS": "tin.intranet.vn:8080"}, errVar: "LOA_FEED_ALLOW_HOSTS", errHas: "is not a host name"},
		{name: "allow hosts wildcard", env: map[string]string{"LOA_FEED_ALLOW_HOSTS": "*.intranet.vn"}, errVar: "LOA_FEED_ALLOW_HOSTS", errHas: "wildcard"},
		{name: "allow hosts empty item", env: map[string]string{"LOA_FEED_ALLOW_HOSTS": "a.vn,,b.vn"}, errVar: "LOA_FEED_ALLOW_HOSTS", errHas: "item 2 is empty"},

		// LOA_ADMIN_IDS
		{name: "admins unset", get: admins, want: []int64(nil)},
		{name: "admins spaced", env: map[string]string{"LOA_ADMIN_IDS": " 1, 2 ,3"}, get: admins, want: []int64{1, 2, 3}},
		{name: "admins one", env: map[string]string{"LOA_ADMIN_IDS": "123456789"}, get: admins, want: []int64{123456789}},
		{name: "admins duplicate dropped", env: map[string]string{"LOA_ADMIN_IDS": "5,5,6"}, get: admins, want: []int64{5, 6}},
		{name: "admins empty item", env: map[string]string{"LOA_ADMIN_IDS": "1,,2"}, errVar: "LOA_ADMIN_IDS", errHas: "item 2 is empty"},
		{name: "admins trailing comma", env: map[string]string{"LOA_ADMIN_IDS": "1,2,"}, errVar: "LOA_ADMIN_IDS", errHas: "item 3 is empty"},
		{name: "admins word", env: map[string]string{"LOA_ADMIN_IDS": "abc"}, errVar: "LOA_ADMIN_IDS", errHas: `"abc" is not a user id`},
		{name: "admins negative", env: map[string]string{"LOA_ADMIN_IDS": "-1001234567890"}, errVar: "LOA_ADMIN_IDS", errHas: "group or channel id"},
		{name: "admins zero", env: map[string]string{"LOA_ADMIN_IDS": "0"}, errVar: "LOA_ADMIN_IDS", errHas: "0 is not a user id"},
		{name: "admins plus sign", env: map[string]string{"LOA_ADMIN_IDS": "+5"}, errVar: "LOA_ADMIN_IDS", errHas: "digits only"},
		{name: "admins overflow", env: map[string]string{"LOA_ADMIN_IDS": "99999999999999999999"}, errVar: "LOA_ADMIN_IDS", errHas: "too large"},
		{name: "admins semicolons", env: map[string]string{"LOA_ADMIN_IDS": "1;2"}, errVar: "LOA_ADMIN_IDS", errHas: `"1;2" is not a user id`},
		{name: "admins every problem in one line", env: map[string]string{"LOA_ADMIN_IDS": "1,abc,-2"}, errVar: "LOA_ADMIN_IDS", errHas: `"abc" is not a user id (digits only); "-2" is a group`},

		// LOA_MODE
		{name: "mode default", get: mode, want: ModePolling},
		{name: "mode polling", env: map[string]string{"LOA_MODE": "polling"}, get: mode, want: ModePolling},
		{name: "mode case-insensitive", env: map[string]string{"LOA_MODE": "Polling"}, get: mode, want: ModePolling},
		{name: "mode typo", env: map[string]string{"LOA_MODE": "poll"}, errVar: "LOA_MODE", errHas: `LOA_MODE: must be polling or webhook, got "poll"`},

		// LOA_HTTP_ADDR
		{name: "addr default", get: addr, want: "127.0.0.1:8080"},
		{name: "addr all interfaces", env: map[string]string{"LOA_HTTP_ADDR": ":8080"}, get: addr, want: ":8080"},
		{name: "addr ipv6", env: map[string]string{"LOA_HTTP_ADDR": "[::1]:9090"}, get: addr, want: "[::1]:9090"},
		{name: "addr port only", env: map[string]string{"LOA_HTTP_ADDR": "8080"}, errVar: "LOA_HTTP_ADDR", errHas: "host:port"},
		{name: "addr URL", env: map[string]string{"LOA_HTTP_ADDR": "http://localhost:8080"}, errVar: "LOA_HTTP_ADDR", errHas: "host:port"},
		{name: "addr port too big", env: map[string]string{"LOA_HTTP_ADDR": "localhost:65536"}, errVar: "LOA_HTTP_ADDR", errHas: "port must be"},
		{name: "addr port name", env: map[string]string{"LOA_HTTP_ADDR": "localhost:http"}, errVar: "LOA_HTTP_ADDR", errHas: "port must be"},
		{name: "addr port too big", env: map[string]string{"LOA_HTTP_ADDR": "localhost:70000"}, errVar: "LOA_HTTP_ADDR", errHas: "port must be"},

		// LOA_OPS_ADDR
		{name: "ops addr default", get: opsAddr, want: "127.0.0.1:8081"},
		{name: "ops addr all interfaces", env: map[string]string{"LOA_OPS_ADDR": ":9100"}, get: opsAddr, want: ":9100"},
		{name: "ops addr free port", env: map[string]string{"LOA_OPS_ADDR": "127.0.0.1:0"}, get: opsAddr, want: "127.0.0.1:0"},
		{name: "ops addr port only", env: map[string]string{"LOA_OPS_ADDR": "8081"}, errVar: "LOA_OPS_ADDR", errHas: "host:port"},
		{name: "ops addr URL", env: map[string]string{"LOA_OPS_ADDR": "http://localhost:8081"}, errVar: "LOA_OPS_ADDR", errHas: "host:port"},
		{name: "ops addr port too big", env: map[string]string{"LOA_OPS_ADDR": "localhost:65536"}, errVar: "LOA_OPS_ADDR", errHas: "port must be"},
		{name: "ops addr same as webhook", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "https://loa.example.org/hook", "LOA_WEBHOOK_SECRET": "s3cret", "LOA_HTTP_ADDR": ":8443", "LOA_OPS_ADDR": ":8443"}, errVar: "LOA_OPS_ADDR", errHas: "must differ from LOA_HTTP_ADDR"},
		{name: "ops addr same as unused http addr", env: map[string]string{"LOA_HTTP_ADDR": ":8081", "LOA_OPS_ADDR": ":8081"}, get: opsAddr, want: ":8081"},

		// LOA_LANG
		{name: "lang default", get: lang, want: "vi"},
		{name: "lang en", env: map[string]string{"LOA_LANG": "en"}, get: lang, want: "en"},
		{name: "lang upper-case", env: map[string]string{"LOA_LANG": "EN"}, get: lang, want: "en"},
		{name: "lang unknown", env: map[string]string{"LOA_LANG": "fr"}, errVar: "LOA_LANG", errHas: `must be vi or en, got "fr"`},

		// LOA_TIMEZONE
		{name: "timezone default", get: zone, want: "Asia/Ho_Chi_Minh"},
		{name: "timezone UTC", env: map[string]string{"LOA_TIMEZONE": "UTC"}, get: zone, want: "UTC"},
		{name: "timezone Berlin", env: map[string]string{"LOA_TIMEZONE": "Europe/Berlin"}, get: zone, want: "Europe/Berlin"},
		{name: "timezone unknown", env: map[string]string{"LOA_TIMEZONE": "Mars/Olympus_Mons"}, errVar: "LOA_TIMEZONE", errHas: `unknown time zone "Mars/Olympus_Mons"`},
		{name: "timezone path", env: map[string]string{"LOA_TIMEZONE": "../../etc/passwd"}, errVar: "LOA_TIMEZONE", errHas: "unknown time zone"},
		{name: "timezone Local", env: map[string]string{"LOA_TIMEZONE": "Local"}, errVar: "LOA_TIMEZONE", errHas: "depends on the machine"},

		// LOA_LOG_LEVEL
		{name: "level default", get: level, want: slog.LevelInfo},
		{name: "level debug", env: map[string]string{"LOA_LOG_LEVEL": "debug"}, get: level, want: slog.LevelDebug},
		{name: "level WARN", env: map[string]string{"LOA_LOG_LEVEL": "WARN"}, get: level, want: slog.LevelWarn},
		{name: "level error", env: map[string]string{"LOA_LOG_LEVEL": "error"}, get: level, want: slog.LevelError},
		{name: "level verbose", env: map[string]string{"LOA_LOG_LEVEL": "verbose"}, errVar: "LOA_LOG_LEVEL", errHas: `got "verbose"`},
		{name: "level offset", env: map[string]string{"LOA_LOG_LEVEL": "info+2"}, errVar: "LOA_LOG_LEVEL", errHas: "must be debug, info, warn or error"},

		// LOA_RATE_LIMIT
		{name: "rate default", get: rate, want: 30},
		{name: "rate min", env: map[string]string{"LOA_RATE_LIMIT": "1"}, get: rate, want: 1},
		{name: "rate max", env: map[string]string{"LOA_RATE_LIMIT": "1000"}, get: rate, want: 1000},
		{name: "rate zero", env: map[string]string{"LOA_RATE_LIMIT": "0"}, errVar: "LOA_RATE_LIMIT", errHas: "from 1 to 1000"},
		{name: "rate above paid limit", env: map[string]string{"LOA_RATE_LIMIT": "1001"}, errVar: "LOA_RATE_LIMIT", errHas: "from 1 to 1000"},
		{name: "rate negative", env: map[string]string{"LOA_RATE_LIMIT": "-5"}, errVar: "LOA_RATE_LIMIT", errHas: `got "-5"`},
		{name: "rate fraction", env: map[string]string{"LOA_RATE_LIMIT": "30.5"}, errVar: "LOA_RATE_LIMIT", errHas: `got "30.5"`},
		{name: "rate word", env: map[string]string{"LOA_RATE_LIMIT": "fast"}, errVar: "LOA_RATE_LIMIT", errHas: `got "fast"`},
		// LOA_REMINDER_TIME
		{name: "reminder time", env: map[string]string{"LOA_REMINDER_TIME": "18:05"}, get: func(c Config) any { return int64(c.ReminderTime) }, want: int64(65_100_000_000_000)},
		{name: "reminder midnight", env: map[string]string{"LOA_REMINDER_TIME": "00:00"}, get: func(c Config) any { return int64(c.ReminderTime) }, want: int64(0)},
		{name: "reminder 24h", env: map[string]string{"LOA_REMINDER_TIME": "24:00"}, errVar: "LOA_REMINDER_TIME", errHas: `got "24:00"`},
		{name: "reminder am/pm", env: map[string]string{"LOA_REMINDER_TIME": "7:30am"}, errVar: "LOA_REMINDER_TIME", errHas: "HH:MM"},
		// LOA_DELIVERY_CONCURRENCY, LOA_DELIVERY_MAX_AGE
		{name: "concurrency", env: map[string]string{"LOA_DELIVERY_CONCURRENCY": "64"}, get: func(c Config) any { return c.DeliveryConcurrency }, want: 64},
		{name: "concurrency 0", env: map[string]string{"LOA_DELIVERY_CONCURRENCY": "0"}, errVar: "LOA_DELIVERY_CONCURRENCY", errHas: `got "0"`},
		{name: "concurrency 257", env: map[string]string{"LOA_DELIVERY_CONCURRENCY": "257"}, errVar: "LOA_DELIVERY_CONCURRENCY", errHas: "1 to 256"},
		{name: "max age", env: map[string]string{"LOA_DELIVERY_MAX_AGE": "90m"}, get: func(c Config) any { return int64(c.DeliveryMaxAge) }, want: int64(5_400_000_000_000)},
		{name: "max age too short", env: map[string]string{"LOA_DELIVERY_MAX_AGE": "30s"}, errVar: "LOA_DELIVERY_MAX_AGE", errHas: `got "30s"`},
		{name: "max age no unit", env: map[string]string{"LOA_DELIVERY_MAX_AGE": "6"}, errVar: "LOA_DELIVERY_MAX_AGE", errHas: "1m to 72h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if tt.errVar == "" {
				if err != nil {
					t.Fatalf("Load: unexpected error:\n%v", err)
				}
				if got := tt.get(c); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got %#v, want %#v", got, tt.want)
				}
				return
			}
			lines := errLines(err)
			if len(lines) != 1 {
				t.Fatalf("Load: want exactly one error line, got %d:\n%v", len(lines), err)
			}
			if !strings.HasPrefix(lines[0], tt.errVar+" ") && !strings.HasPrefix(lines[0], tt.errVar+":") {
				t.Errorf("error %q does not start with the variable %s", lines[0], tt.errVar)
			}
			if !strings.Contains(lines[0], tt.errHas) {
				t.Errorf("error %q does not contain %q", lines[0], tt.errHas)
			}
			if !reflect.DeepEqual(c, Config{}) {
				t.Errorf("Load returned a partly filled Config with its error: %v", c)
			}
		})
	}
}

func token(c Config) any      { return c.Token }
func dbURL(c Config) any      { return c.DatabaseURL }
func dataDir(c Config) any    { return c.DataDir }
func endpoint(c Config) any   { return c.APIEndpoint }
func admins(c Config) any     { return c.AdminIDs }
func allowHosts(c Config) any { return c.FeedAllowHosts }
func mode(c Config) any       { return c.Mode }
func addr(c Config) any       { return c.HTTPAddr }
func opsAddr(c Config) any    { return c.OpsAddr }
func lang(c Config) any       { return c.Lang }
func zone(c Config) any       { return c.Location.String() }
func level(c Config) any      { return c.LogLevel }
func rate(c Config) any       { return c.RateLimit }

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load(env(map[string]string{
		"TELEGRAM_BOT_TOKEN": "123:abc",
		"LOA_DATA_DIR":       "~/loa",
		"LOA_ADMIN_IDS":      "abc",
		"LOA_MODE":           "poll",
		"LOA_LANG":           "fr",
		"LOA_TIMEZONE":       "Nowhere/Land",
		"LOA_RATE_LIMIT":     "0",
	}))
	// In the order of Variables, one line each.
	want := []string{"TELEGRAM_BOT_TOKEN:", "LOA_DATA_DIR:", "LOA_ADMIN_IDS:", "LOA_MODE:", "LOA_LANG:", "LOA_TIMEZONE:", "LOA_RATE_LIMIT:"}
	lines := errLines(err)
	if len(lines) != len(want) {
		t.Fatalf("got %d error lines, want %d:\n%v", len(lines), len(want), err)
	}
	for i, prefix := range want {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], prefix)
		}
	}

	// The joined errors are *VarError, and a missing variable is ErrRequired.
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %T does not unwrap to a list", err)
	}
	var names []string
	for _, e := range joined.Unwrap() {
		var ve *VarError
		if !errors.As(e, &ve) {
			t.Fatalf("joined error %T is not a *VarError", e)
		}
		names = append(names, ve.Name)
		if errors.Is(ve, ErrRequired) {
			t.Errorf("errors.Is(%s error, ErrRequired) = true", ve.Name)
		}
	}
	wantNames := []string{"TELEGRAM_BOT_TOKEN", "LOA_DATA_DIR", "LOA_ADMIN_IDS", "LOA_MODE", "LOA_LANG", "LOA_TIMEZONE", "LOA_RATE_LIMIT"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("VarError names = %v, want %v", names, wantNames)
	}
}

func TestLoadEmptyEnvironment(t *testing.T) {
	_, err := Load(func(string) string { return "" })
	// DATABASE_URL is optional: without it Loa runs its own server.
	want := "TELEGRAM_BOT_TOKEN is required"
	if err == nil || err.Error() != want {
		t.Errorf("Load(empty) error =\n%v\nwant\n%s", err, want)
	}
}

func TestLoadWebhookMode(t *testing.T) {
	const hookURL = "https://loa.example.org/telegram"
	tests := []struct {
		name     string
		env      map[string]string
		wantErrs []string // one per line, in order; none means success
	}{
		{name: "complete", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": hookURL, "LOA_WEBHOOK_SECRET": testHook}},
		{name: "port 8443", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "https://loa.example.org:8443/hook", "LOA_WEBHOOK_SECRET": testHook}},
		{name: "secret of 256", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": hookURL, "LOA_WEBHOOK_SECRET": strings.Repeat("s", 256)}},
		{name: "secret of 1", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": hookURL, "LOA_WEBHOOK_SECRET": "s"}},
		{name: "both missing", env: map[string]string{"LOA_MODE": "webhook"}, wantErrs: []string{
			"LOA_WEBHOOK_URL is required when LOA_MODE=webhook",
			"LOA_WEBHOOK_SECRET is required when LOA_MODE=webhook",
		}},
		{name: "secret missing", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": hookURL}, wantErrs: []string{
			"LOA_WEBHOOK_SECRET is required when LOA_MODE=webhook",
		}},
		{name: "http", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "http://loa.example.org/hook", "LOA_WEBHOOK_SECRET": testHook}, wantErrs: []string{
			"LOA_WEBHOOK_URL: must use https://",
		}},
		{name: "not a URL", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "loa.example.org/hook", "LOA_WEBHOOK_SECRET": testHook}, wantErrs: []string{
			"LOA_WEBHOOK_URL: not a URL",
		}},
		{name: "no host", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "https:///hook", "LOA_WEBHOOK_SECRET": testHook}, wantErrs: []string{
			"LOA_WEBHOOK_URL: has no host",
		}},
		{name: "port Telegram does not use", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "https://loa.example.org:8080/hook", "LOA_WEBHOOK_SECRET": testHook}, wantErrs: []string{
			`LOA_WEBHOOK_URL: port "8080" is not one Telegram sends webhooks to`,
		}},
		{name: "fragment", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": hookURL + "#x", "LOA_WEBHOOK_SECRET": testHook}, wantErrs: []string{
			"LOA_WEBHOOK_URL: must not have a #fragment",
		}},
		{name: "secret too long", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": hookURL, "LOA_WEBHOOK_SECRET": strings.Repeat("s", 257)}, wantErrs: []string{
			"LOA_WEBHOOK_SECRET: longer than 256 characters",
		}},
		{name: "secret bad characters", env: map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": hookURL, "LOA_WEBHOOK_SECRET": "not/so+secret="}, wantErrs: []string{
			"LOA_WEBHOOK_SECRET: may contain only A-Z a-z 0-9 _ -",
		}},
		{name: "polling needs neither", env: map[string]string{"LOA_MODE": "polling"}},
		// A value kept for a later switch to webhook mode is checked now.
		{name: "polling checks a set URL", env: map[string]string{"LOA_MODE": "polling", "LOA_WEBHOOK_URL": "http://loa.example.org/hook"}, wantErrs: []string{
			"LOA_WEBHOOK_URL: must use https://",
		}},
		// An unknown mode is one error, not also "required when webhook".
		{name: "unknown mode", env: map[string]string{"LOA_MODE": "hook"}, wantErrs: []string{
			`LOA_MODE: must be polling or webhook, got "hook"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if len(tt.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if c.Mode == ModeWebhook && (c.WebhookURL != tt.env["LOA_WEBHOOK_URL"] || c.WebhookSecret != tt.env["LOA_WEBHOOK_SECRET"]) {
					t.Errorf("webhook settings = %q, %q; want %q, %q", c.WebhookURL, c.WebhookSecret, tt.env["LOA_WEBHOOK_URL"], tt.env["LOA_WEBHOOK_SECRET"])
				}
				return
			}
			lines := errLines(err)
			if len(lines) != len(tt.wantErrs) {
				t.Fatalf("got %d error lines, want %d:\n%v", len(lines), len(tt.wantErrs), err)
			}
			for i, want := range tt.wantErrs {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], want)
				}
			}
		})
	}
}

// TestLoadNeverEchoesSecrets feeds malformed secrets, and secrets typed into
// the wrong variable, and checks that no error repeats any of them.
func TestLoadNeverEchoesSecrets(t *testing.T) {
	const pw = "Sup3rSecretPw"
	allVarsHolding := func(v string) map[string]string {
		m := map[string]string{}
		for _, vr := range Variables[2:] { // all but the token and DATABASE_URL
			m[vr.Name] = v
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		secrets []string
	}{
		{"short malformed token", map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc"}, []string{"123:abc"}},
		{"token with bot prefix", map[string]string{"TELEGRAM_BOT_TOKEN": "bot" + testToken}, []string{testSecret}},
		{"quoted token", map[string]string{"TELEGRAM_BOT_TOKEN": "'" + testToken + "'"}, []string{testSecret}},
		{"token without colon", map[string]string{"TELEGRAM_BOT_TOKEN": testSecret}, []string{testSecret}},
		{"token too long", map[string]string{"TELEGRAM_BOT_TOKEN": testToken + "xyz" + strings.Repeat("Q", 40)}, []string{testSecret}},
		{"token in every other variable", allVarsHolding(testToken), []string{testSecret}},
		{"token secret part in every other variable", allVarsHolding(testSecret), []string{testSecret}},
		{"malformed token in every other variable", merge(allVarsHolding("123:abc"), map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc"}), []string{"123:abc"}},
		{"webhook secret malformed", map[string]string{"LOA_MODE": "webhook", "LOA_WEBHOOK_URL": "https://x.example/h", "LOA_WEBHOOK_SECRET": "hush hush!"}, []string{"hush hush!"}},
		{"webhook secret in other variables", merge(allVarsHolding(testHook), map[string]string{"LOA_WEBHOOK_SECRET": testHook}), []string{testHook}},
		{"token in webhook URL", map[string]string{"LOA_WEBHOOK_URL": "http://x.example/" + testToken}, []string{testSecret}},
		{"db URL unescaped", map[string]string{"DATABASE_URL": "postgres://loa:" + pw + " x@localhost/loa"}, []string{pw}},
		{"db URL bad port", map[string]string{"DATABASE_URL": "postgres://loa:" + pw + "@localhost:99999/loa"}, []string{pw}},
		{"db URL two at signs", map[string]string{"DATABASE_URL": "postgres://loa:" + pw + "@@localhost:bad/loa"}, []string{pw}},
		{"db URL bad sslmode", map[string]string{"DATABASE_URL": "postgres://loa:" + pw + "@localhost/loa?sslmode=nope"}, []string{pw}},
		{"db URL password as sslmode", map[string]string{"DATABASE_URL": "postgres://loa:" + pw + "@localhost/loa?sslmode=" + pw}, []string{pw}},
		{"db URL password in query", map[string]string{"DATABASE_URL": "postgres://loa@localhost/loa?password=" + pw + "&sslmode=" + pw}, []string{pw}},
		{"db wrong scheme", map[string]string{"DATABASE_URL": "mysql://loa:" + pw + "@localhost/loa"}, []string{pw}},
		{"db key=value bad sslmode", map[string]string{"DATABASE_URL": "host=localhost password=" + pw + " sslmode=nope"}, []string{pw}},
		{"db key=value unterminated", map[string]string{"DATABASE_URL": "host=localhost password='" + pw}, []string{pw}},
		{"db key=value malformed", map[string]string{"DATABASE_URL": "host=localhost password=" + pw + " dbname"}, []string{pw}},
		{"db password in other variables", merge(allVarsHolding(pw), map[string]string{"DATABASE_URL": "postgres://loa:" + pw + "@localhost/loa"}), []string{pw}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			if err == nil {
				t.Fatal("Load succeeded; the case must be invalid to test its error")
			}
			for _, s := range tt.secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error contains the secret %q:\n%v", s, err)
				}
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// FuzzLoad checks that Load never panics, that what it accepts keeps the
// invariants the rest of Loa relies on, and that a long token never leaks
// through an error, whichever variables it is typed into.
func FuzzLoad(f *testing.F) {
	f.Add(testToken, testDBURL, "1,2", "polling", "30", "Asia/Ho_Chi_Minh")
	f.Add("123:abc", "host=x password='p", "1,,2", "webhook", "0", "Local")
	f.Add("bot"+testToken, "postgres://u:p@h:1/d?sslmode=x", "-5", "poll", "1001", "")
	f.Fuzz(func(t *testing.T, tok, db, ids, mode, rate, tz string) {
		getenv := env(map[string]string{
			"TELEGRAM_BOT_TOKEN": tok, "DATABASE_URL": db, "LOA_ADMIN_IDS": ids,
			"LOA_MODE": mode, "LOA_RATE_LIMIT": rate, "LOA_TIMEZONE": tz,
			"LOA_LANG": tok, "LOA_HTTP_ADDR": ids + tok,
		})
		c, err := Load(getenv)
		if err != nil {
			known := map[string]bool{}
			for _, v := range Variables {
				known[v.Name] = true
			}
			for _, line := range errLines(err) {
				name, _, _ := strings.Cut(line, ":")
				name, _, _ = strings.Cut(name, " ")
				if !known[name] {
					t.Errorf("error line %q does not start with a variable name", line)
				}
			}
			// Our messages hold no run of 24 letters and digits, so a
			// token containing one can only appear by being echoed.
			if t0 := strings.TrimSpace(tok); len(t0) >= 24 && isAlnum(t0) && strings.Contains(err.Error(), t0) {
				t.Errorf("error echoes the token:\n%v", err)
			}
			return
		}
		if c.Location == nil || c.RateLimit < 1 || c.RateLimit > 1000 || (c.Mode != ModePolling && c.Mode != ModeWebhook) {
			t.Errorf("Load accepted an invalid config: %v", c)
		}
		for _, id := range c.AdminIDs {
			if id <= 0 {
				t.Errorf("Load accepted admin id %d", id)
			}
		}
		if strings.Contains(c.String(), c.Token) {
			t.Errorf("String shows the token: %s", c)
		}
	})
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// TestVariables keeps the table usable for the README and tied to the code:
// unique names, short descriptions, and each Default being what Load does
// when the variable is unset.
func TestVariables(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Variables {
		if seen[v.Name] {
			t.Errorf("%s listed twice", v.Name)
		}
		seen[v.Name] = true
		if v.Description == "" || len([]rune(v.Description)) > 60 {
			t.Errorf("%s: description %q should be a short phrase (1-60 characters)", v.Name, v.Description)
		}
		if v.Required && v.Default != "" {
			t.Errorf("%s is required yet has a default", v.Name)
		}
	}

	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	f := c.fields()
	if len(f) != len(Variables) {
		t.Fatalf("Config renders %d variables, Variables has %d", len(f), len(Variables))
	}
	for i, v := range Variables {
		if f[i][0] != v.Name {
			t.Errorf("rendered variable %d is %s, Variables has %s", i, f[i][0], v.Name)
		}
		// The minimal environment sets DATABASE_URL, optional as it is.
		if !v.Required && env(nil)(v.Name) == "" && f[i][1] != v.Default {
			t.Errorf("%s unset loads as %q, Variables documents the default %q", v.Name, f[i][1], v.Default)
		}
	}
}

func TestDatabaseTarget(t *testing.T) {
	for _, c := range []struct{ in, host, db string }{
		{testDBURL, "localhost:5432", "loa"},
		{"postgresql://u:p%40ss@db.example.org/bulletins?sslmode=verify-full", "db.example.org", "bulletins"},
		{"postgres:///loa?host=%2Frun%2Fpostgresql&port=5433&password=" + testDBPass, "/run/postgresql:5433", "loa"},
		{"host=db user=loa password='" + testDBPass + "' dbname=loa port=6432", "db:6432", "loa"},
	} {
		host, db := DatabaseTarget(c.in)
		if host != c.host || db != c.db {
			t.Errorf("DatabaseTarget(%q) = %q, %q; want %q, %q", c.in, host, db, c.host, c.db)
		}
	}
}
