package messages

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleArgs returns the arguments the golden files render each key with in
// lang. A key with fmt verbs needs an entry here (TestCatalogRenders fails
// otherwise).
func sampleArgs(lang Lang) map[Key][]any {
	usage := map[Lang]string{Vietnamese: "/join <mã đơn vị>", English: "/join <unit code>"}[lang]
	out := map[Key][]any{
		KeyStartGreeting:  {"Bùi Thị Lệ Hằng"},
		KeyAddedToGroup:   {"Dân quân phường Trần Phú"},
		KeyHelpLine:       {"join", Describe(lang, Command{"join", KeyCmdJoin})},
		KeyUnknownCommand: {"baocao"},
		KeyArgsTooLong:    {Count(4096)},
		KeyArgsInvalid:    {Code(usage)},
		KeyPrivateOnly:    {"invite"},
		KeyGroupOnly:      {"broadcast"},
		KeySlowDown:       {42},
	}
	for _, more := range moreSampleArgs {
		for k, v := range more(lang) {
			out[k] = v
		}
	}
	return out
}

// moreSampleArgs lets each feature's test file add the sample arguments of
// its own keys (in an init function), next to the keys it tests.
var moreSampleArgs []func(Lang) map[Key][]any

// allCommands are the commands there are descriptions for, as handlers will
// list them for an admin.
var allCommands = []Command{
	{"start", KeyCmdStart}, {"help", KeyCmdHelp}, {"me", KeyCmdMe},
	{"units", KeyCmdUnits}, {"join", KeyCmdJoin}, {"subscribe", KeyCmdSubscribe},
	{"unsubscribe", KeyCmdUnsubscribe}, {"latest", KeyCmdLatest}, {"tasks", KeyCmdTasks},
	{"invite", KeyCmdInvite}, {"members", KeyCmdMembers}, {"promote", KeyCmdPromote},
	{"demote", KeyCmdDemote}, {"broadcast", KeyCmdBroadcast},
}

// declaredKeys reads keys.go and every keys_*.go (one per feature) and
// returns every constant of type Key, so that a constant added without
// catalogue entries fails a test instead of showing its name to people.
func declaredKeys(t *testing.T) []Key {
	t.Helper()
	files, err := filepath.Glob("keys*.go")
	if err != nil {
		t.Fatal(err)
	}
	var keys []Key
	for _, name := range files {
		f, err := parser.ParseFile(gotoken.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != gotoken.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Key" {
					t.Errorf("%s: constant %s is not declared with type Key", name, vs.Names[0].Name)
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != gotoken.STRING {
						t.Fatalf("%s: %s is not a string literal", name, vs.Names[0].Name)
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					keys = append(keys, Key(s))
				}
			}
		}
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys in keys*.go", len(keys))
	}
	return keys
}

func TestCatalogsHaveEveryKey(t *testing.T) {
	keys := declaredKeys(t)
	seen := map[Key]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("key %q declared twice", k)
		}
		seen[k] = true
	}
	for lang, cat := range catalogs {
		for _, k := range keys {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s catalogue has no entry for %q", lang, k)
			}
		}
		for k := range cat {
			if !seen[k] {
				t.Errorf("%s catalogue has an entry for %q, which is not a Key constant", lang, k)
			}
		}
	}
}

// verbRE matches one fmt verb, with flags, argument index, width and precision.
var verbRE = regexp.MustCompile(`%[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:\[\d+\])?[a-zA-Z%]`)

func verbs(format string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(format, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

func TestCatalogsAgree(t *testing.T) {
	for k, vi := range catalogVI {
		en, ok := catalogEN[k]
		if !ok {
			continue // reported by TestCatalogsHaveEveryKey
		}
		if v, e := verbs(vi), verbs(en); !slices.Equal(v, e) {
			t.Errorf("%q: Vietnamese verbs %q, English verbs %q", k, v, e)
		}
	}
	for lang, cat := range catalogs {
		for k, v := range cat {
			if !norm.NFC.IsNormalString(v) {
				t.Errorf("%s %q is not NFC: %+q", lang, k, v)
			}
			if strings.TrimSpace(v) != v || v == "" {
				t.Errorf("%s %q is empty or has white space at an end: %q", lang, k, v)
			}
			if strings.Contains(v, "\n\n\n") {
				t.Errorf("%s %q has more than one blank line in a row", lang, k)
			}
		}
	}
}

func TestCatalogRenders(t *testing.T) {
	for lang, cat := range catalogs {
		for k := range cat {
			out := T(lang, k, sampleArgs(lang)[k]...)
			if strings.Contains(out, "%!") {
				t.Errorf("%s %q renders with a formatting error (fix the entry or sampleArgs): %s", lang, k, out)
			}
			if err := checkTelegramHTML(out); err != nil {
				t.Errorf("%s %q is not valid Telegram HTML: %v\n%s", lang, k, err, out)
			}
			if n := Length(out); n > MaxMessageLength {
				t.Errorf("%s %q is %d characters long", lang, k, n)
			}
		}
	}
}

// toastKeys are the entries shown by answerCallbackQuery, which does not
// parse HTML and allows 200 characters.
var toastKeys = []Key{KeyApologyShort, KeyButtonExpired}

func TestToastsArePlainText(t *testing.T) {
	for lang, cat := range catalogs {
		for _, k := range toastKeys {
			v := cat[k]
			if strings.ContainsAny(v, "<>&%\n") || utf16Units(v) > 200 {
				t.Errorf("%s toast %q must be one plain line of at most 200 characters without verbs: %q", lang, k, v)
			}
		}
	}
}

func TestDescriptionsArePlainShortLines(t *testing.T) {
	for _, lang := range []Lang{Vietnamese, English} {
		for _, c := range allCommands {
			raw := catalogs[lang][c.Key]
			if strings.ContainsAny(raw, "<>&%\n") {
				t.Errorf("%s description of /%s should be one plain line without verbs: %q", lang, c.Name, raw)
			}
			d := Describe(lang, c)
			if d == "" || Length(Escape(d)) > 256 || strings.Contains(d, "\n") {
				t.Errorf("%s Describe(/%s) = %q", lang, c.Name, d)
			}
		}
	}
}

func TestDescribeCutsLongText(t *testing.T) {
	catalogVI["test.long"] = "Mô tả <b>rất</b> dài &amp; " + strings.Repeat("😆", 300)
	defer delete(catalogVI, "test.long")
	d := Describe(Vietnamese, Command{"x", "test.long"})
	if !strings.HasPrefix(d, "Mô tả rất dài & 😆") || !strings.HasSuffix(d, "😆…") {
		t.Errorf("Describe = %q", d)
	}
	if n := Length(Escape(d)); n > 256 || n < 250 {
		t.Errorf("Describe is %d UTF-16 units, want at most 256 and not much less", n)
	}
}

// helpText renders /help as handlers will: header, one line per command, footer.
func helpText(lang Lang, cmds []Command) string {
	lines := []string{T(lang, KeyHelpHeader)}
	for _, c := range cmds {
		lines = append(lines, T(lang, KeyHelpLine, c.Name, Describe(lang, c)))
	}
	lines = append(lines, "", T(lang, KeyHelpFooter))
	return strings.Join(lines, "\n")
}

// TestGolden renders every catalogue entry and the full /help in both
// languages and compares them with testdata/*.golden, so that a change to any
// sentence is seen in review as it will appear in a chat. Run
// `go test ./messages/ -run TestGolden -update` to rewrite the files.
func TestGolden(t *testing.T) {
	for _, lang := range []Lang{Vietnamese, English} {
		keys := make([]Key, 0, len(catalogVI))
		for k := range catalogVI {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "=== %s\n%s\n\n", k, T(lang, k, sampleArgs(lang)[k]...))
		}
		golden(t, fmt.Sprintf("catalog.%s.golden", lang), b.String())
		golden(t, fmt.Sprintf("help.%s.golden", lang), helpText(lang, allCommands)+"\n")
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering (run go test -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
