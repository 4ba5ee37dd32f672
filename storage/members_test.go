package storage_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestMemberships(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const admin, lan, minh, hoa = 1, 10, 11, 12
	for _, p := range []storage.User{{ID: lan, FirstName: "Lan"}, {ID: minh, FirstName: "Minh"}, {ID: hoa, FirstName: "Hoa"}} {
		if err := db.UpsertUser(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		user int64
		unit string
		role string
	}{
		{lan, "dq-tra-co", storage.RoleMember},
		{lan, "dq-tra-co", storage.RoleMember}, // again: no change, no audit
		{minh, "dq-tra-co", storage.RoleMember},
		{hoa, "dq-tra-co", storage.RoleMember},
		{minh, "dq-tra-co", storage.RoleOfficer}, // promoted
		{lan, "mongcai", storage.RoleOfficer},
		{99, "chqs", storage.RoleMember}, // a user the bot has not met
	}
	for _, s := range steps {
		if err := db.SetMembership(ctx, admin, s.user, u[s.unit], s.role); err != nil {
			t.Fatalf("SetMembership(%d, %s, %s): %v", s.user, s.unit, s.role, err)
		}
	}
	members, err := db.UnitMembers(ctx, u["dq-tra-co"])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range members {
		got = append(got, m.FirstName+"/"+m.Role+"/"+m.User.Role)
		if m.UnitID != u["dq-tra-co"] {
			t.Errorf("member %+v of the wrong unit", m)
		}
	}
	if want := []string{"Minh/officer/none", "Hoa/member/none", "Lan/member/none"}; !slices.Equal(got, want) {
		t.Errorf("UnitMembers = %v, want %v (officers first, then by name)", got, want)
	}
	ms, err := db.Memberships(ctx, lan)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].UnitID != u["mongcai"] || ms[0].Role != storage.RoleOfficer ||
		ms[1].UnitID != u["dq-tra-co"] || ms[1].Role != storage.RoleMember || ms[0].CreatedAt.IsZero() {
		t.Errorf("Memberships(lan) = %+v; want mongcai officer, dq-tra-co member, in display order", ms)
	}
	if _, err := db.User(ctx, 99); err != nil {
		t.Errorf("user 99 not created: %v", err)
	}

	if err := db.RemoveMembership(ctx, admin, hoa, u["dq-tra-co"]); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveMembership(ctx, admin, hoa, u["dq-tra-co"]); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RemoveMembership twice = %v, want ErrNotFound", err)
	}
	if err := db.SetMembership(ctx, admin, lan, 999_999, storage.RoleMember); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetMembership in an unknown unit = %v, want ErrNotFound", err)
	}
	if err := db.SetMembership(ctx, admin, lan, u["chqs"], "boss"); err == nil {
		t.Error("SetMembership accepted role boss")
	}

	log, err := db.AuditLog(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		action  string
		subject int64
		unit    int64
		detail  string
	}
	var rows []row
	for i := len(log) - 1; i >= 0; i-- {
		e := log[i]
		if e.ActorID != admin || e.SubjectUserID == nil || e.UnitID == nil || e.ChatID != nil || e.At.IsZero() {
			t.Errorf("audit entry %+v", e)
			continue
		}
		rows = append(rows, row{e.Action, *e.SubjectUserID, *e.UnitID, e.Detail})
	}
	want := []row{
		{storage.AuditMembershipAdd, lan, u["dq-tra-co"], "member"},
		{storage.AuditMembershipAdd, minh, u["dq-tra-co"], "member"},
		{storage.AuditMembershipAdd, hoa, u["dq-tra-co"], "member"},
		{storage.AuditMembershipRole, minh, u["dq-tra-co"], "member → officer"},
		{storage.AuditMembershipAdd, lan, u["mongcai"], "officer"},
		{storage.AuditMembershipAdd, 99, u["chqs"], "member"},
		{storage.AuditMembershipRemove, hoa, u["dq-tra-co"], "was member"},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("audit log:\n got %+v\nwant %+v", rows, want)
	}
	// Demoting with SetMembership is allowed: it is an explicit decision.
	if err := db.SetMembership(ctx, admin, minh, u["dq-tra-co"], storage.RoleMember); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.Memberships(ctx, minh); len(ms) != 1 || ms[0].Role != storage.RoleMember {
		t.Errorf("after demotion: %+v", ms)
	}
}

func TestSetUserRole(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	const admin, lan = 1, 10
	for _, role := range []string{storage.RoleAdmin, storage.RoleAdmin, storage.RoleNone, storage.RoleNone} {
		if err := db.SetUserRole(ctx, admin, lan, role); err != nil {
			t.Fatal(err)
		}
		if got, err := db.User(ctx, lan); err != nil || got.Role != role {
			t.Fatalf("after SetUserRole(%s): %+v, %v", role, got, err)
		}
	}
	if err := db.SetUserRole(ctx, admin, lan, storage.RoleOfficer); err == nil {
		t.Error("SetUserRole accepted a unit role")
	}
	log, _ := db.AuditLog(ctx, 10)
	if len(log) != 2 || log[1].Action != storage.AuditUserRole || log[1].Detail != "none → admin" ||
		log[0].Detail != "admin → none" || *log[0].SubjectUserID != lan || log[0].ActorID != admin {
		t.Errorf("audit log = %+v; want promotion and demotion only", log)
	}
}

func TestAuditLogLimit(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	seedUnits(t, ctx, db)
	log, err := db.AuditLog(ctx, 2)
	if err != nil || len(log) != 2 || log[0].ID < log[1].ID {
		t.Errorf("AuditLog(2) = %+v, %v; want the 2 newest, newest first", log, err)
	}
	if log[0].ActorID != storage.SystemActor || log[0].Action != storage.AuditUnitAdd {
		t.Errorf("import audit entry %+v", log[0])
	}
	if _, err := db.AuditLog(ctx, 0); err == nil {
		t.Error("AuditLog(0) accepted")
	}
}
