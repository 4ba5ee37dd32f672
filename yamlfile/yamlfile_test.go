package yamlfile

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// read reads src and walks its top mapping with Fields and Text, as the
// units and plan parsers do, returning the joined errors.
func read(t *testing.T, src string) string {
	t.Helper()
	f, root, err := Read(strings.NewReader(src), "f.yaml", 200, "it needs a: and b:")
	if err != nil {
		t.Fatal(err)
	}
	if root != nil {
		f.Fields(root, "the file", func(key, value *yaml.Node) {
			switch key.Value {
			case "title":
				f.Prose(key, value, 10, false)
			case "notes":
				f.Prose(key, value, 100, true)
			case "on":
				f.Date(key, value)
			default:
				f.Text(key, value)
			}
		})
	}
	if err := f.Err(); err != nil {
		return err.Error()
	}
	return ""
}

func TestRead(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"fine", "a: x\ntitle: Phường\nnotes: |\n  dòng 1\n  dòng 2\non: 18/11/2021\n", ""},
		{"empty", "", "f.yaml:1: the file is empty: it needs a: and b:"},
		{"only a comment", "# nothing\n", "f.yaml:1: the file is empty: it needs a: and b:"},
		{"too big", strings.Repeat("a", 201), "f.yaml:1: the file is larger than 200 bytes"},
		{"broken UTF-8", "a: x\nb: \xff\n", "f.yaml:2: the file is not valid UTF-8"},
		{"control character", "a: x\nb: y\x07\n", "f.yaml:2: control character U+0007"},
		{"second document", "a: x\n---\nb: y\n", "f.yaml:2: a second YAML document"},
		{"syntax error, located", "a: x\nb: y\n  c: z\nd: w\n", "f.yaml:3: invalid YAML"},
		{"not a mapping", "- a\n", "f.yaml:1: the file must be a mapping of keys, found a list"},
		{"key not text", "? [a, b]\n: x\n", "f.yaml:1: a key of the file is not text"},
		{"duplicate key", "a: x\na: y\n", `f.yaml:2: key "a" given twice in the file (first at line 1)`},
		{"alias", "a: &x y\nb: *x\n", "f.yaml:1: anchors, aliases and merge keys are not supported"},
		{"empty value", "a:\n", "f.yaml:1: a: is empty"},
		{"list for text", "a: [1, 2]\n", "f.yaml:1: a: must be text, found a list"},
		{"too long prose", "title: Chương trình phối hợp\n", "f.yaml:1: title: is 21 characters long, at most 10 are allowed"},
		{"invisible character", "title: \"Ph\u200bường\"\n", "contains the invisible or control character U+200B"},
		{"line break in a one-line text", "title: \"a\\nb\"\n", "contains the invisible or control character U+000A"},
		{"bad date", "on: 31/02/2021\n", `f.yaml:1: on: "31/02/2021" is not a date: write dd/mm/yyyy`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := read(t, tt.src)
			if tt.want == "" {
				if got != "" {
					t.Fatalf("unexpected errors: %s", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("errors %q do not contain %q", got, tt.want)
			}
		})
	}
}

// TestProseIsNFC: text typed in NFD (as some phones and editors save it)
// comes out composed, so that a name compares equal to the same name typed
// elsewhere.
func TestProseIsNFC(t *testing.T) {
	f, root, err := Read(strings.NewReader("title: \"Phu\u031bo\u031b\u0300ng\"\n"), "f.yaml", 100, "")
	if err != nil || root == nil {
		t.Fatal(err, f.Err())
	}
	got := f.Prose(root.Content[0], root.Content[1], 10, false)
	if got != "Phường" {
		t.Fatalf("Prose = %q, want the NFC form", got)
	}
}
