package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Bounds of an invite: how many people one link may admit, and for how
// many days. The defaults are the safe ones: one person, one week.
const (
	defaultInviteUses = 1
	maxInviteUses     = 1000
	defaultInviteDays = 7
	maxInviteDays     = 90
)

// startPayload is what Telegram allows after ?start= in a deep link.
var startPayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// invite makes a deep link that admits people to a unit: admins for any
// unit, officers for their units and those below. The link is shown only in
// a private chat, where nobody else reads it.
func (r *Router) invite(ctx context.Context, c *Context) (Response, error) {
	if c.Req.Chat.Type != ChatPrivate {
		return c.Reply(messages.KeyPrivateOnly, "invite"), nil
	}
	args := c.Cmd.Fields()
	if len(args) == 0 || len(args) > 7 { // a unit, a role of up to four words ("cán bộ phụ trách"), two numbers
		return c.Reply(messages.KeyInviteUsage), nil
	}
	role, uses, days := storage.RoleMember, defaultInviteUses, defaultInviteDays
	rest := args[1:]
	// The role in English or Vietnamese: member/thanh-vien/"thành viên",
	// officer/can-bo/"cán bộ phụ trách".
	if arg, n, ok := messages.MatchArg(rest, messages.ArgMember, messages.ArgOfficer); ok {
		role, rest = storage.RoleMember, rest[n:]
		if arg == messages.ArgOfficer {
			role = storage.RoleOfficer
		}
	}
	nums := []*int{&uses, &days}
	if len(rest) > len(nums) {
		return c.Reply(messages.KeyInviteUsage), nil
	}
	for i, s := range rest {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return c.Reply(messages.KeyInviteUsage), nil
		}
		*nums[i] = n
	}
	if uses > maxInviteUses || days > maxInviteDays {
		return c.Reply(messages.KeyInviteUsage), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	u, other := r.resolve(c, a, args[0], "")
	if other != nil {
		return *other, nil
	}
	// Who may invite is decided in one place, storage.MayInvite: the same
	// rule RedeemInvite applies to the creator when the link is used, and
	// that revokes the creator's links when they lose the right.
	may, err := r.dir.MayInvite(ctx, c.User.ID, u.ID)
	if err != nil {
		return Response{}, err
	}
	if !may {
		return c.Reply(messages.KeyNotAllowed), nil
	}
	inv := storage.Invite{
		Code: storage.NewInviteCode(), UnitID: u.ID, Role: role, MaxUses: uses,
		ExpiresAt: r.now().Add(time.Duration(days) * 24 * time.Hour), CreatedBy: c.User.ID,
	}
	if err := r.dir.CreateInvite(ctx, inv); err != nil {
		return Response{}, fmt.Errorf("create invite to %s: %w", u.Code, err)
	}
	link := "https://t.me/" + r.bot + "?start=" + inv.Code
	return Response{Replies: []Reply{{
		Text: c.T(messages.KeyInviteCreated, u.Name, u.Code, roleName(c, role), messages.Count(uses),
			messages.DateTime(inv.ExpiresAt, r.loc), messages.Link(link, link)),
		NoPreview: true,
	}}}, nil
}

// invites lists the active invites of the units the asker acts for.
func (r *Router) invites(ctx context.Context, c *Context) (Response, error) {
	if c.Req.Chat.Type != ChatPrivate {
		return c.Reply(messages.KeyPrivateOnly, "invites"), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	var scope []int64 // nil: every unit, for admins
	if !a.admin() {
		scope = a.actingUnits()
		if len(scope) == 0 {
			return c.Reply(messages.KeyNotAllowed), nil
		}
	}
	list, err := r.dir.ActiveInvites(ctx, scope, r.now())
	if err != nil {
		return Response{}, fmt.Errorf("list invites: %w", err)
	}
	if len(list) == 0 {
		return c.Reply(messages.KeyInvitesEmpty), nil
	}
	var b strings.Builder
	b.WriteString(c.T(messages.KeyInvitesHeader))
	for _, inv := range list {
		unit := ""
		if u, ok := a.tree.Get(inv.UnitID); ok {
			unit = u.Name
		}
		b.WriteString("\n")
		b.WriteString(c.T(messages.KeyInvitesLine, inv.Code, unit, roleName(c, inv.Role),
			messages.Count(inv.Uses), messages.Count(inv.MaxUses), messages.DateTime(inv.ExpiresAt, r.loc)))
	}
	return Response{Replies: []Reply{{Text: b.String()}}}, nil
}

// revoke ends an invite early; only someone who acts for its unit may.
func (r *Router) revoke(ctx context.Context, c *Context) (Response, error) {
	code := strings.TrimSpace(c.Cmd.Args)
	// Accept the whole link too, as people paste what they have.
	if i := strings.LastIndex(code, "start="); i >= 0 {
		code = code[i+len("start="):]
	}
	if !startPayload.MatchString(code) {
		return c.Reply(messages.KeyInviteNotFound, truncate(code, 64)), nil
	}
	inv, err := r.dir.Invite(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Reply(messages.KeyInviteNotFound, code), nil
	}
	if err != nil {
		return Response{}, fmt.Errorf("load invite: %w", err)
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	if !a.actsFor(inv.UnitID) {
		// Same answer as an unknown code: a stranger learns nothing.
		return c.Reply(messages.KeyInviteNotFound, code), nil
	}
	if err := r.dir.RevokeInvite(ctx, c.User.ID, code, r.now()); err != nil {
		return Response{}, fmt.Errorf("revoke invite: %w", err)
	}
	return c.Reply(messages.KeyInviteRevoked, code), nil
}

// redeem joins the asker to the unit of an invite (/start <code>). Every
// failure changes nothing and says why in one line.
func (r *Router) redeem(ctx context.Context, c *Context, code string) (Response, error) {
	if !startPayload.MatchString(code) {
		return c.Reply(messages.KeyInviteInvalid), nil
	}
	inv, err := r.dir.RedeemInvite(ctx, code, c.User.ID, r.now())
	switch {
	case err == nil, errors.Is(err, storage.ErrAlreadyMember):
	case errors.Is(err, storage.ErrInviteUnknown), errors.Is(err, storage.ErrNotFound):
		return c.Reply(messages.KeyInviteInvalid), nil
	case errors.Is(err, storage.ErrInviteExpired):
		return c.Reply(messages.KeyInviteExpired), nil
	case errors.Is(err, storage.ErrInviteUsedUp):
		return c.Reply(messages.KeyInviteUsedUp), nil
	case errors.Is(err, storage.ErrInviteRevoked):
		return c.Reply(messages.KeyInviteWasRevoked), nil
	default:
		return Response{}, fmt.Errorf("redeem invite: %w", err)
	}
	a, aerr := c.access(ctx, r.dir)
	if aerr != nil {
		return Response{}, aerr
	}
	u, _ := a.tree.Get(inv.UnitID)
	if errors.Is(err, storage.ErrAlreadyMember) {
		return c.Reply(messages.KeyInviteAlreadyHave, u.Name, u.Code), nil
	}
	return c.Reply(messages.KeyInviteJoined, u.Name, u.Code, roleName(c, inv.Role)), nil
}
