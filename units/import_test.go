package units_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
	"github.com/loabot/loa/units"
)

// writeFile writes content to a file named name in a fresh directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// treeOf renders the units in the database as "code<parent" in display
// order, for comparing trees.
func treeOf(t *testing.T, db *storage.DB) []string {
	t.Helper()
	us, err := db.Units(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tr := units.NewTree(us)
	var out []string
	tr.Walk(func(u storage.Unit, depth int) {
		parent := ""
		if u.ParentID != nil {
			p, _ := tr.Get(*u.ParentID)
			parent = p.Code
		}
		out = append(out, strings.Repeat(" ", depth)+u.Code+"<"+parent+" "+u.Name+" "+u.Visibility)
	})
	return out
}

func TestImportExample(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)

	rep, err := units.Import(ctx, db, examplePath, storage.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 39 || rep.Updated != nil || rep.Unchanged != nil || rep.Missing != nil {
		t.Fatalf("first import: %+v", rep)
	}
	first := treeOf(t, db)
	us, _ := db.Units(ctx)
	tr := units.NewTree(us)
	city, _ := tr.ByCode("mongcai")
	if len(tr.Roots()) != 1 || tr.Roots()[0].ID != city.ID || len(tr.Descendants(city.ID)) != 39 {
		t.Errorf("the city is not the one root above every unit: roots %+v", tr.Roots())
	}
	for _, code := range []string{"tuyengiao", "chqs", "dq-co-dong", "dq-tra-co", "x-vinh-thuc"} {
		u, ok := tr.ByCode(code)
		if !ok || !tr.IsUnder(u.ID, city.ID) {
			t.Errorf("%s missing or not under the city", code)
		}
	}
	if got := tr.Match("tra co"); len(got) != 2 || got[0].Code != "p-tra-co" || got[1].Code != "dq-tra-co" {
		t.Errorf(`Match("tra co") = %+v`, got)
	}
	if got := tr.Match("tuyen giao"); len(got) != 1 || got[0].Code != "tuyengiao" {
		t.Errorf(`Match("tuyen giao") = %+v`, got)
	}

	// Twice: the same tree, everything Unchanged, nothing audited.
	audited, _ := db.AuditLog(ctx, 1000)
	rep, err = units.Import(ctx, db, examplePath, storage.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Unchanged) != 39 || rep.Added != nil || rep.Updated != nil || rep.Missing != nil {
		t.Fatalf("second import: %+v", rep)
	}
	if again := treeOf(t, db); !slices.Equal(again, first) {
		t.Errorf("tree changed by the second import:\n%s\n---\n%s", strings.Join(first, "\n"), strings.Join(again, "\n"))
	}
	if log, _ := db.AuditLog(ctx, 1000); len(log) != len(audited) || len(log) != 39 {
		t.Errorf("%d audit rows after two imports, want the 39 of the first", len(log))
	}

	// A changed name: Updated.
	renamed := strings.Replace(readExample(t), "name: Phường Trà Cổ\n", "name: Phường Trà Cổ (Móng Cái)\n", 1)
	rep, err = units.Import(ctx, db, writeFile(t, "units.yaml", renamed), 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Updated, []string{"p-tra-co"}) || len(rep.Unchanged) != 38 || rep.Missing != nil {
		t.Fatalf("import with a new name: %+v", rep)
	}
	if u, _ := db.UnitByCode(ctx, "p-tra-co"); u.Name != "Phường Trà Cổ (Móng Cái)" || u.NameFolded != "phuong tra co (mong cai)" {
		t.Errorf("renamed unit = %+v", u)
	}
	if log, _ := db.AuditLog(ctx, 1); log[0].Action != storage.AuditUnitUpdate || log[0].ActorID != 5 {
		t.Errorf("audit of the rename = %+v", log[0])
	}

	// A unit removed from the file: reported, kept.
	const block = `          - code: dq-hai-xuan
            name: Dân quân phường Hải Xuân
            kind: militia
            visibility: restricted
`
	if !strings.Contains(renamed, block) {
		t.Fatal("the example changed: update the block this test removes")
	}
	removed := strings.Replace(renamed, block, "", 1)
	removed = strings.Replace(removed, "name: Phường Hải Xuân\n        kind: ward\n        visibility: public\n        children:\n", "name: Phường Hải Xuân\n        kind: ward\n        visibility: public\n", 1)
	rep, err = units.Import(ctx, db, writeFile(t, "units.yaml", removed), 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Missing, []string{"dq-hai-xuan"}) || len(rep.Unchanged) != 38 || rep.Updated != nil || rep.Added != nil {
		t.Fatalf("import without dq-hai-xuan: %+v", rep)
	}
	if _, err := db.UnitByCode(ctx, "dq-hai-xuan"); err != nil {
		t.Errorf("a unit missing from the file was deleted: %v", err)
	}
	if s := units.Summary(rep); !strings.Contains(s, "0 added, 0 updated, 38 unchanged") || !strings.Contains(s, "kept: dq-hai-xuan") {
		t.Errorf("Summary = %q", s)
	}
}

// TestImportRefusesBadFiles: whatever is wrong, the database stays as it was,
// even the valid units of the bad file.
func TestImportRefusesBadFiles(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	if _, err := units.Import(ctx, db, examplePath, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	before := treeOf(t, db)
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad.yaml", tc.yaml)
			_, err := units.Import(ctx, db, path, storage.SystemActor)
			if err == nil {
				t.Fatal("imported")
			}
			for _, want := range tc.err {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if after := treeOf(t, db); !slices.Equal(after, before) {
				t.Errorf("units changed: %d before, %d after", len(before), len(after))
			}
		})
	}
	// A bad change to the example: the good changes in it are not applied.
	bad := strings.Replace(readExample(t), "name: Phường Trà Cổ\n", "name: Phường Trà Cổ mới\n", 1) +
		"  - code: moi\n    name: Mới\n    kind: ward\n    parent: khong-co\n"
	if _, err := units.Import(ctx, db, writeFile(t, "units.yaml", bad), storage.SystemActor); err == nil {
		t.Fatal("imported a file with an unknown parent")
	}
	if after := treeOf(t, db); !slices.Equal(after, before) {
		t.Error("units changed by a refused file")
	}
}
