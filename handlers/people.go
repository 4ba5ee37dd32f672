package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

func roleName(c *Context, role string) messages.HTML {
	if role == storage.RoleOfficer {
		return messages.HTML(c.T(messages.KeyRoleOfficer))
	}
	return messages.HTML(c.T(messages.KeyRoleMember))
}

// me shows the asker their role and units: only their own data.
func (r *Router) me(ctx context.Context, c *Context) (Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	role := c.T(messages.KeyMeNoRole)
	if a.admin() {
		role = c.T(messages.KeyMeAdmin)
	}
	var lines []string
	for _, m := range a.mem {
		if u, ok := a.tree.Get(m.UnitID); ok {
			lines = append(lines, c.T(messages.KeyMeUnitLine, u.Name, u.Code, roleName(c, m.Role)))
		}
	}
	list := c.T(messages.KeyMeNoUnits)
	if len(lines) > 0 {
		list = strings.Join(lines, "\n")
	}
	return c.Reply(messages.KeyMe, c.Req.From.Name(), c.User.ID, messages.HTML(role), messages.HTML(list)), nil
}

// members lists a unit's people, for the unit's officers (and those above)
// and admins only: a unit's membership is its own business. Only in a
// private chat: in a group every member would read every name and id.
func (r *Router) members(ctx context.Context, c *Context) (Response, error) {
	if c.Req.Chat.Type != ChatPrivate {
		return c.Reply(messages.KeyPrivateOnly, "members"), nil
	}
	if c.Cmd.Args == "" {
		return c.Reply(messages.KeyUnitUsage, "members"), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	u, other := r.resolve(c, a, c.Cmd.Args, "members")
	if other != nil {
		return *other, nil
	}
	if !a.actsFor(u.ID) {
		return c.Reply(messages.KeyNotAllowed), nil
	}
	ms, err := r.dir.UnitMembers(ctx, u.ID)
	if err != nil {
		return Response{}, fmt.Errorf("list members of %s: %w", u.Code, err)
	}
	if len(ms) == 0 {
		return c.Reply(messages.KeyMembersEmpty, u.Name, u.Code), nil
	}
	var b strings.Builder
	b.WriteString(c.T(messages.KeyMembersHeader, u.Name, u.Code, messages.Count(len(ms))))
	for _, m := range ms {
		b.WriteString("\n")
		b.WriteString(c.T(messages.KeyMembersLine, personName(m.User), m.User.ID, roleName(c, m.Role)))
	}
	return Response{Replies: []Reply{{Text: b.String()}}}, nil
}

func personName(u storage.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" && u.Username != "" {
		return "@" + u.Username
	}
	if name == "" {
		return strconv.FormatInt(u.ID, 10)
	}
	return name
}

// join asks to become a member of a unit. Membership is never taken, only
// given: by an invite link, or by an officer or admin approving this
// request with the buttons they receive.
func (r *Router) join(ctx context.Context, c *Context) (Response, error) {
	if c.Cmd.Args == "" {
		return c.Reply(messages.KeyUnitUsage, "join"), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	u, other := r.resolve(c, a, c.Cmd.Args, "join")
	if other != nil {
		return *other, nil
	}
	if _, ok := a.roles[u.ID]; ok {
		return c.Reply(messages.KeyJoinAlreadyMember, u.Name, u.Code), nil
	}
	req, created, err := r.dir.CreateJoinRequest(ctx, c.User.ID, u.ID, r.now())
	var cool *storage.JoinCooldownError
	switch {
	case errors.As(err, &cool):
		return c.Reply(messages.KeyJoinCooldown, u.Name, u.Code, messages.DateTime(cool.Until, r.loc)), nil
	case errors.Is(err, storage.ErrTooManyJoinRequests):
		return c.Reply(messages.KeyJoinTooMany, storage.MaxPendingJoins), nil
	case errors.Is(err, storage.ErrAlreadyMember):
		return c.Reply(messages.KeyJoinAlreadyMember, u.Name, u.Code), nil
	}
	if err != nil {
		return Response{}, fmt.Errorf("join request of %d to %s: %w", c.User.ID, u.Code, err)
	}
	if !created {
		return c.Reply(messages.KeyJoinAlreadyRequested, u.Name, u.Code), nil
	}
	resp := c.Reply(messages.KeyJoinRequested, u.Name, u.Code)
	approvers, err := r.approvers(ctx, a, u.ID)
	if err != nil {
		return Response{}, err
	}
	data := "jr:" + strconv.FormatInt(req.ID, 10) + ":"
	for _, p := range approvers {
		lang := messages.Pick(p.Language, r.lang)
		resp.Replies = append(resp.Replies, Reply{
			ChatID: p.ID,
			Text:   messages.T(lang, messages.KeyJoinRequestForApprover, c.Req.From.Name(), c.User.ID, u.Name, u.Code),
			Buttons: [][]Button{{
				{Text: messages.Plain(lang, messages.KeyJoinApproveButton), Data: data + "a"},
				{Text: messages.Plain(lang, messages.KeyJoinRejectButton), Data: data + "r"},
			}},
		})
	}
	return resp, nil
}

// approvers are the people who decide on joining unit: its officers and
// the officers of the units above it, and the admins; each once.
func (r *Router) approvers(ctx context.Context, a *access, unit int64) ([]storage.User, error) {
	seen := map[int64]bool{}
	var out []storage.User
	for _, anc := range a.tree.Path(unit) {
		ms, err := r.dir.UnitMembers(ctx, anc.ID)
		if err != nil {
			return nil, fmt.Errorf("officers of %s: %w", anc.Code, err)
		}
		for _, m := range ms {
			if m.Role == storage.RoleOfficer && !seen[m.User.ID] {
				seen[m.User.ID] = true
				out = append(out, m.User)
			}
		}
	}
	admins, err := r.dir.Admins(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range admins {
		if !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// decideJoin handles Approve/Reject under a join request. The presser must
// act for the unit now (the button may have reached someone who has since
// lost the role); a request is decided once, a second press changes nothing.
func (r *Router) decideJoin(ctx context.Context, c *Context, data string) (Response, error) {
	idText, verdict, _ := strings.Cut(data, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || (verdict != "a" && verdict != "r") {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	req, err := r.dir.JoinRequest(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	if err != nil {
		return Response{}, err
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	if !a.actsFor(req.UnitID) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyNotAllowedShort), CallbackAlert: true}, nil
	}
	approve := verdict == "a"
	req, err = r.dir.DecideJoinRequest(ctx, id, c.User.ID, approve, r.now())
	if errors.Is(err, storage.ErrAlreadyDecided) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyJoinAlreadyDecided)}, nil
	}
	if err != nil {
		return Response{}, fmt.Errorf("decide join request %d: %w", id, err)
	}
	u, _ := a.tree.Get(req.UnitID)
	asker, err := r.store.User(ctx, req.UserID)
	if err != nil {
		return Response{}, fmt.Errorf("load asker %d: %w", req.UserID, err)
	}
	askerLang := messages.Pick(asker.Language, r.lang)
	mine, theirs := messages.KeyJoinRejectedBy, messages.KeyJoinRejected
	if approve {
		mine, theirs = messages.KeyJoinApprovedBy, messages.KeyJoinApproved
	}
	return Response{
		CallbackText: messages.Plain(c.Lang, messages.KeyDone),
		Replies: []Reply{
			{EditMessageID: c.Req.MessageID, Text: c.T(mine, personName(asker), u.Name, c.Req.From.Name())},
			{ChatID: asker.ID, Text: messages.T(askerLang, theirs, u.Name, u.Code)},
		},
	}, nil
}

// target is the person a /promote or /demote is about: the author of the
// message it replies to, or a Telegram id given first. It returns the id and
// the remaining arguments.
func target(c *Context) (int64, string, bool) {
	if c.Req.ReplyTo != nil && !c.Req.ReplyTo.IsBot {
		return c.Req.ReplyTo.ID, c.Cmd.Args, true
	}
	first, rest, _ := strings.Cut(c.Cmd.Args, " ")
	id, err := strconv.ParseInt(first, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	return id, strings.TrimSpace(rest), true
}

// who names a person in an answer, as known to Loa, or by id.
func (r *Router) who(ctx context.Context, id int64) string {
	if u, err := r.store.User(ctx, id); err == nil {
		return personName(u)
	}
	return strconv.FormatInt(id, 10)
}

// personAndUnit is the common start of /promote and /demote: the person
// (by reply or id) and what follows, "admin" or a unit. A non-nil Response
// is the answer to give instead; isAdmin reports the "admin" form.
func (r *Router) personAndUnit(ctx context.Context, c *Context, usage messages.Key) (id int64, u storage.Unit, isAdmin bool, other *Response, err error) {
	id, rest, ok := target(c)
	if !ok {
		resp := c.Reply(messages.KeyNeedTarget)
		return 0, u, false, &resp, nil
	}
	if rest == "" {
		resp := c.Reply(usage)
		return 0, u, false, &resp, nil
	}
	if messages.IsArg(rest, messages.ArgAdmin) { // admin, quan-tri, "quản trị viên"
		return id, u, true, nil, nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return 0, u, false, nil, err
	}
	u, other = r.resolve(c, a, rest, "")
	return id, u, false, other, nil
}

// promote makes someone an admin ("admin") or an officer of a unit.
func (r *Router) promote(ctx context.Context, c *Context) (Response, error) {
	id, u, isAdmin, other, err := r.personAndUnit(ctx, c, messages.KeyPromoteUsage)
	if err != nil || other != nil {
		return deref(other), err
	}
	if isAdmin {
		if err := r.dir.SetUserRole(ctx, c.User.ID, id, storage.RoleAdmin); err != nil {
			return Response{}, fmt.Errorf("promote %d to admin: %w", id, err)
		}
		return c.Reply(messages.KeyPromotedAdmin, r.who(ctx, id)), nil
	}
	if err := r.dir.SetMembership(ctx, c.User.ID, id, u.ID, storage.RoleOfficer); err != nil {
		return Response{}, fmt.Errorf("promote %d in %s: %w", id, u.Code, err)
	}
	return c.Reply(messages.KeyPromotedOfficer, r.who(ctx, id), u.Name, u.Code), nil
}

// demote takes admin rights away ("admin"), or steps an officer of a unit
// down to member, or removes a member from the unit.
func (r *Router) demote(ctx context.Context, c *Context) (Response, error) {
	id, u, isAdmin, other, err := r.personAndUnit(ctx, c, messages.KeyDemoteUsage)
	if err != nil || other != nil {
		return deref(other), err
	}
	if isAdmin {
		if id == c.User.ID {
			return c.Reply(messages.KeyCannotDemoteSelf), nil
		}
		if err := r.dir.SetUserRole(ctx, c.User.ID, id, storage.RoleNone); err != nil {
			return Response{}, fmt.Errorf("demote admin %d: %w", id, err)
		}
		return c.Reply(messages.KeyDemotedAdmin, r.who(ctx, id)), nil
	}
	theirs, err := r.dir.Memberships(ctx, id)
	if err != nil {
		return Response{}, err
	}
	role := ""
	for _, m := range theirs {
		if m.UnitID == u.ID {
			role = m.Role
		}
	}
	switch role {
	case storage.RoleOfficer:
		if err := r.dir.SetMembership(ctx, c.User.ID, id, u.ID, storage.RoleMember); err != nil {
			return Response{}, fmt.Errorf("demote %d in %s: %w", id, u.Code, err)
		}
		return c.Reply(messages.KeyDemotedMember, r.who(ctx, id), u.Name, u.Code), nil
	case storage.RoleMember:
		if err := r.dir.RemoveMembership(ctx, c.User.ID, id, u.ID); err != nil {
			return Response{}, fmt.Errorf("remove %d from %s: %w", id, u.Code, err)
		}
		return c.Reply(messages.KeyRemovedFromUnit, r.who(ctx, id), u.Name, u.Code), nil
	}
	return c.Reply(messages.KeyNotInUnit, r.who(ctx, id), u.Name, u.Code), nil
}
