package storage_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestJoinRequests(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const officer, lan, minh = 1, 10, 11

	req, created, err := db.CreateJoinRequest(ctx, lan, u["dq-tra-co"], now)
	if err != nil || !created || req.Status != storage.JoinPending || req.UserID != lan || req.DecidedAt != nil {
		t.Fatalf("CreateJoinRequest = %+v, %v, %v", req, created, err)
	}
	again, created, err := db.CreateJoinRequest(ctx, lan, u["dq-tra-co"], now)
	if err != nil || created || again.ID != req.ID {
		t.Errorf("asking twice = %+v, %v, %v; want the first request and false", again, created, err)
	}
	other, _, err := db.CreateJoinRequest(ctx, minh, u["dq-tra-co"], now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateJoinRequest(ctx, minh, 999_999, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("request for an unknown unit: %v", err)
	}
	pending, err := db.PendingJoinRequests(ctx, []int64{u["dq-tra-co"]})
	if err != nil || len(pending) != 2 || pending[0].ID != req.ID {
		t.Errorf("PendingJoinRequests = %+v, %v", pending, err)
	}
	if p, _ := db.PendingJoinRequests(ctx, []int64{u["chqs"]}); len(p) != 0 {
		t.Errorf("pending for chqs = %+v", p)
	}

	decided, err := db.DecideJoinRequest(ctx, req.ID, officer, true, now)
	if err != nil {
		t.Fatal(err)
	}
	if decided.Status != storage.JoinApproved || decided.DecidedBy == nil || *decided.DecidedBy != officer || !decided.DecidedAt.Equal(now) {
		t.Errorf("approved = %+v", decided)
	}
	if ms, _ := db.Memberships(ctx, lan); len(ms) != 1 || ms[0].Role != storage.RoleMember || ms[0].UnitID != u["dq-tra-co"] {
		t.Errorf("memberships after approval = %+v", ms)
	}
	if subs, _ := db.Subscriptions(ctx, lan); !slices.Equal(subs, []int64{u["dq-tra-co"]}) {
		t.Errorf("private chat follows %v after approval", subs)
	}
	// The second press of Approve, or Reject after Approve, does nothing.
	for _, approve := range []bool{true, false} {
		got, err := db.DecideJoinRequest(ctx, req.ID, 2, approve, now.Add(time.Hour))
		if !errors.Is(err, storage.ErrAlreadyDecided) || got.Status != storage.JoinApproved || *got.DecidedBy != officer {
			t.Errorf("deciding again = %+v, %v; want the request as decided and ErrAlreadyDecided", got, err)
		}
	}
	if _, _, err := db.CreateJoinRequest(ctx, lan, u["dq-tra-co"], now); !errors.Is(err, storage.ErrAlreadyMember) {
		t.Errorf("a member asking to join: %v", err)
	}

	rejected, err := db.DecideJoinRequest(ctx, other.ID, officer, false, now)
	if err != nil || rejected.Status != storage.JoinRejected {
		t.Fatalf("reject = %+v, %v", rejected, err)
	}
	if ms, _ := db.Memberships(ctx, minh); len(ms) != 0 {
		t.Errorf("rejected user is a member: %+v", ms)
	}
	if subs, _ := db.Subscriptions(ctx, minh); len(subs) != 0 {
		t.Errorf("rejected user follows %v", subs)
	}
	// After a rejection one may ask again, but not before the cooldown has
	// passed.
	var cool *storage.JoinCooldownError
	_, _, err = db.CreateJoinRequest(ctx, minh, u["dq-tra-co"], now.Add(storage.JoinCooldown-time.Minute))
	if !errors.As(err, &cool) || !errors.Is(err, storage.ErrJoinCooldown) || !cool.Until.Equal(now.Add(storage.JoinCooldown)) {
		t.Errorf("asking again right after a rejection: %v", err)
	}
	if again, created, err := db.CreateJoinRequest(ctx, minh, u["dq-tra-co"], now.Add(storage.JoinCooldown)); err != nil || !created || again.ID == other.ID {
		t.Errorf("asking after a rejection = %+v, %v, %v", again, created, err)
	}
	if _, err := db.DecideJoinRequest(ctx, 999_999, officer, true, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deciding an unknown request: %v", err)
	}
	if got, err := db.JoinRequest(ctx, req.ID); err != nil || got.Status != storage.JoinApproved {
		t.Errorf("JoinRequest = %+v, %v", got, err)
	}
	if _, err := db.JoinRequest(ctx, 999_999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("JoinRequest of an unknown id: %v", err)
	}

	actions := auditActions(t, ctx, db)
	want := []string{storage.AuditJoinRequest, storage.AuditJoinRequest, storage.AuditJoinApprove,
		storage.AuditMembershipAdd, storage.AuditSubscriptionAdd, storage.AuditJoinReject, storage.AuditJoinRequest}
	if got := actions[len(actions)-len(want):]; !slices.Equal(got, want) {
		t.Errorf("audit = %v, want %v", got, want)
	}
}

// TestJoinRequestLimits: one person may have at most MaxPendingJoins
// undecided requests, even when they send them all at once; asking a unit
// already asked still finds the first request.
func TestJoinRequestLimits(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	const lan = 10
	var codes []string
	for code := range u {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	if len(codes) < storage.MaxPendingJoins+2 {
		t.Fatalf("only %d units in the seed", len(codes))
	}
	errs := make([]error, len(codes))
	var wg sync.WaitGroup
	for i, code := range codes {
		wg.Go(func() { _, _, errs[i] = db.CreateJoinRequest(ctx, lan, u[code], now) })
	}
	wg.Wait()
	made, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case errors.Is(err, storage.ErrTooManyJoinRequests):
			refused++
		default:
			t.Error(err)
		}
	}
	if made != storage.MaxPendingJoins || refused != len(codes)-made {
		t.Errorf("%d requests made, %d refused; want %d made", made, refused, storage.MaxPendingJoins)
	}
	pending, err := db.PendingJoinRequests(ctx, nil)
	if err != nil || len(pending) != storage.MaxPendingJoins {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	// Asking a unit already asked is not a new request: not refused.
	if again, created, err := db.CreateJoinRequest(ctx, lan, pending[0].UnitID, now); err != nil || created || again.ID != pending[0].ID {
		t.Errorf("asking again at the cap = %+v, %v, %v", again, created, err)
	}
}

// TestDecideJoinRequestConcurrently: officers pressing Approve and Reject at
// the same moment decide once.
func TestDecideJoinRequestConcurrently(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db := pgtest.New(t)
	u := seedUnits(t, ctx, db)
	req, _, err := db.CreateJoinRequest(ctx, 10, u["dq-tra-co"], now)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = db.DecideJoinRequest(ctx, req.ID, int64(i+1), i%2 == 0, now)
		})
	}
	close(start)
	wg.Wait()
	decided := 0
	for _, err := range errs {
		if err == nil {
			decided++
		} else if !errors.Is(err, storage.ErrAlreadyDecided) {
			t.Error(err)
		}
	}
	if decided != 1 {
		t.Errorf("%d decisions, want 1", decided)
	}
}
