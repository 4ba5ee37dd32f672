package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// errNotPostgres is the one message for a DATABASE_URL that is neither form;
// it shows the expected shape, never the value.
var errNotPostgres = errors.New("not a PostgreSQL URL (postgres://user:pass@host:5432/db?sslmode=disable) or key=value string (host=localhost dbname=loa sslmode=disable)")

// sslModes are the sslmode values lib/pq 1.12 accepts, besides "pqgo-<name>"
// for a TLS config registered with pq.RegisterTLSConfig.
var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

func isPostgresURL(v string) bool {
	// lib/pq matches these prefixes case-sensitively; anything else is read
	// as a key=value string and fails there.
	return strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://")
}

// checkDatabaseURL accepts what lib/pq accepts in its two forms and rejects
// the mistakes it would only report at connect time (or report with the
// password in the message: lib/pq returns url.Parse's error, which quotes the
// whole URL). quote is used for the only part it ever shows, sslmode.
func checkDatabaseURL(v string, quote func(string) string) error {
	var sslmode string
	var hasSSLMode bool
	switch {
	case isPostgresURL(v):
		u, err := url.Parse(v)
		if err != nil {
			// Never wrap err: *url.Error quotes the URL, password included.
			return errors.New("not a valid URL; percent-encode special characters in the user name and password (@ as %40, : as %3A, / as %2F); value not shown")
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return errors.New("port must be a number from 1 to 65535")
			}
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return errors.New("malformed query string after ?; value not shown")
		}
		sslmode, hasSSLMode = q.Get("sslmode"), q.Has("sslmode")
	case strings.Contains(v, "://") || !strings.Contains(v, "="):
		return errNotPostgres
	default:
		pairs, err := parseDSN(v)
		if err != nil {
			return fmt.Errorf("%w: %w", errNotPostgres, err)
		}
		for _, p := range pairs {
			if p.key == "sslmode" {
				sslmode, hasSSLMode = p.value, true
			}
		}
	}
	if hasSSLMode && !slices.Contains(sslModes, sslmode) && !strings.HasPrefix(sslmode, "pqgo-") {
		return fmt.Errorf("sslmode %s is not one of %s", quote(sslmode), strings.Join(sslModes, ", "))
	}
	return nil
}

// dsnPair is one key=value pair of a lib/pq connection string, with the span
// of its value (quotes included) in runes of the original, so that redaction
// can replace the password in place and leave the rest as written.
type dsnPair struct {
	key, value string
	start, end int
}

// parseDSN splits a key=value connection string the way lib/pq's fromDSN
// does (after libpq's conninfo_parse): pairs separated by white space, spaces
// allowed around "=", a value either single-quoted or running to the next
// space, a backslash escaping the next character. Its errors never quote the
// input, which may hold a password.
func parseDSN(dsn string) ([]dsnPair, error) {
	s := []rune(dsn)
	i := 0
	skipSpaces := func() {
		for i < len(s) && unicode.IsSpace(s[i]) {
			i++
		}
	}
	var pairs []dsnPair
	for {
		skipSpaces()
		if i >= len(s) {
			return pairs, nil
		}
		k := i
		for i < len(s) && !unicode.IsSpace(s[i]) && s[i] != '=' {
			i++
		}
		key := string(s[k:i])
		skipSpaces()
		if key == "" || i >= len(s) || s[i] != '=' {
			return nil, errors.New("expected key=value pairs separated by spaces; value not shown")
		}
		i++
		skipSpaces()
		start := i
		var val []rune
		if i < len(s) && s[i] == '\'' {
			i++
			for {
				if i >= len(s) {
					return nil, errors.New("unterminated quoted value")
				}
				r := s[i]
				i++
				if r == '\'' {
					break
				}
				if r == '\\' {
					if i >= len(s) {
						return nil, errors.New("unterminated quoted value")
					}
					r = s[i]
					i++
				}
				val = append(val, r)
			}
		} else {
			for i < len(s) && !unicode.IsSpace(s[i]) {
				r := s[i]
				i++
				if r == '\\' {
					if i >= len(s) {
						return nil, errors.New("backslash at the end with nothing to escape")
					}
					r = s[i]
					i++
				}
				val = append(val, r)
			}
		}
		pairs = append(pairs, dsnPair{key: key, value: string(val), start: start, end: i})
	}
}

// databasePassword returns the password in v, from either form, or "". It is
// best effort on purpose: it also digs the password out of a URL that
// url.Parse rejects, so that no message about it can echo the password.
func databasePassword(v string) string {
	if isPostgresURL(v) {
		if u, err := url.Parse(v); err == nil {
			pw, _ := u.User.Password()
			if pw == "" {
				pw = u.Query().Get("password")
			}
			return pw
		}
		rest := v[strings.Index(v, "://")+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				return pw
			}
		}
		return ""
	}
	pairs, _ := parseDSN(v)
	for _, p := range pairs {
		if p.key == "password" {
			return p.value
		}
	}
	return ""
}

const redacted = "[REDACTED]"

// redactDatabaseURL returns v with its password replaced by [REDACTED],
// keeping everything else for the operator to check. A value it cannot parse
// is hidden whole: it cannot tell where a password would be.
func redactDatabaseURL(v string) string {
	switch {
	case v == "":
		return ""
	case isPostgresURL(v):
		u, err := url.Parse(v)
		if err != nil {
			return redacted
		}
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), redacted)
		}
		if u.RawQuery != "" {
			parts := strings.Split(u.RawQuery, "&")
			for i, p := range parts {
				k, _, _ := strings.Cut(p, "=")
				if k, err := url.QueryUnescape(k); err == nil && k == "password" {
					parts[i] = "password=" + redacted
				}
			}
			u.RawQuery = strings.Join(parts, "&")
		}
		// url.URL escapes the brackets of the marker in the user info.
		return strings.ReplaceAll(u.String(), url.PathEscape(redacted), redacted)
	case strings.Contains(v, "://") || !strings.Contains(v, "="):
		return redacted
	default:
		pairs, err := parseDSN(v)
		if err != nil {
			return redacted
		}
		s := []rune(v)
		var b strings.Builder
		last := 0
		for _, p := range pairs {
			if p.key == "password" {
				b.WriteString(string(s[last:p.start]))
				b.WriteString(redacted)
				last = p.end
			}
		}
		b.WriteString(string(s[last:]))
		return b.String()
	}
}

// DatabaseTarget returns the host (with its port, or the socket directory)
// and the database name of a valid DATABASE_URL, for a log line that says
// which database is in use: never the user or the password. lib/pq's
// defaults (localhost, the user's name) show as "".
func DatabaseTarget(v string) (host, database string) {
	if isPostgresURL(v) {
		u, err := url.Parse(v)
		if err != nil {
			return "", ""
		}
		host = u.Host
		if h := u.Query().Get("host"); h != "" {
			host = h
		}
		if p := u.Query().Get("port"); p != "" && !strings.Contains(host, ":") {
			host += ":" + p
		}
		database = strings.TrimPrefix(u.Path, "/")
		if d := u.Query().Get("dbname"); d != "" {
			database = d
		}
		return host, database
	}
	pairs, _ := parseDSN(v)
	var port string
	for _, p := range pairs {
		switch p.key {
		case "host":
			host = p.value
		case "port":
			port = p.value
		case "dbname":
			database = p.value
		}
	}
	if port != "" {
		host += ":" + port
	}
	return host, database
}
