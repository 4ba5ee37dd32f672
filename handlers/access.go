package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

// Directory is what the unit, people and invite commands need from storage:
// the unit tree, memberships, subscriptions, invites and join requests.
// *storage.DB satisfies it; every write there records its audit row.
type Directory interface {
	Units(ctx context.Context) ([]storage.Unit, error)
	Memberships(ctx context.Context, userID int64) ([]storage.Membership, error)
	UnitMembers(ctx context.Context, unitID int64) ([]storage.Member, error)
	SetMembership(ctx context.Context, actorID, userID, unitID int64, role string) error
	RemoveMembership(ctx context.Context, actorID, userID, unitID int64) error
	SetUserRole(ctx context.Context, actorID, userID int64, role string) error
	Admins(ctx context.Context) ([]storage.User, error)

	Subscribe(ctx context.Context, actorID, chatID, unitID int64) (bool, error)
	Unsubscribe(ctx context.Context, actorID, chatID, unitID int64) (bool, error)
	Subscriptions(ctx context.Context, chatID int64) ([]int64, error)

	MayInvite(ctx context.Context, userID, unitID int64) (bool, error)
	CreateInvite(ctx context.Context, inv storage.Invite) error
	Invite(ctx context.Context, code string) (storage.Invite, error)
	RedeemInvite(ctx context.Context, code string, userID int64, now time.Time) (storage.Invite, error)
	ActiveInvites(ctx context.Context, unitIDs []int64, now time.Time) ([]storage.Invite, error)
	RevokeInvite(ctx context.Context, actorID int64, code string, now time.Time) error

	CreateJoinRequest(ctx context.Context, userID, unitID int64, now time.Time) (storage.JoinRequest, bool, error)
	JoinRequest(ctx context.Context, id int64) (storage.JoinRequest, error)
	DecideJoinRequest(ctx context.Context, id, actorID int64, approve bool, now time.Time) (storage.JoinRequest, error)
}

// ChatAdmins tells whether a person administers a Telegram group. Only
// Telegram knows (getChatMember); package bot provides it.
type ChatAdmins interface {
	IsChatAdmin(ctx context.Context, chatID, userID int64) (bool, error)
}

// access is what the asker may do, computed once per request from the unit
// tree and their memberships. Every command that acts for a unit asks it;
// nothing is trusted from the client.
type access struct {
	user  storage.User
	tree  *units.Tree
	mem   []storage.Membership
	roles map[int64]string // unit id → the asker's role in exactly that unit
}

// access loads (once per request) the tree and the asker's memberships.
func (c *Context) access(ctx context.Context, dir Directory) (*access, error) {
	if c.acc != nil {
		return c.acc, nil
	}
	all, err := dir.Units(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	mem, err := dir.Memberships(ctx, c.User.ID)
	if err != nil {
		return nil, fmt.Errorf("load memberships of %d: %w", c.User.ID, err)
	}
	a := &access{user: c.User, tree: units.NewTree(all), mem: mem, roles: map[int64]string{}}
	for _, m := range mem {
		a.roles[m.UnitID] = m.Role
	}
	c.acc = a
	return a, nil
}

func (a *access) admin() bool { return a.user.Role == storage.RoleAdmin }

// actsFor: admins act for every unit; an officer for their unit and every
// unit below it.
func (a *access) actsFor(unit int64) bool {
	return a.admin() || a.tree.ActsFor(a.mem, unit)
}

// belongsTo: a member of the unit itself, or someone who acts for it.
func (a *access) belongsTo(unit int64) bool {
	_, ok := a.roles[unit]
	return ok || a.actsFor(unit)
}

// mayFollow: anyone may follow a public unit; a restricted unit's traffic
// is for the people who belong to it.
func (a *access) mayFollow(u storage.Unit) bool {
	return u.Visibility == storage.Public || a.belongsTo(u.ID)
}

// actingUnits are the units the asker acts for (all for an admin).
func (a *access) actingUnits() []int64 {
	var out []int64
	for _, u := range a.tree.Units() {
		if a.actsFor(u.ID) {
			out = append(out, u.ID)
		}
	}
	return out
}
