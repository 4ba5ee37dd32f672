package config

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

// assignment matches "NAME=value" and its commented-out form "# NAME=value",
// which is how .env.example shows an optional variable with its default.
var assignment = regexp.MustCompile(`^(# )?([A-Z][A-Z0-9_]*)=(.*)$`)

// TestEnvExample checks that .env.example documents every variable in
// Variables, exactly once and with a comment above it, mentions no other, sets
// only the required ones, shows the code's defaults, and parses with godotenv.
func TestEnvExample(t *testing.T) {
	src, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	active, err := godotenv.UnmarshalBytes(src)
	if err != nil {
		t.Fatalf(".env.example does not parse: %v", err)
	}

	known := map[string]Variable{}
	for _, v := range Variables {
		known[v.Name] = v
	}
	count := map[string]int{}
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		m := assignment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		commented, name, value := m[1] != "", m[2], m[3]
		count[name]++
		v, ok := known[name]
		if !ok {
			t.Errorf("line %d: %s is not a variable Loa reads", i+1, name)
			continue
		}
		if v.Required && commented {
			t.Errorf("line %d: required %s is commented out", i+1, name)
		}
		if !v.Required && !commented {
			t.Errorf("line %d: optional %s should be commented out so that the code's default applies", i+1, name)
		}
		if commented && v.Default != "" && value != v.Default {
			t.Errorf("line %d: %s shows %q, the default is %q", i+1, name, value, v.Default)
		}
		if i == 0 || !strings.HasPrefix(lines[i-1], "#") || assignment.MatchString(lines[i-1]) {
			t.Errorf("line %d: %s has no comment line above it", i+1, name)
		}
		if v.Default != "" && !strings.Contains(strings.Join(lines[max(0, i-4):i], "\n"), "Default: "+v.Default) {
			t.Errorf("line %d: the comment above %s does not say \"Default: %s\"", i+1, name, v.Default)
		}
	}
	for _, v := range Variables {
		if count[v.Name] != 1 {
			t.Errorf("%s appears %d times in .env.example, want once", v.Name, count[v.Name])
		}
	}
	for name := range active {
		if !known[name].Required {
			t.Errorf("godotenv reads %s from .env.example; only required variables should be set", name)
		}
	}

	// Copied unchanged, the example must fail on the token placeholder, and on
	// nothing else: without DATABASE_URL, Loa runs its own server.
	_, err = Load(func(name string) string { return active[name] })
	lines = errLines(err)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "TELEGRAM_BOT_TOKEN: malformed") {
		t.Errorf("Load(.env.example) = %v, want only the token placeholder rejected", err)
	}
	if !regexp.MustCompile(`(?m)^# DATABASE_URL=postgres://\S*sslmode=disable$`).Match(src) {
		t.Errorf("the example DATABASE_URL should say sslmode=disable for a local server: lib/pq defaults to require")
	}
}
