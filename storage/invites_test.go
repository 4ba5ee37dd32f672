package storage_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

var now = time.Date(2021, 11, 18, 16, 44, 0, 0, time.UTC)

func TestNewInviteCode(t *testing.T) {
	t.Parallel()
	deepLink := regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	seen := map[string]bool{}
	for range 1000 {
		c := storage.NewInviteCode()
		if !deepLink.MatchString(c) {
			t.Fatalf("code %q is not 22 characters of a deep-link payload", c)
		}
		if seen[c] {
			t.Fatalf("code %q twice", c)
		}
		seen[c] = true
	}
}

func TestCreateInviteChecks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	good := storage.Invite{Code: storage.NewInviteCode(), UnitID: u["dq-tra-co"], Role: storage.RoleMember,
		MaxUses: 1, ExpiresAt: now.Add(time.Hour), CreatedBy: 1}
	for name, change := range map[string]func(*storage.Invite){
		"short code":   func(i *storage.Invite) { i.Code = "abc" },
		"bad code":     func(i *storage.Invite) { i.Code = strings.Repeat("a", 21) + "!" },
		"long code":    func(i *storage.Invite) { i.Code = strings.Repeat("a", 65) },
		"bad role":     func(i *storage.Invite) { i.Role = storage.RoleAdmin },
		"no uses":      func(i *storage.Invite) { i.MaxUses = 0 },
		"no expiry":    func(i *storage.Invite) { i.ExpiresAt = time.Time{} },
		"unknown unit": func(i *storage.Invite) { i.UnitID = 999_999 },
	} {
		inv := good
		change(&inv)
		err := db.CreateInvite(ctx, inv)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if name == "unknown unit" && !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("unknown unit: %v, want ErrNotFound", err)
		}
	}
	if err := db.CreateInvite(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateInvite(ctx, good); err == nil {
		t.Error("the same code twice was accepted")
	}
	got, err := db.Invite(ctx, good.Code)
	if err != nil || got.Uses != 0 || got.RevokedAt != nil || !got.ExpiresAt.Equal(good.ExpiresAt) || got.CreatedAt.IsZero() {
		t.Errorf("Invite = %+v, %v", got, err)
	}
	if _, err := db.Invite(ctx, storage.NewInviteCode()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Invite of an unknown code = %v", err)
	}
	log, _ := db.AuditLog(ctx, 1)
	if e := log[0]; e.Action != storage.AuditInviteCreate || e.ActorID != 1 || *e.UnitID != u["dq-tra-co"] ||
		strings.Contains(e.Detail, good.Code) || !strings.Contains(e.Detail, good.Code[:6]) {
		t.Errorf("audit %+v; want the invite's creator, unit and a hint of the code, never the code", e)
	}
}

func TestRedeemInvite(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const officer, lan, minh, hoa = 1, 10, 11, 12
	// The creator may invite to every unit the test uses.
	if err := db.SetUserRole(ctx, storage.SystemActor, officer, storage.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	create := func(unit, role string, maxUses int, expires time.Time) string {
		t.Helper()
		code := storage.NewInviteCode()
		if err := db.CreateInvite(ctx, storage.Invite{Code: code, UnitID: u[unit], Role: role, MaxUses: maxUses,
			ExpiresAt: expires, CreatedBy: officer, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		return code
	}
	later := now.Add(24 * time.Hour)

	single := create("dq-tra-co", storage.RoleMember, 1, later)
	inv, err := db.RedeemInvite(ctx, single, lan, now)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Uses != 1 || inv.UnitID != u["dq-tra-co"] || inv.Role != storage.RoleMember {
		t.Errorf("redeemed invite = %+v", inv)
	}
	if ms, _ := db.Memberships(ctx, lan); len(ms) != 1 || ms[0].UnitID != u["dq-tra-co"] || ms[0].Role != storage.RoleMember {
		t.Errorf("memberships after redeeming = %+v", ms)
	}
	// The private chat (id = user id) did not exist: it is created, private, and follows the unit.
	if c, err := db.Chat(ctx, lan); err != nil || c.Type != "private" || c.Status != storage.ChatActive {
		t.Errorf("private chat = %+v, %v", c, err)
	}
	if subs, _ := db.Subscriptions(ctx, lan); !slices.Equal(subs, []int64{u["dq-tra-co"]}) {
		t.Errorf("private chat follows %v", subs)
	}
	if got, _ := db.ChatsReached(ctx, []int64{u["p-tra-co"]}); !slices.Equal(got, []int64{lan}) {
		t.Errorf("ChatsReached = %v", got)
	}
	log, _ := db.AuditLog(ctx, 2)
	if log[1].Action != storage.AuditMembershipAdd || log[0].Action != storage.AuditSubscriptionAdd ||
		log[1].ActorID != officer || *log[1].SubjectUserID != lan || !strings.Contains(log[1].Detail, "invite "+single[:6]) {
		t.Errorf("audit after redeeming = %+v", log)
	}

	// The same person again: already in, no use counted. Someone else: used up.
	if inv, err := db.RedeemInvite(ctx, single, lan, now); !errors.Is(err, storage.ErrAlreadyMember) || inv.Code != single {
		t.Errorf("redeeming twice = %+v, %v; want the invite and ErrAlreadyMember", inv, err)
	}
	if inv, err := db.RedeemInvite(ctx, single, minh, now); !errors.Is(err, storage.ErrInviteUsedUp) || inv.UnitID != u["dq-tra-co"] {
		t.Errorf("second user = %+v, %v; want ErrInviteUsedUp", inv, err)
	}
	if ms, _ := db.Memberships(ctx, minh); len(ms) != 0 {
		t.Errorf("second user got %+v", ms)
	}

	expired := create("chqs", storage.RoleMember, 5, now.Add(time.Minute))
	if _, err := db.RedeemInvite(ctx, expired, minh, now.Add(time.Minute)); !errors.Is(err, storage.ErrInviteExpired) {
		t.Errorf("at the expiry time: %v, want ErrInviteExpired", err)
	}
	if _, err := db.RedeemInvite(ctx, expired, minh, now.Add(time.Minute-time.Second)); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}

	revoked := create("chqs", storage.RoleMember, 5, later)
	if err := db.RevokeInvite(ctx, officer, revoked, now); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeInvite(ctx, officer, revoked, now.Add(time.Hour)); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if got, _ := db.Invite(ctx, revoked); got.RevokedAt == nil || !got.RevokedAt.Equal(now) {
		t.Errorf("revoked at %v, want the first revocation %v", got.RevokedAt, now)
	}
	if _, err := db.RedeemInvite(ctx, revoked, hoa, now); !errors.Is(err, storage.ErrInviteRevoked) {
		t.Errorf("revoked: %v", err)
	}
	if err := db.RevokeInvite(ctx, officer, storage.NewInviteCode(), now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("revoking an unknown code: %v", err)
	}
	if inv, err := db.RedeemInvite(ctx, storage.NewInviteCode(), hoa, now); !errors.Is(err, storage.ErrInviteUnknown) || inv.Code != "" {
		t.Errorf("unknown code: %+v, %v", inv, err)
	}
	if n := strings.Count(strings.Join(auditActions(t, ctx, db), " "), storage.AuditInviteRevoke); n != 1 {
		t.Errorf("%d revocations audited, want 1", n)
	}

	// An officer's invite promotes a member; a member's invite never
	// demotes an officer (and is not used up by them).
	promote := create("dq-tra-co", storage.RoleOfficer, 1, later)
	if _, err := db.RedeemInvite(ctx, promote, lan, now); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.Memberships(ctx, lan); len(ms) != 1 || ms[0].Role != storage.RoleOfficer {
		t.Errorf("after an officer's invite: %+v", ms)
	}
	member := create("dq-tra-co", storage.RoleMember, 3, later)
	if _, err := db.RedeemInvite(ctx, member, lan, now); !errors.Is(err, storage.ErrAlreadyMember) {
		t.Errorf("officer redeeming a member invite: %v", err)
	}
	if ms, _ := db.Memberships(ctx, lan); ms[0].Role != storage.RoleOfficer {
		t.Errorf("officer demoted: %+v", ms)
	}
	// Limited use: three people, then used up.
	for _, user := range []int64{20, 21, 22} {
		if _, err := db.RedeemInvite(ctx, member, user, now); err != nil {
			t.Fatalf("user %d: %v", user, err)
		}
	}
	if _, err := db.RedeemInvite(ctx, member, 23, now); !errors.Is(err, storage.ErrInviteUsedUp) {
		t.Errorf("fourth user: %v", err)
	}

	// Still usable a minute later: not the expired one, nor the revoked one,
	// nor the used up ones.
	open := create("p-khac", storage.RoleMember, 2, later)
	at := now.Add(time.Minute)
	active, err := db.ActiveInvites(ctx, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, a := range active {
		codes = append(codes, a.Code)
	}
	if !slices.Equal(codes, []string{open}) {
		t.Errorf("ActiveInvites(all) = %v, want only %v", codes, open)
	}
	if a, _ := db.ActiveInvites(ctx, []int64{u["chqs"], u["dq-tra-co"]}, at); len(a) != 0 {
		t.Errorf("ActiveInvites(chqs, dq-tra-co) = %+v", a)
	}
	if a, _ := db.ActiveInvites(ctx, []int64{u["p-khac"]}, at); len(a) != 1 {
		t.Errorf("ActiveInvites(p-khac) = %+v", a)
	}
	if a, _ := db.ActiveInvites(ctx, []int64{u["chqs"]}, now); len(a) != 1 || a[0].Code != expired {
		t.Errorf("ActiveInvites(chqs) before the expiry = %+v, want the not yet expired one", a)
	}
	if a, _ := db.ActiveInvites(ctx, []int64{}, at); len(a) != 0 {
		t.Errorf("ActiveInvites(no units) = %+v", a)
	}
	if a, _ := db.ActiveInvites(ctx, nil, later); len(a) != 0 {
		t.Errorf("ActiveInvites after expiry = %+v", a)
	}
}

// TestRedeemInviteConcurrently: ten people tapping a single-use link at the
// same moment; exactly one gets in.
func TestRedeemInviteConcurrently(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	if err := db.SetUserRole(ctx, storage.SystemActor, 1, storage.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		code := storage.NewInviteCode()
		if err := db.CreateInvite(ctx, storage.Invite{Code: code, UnitID: u["dq-tra-co"], Role: storage.RoleMember,
			MaxUses: 1, ExpiresAt: now.Add(time.Hour), CreatedBy: 1}); err != nil {
			t.Fatal(err)
		}
		const n = 10
		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = db.RedeemInvite(ctx, code, int64(100*(round+1)+i), now)
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, storage.ErrInviteUsedUp):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d winners, want 1", round, won)
		}
		if inv, _ := db.Invite(ctx, code); inv.Uses != 1 {
			t.Errorf("uses = %d", inv.Uses)
		}
	}
	if members, _ := db.UnitMembers(ctx, u["dq-tra-co"]); len(members) != 3 {
		t.Errorf("%d members after three single-use invites", len(members))
	}
}

// TestInviteDiesWithCreatorsRights: an officer's invite admits nobody once
// the officer is stepped down, removed, or (for an admin's) no longer
// admin; each lapsed invite is revoked with one audit row naming why, and
// invites the creator still may make stay.
func TestInviteDiesWithCreatorsRights(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const boss, officer, stranger, chief = 1, 2, 30, 3
	if err := db.SetUserRole(ctx, storage.SystemActor, boss, storage.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMembership(ctx, boss, officer, u["p-tra-co"], storage.RoleOfficer); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMembership(ctx, boss, chief, u["chqs"], storage.RoleOfficer); err != nil {
		t.Fatal(err)
	}
	invite := func(by int64, unit, role string) string {
		t.Helper()
		inv := storage.Invite{Code: storage.NewInviteCode(), UnitID: u[unit], Role: role, MaxUses: 5,
			ExpiresAt: now.Add(time.Hour), CreatedBy: by}
		if err := db.CreateInvite(ctx, inv); err != nil {
			t.Fatal(err)
		}
		return inv.Code
	}
	for _, c := range []struct {
		user, unit int64
		want       bool
	}{
		{boss, u["p-khac"], true}, {officer, u["p-tra-co"], true}, {officer, u["dq-tra-co"], true},
		{officer, u["mongcai"], false}, {officer, u["chqs"], false}, {stranger, u["p-khac"], false},
	} {
		if got, err := db.MayInvite(ctx, c.user, c.unit); err != nil || got != c.want {
			t.Errorf("MayInvite(%d, %d) = %v, %v; want %v", c.user, c.unit, got, err, c.want)
		}
	}

	below := invite(officer, "dq-tra-co", storage.RoleOfficer)
	own := invite(officer, "p-tra-co", storage.RoleMember)
	chiefs := invite(chief, "dq-co-dong", storage.RoleMember)
	admins := invite(boss, "p-khac", storage.RoleOfficer)

	// The officer is stepped down to member: both of their invites lapse.
	if err := db.SetMembership(ctx, boss, officer, u["p-tra-co"], storage.RoleMember); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{below, own} {
		_, err := db.RedeemInvite(ctx, code, stranger, now)
		if !errors.Is(err, storage.ErrInviteRevoked) {
			t.Errorf("redeeming a demoted officer's invite: %v, want ErrInviteRevoked", err)
		}
	}
	if ms, _ := db.Memberships(ctx, stranger); len(ms) != 0 {
		t.Fatalf("the stranger got in: %+v", ms)
	}
	// The chief is removed from their unit; the admin loses the admin role.
	if err := db.RemoveMembership(ctx, boss, chief, u["chqs"]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, chiefs, stranger, now); !errors.Is(err, storage.ErrInviteRevoked) {
		t.Errorf("redeeming a removed officer's invite: %v", err)
	}
	// Until then the admin's invite works.
	if _, err := db.RedeemInvite(ctx, admins, 31, now); err != nil {
		t.Fatalf("the admin's invite: %v", err)
	}
	if err := db.SetUserRole(ctx, 99, boss, storage.RoleNone); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, admins, stranger, now); !errors.Is(err, storage.ErrInviteRevoked) {
		t.Errorf("redeeming a former admin's invite: %v", err)
	}
	if active, _ := db.ActiveInvites(ctx, nil, now); len(active) != 0 {
		t.Errorf("still active: %+v", active)
	}

	log, err := db.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var revokes []storage.AuditEntry
	for _, e := range log {
		if e.Action == storage.AuditInviteRevoke {
			revokes = append(revokes, e)
		}
	}
	if len(revokes) != 4 {
		t.Fatalf("%d revoke audit rows, want 4: %+v", len(revokes), revokes)
	}
	for _, e := range revokes {
		if !strings.Contains(e.Detail, "may no longer invite") || e.SubjectUserID == nil {
			t.Errorf("revoke audit row %+v does not say whose and why", e)
		}
	}
	if e := revokes[0]; e.ActorID != 99 || *e.SubjectUserID != boss || !strings.Contains(e.Detail, "no longer admin") {
		t.Errorf("the admin's revoke row = %+v", e)
	}
}

// TestInviteOfDemotedCreatorKeepsOthers: stepping an officer down in one
// unit keeps the invites they still may make through another unit.
func TestInviteOfDemotedCreatorKeepsOthers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const officer, newcomer = 2, 40
	for _, unit := range []string{"p-tra-co", "dq-tra-co"} {
		if err := db.SetMembership(ctx, storage.SystemActor, officer, u[unit], storage.RoleOfficer); err != nil {
			t.Fatal(err)
		}
	}
	inv := storage.Invite{Code: storage.NewInviteCode(), UnitID: u["dq-tra-co"], Role: storage.RoleMember, MaxUses: 1,
		ExpiresAt: now.Add(time.Hour), CreatedBy: officer}
	if err := db.CreateInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMembership(ctx, storage.SystemActor, officer, u["dq-tra-co"], storage.RoleMember); err != nil {
		t.Fatal(err)
	}
	// Still officer of the ward above: the invite stands.
	if _, err := db.RedeemInvite(ctx, inv.Code, newcomer, now); err != nil {
		t.Errorf("an invite the creator still may make: %v", err)
	}
}
