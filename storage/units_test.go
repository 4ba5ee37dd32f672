package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// testSpecs is a small Móng Cái:
//
//	mongcai
//	├ chqs
//	│ └ dq-co-dong
//	└ p-tra-co
//	  └ dq-tra-co
//	p-khac (a second root)
func testSpecs() []storage.UnitSpec {
	return []storage.UnitSpec{
		{Code: "mongcai", Name: "Thành phố Móng Cái", Kind: "city", Visibility: storage.Public, Line: 1},
		{Code: "chqs", Name: "Ban Chỉ huy Quân sự thành phố", Kind: "military-command", Visibility: storage.Public, ParentCode: "mongcai", Line: 2},
		{Code: "dq-co-dong", Name: "Trung đội dân quân cơ động", Kind: "militia", Visibility: storage.Restricted, ParentCode: "chqs", Line: 3},
		{Code: "p-tra-co", Name: "Phường Trà Cổ", Kind: "ward", Visibility: storage.Public, ParentCode: "mongcai", Line: 4},
		{Code: "dq-tra-co", Name: "Dân quân phường Trà Cổ", Kind: "militia", Visibility: storage.Restricted, ParentCode: "p-tra-co", Line: 5},
		{Code: "p-khac", Name: "Phường Khác", Kind: "ward", Visibility: storage.Public, Line: 6},
	}
}

// unitString shows every field of u, the parent's id rather than its address.
func unitString(u storage.Unit) string {
	parent := "-"
	if u.ParentID != nil {
		parent = fmt.Sprint(*u.ParentID)
	}
	return fmt.Sprintf("%d %s %q %s %s parent=%s pos=%d %q %s %s", u.ID, u.Code, u.Name, u.Kind, u.Visibility,
		parent, u.Position, u.NameFolded, u.CreatedAt.UTC().Format(time.RFC3339Nano), u.UpdatedAt.UTC().Format(time.RFC3339Nano))
}

// seedUnits applies testSpecs and returns the unit ids by code.
func seedUnits(t *testing.T, ctx context.Context, db *storage.DB) map[string]int64 {
	t.Helper()
	if _, err := db.ApplyUnits(ctx, testSpecs(), storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	us, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, u := range us {
		ids[u.Code] = u.ID
	}
	return ids
}

// auditActions returns the actions of the audit log, oldest first.
func auditActions(t *testing.T, ctx context.Context, db *storage.DB) []string {
	t.Helper()
	log, err := db.AuditLog(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(log) - 1; i >= 0; i-- {
		out = append(out, log[i].Action)
	}
	return out
}

func TestApplyUnits(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)

	rep, err := db.ApplyUnits(ctx, testSpecs(), storage.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 6 || rep.Updated != nil || rep.Unchanged != nil || rep.Missing != nil {
		t.Fatalf("first apply: %+v", rep)
	}
	first, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for i, u := range first {
		codes = append(codes, u.Code)
		if u.Position != i+1 {
			t.Errorf("%s at position %d, want %d", u.Code, u.Position, i+1)
		}
	}
	if want := []string{"mongcai", "chqs", "dq-co-dong", "p-tra-co", "dq-tra-co", "p-khac"}; !slices.Equal(codes, want) {
		t.Fatalf("units = %v, want %v", codes, want)
	}
	tc, err := db.UnitByCode(ctx, "dq-tra-co")
	if err != nil {
		t.Fatal(err)
	}
	ward, _ := db.UnitByCode(ctx, "p-tra-co")
	if tc.ParentID == nil || *tc.ParentID != ward.ID || tc.NameFolded != "dan quan phuong tra co" || tc.Visibility != storage.Restricted {
		t.Errorf("dq-tra-co = %+v", tc)
	}
	if byID, err := db.Unit(ctx, tc.ID); err != nil || unitString(byID) != unitString(tc) {
		t.Errorf("Unit(%d) = %+v, %v", tc.ID, byID, err)
	}
	if _, err := db.UnitByCode(ctx, "khong-co"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("UnitByCode of an unknown code = %v", err)
	}

	// Again: nothing changes, not even updated_at.
	rep, err = db.ApplyUnits(ctx, testSpecs(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Unchanged) != 6 || rep.Added != nil || rep.Updated != nil || rep.Missing != nil {
		t.Fatalf("second apply: %+v", rep)
	}
	if again, _ := db.Units(ctx); !slices.EqualFunc(again, first, func(a, b storage.Unit) bool { return unitString(a) == unitString(b) }) {
		t.Errorf("units changed by a second apply:\n%+v\n%+v", first, again)
	}

	// Rename one, move one, drop one, reorder: Updated, Missing, the rest
	// Unchanged with new positions.
	specs := testSpecs()
	specs[3].Name = "Phường  Trà Cổ mới"    // p-tra-co
	specs[4].ParentCode = "mongcai"         // dq-tra-co
	specs[2].Visibility = storage.Public    // dq-co-dong
	specs = slices.Delete(specs, 5, 6)      // p-khac
	specs[1], specs[2] = specs[2], specs[1] // dq-co-dong before chqs: a child before its parent
	if _, err := db.ApplyUnits(ctx, specs, 7); err == nil {
		t.Fatal("ApplyUnits accepted a child before its parent")
	}
	specs[1], specs[2] = specs[2], specs[1]
	specs[3], specs[4] = specs[4], specs[3] // dq-tra-co (now under mongcai) before p-tra-co
	rep, err = db.ApplyUnits(ctx, specs, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Updated, []string{"dq-co-dong", "dq-tra-co", "p-tra-co"}) ||
		!slices.Equal(rep.Unchanged, []string{"mongcai", "chqs"}) || !slices.Equal(rep.Missing, []string{"p-khac"}) || rep.Added != nil {
		t.Fatalf("third apply: %+v", rep)
	}
	ward, _ = db.UnitByCode(ctx, "p-tra-co")
	if ward.Name != "Phường  Trà Cổ mới" || ward.NameFolded != "phuong tra co moi" || ward.Position != 5 || !ward.UpdatedAt.After(ward.CreatedAt) {
		t.Errorf("renamed ward = %+v", ward)
	}
	if kept, err := db.UnitByCode(ctx, "p-khac"); err != nil || kept.Position != 6 {
		t.Errorf("missing unit = %+v, %v; want kept as it was", kept, err)
	}
	log, _ := db.AuditLog(ctx, 3)
	var details []string
	for _, e := range log {
		if e.Action != storage.AuditUnitUpdate || e.ActorID != 7 || e.UnitID == nil {
			t.Errorf("audit entry %+v", e)
		}
		details = append(details, e.Detail)
	}
	got := strings.Join(details, " | ")
	for _, want := range []string{`name "Phường Trà Cổ" → "Phường  Trà Cổ mới"`, "parent p-tra-co → mongcai", "visibility restricted → public"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit details %q do not say %q", got, want)
		}
	}
	if n := strings.Count(strings.Join(auditActions(t, ctx, db), " "), storage.AuditUnitAdd); n != 6 {
		t.Errorf("%d unit.add audit rows, want 6", n)
	}
}

func TestApplyUnitsIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	for name, specs := range map[string][]storage.UnitSpec{
		"unknown parent": {testSpecs()[0], {Code: "b", Name: "B", Kind: "ward", Visibility: storage.Public, ParentCode: "x"}},
		"bad code":       {testSpecs()[0], {Code: "B!", Name: "B", Kind: "ward", Visibility: storage.Public}},
		"bad visibility": {testSpecs()[0], {Code: "b", Name: "B", Kind: "ward", Visibility: "secret"}},
		"twice":          {testSpecs()[0], testSpecs()[0]},
		"none":           nil,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.New(t)
			if _, err := db.ApplyUnits(ctx, specs, 0); err == nil {
				t.Fatal("accepted")
			}
			if us, err := db.Units(ctx); err != nil || len(us) != 0 {
				t.Errorf("units after a failed apply: %v, %v", us, err)
			}
			if log, _ := db.AuditLog(ctx, 10); len(log) != 0 {
				t.Errorf("audit rows after a failed apply: %+v", log)
			}
		})
	}
}

func TestMigrationDownAndUp(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	seedUnits(t, ctx, db)
	if err := db.MigrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.X().GetContext(ctx, &left, `
		SELECT count(*) FROM pg_tables WHERE schemaname = 'public'
		AND tablename IN ('units', 'memberships', 'subscriptions', 'invites', 'join_requests', 'audit_log')`); err != nil || left != 0 {
		t.Errorf("%d tables of 00002 left after Down, %v", left, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seedUnits(t, ctx, db)
}
