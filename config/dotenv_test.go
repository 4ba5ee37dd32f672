package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unsetenv unsets name for the rest of the test and restores it afterwards;
// t.Setenv registers the restore, os.Unsetenv then removes it.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "")
	os.Unsetenv(name)
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadDotEnvRealEnvironmentWins(t *testing.T) {
	t.Setenv("LOA_TEST_REAL", "from the environment")
	t.Setenv("LOA_TEST_EMPTY", "") // set, though empty: still wins
	unsetenv(t, "LOA_TEST_NEW")
	unsetenv(t, "LOA_TEST_QUOTED")
	path := writeFile(t, "# comment\nLOA_TEST_REAL=from the file\nLOA_TEST_EMPTY=from the file\n"+
		"export LOA_TEST_NEW=from the file # trailing comment\nLOA_TEST_QUOTED='a b # c'\n")

	if err := LoadDotEnv(path); err != nil {
		t.Fatalf("LoadDotEnv: %v", err)
	}
	for name, want := range map[string]string{
		"LOA_TEST_REAL":   "from the environment",
		"LOA_TEST_EMPTY":  "",
		"LOA_TEST_NEW":    "from the file",
		"LOA_TEST_QUOTED": "a b # c",
	} {
		if got := os.Getenv(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// TestLoadDotEnvDollar documents why .env.example says to single-quote values
// holding "$": godotenv expands $NAME in unquoted values, eating part of a
// password.
func TestLoadDotEnvDollar(t *testing.T) {
	unsetenv(t, "LOA_TEST_SINGLE")
	unsetenv(t, "LOA_TEST_BARE")
	path := writeFile(t, "LOA_TEST_SINGLE='pa$$WORD'\nLOA_TEST_BARE=pa$$WORD\n")
	if err := LoadDotEnv(path); err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv("LOA_TEST_SINGLE"); got != "pa$$WORD" {
		t.Errorf("single-quoted = %q, want it literal", got)
	}
	if got := os.Getenv("LOA_TEST_BARE"); got == "pa$$WORD" {
		t.Errorf("unquoted = %q: godotenv no longer expands $NAME; update .env.example", got)
	}
}

func TestLoadDotEnvMissingFile(t *testing.T) {
	if err := LoadDotEnv(filepath.Join(t.TempDir(), "nope.env")); err != nil {
		t.Errorf("missing file: %v, want nil", err)
	}
}

func TestLoadDotEnvUnreadable(t *testing.T) {
	dir := t.TempDir()
	err := LoadDotEnv(dir) // a directory exists but cannot be read as a file
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("LoadDotEnv(directory) = %v, want an error naming it", err)
	}
}

func TestLoadDotEnvMalformed(t *testing.T) {
	const secret = "123456789:SECRETsecretSECRETsecretSECRETsec"
	tests := []struct {
		name, content string
		line          int
		msg           string
	}{
		{"bad character in name", "LOA_TEST_A=1\nLOA-TEST=2\nTELEGRAM_BOT_TOKEN=" + secret + "\n",
			2, `unexpected character "-" in variable name`},
		{"line without =", "LOA_TEST_A=1\n\nJUST SOME WORDS\nTELEGRAM_BOT_TOKEN=" + secret + "\n",
			3, "expected NAME=value"},
		{"unterminated quote", "LOA_TEST_A=1\nLOA_TEST_B=\"open\nTELEGRAM_BOT_TOKEN=" + secret + "\n",
			2, "unterminated quoted value"},
		{"after a multi-line value", "LOA_TEST_A=\"one\ntwo\nthree\"\nLOA_TEST_B=2\nLOA+TEST=3\nTELEGRAM_BOT_TOKEN=" + secret,
			5, `unexpected character "+"`},
		{"CRLF line ends", "LOA_TEST_A=1\r\n# note\r\nLOA/TEST=2\r\nTELEGRAM_BOT_TOKEN=" + secret + "\r\n",
			3, `unexpected character "/"`},
		{"first line", "LOA/TEST=" + secret + "\n", 1, `unexpected character "/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unsetenv(t, "LOA_TEST_A")
			unsetenv(t, "TELEGRAM_BOT_TOKEN")
			path := writeFile(t, tt.content)
			err := LoadDotEnv(path)
			if err == nil {
				t.Fatal("LoadDotEnv succeeded on a malformed file")
			}
			prefix := fmt.Sprintf("%s:%d: ", path, tt.line)
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %q, want %q followed by %q", err, prefix, tt.msg)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the file's content: %q", err)
			}
			// All or nothing: a file that does not parse sets nothing.
			if _, set := os.LookupEnv("LOA_TEST_A"); set {
				t.Error("LOA_TEST_A was set from a malformed file")
			}
		})
	}
}
