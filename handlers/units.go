package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// addDirectoryCommands registers the commands about units, people and
// invites. Access is checked inside each, per unit: the same command is
// allowed for one unit and refused for another.
func (r *Router) addDirectoryCommands() {
	r.add(&command{name: "me", desc: messages.KeyCmdMe, run: r.me})
	r.add(&command{name: "units", desc: messages.KeyCmdUnits, run: r.units})
	r.add(&command{name: "subscribe", desc: messages.KeyCmdSubscribe, pickable: true, run: r.subscribe})
	r.add(&command{name: "unsubscribe", desc: messages.KeyCmdUnsubscribe, pickable: true, run: r.unsubscribe})
	r.add(&command{name: "join", desc: messages.KeyCmdJoin, pickable: true, run: r.join})
	r.add(&command{name: "members", desc: messages.KeyCmdMembers, access: OfficerOrAdmin, pickable: true, run: r.members})
	r.add(&command{name: "invite", desc: messages.KeyCmdInvite, access: OfficerOrAdmin, run: r.invite})
	r.add(&command{name: "invites", desc: messages.KeyCmdInvites, access: OfficerOrAdmin, run: r.invites})
	r.add(&command{name: "revoke", desc: messages.KeyCmdRevoke, access: OfficerOrAdmin, run: r.revoke})
	r.add(&command{name: "promote", desc: messages.KeyCmdPromote, access: AdminOnly, run: r.promote})
	r.add(&command{name: "demote", desc: messages.KeyCmdDemote, access: AdminOnly, run: r.demote})
}

// maxQuery bounds a unit name as typed; longer input is no unit's name.
const maxQuery = 100

// maxChoices is how many buttons a "which unit?" question offers.
const maxChoices = 10

// resolve finds the one unit the asker means by query. When there is not
// exactly one, it returns the response to send instead: "no such unit", or
// a choice as buttons that re-run cmd with the chosen unit.
func (r *Router) resolve(c *Context, a *access, query, cmd string) (storage.Unit, *Response) {
	if utf8.RuneCountInString(query) > maxQuery {
		resp := c.Reply(messages.KeyUnitUnknown, truncate(query, 40))
		return storage.Unit{}, &resp
	}
	found := a.tree.Match(query)
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		resp := c.Reply(messages.KeyUnitUnknown, truncate(query, 40))
		return storage.Unit{}, &resp
	}
	// With a command to re-run, the choice is buttons; otherwise (the
	// command has more arguments) the candidates' codes, to type instead.
	var rows [][]Button
	text := c.T(messages.KeyUnitChoose, truncate(query, 40))
	for _, u := range found[:min(len(found), maxChoices)] {
		if cmd == "" {
			text += "\n" + c.T(messages.KeyUnitsLine, messages.HTML("•"), u.Name, u.Code)
			continue
		}
		rows = append(rows, []Button{{
			Text: messages.Plain(c.Lang, messages.KeyUnitButton, u.Name, u.Code),
			Data: "pick:" + cmd + ":" + strconv.FormatInt(u.ID, 10),
		}})
	}
	resp := Response{Replies: []Reply{{Text: text, Buttons: rows}}}
	return storage.Unit{}, &resp
}

// truncate shortens what a person typed before it is quoted back.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// pick runs the command a "which unit?" button was for, with the chosen
// unit, as the person who pressed it: their rights are checked again.
func (r *Router) pick(ctx context.Context, c *Context, data string) (Response, error) {
	name, id, ok := strings.Cut(data, ":")
	unitID, err := strconv.ParseInt(id, 10, 64)
	h := r.byName[name]
	if !ok || err != nil || h == nil || !h.pickable {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	u, found := a.tree.Get(unitID)
	if !found {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	if !r.allowed(ctx, c, h.access) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyNotAllowedShort), CallbackAlert: true}, nil
	}
	c.Cmd = Command{Name: name, Args: u.Code}
	return h.run(ctx, c)
}

// units shows the tree, marking what this chat follows and what is for
// members only.
func (r *Router) units(ctx context.Context, c *Context) (Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	if a.tree.Len() == 0 {
		return c.Reply(messages.KeyUnitsEmpty), nil
	}
	subs, err := r.dir.Subscriptions(ctx, c.Req.Chat.ID)
	if err != nil {
		return Response{}, fmt.Errorf("load subscriptions of %d: %w", c.Req.Chat.ID, err)
	}
	followed := map[int64]bool{}
	for _, id := range subs {
		followed[id] = true
	}
	var b strings.Builder
	b.WriteString(c.T(messages.KeyUnitsHeader))
	a.tree.Walk(func(u storage.Unit, depth int) {
		mark := "•"
		switch {
		case followed[u.ID]:
			mark = "✅"
		case !a.mayFollow(u):
			mark = "🔒"
		}
		b.WriteString("\n")
		b.WriteString(c.T(messages.KeyUnitsLine, messages.HTML(strings.Repeat("    ", depth)+mark), u.Name, u.Code))
	})
	b.WriteString("\n\n")
	b.WriteString(c.T(messages.KeyUnitsLegend))
	return Response{Replies: []Reply{{Text: b.String()}}}, nil
}

// mayChangeGroup says whether the asker may change what a group follows:
// Loa admins, officers of the unit, or the group's own Telegram admins.
func (r *Router) mayChangeGroup(ctx context.Context, c *Context, a *access, unit int64) (bool, error) {
	if a.actsFor(unit) {
		return true, nil
	}
	if r.admins == nil {
		return false, nil
	}
	ok, err := r.admins.IsChatAdmin(ctx, c.Req.Chat.ID, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("is %d an admin of %d: %w", c.User.ID, c.Req.Chat.ID, err)
	}
	return ok, nil
}

// chatUnit is the common start of /subscribe and /unsubscribe: the unit
// meant, and whether the asker may change what this chat follows (in a
// group: Loa admins, the unit's officers, or the group's Telegram admins).
// A non-nil Response is the answer to give instead.
func (r *Router) chatUnit(ctx context.Context, c *Context, cmd string) (storage.Unit, *access, *Response, error) {
	if c.Cmd.Args == "" {
		resp := c.Reply(messages.KeyUnitUsage, cmd)
		return storage.Unit{}, nil, &resp, nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return storage.Unit{}, nil, nil, err
	}
	u, other := r.resolve(c, a, c.Cmd.Args, cmd)
	if other != nil {
		return storage.Unit{}, nil, other, nil
	}
	if c.Req.Chat.Type.IsGroup() {
		ok, err := r.mayChangeGroup(ctx, c, a, u.ID)
		if err != nil {
			return storage.Unit{}, nil, nil, err
		}
		if !ok {
			resp := c.Reply(messages.KeySubscribeGroupAdminOnly)
			return storage.Unit{}, nil, &resp, nil
		}
	}
	return u, a, nil, nil
}

// subscribe makes this chat follow a unit. A private chat may follow public
// units and the restricted units its person belongs to; a group only by its
// Telegram admins, and a restricted unit only when that admin belongs to it
// (or by a Loa officer of the unit or an admin).
func (r *Router) subscribe(ctx context.Context, c *Context) (Response, error) {
	u, a, other, err := r.chatUnit(ctx, c, "subscribe")
	if err != nil || other != nil {
		return deref(other), err
	}
	if !a.mayFollow(u) {
		return c.Reply(messages.KeySubscribeRestricted, u.Name, u.Code), nil
	}
	added, err := r.dir.Subscribe(ctx, c.User.ID, c.Req.Chat.ID, u.ID)
	if err != nil {
		return Response{}, fmt.Errorf("subscribe %d to %s: %w", c.Req.Chat.ID, u.Code, err)
	}
	if !added {
		return c.Reply(messages.KeyAlreadySubscribed, u.Name, u.Code), nil
	}
	return c.Reply(messages.KeySubscribed, u.Name, u.Code), nil
}

// unsubscribe stops this chat following a unit. Anyone may do it for their
// private chat; in a group the same people as for subscribe.
func (r *Router) unsubscribe(ctx context.Context, c *Context) (Response, error) {
	u, _, other, err := r.chatUnit(ctx, c, "unsubscribe")
	if err != nil || other != nil {
		return deref(other), err
	}
	removed, err := r.dir.Unsubscribe(ctx, c.User.ID, c.Req.Chat.ID, u.ID)
	if err != nil {
		return Response{}, fmt.Errorf("unsubscribe %d from %s: %w", c.Req.Chat.ID, u.Code, err)
	}
	if !removed {
		return c.Reply(messages.KeyNotSubscribed, u.Name, u.Code), nil
	}
	return c.Reply(messages.KeyUnsubscribed, u.Name, u.Code), nil
}

func deref(r *Response) Response {
	if r == nil {
		return Response{}
	}
	return *r
}
