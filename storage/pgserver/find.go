package pgserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// ErrNotInstalled is the cause of every error for a machine without the
// PostgreSQL server binaries; test for it with errors.Is. The error's text
// names the package to install on this platform.
var ErrNotInstalled = errors.New("PostgreSQL server not found")

// NotInstalledError says where the binaries were looked for and how to
// install them. It matches ErrNotInstalled.
type NotInstalledError struct {
	Searched []string // the directories looked in, in order
	Hint     string   // such as "Debian/Ubuntu: apt-get install postgresql"
}

func (e *NotInstalledError) Error() string {
	where := "nowhere (empty search path)"
	if len(e.Searched) > 0 {
		where = "on PATH and in " + strings.Join(knownRoots, ", ")
	}
	return fmt.Sprintf("%s: looked for %s %s; install it (%s)",
		ErrNotInstalled, strings.Join(binaries, " and "), where, e.Hint)
}

func (e *NotInstalledError) Is(target error) bool { return target == ErrNotInstalled }

// binaries are the programs Start runs. pg_ctl is not among them: Start
// runs postgres itself, so that it knows the process and can stop it.
var binaries = []string{"initdb", "postgres"}

// knownRoots are where packages put the server binaries outside PATH, as
// globs; for each, the newest version found comes first.
var knownRoots = []string{
	"/usr/lib/postgresql/*/bin",          // Debian, Ubuntu
	"/usr/pgsql-*/bin",                   // PGDG packages for Fedora, RHEL
	"/usr/libexec/postgresql*",           // Alpine
	"/usr/local/pgsql/bin",               // built from source
	"/opt/homebrew/opt/postgresql@*/bin", // Homebrew, Apple silicon
	"/usr/local/opt/postgresql@*/bin",    // Homebrew, Intel
	"/opt/homebrew/bin",
	"/usr/local/bin",
}

// DefaultSearch returns the directories Find looks in by default: PATH,
// then the places packages install the server to outside PATH (Debian's
// /usr/lib/postgresql/<version>/bin among them), newest version first.
func DefaultSearch() []string {
	dirs := filepath.SplitList(os.Getenv("PATH"))
	for _, g := range knownRoots {
		dirs = append(dirs, newestFirst(g)...)
	}
	return dirs
}

var versionPattern = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)

// newestFirst expands glob and orders the matches by the version number in
// their path, highest first ("16" before "9.6", which a string sort gets
// wrong).
func newestFirst(glob string) []string {
	m, _ := filepath.Glob(glob)
	static := max(0, strings.Index(glob, "*")) // the version is in what the glob matched
	version := func(p string) float64 {
		v, _ := strconv.ParseFloat(versionPattern.FindString(p[min(len(p), static):]), 64)
		return v
	}
	slices.SortStableFunc(m, func(a, b string) int {
		va, vb := version(a), version(b)
		switch {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return 0
	})
	return m
}

// Find returns the first of dirs that holds every server binary Start runs
// (an install missing one is skipped), or a *NotInstalledError.
func Find(dirs []string) (string, error) {
	for _, dir := range dirs {
		if dir != "" && hasBinaries(dir) {
			return dir, nil
		}
	}
	return "", &NotInstalledError{Searched: dirs, Hint: InstallHint(runtime.GOOS, readOSRelease())}
}

func hasBinaries(dir string) bool {
	for _, name := range binaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

func readOSRelease() string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		b, _ = os.ReadFile("/usr/lib/os-release")
	}
	return string(b)
}

// InstallHint names the command that installs the PostgreSQL server on the
// platform: goos is runtime.GOOS, osRelease the text of /etc/os-release
// (its ID and ID_LIKE decide among Linux distributions).
func InstallHint(goos, osRelease string) string {
	if goos == "darwin" {
		return "macOS: brew install postgresql"
	}
	ids := ""
	for _, line := range strings.Split(osRelease, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && (k == "ID" || k == "ID_LIKE") {
			ids += " " + strings.ToLower(strings.Trim(v, `"'`))
		}
	}
	has := func(names ...string) bool {
		for _, f := range strings.Fields(ids) {
			if slices.Contains(names, f) {
				return true
			}
		}
		return false
	}
	switch {
	case has("debian", "ubuntu"):
		return "Debian/Ubuntu: apt-get install postgresql"
	case has("fedora", "rhel", "centos"):
		return "Fedora/RHEL: dnf install postgresql-server"
	case has("alpine"):
		return "Alpine: apk add postgresql"
	case has("arch"):
		return "Arch: pacman -S postgresql"
	case has("suse", "opensuse"):
		return "openSUSE: zypper install postgresql-server"
	}
	return "Debian/Ubuntu: apt-get install postgresql; Fedora/RHEL: dnf install postgresql-server; " +
		"Alpine: apk add postgresql; macOS: brew install postgresql"
}
