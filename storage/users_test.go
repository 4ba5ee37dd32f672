package storage_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func fmtRows(v any) string { return fmt.Sprintf("%v", v) }

func TestUpsertUserKeepsRole(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)

	if _, err := db.User(ctx, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("User of an unknown id = %v, want ErrNotFound", err)
	}
	if err := db.UpsertUser(ctx, storage.User{ID: 1, FirstName: "Lan", LastName: "Nguyễn", Username: "lan", Language: "vi"}); err != nil {
		t.Fatal(err)
	}
	u, err := db.User(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != storage.RoleNone || u.FirstName != "Lan" || u.LastName != "Nguyễn" || u.Username != "lan" || u.Language != "vi" {
		t.Fatalf("new user = %+v", u)
	}
	if err := db.EnsureAdmins(ctx, []int64{1}); err != nil {
		t.Fatal(err)
	}
	// A message claiming nothing about roles, a removed last name, no language.
	if err := db.UpsertUser(ctx, storage.User{ID: 1, FirstName: "Lan", Username: "lan_mc", Role: storage.RoleNone}); err != nil {
		t.Fatal(err)
	}
	u, err = db.User(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != storage.RoleAdmin {
		t.Errorf("role = %q after UpsertUser, want admin kept", u.Role)
	}
	if u.LastName != "" || u.Username != "lan_mc" || u.Language != "vi" {
		t.Errorf("after update: %+v; want last name cleared, username changed, language kept", u)
	}
}

func TestEnsureAdmins(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	for _, id := range []int64{1, 3} {
		if err := db.UpsertUser(ctx, storage.User{ID: id, FirstName: fmt.Sprint("user", id)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.EnsureAdmins(ctx, []int64{1, 2, 2}); err != nil {
		t.Fatal(err)
	}
	if err := db.EnsureAdmins(ctx, []int64{1, 2}); err != nil { // again: nothing changes
		t.Fatal(err)
	}
	if err := db.EnsureAdmins(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]storage.User{
		1: {FirstName: "user1", Role: storage.RoleAdmin},
		2: {FirstName: "", Role: storage.RoleAdmin}, // created
		3: {FirstName: "user3", Role: storage.RoleNone},
	} {
		u, err := db.User(ctx, id)
		if err != nil {
			t.Fatalf("user %d: %v", id, err)
		}
		if u.FirstName != want.FirstName || u.Role != want.Role {
			t.Errorf("user %d = %q %q, want %q %q", id, u.FirstName, u.Role, want.FirstName, want.Role)
		}
	}
}
