package agreements_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
	"github.com/loabot/loa/units"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// shippedPlan is the example people import; fixturePlan a frozen copy of an
// earlier version, whose exact contents the scheduler tests and the error
// tests below depend on.
const (
	shippedPlan = "../examples/mongcai/plan-2021-2025.yaml"
	fixturePlan = "testdata/plan-fixture.yaml"
)

// newDB is a database with the shipped units and, if plan, the shipped plan.
func newDB(t *testing.T, plan bool) *storage.DB {
	t.Helper()
	db := pgtest.New(t)
	if _, err := units.Import(context.Background(), db, "../examples/mongcai/units.yaml", storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	if plan {
		if _, err := agreements.Import(context.Background(), db, shippedPlan); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// dump renders every agreement and task as stored, ids included.
func dump(t *testing.T, db *storage.DB) string {
	t.Helper()
	var b strings.Builder
	as, err := db.Agreements(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		fmt.Fprintf(&b, "%+v\n", a)
	}
	ts, err := db.Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		fmt.Fprintf(&b, "%+v\n", x)
	}
	return b.String()
}

func TestImportShippedPlanTwice(t *testing.T) {
	db := newDB(t, true)
	first := dump(t, db)
	if n := strings.Count(first, "\n"); n != 18 {
		t.Fatalf("the shipped plan gave %d rows, want 1 agreement and 17 tasks:\n%s", n, first)
	}
	rep, err := agreements.Import(context.Background(), db, shippedPlan)
	if err != nil {
		t.Fatal(err)
	}
	if rep.AgreementAdded || rep.AgreementUpdated || len(rep.Added)+len(rep.Updated) != 0 || len(rep.Unchanged) != 17 {
		t.Errorf("second import: %+v", rep)
	}
	if got := agreements.Summary(rep); got != "tasks: 0 added, 0 updated, 17 unchanged" {
		t.Errorf("Summary = %q", got)
	}
	if second := dump(t, db); second != first {
		t.Errorf("the second import changed rows:\n--- first\n%s--- second\n%s", first, second)
	}
}

func TestImportUpdatesByKey(t *testing.T) {
	db := newDB(t, true)
	src, _ := os.ReadFile(shippedPlan)
	changed := strings.Replace(string(src), "    day: 25\n", "    day: 24\n", 1) // the first is tuyen-truyen-qp
	changed = strings.Replace(changed, "  - key: so-ket-tong-ket", "  - key: gone\n    title: X\n    lead: chqs\n    due: 01/01/2022\n  - key: so-ket-tong-ket", 1)
	path := filepath.Join(t.TempDir(), "plan.yaml")
	os.WriteFile(path, []byte(changed), 0o644)
	rep, err := agreements.Import(context.Background(), db, path)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Updated, rep.Added) != "[tuyen-truyen-qp] [gone]" {
		t.Errorf("report %+v", rep)
	}
	rep, err = agreements.Import(context.Background(), db, shippedPlan)
	if err != nil || fmt.Sprint(rep.Updated, rep.Missing) != "[tuyen-truyen-qp] [gone]" {
		t.Errorf("back to the shipped plan: %+v %v", rep, err)
	}
}

// TestImportRefusesBadFiles: each bad file is refused with its line, and
// nothing at all is imported.
func TestImportRefusesBadFiles(t *testing.T) {
	src, err := os.ReadFile(fixturePlan)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	lineOf := func(s string) int { // the last line containing s
		for i := len(lines) - 1; i >= 0; i-- {
			if strings.Contains(lines[i], s) {
				return i + 1
			}
		}
		t.Fatalf("%q not in the plan", s)
		return 0
	}
	tests := []struct {
		name, old, new, at, msg string
	}{
		{"unknown unit", "support: [dq-tra-co, dq-binh-ngoc", "support: [dq-tra-co, dq-nowhere", "support: [dq-tra-co, dq-nowhere", `unknown unit "dq-nowhere"`},
		{"unknown lead", "lead: chqs\n    support: [tuyengiao]\n    every: quarter", "lead: chqz\n    support: [tuyengiao]\n    every: quarter", "lead: chqz", `unknown unit "chqz"`},
		{"bad date", "due: 30/12/2021", "due: 31/11/2021", "due: 31/11/2021", "is not a date"},
		{"bad day of year", "on: 22/12", "on: 30/02", "on: 30/02", "is not a day of the year"},
		{"bad recurrence", "every: quarter\n    day: 20", "every: week\n    day: 20", "every: week", `"week": use month, quarter or year`},
		{"two recurrences", "    due: 30/09/2022", "    due: 30/09/2022\n    every: month", "key: dien-tap-phong-thu", "exactly one of"},
		{"duplicate key", "key: so-ket-tong-ket", "key: bien-gioi", "key: bien-gioi", `duplicate task key "bien-gioi"`},
		{"short title too long", "short: Tuyên truyền quốc phòng", "short: Tuyên truyền chủ trương của Đảng về quốc phòng, bảo vệ Tổ quốc", "short: Tuyên truyền chủ trương", "at most 40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t, false)
			if !strings.Contains(string(src), tt.old) {
				t.Fatalf("%q not in the plan", tt.old)
			}
			bad := strings.Replace(string(src), tt.old, tt.new, 1)
			lines = strings.Split(bad, "\n")
			path := filepath.Join(t.TempDir(), "plan.yaml")
			if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := agreements.Import(context.Background(), db, path)
			want := fmt.Sprintf("%s:%d: ", path, lineOf(tt.at))
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error = %v, want %q… %q", err, want, tt.msg)
			}
			if d := dump(t, db); d != "" {
				t.Errorf("a refused file imported rows:\n%s", d)
			}
		})
	}
}
