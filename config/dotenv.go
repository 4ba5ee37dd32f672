package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/joho/godotenv"
)

// maxLocatedLines bounds the work of finding the line of a parse error,
// which parses the file once per line; a .env file is a few dozen lines.
const maxLocatedLines = 2000

// LoadDotEnv loads the .env file at path into the process environment, with
// godotenv's syntax, without overriding variables that are already set: the
// real environment (systemd, Docker, the shell) wins, and .env only fills the
// gaps on a developer's machine. A variable set to the empty string counts as
// set, as in godotenv and Docker, and Load then treats it as unset.
//
// A missing file is not an error: production usually has no .env. A
// malformed file is, reported as "path:line: problem". The problem is
// described in our words because godotenv's own message quotes the rest of
// the file from the bad line on, secrets included.
func LoadDotEnv(path string) error {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read env file: %w", err)
	}
	vars, err := godotenv.UnmarshalBytes(src)
	if err != nil {
		if line := errorLine(src); line > 0 {
			return fmt.Errorf("%s:%d: %s", path, line, describeParseError(err))
		}
		return fmt.Errorf("%s: %s", path, describeParseError(err))
	}
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, set := os.LookupEnv(name); set {
			continue
		}
		if err := os.Setenv(name, vars[name]); err != nil {
			// The value is not shown: it may be a secret.
			return fmt.Errorf("%s: set %s: %w", path, name, err)
		}
	}
	return nil
}

// errorLine returns the 1-based line at which godotenv fails on src, or 0 if
// it cannot tell. godotenv reports no position, so this finds the last line k
// such that the first k-1 lines parse: the statement that fails starts there.
// Counting from the end, a quoted value spanning several lines before the bad
// one does not mislead it.
func errorLine(src []byte) int {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	lines := strings.SplitAfter(text, "\n")
	if len(lines) > maxLocatedLines {
		return 0
	}
	for k := len(lines); k >= 1; k-- {
		if _, err := godotenv.Unmarshal(strings.Join(lines[:k-1], "")); err == nil {
			// lines[:k-1] parses, lines[:k'] for every k' >= k does not.
			return k
		}
	}
	return 0
}

// describeParseError turns godotenv's message into one that quotes nothing
// from the file.
func describeParseError(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, `unexpected character "\n" in variable name`):
		return `expected NAME=value`
	case strings.HasPrefix(msg, "unexpected character "):
		// "unexpected character "-" in variable name near "<rest of file>""
		if before, _, ok := strings.Cut(msg, " near "); ok {
			return before + "; names may contain only A-Z a-z 0-9 _ ."
		}
	case strings.HasPrefix(msg, "unterminated quoted value"):
		return "unterminated quoted value"
	}
	return "malformed line"
}
