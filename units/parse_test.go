package units_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

const examplePath = "../examples/mongcai/units.yaml"

func TestParseExample(t *testing.T) {
	t.Parallel()
	specs, err := units.ParseFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	// The city, the Party committee and its Propaganda Department, the
	// Military Command and its platoon, 9 wards and 8 communes with their
	// militia.
	if len(specs) != 5+2*17 {
		t.Fatalf("%d units, want %d", len(specs), 5+2*17)
	}
	byCode := map[string]storage.UnitSpec{}
	for i, s := range specs {
		if s.ParentCode != "" {
			if _, ok := byCode[s.ParentCode]; !ok {
				t.Errorf("unit %s comes before its parent %s", s.Code, s.ParentCode)
			}
		}
		byCode[s.Code] = s
		if !norm.NFC.IsNormalString(s.Name) {
			t.Errorf("name of %s is not NFC", s.Code)
		}
		if i > 0 && s.Line <= specs[i-1].Line {
			t.Errorf("unit %s (line %d) after line %d: not in file order", s.Code, s.Line, specs[i-1].Line)
		}
	}
	for code, want := range map[string]storage.UnitSpec{
		"mongcai":     {Name: "Thành phố Móng Cái", Kind: "city", Visibility: storage.Public},
		"tuyengiao":   {Name: "Ban Tuyên giáo Thành ủy", Visibility: storage.Public, ParentCode: "thanhuy"},
		"chqs":        {Name: "Ban Chỉ huy Quân sự thành phố", Visibility: storage.Public, ParentCode: "mongcai"},
		"dq-co-dong":  {Visibility: storage.Restricted, ParentCode: "chqs"},
		"p-tra-co":    {Name: "Phường Trà Cổ", Kind: "ward", Visibility: storage.Public, ParentCode: "mongcai"},
		"dq-tra-co":   {Name: "Dân quân phường Trà Cổ", Kind: "militia", Visibility: storage.Restricted, ParentCode: "p-tra-co"},
		"x-vinh-thuc": {Name: "Xã Vĩnh Thực", Kind: "commune", ParentCode: "mongcai"},
		"dq-bac-son":  {Name: "Dân quân xã Bắc Sơn", ParentCode: "x-bac-son"},
	} {
		got, ok := byCode[code]
		if !ok {
			t.Errorf("no unit %s", code)
			continue
		}
		if (want.Name != "" && got.Name != want.Name) || (want.Kind != "" && got.Kind != want.Kind) ||
			(want.Visibility != "" && got.Visibility != want.Visibility) || got.ParentCode != want.ParentCode {
			t.Errorf("unit %s = %+v, want %+v", code, got, want)
		}
	}
	for _, ward := range []string{"ka-long", "tran-phu", "hoa-lac", "ninh-duong", "hai-yen", "hai-hoa", "binh-ngoc", "tra-co", "hai-xuan"} {
		if byCode["p-"+ward].Kind != "ward" || byCode["dq-"+ward].ParentCode != "p-"+ward {
			t.Errorf("ward %s or its militia missing", ward)
		}
	}
	for _, commune := range []string{"hai-son", "hai-dong", "hai-tien", "van-ninh", "quang-nghia", "vinh-trung", "vinh-thuc", "bac-son"} {
		if byCode["x-"+commune].Kind != "commune" || byCode["dq-"+commune].ParentCode != "x-"+commune {
			t.Errorf("commune %s or its militia missing", commune)
		}
	}
}

func TestParseFlatAndDefaults(t *testing.T) {
	t.Parallel()
	// Children listed before their parent with parent:, nested below a
	// unit given flat, visibility left out, names to normalise.
	const file = `units:
  - code: dq-a
    name: "  Dân quân A  "
    kind: militia
    parent: p-a
  - code: root
    name: Gốc
    kind: city
    visibility: public
  - code: p-a
    name: "Phu\u031bo\u031b\u0300ng A"
    kind: ward
    parent: root
    children:
      - code: to-1
        name: Tổ 1
        kind: militia
        children: []
`
	specs, err := units.Parse(strings.NewReader(file), "flat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range specs {
		got = append(got, s.Code+"<"+s.ParentCode)
	}
	if want := []string{"root<", "dq-a<p-a", "to-1<p-a", "p-a<root"}; slices.Equal(got, want) {
		t.Fatalf("order %v is not parents first", got)
	}
	if want := []string{"root<", "p-a<root", "dq-a<p-a", "to-1<p-a"}; !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if specs[2].Name != "Dân quân A" || specs[2].Visibility != storage.Restricted || specs[2].Line != 2 {
		t.Errorf("dq-a = %+v; want trimmed name, restricted by default, line 2", specs[2])
	}
	if specs[1].Name != "Phường A" {
		t.Errorf("name %+q not NFC", specs[1].Name)
	}
}

// badFiles each hold one mistake (and a valid unit "moi" that must not be
// imported either); err is a piece of the error, with its line.
var badFiles = []struct {
	name, yaml string
	err        []string
}{
	{"syntax", `units:
  - code: moi
    name: Mới
    kind: ward
   - code: b
`, []string{"bad.yaml:5: invalid YAML"}},
	{"duplicate code", `units:
  - code: moi
    name: Mới
    kind: ward
    children:
      - code: moi
        name: Mới nữa
        kind: militia
`, []string{`bad.yaml:6: duplicate code "moi": already used at line 2`}},
	{"unknown parent", `units:
  - code: moi
    name: Mới
    kind: ward
  - code: b
    name: B
    kind: militia
    parent: khong-co
`, []string{`bad.yaml:8: unit "b": unknown parent "khong-co"`}},
	{"cycle", `units:
  - code: moi
    name: Mới
    kind: ward
  - code: a
    name: A
    kind: ward
    parent: c
  - code: b
    name: B
    kind: ward
    parent: a
    children:
      - code: c
        name: C
        kind: militia
`, []string{"bad.yaml:8: parents form a cycle", "a under c under b under a", "lines 5, 14, 9"}},
	{"cycle of two", `units:
  - code: moi
    name: Mới
    kind: ward
  - code: a
    name: A
    kind: ward
    parent: b
  - code: b
    name: B
    kind: ward
    parent: a
`, []string{"bad.yaml:8: parents form a cycle: a under b under a"}},
	{"own parent", `units:
  - code: moi
    name: Mới
    kind: ward
    parent: moi
`, []string{`bad.yaml:5: unit "moi" is its own parent`}},
	{"missing name", `units:
  - code: moi
    name: Mới
    kind: ward
  - code: b
    kind: ward
`, []string{"bad.yaml:5: the unit has no name:"}},
	{"empty name", `units:
  - code: moi
    name: Mới
    kind: ward
  - code: b
    name: ""
    kind: ward
`, []string{"bad.yaml:6: name: is empty"}},
	{"missing code and kind", `units:
  - code: moi
    name: Mới
    kind: ward
    children:
      - name: B
`, []string{"bad.yaml:6: the unit has no code:", "bad.yaml:6: the unit has no kind:"}},
	{"bad visibility", `units:
  - code: moi
    name: Mới
    kind: ward
    visibility: secret
`, []string{`bad.yaml:5: visibility "secret": use public or restricted`}},
	{"zero-width space in a name", "units:\n  - code: moi\n    name: Mới\n    kind: ward\n  - code: b\n    name: \"Trà\u200bCổ\"\n    kind: ward\n",
		[]string{"bad.yaml:6: name", "U+200B"}},
	{"BOM in a name", "units:\n  - code: moi\n    name: Mới\n    kind: ward\n  - code: b\n    name: Trà \ufeffCổ\n    kind: ward\n",
		[]string{"bad.yaml:6: name", "U+FEFF"}},
	{"direction mark in a name", "units:\n  - code: moi\n    name: Mới\n    kind: ward\n  - code: b\n    name: \"Trà \\u200eCổ\"\n    kind: ward\n",
		[]string{"bad.yaml:6: name", "U+200E"}},
	{"line break in a name", "units:\n  - code: moi\n    name: \"Mới\\nthật\"\n    kind: ward\n",
		[]string{"bad.yaml:3: name", "U+000A"}},
	{"long name", "units:\n  - code: moi\n    name: " + strings.Repeat("ă", 201) + "\n    kind: ward\n",
		[]string{"bad.yaml:3: name: is 201 characters long, at most 200"}},
	{"unknown key", `units:
  - code: moi
    name: Mới
    kind: ward
    visiblity: public
`, []string{`bad.yaml:5: unknown key "visiblity"`}},
	{"unknown top key", "unit:\n  - code: moi\n", []string{`bad.yaml:1: unknown key "unit" at the top`, "bad.yaml:1: no units: key"}},
	{"key twice", `units:
  - code: moi
    name: Mới
    kind: ward
    name: Mới lại
`, []string{`bad.yaml:5: key "name" given twice in a unit (first at line 3)`}},
	{"bad code", `units:
  - code: moi
    name: Mới
    kind: ward
  - code: Tra_Co
    name: B
    kind: ward
`, []string{`bad.yaml:5: code "Tra_Co"`}},
	{"bad kind", "units:\n  - code: moi\n    name: Mới\n    kind: Phường\n", []string{`bad.yaml:4: kind "Phường"`}},
	{"parent inside children", `units:
  - code: moi
    name: Mới
    kind: ward
    children:
      - code: b
        name: B
        kind: militia
        parent: moi
`, []string{"bad.yaml:9: parent: inside children"}},
	{"code is a list", "units:\n  - code: [a, b]\n    name: Mới\n    kind: ward\n", []string{"bad.yaml:2: code: must be text"}},
	{"unit is text", "units:\n  - moi\n", []string{`bad.yaml:2: expected a unit (code:, name:, kind: …), found "moi"`}},
	{"alias", "units:\n  - &x\n    code: moi\n    name: Mới\n    kind: ward\n  - *x\n", []string{"bad.yaml:6: expected a unit", "an alias"}},
	{"empty file", "", []string{"bad.yaml:1: the file is empty"}},
	{"only comments", "# nothing yet\n", []string{"bad.yaml:1: the file is empty"}},
	{"empty list", "units: []\n", []string{"bad.yaml:1: units: must be a non-empty list"}},
	{"two documents", "units:\n  - code: moi\n    name: Mới\n    kind: ward\n---\nunits: []\n", []string{"bad.yaml:5: a second YAML document"}},
	{"control character", "units:\n  - code: moi\n    name: Mới\x01\n    kind: ward\n", []string{"bad.yaml:3: control character U+0001"}},
	{"not UTF-8", "units:\n  - code: moi\n    name: M\xe1i\n    kind: ward\n", []string{"bad.yaml:3: the file is not valid UTF-8"}},
}

func TestParseRefusesBadFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			specs, err := units.Parse(strings.NewReader(tc.yaml), "bad.yaml")
			if err == nil {
				t.Fatalf("accepted: %+v", specs)
			}
			if specs != nil {
				t.Errorf("returned units with the error: %+v", specs)
			}
			for _, want := range tc.err {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			var pe *units.Error
			if !errors.As(err, &pe) || pe.File != "bad.yaml" || pe.Line < 1 {
				t.Errorf("error %v is not a *units.Error with a line", err)
			}
		})
	}
}

func TestParseReportsEveryMistake(t *testing.T) {
	t.Parallel()
	_, err := units.Parse(strings.NewReader(`units:
  - code: a
    kind: ward
  - code: b
    name: B
    kind: ward
    visibility: hidden
    colour: red
`), "f.yaml")
	for _, want := range []string{"f.yaml:2: the unit has no name:", "f.yaml:7: visibility", "f.yaml:8: unknown key"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	if err != nil && strings.Index(err.Error(), "f.yaml:2:") > strings.Index(err.Error(), "f.yaml:8:") {
		t.Errorf("errors not in line order:\n%v", err)
	}
}

func TestParseFileMissing(t *testing.T) {
	t.Parallel()
	_, err := units.ParseFile("no/such/file.yaml")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ParseFile of a missing file = %v, want os.ErrNotExist", err)
	}
}

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(examplePath); err == nil {
		f.Add(string(b))
	}
	for _, tc := range badFiles {
		f.Add(tc.yaml)
	}
	f.Fuzz(func(t *testing.T, file string) {
		specs, err := units.Parse(strings.NewReader(file), "fuzz.yaml")
		if err != nil {
			if specs != nil {
				t.Fatal("units returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		// What Parse accepts, storage accepts: parents first, codes and
		// visibilities valid, names clean.
		seen := map[string]bool{}
		for _, s := range specs {
			if !storage.ValidUnitCode(s.Code) || seen[s.Code] || (s.ParentCode != "" && !seen[s.ParentCode]) ||
				(s.Visibility != storage.Public && s.Visibility != storage.Restricted) ||
				s.Name == "" || s.Kind == "" || !norm.NFC.IsNormalString(s.Name) {
				t.Fatalf("accepted a bad unit %+v in %q", s, file)
			}
			seen[s.Code] = true
		}
	})
}
