package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/reports"
	"github.com/loabot/loa/storage"
)

// ReportStore is what reports from the field need from storage;
// *storage.DB satisfies it.
type ReportStore interface {
	SaveReportDraft(ctx context.Context, d storage.ReportDraft) (int64, error)
	ActiveReportDraft(ctx context.Context, userID int64, now time.Time) (storage.ReportDraft, bool, error)
	SetReportDraftKind(ctx context.Context, id, userID int64, kind string, now time.Time) (bool, error)
	FileReport(ctx context.Context, n storage.NewReport) (storage.FiledReport, error)
	Report(ctx context.Context, id int64) (storage.Report, error)
	ReportEntries(ctx context.Context, id int64) ([]storage.ReportEntry, error)
	ReportHistory(ctx context.Context, id int64) ([]storage.ReportEvent, error)
	ChangeReport(ctx context.Context, c storage.ReportChange, fromUnit int64) error
	Reports(ctx context.Context, f storage.ReportFilter) ([]storage.Report, error)
	AwaitReportNote(ctx context.Context, n storage.ReportNote) error
	TakeReportNote(ctx context.Context, userID int64, now time.Time) (storage.ReportNote, bool, error)
	UnitOfficerIDs(ctx context.Context, unitID int64) ([]int64, error)
}

// ReportDelivery sends what only some people may read (a report to its
// officers, an answer to its reporters) through the delivery engine, into
// their private chats. *delivery.Engine satisfies it.
type ReportDelivery interface {
	EnqueueToChats(ctx context.Context, b delivery.Broadcast, chatIDs []int64) (int64, int, error)
}

// reportCallback starts the data of every report button:
//
//	rp:k:<draft>:<kind>  the reporter chooses the kind
//	rp:u:<draft>:<unit>  the reporter chooses the unit
//	rp:t:<report>        Tiếp nhận
//	rp:e:<report>        Chuyển lên (the note follows as the next message)
//	rp:h:<report>        Đã xử lý (the note follows as the next message)
//	rp:l:<report>        the other reports of the same link
//	rp:b:<report>        turn an exemplary-model report into a bulletin
//
// Nothing in it is trusted: every press loads the draft or the report and
// checks the presser's rights again.
const reportCallback = "rp"

// reportBroadcastKind is the Kind of what reports send through the engine.
const reportBroadcastKind = "report"

func (r *Router) addReportCommands() {
	r.add(&command{name: "baocao", desc: messages.KeyCmdReport, run: r.report})
	r.add(&command{name: "report", desc: messages.KeyCmdReport, run: r.report})
}

func actionKey(a reports.Action) messages.Key {
	switch a {
	case reports.ActionJoined:
		return messages.KeyReportActionJoined
	case reports.ActionTaken:
		return messages.KeyReportActionTaken
	case reports.ActionEscalated:
		return messages.KeyReportActionEscalated
	case reports.ActionHandled:
		return messages.KeyReportActionHandled
	}
	return messages.KeyReportActionCreated
}

// viewer is the asker as the report rules see them.
func (a *access) viewer() reports.Viewer {
	return reports.Viewer{UserID: a.user.ID, Admin: a.admin(), Tree: a.tree, Mem: a.mem}
}

func ruleReport(s storage.Report) reports.Report {
	return reports.Report{
		ID: s.ID, Kind: reports.Kind(s.Kind), State: reports.State(s.State),
		OriginUnitID: s.OriginUnitID, UnitID: s.UnitID, Travelled: s.Travelled, Reporters: s.ReporterIDs,
	}
}

// report is /baocao and /report, private chats only (a report names its
// sender to the officers; it is not typed where a group reads it):
//
//   - with text, a caption, a location or a forwarded message: a draft,
//     and the kind asked with buttons;
//   - with a number: that report, with its history, if the asker may read it;
//   - alone: the open reports of an officer's units, or, for anyone else,
//     how to send one (their next message is the report).
func (r *Router) report(ctx context.Context, c *Context) (Response, error) {
	if c.Req.Chat.Type != ChatPrivate {
		return c.Reply(messages.KeyPrivateOnly, c.Cmd.Name), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	carries := carriesReport(c.Req)
	if id, err := strconv.ParseInt(strings.TrimPrefix(c.Cmd.Args, "#"), 10, 64); err == nil && !carries {
		return r.showReport(ctx, c, a, id)
	}
	if c.Cmd.Args == "" && !carries && c.Req.Replied != nil {
		// "/baocao" in answer to a message (a forwarded post, a photo, a
		// location): that message is the report.
		return r.startReport(ctx, c, a, repliedRequest(c.Req), 0)
	}
	if c.Cmd.Args == "" && !carries {
		officer := a.admin() || len(a.actingUnits()) > 0
		if officer {
			return r.listReports(ctx, c, a)
		}
		if len(a.mem) == 0 {
			return c.Reply(messages.KeyReportNoUnit), nil
		}
		// An empty draft: the person's next message is the report.
		now := r.now()
		if _, err := r.reports.SaveReportDraft(ctx, storage.ReportDraft{
			UserID: c.User.ID, ChatID: c.Req.Chat.ID, CreatedAt: now, ExpiresAt: now.Add(reports.DraftTTL),
		}); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeyReportAskContent), nil
	}
	return r.startReport(ctx, c, a, c.Req, c.Cmd.ArgsOffset)
}

// carriesReport reports whether req brings something besides its words.
func carriesReport(req Request) bool {
	return req.Media != nil || req.Location != nil || req.ForwardedFrom != nil
}

// repliedRequest is the message req answers, as if it had been sent with
// the command.
func repliedRequest(req Request) Request {
	m := req.Replied
	out := Request{Text: m.Text, Entities: m.Entities, Caption: m.Caption, CaptionEntities: m.CaptionEntities,
		Media: m.Media, Location: m.Location, ForwardedFrom: m.ForwardedFrom}
	return out
}

// startReport stores what the person sent in msg (its words from byte
// textFrom on) as their draft and asks its kind. People in no unit are
// told how to join instead: there is nobody to send it to.
func (r *Router) startReport(ctx context.Context, c *Context, a *access, msg Request, textFrom int) (Response, error) {
	if len(a.mem) == 0 {
		return c.Reply(messages.KeyReportNoUnit), nil
	}
	text, entities := msg.Said()
	if textFrom > len(text) {
		textFrom = len(text)
	}
	body := strings.TrimSpace(messages.TailToHTML(text, entities, textFrom))
	content := reports.Content{Link: reports.FindLink(text, entities)}
	if m := msg.Media; m != nil {
		content.Media = append(content.Media, reports.Media{Kind: m.Kind, FileID: m.FileID})
	}
	if l := msg.Location; l != nil {
		content.Location = &reports.Location{Latitude: l.Latitude, Longitude: l.Longitude}
	}
	if f := msg.ForwardedFrom; f != nil {
		content.Forward = forwardOf(f)
		if content.Link == "" {
			// The forwarded post itself, when it is a public channel's.
			content.Link = content.Forward.Link()
		}
	}
	if body == "" && content.Empty() {
		return c.Reply(messages.KeyReportAskContent), nil
	}
	if messages.Length(body) > delivery.MaxCaptionLength*3 {
		return c.Reply(messages.KeyBroadcastTooLong, messages.Count(delivery.MaxCaptionLength*3)), nil
	}
	now := r.now()
	id, err := r.reports.SaveReportDraft(ctx, storage.ReportDraft{
		UserID: c.User.ID, ChatID: c.Req.Chat.ID, Text: body, Content: content.JSON(),
		CreatedAt: now, ExpiresAt: now.Add(reports.DraftTTL),
	})
	if err != nil {
		return Response{}, err
	}
	return Response{Replies: []Reply{{Text: c.T(messages.KeyReportAskKind), Buttons: kindButtons(c.Lang, id)}}}, nil
}

func kindButtons(lang messages.Lang, draftID int64) [][]Button {
	var rows [][]Button
	for _, k := range reports.Kinds {
		rows = append(rows, []Button{{
			Text: reports.KindName(lang, k),
			Data: fmt.Sprintf("%s:k:%d:%s", reportCallback, draftID, k),
		}})
	}
	return rows
}

// reportFollowUp handles a private message that is not a command, when it
// belongs to a report: the note an officer was asked for, the content of
// a report announced by a bare /baocao, or a forwarded message, a
// location or a file sent on their own (the usual way to pass on a post
// one has seen). handled is false for anything else.
func (r *Router) reportFollowUp(ctx context.Context, c *Context) (resp Response, handled bool, err error) {
	now := r.now()
	note, ok, err := r.reports.TakeReportNote(ctx, c.User.ID, now)
	if err != nil {
		return Response{}, true, err
	}
	if ok {
		resp, err := r.finishWithNote(ctx, c, note)
		return resp, true, err
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, true, err
	}
	d, ok, err := r.reports.ActiveReportDraft(ctx, c.User.ID, now)
	if err != nil {
		return Response{}, true, err
	}
	waiting := ok && d.Text == "" && d.Kind == "" && string(d.Content) == "{}"
	// A forwarded post or a location sent on its own is a report from a
	// member; from an officer or an admin it may be what a later
	// /broadcast answers, and they report with /baocao in reply to it.
	officer := a.admin() || len(a.actingUnits()) > 0
	offered := (c.Req.ForwardedFrom != nil || c.Req.Location != nil) && !officer
	if !waiting && !offered {
		return Response{}, false, nil
	}
	resp, err = r.startReport(ctx, c, a, c.Req, 0)
	return resp, true, err
}

// reportButton answers every report button. Rights are checked here, at
// the press, against the report as stored now: a button is only a
// convenience, and forged data finds nothing it may touch.
func (r *Router) reportButton(ctx context.Context, c *Context, data string) (Response, error) {
	expired := Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}
	op, rest, _ := strings.Cut(data, ":")
	idText, arg, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return expired, nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	switch op {
	case "k":
		return r.chooseKind(ctx, c, a, id, reports.Kind(arg))
	case "u":
		unit, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return expired, nil
		}
		return r.chooseUnit(ctx, c, a, id, unit)
	case "t", "e", "h", "l", "b":
	default:
		return expired, nil
	}
	rep, ok, err := r.readable(ctx, a, id)
	if err != nil || !ok {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyReportNotFoundToast), CallbackAlert: true}, err
	}
	if op == "l" {
		return r.sameLink(ctx, c, a, rep)
	}
	if !a.viewer().MayAct(ruleReport(rep)) || !reports.State(rep.State).Open() {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyReportMovedOn), CallbackAlert: true}, nil
	}
	switch op {
	case "t":
		return r.takeReport(ctx, c, a, rep)
	case "e":
		to, _, ok, err := r.escalation(ctx, a, rep)
		if err != nil {
			return Response{}, err
		}
		if !ok {
			return c.Reply(messages.KeyReportNoUnitAbove, rep.ID), nil
		}
		if err := r.reports.AwaitReportNote(ctx, storage.ReportNote{UserID: c.User.ID, ReportID: rep.ID,
			Action: string(reports.ActionEscalated), ExpiresAt: r.now().Add(reports.NoteTTL)}); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeyReportAskNoteUp, rep.ID, to.Name), nil
	case "h":
		if err := r.reports.AwaitReportNote(ctx, storage.ReportNote{UserID: c.User.ID, ReportID: rep.ID,
			Action: string(reports.ActionHandled), ExpiresAt: r.now().Add(reports.NoteTTL)}); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeyReportAskNoteDone, rep.ID), nil
	case "b":
		return r.reportBulletin(ctx, c, a, rep)
	}
	return expired, nil
}

// readable loads report id if the asker may read it; ok is false both for
// an unknown number and for one they may not read, so the two cannot be
// told apart.
func (r *Router) readable(ctx context.Context, a *access, id int64) (storage.Report, bool, error) {
	rep, err := r.reports.Report(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Report{}, false, nil
	}
	if err != nil {
		return storage.Report{}, false, err
	}
	if !a.viewer().MayRead(ruleReport(rep)) {
		return storage.Report{}, false, nil
	}
	return rep, true, nil
}

func (r *Router) chooseKind(ctx context.Context, c *Context, a *access, draftID int64, kind reports.Kind) (Response, error) {
	gone := Response{CallbackText: messages.Plain(c.Lang, messages.KeyReportDraftGone)}
	if !kind.Valid() {
		return gone, nil
	}
	d, ok, err := r.reports.ActiveReportDraft(ctx, c.User.ID, r.now())
	if err != nil || !ok || d.ID != draftID {
		return gone, err
	}
	content, err := reports.ParseContent(d.Content)
	if err != nil {
		return Response{}, fmt.Errorf("read report draft %d: %w", d.ID, err)
	}
	if kind == reports.KindFalse && reports.NormalizeLink(content.Link) == "" {
		return Response{Replies: []Reply{{Text: c.T(messages.KeyReportNeedLink), EditMessageID: c.Req.MessageID,
			Buttons: kindButtons(c.Lang, d.ID)}}}, nil
	}
	if ok, err := r.reports.SetReportDraftKind(ctx, d.ID, c.User.ID, string(kind), r.now()); err != nil || !ok {
		return gone, err
	}
	d.Kind = string(kind)
	var mine []int64
	for _, m := range a.mem {
		if !slices.Contains(mine, m.UnitID) {
			mine = append(mine, m.UnitID)
		}
	}
	switch len(mine) {
	case 0:
		return c.Reply(messages.KeyReportNoUnit), nil
	case 1:
		return r.fileReport(ctx, c, a, d, content, mine[0])
	}
	var rows [][]Button
	for _, id := range mine {
		if u, ok := a.tree.Get(id); ok {
			rows = append(rows, []Button{{Text: u.Name, Data: fmt.Sprintf("%s:u:%d:%d", reportCallback, d.ID, id)}})
		}
	}
	return Response{Replies: []Reply{{Text: c.T(messages.KeyReportAskUnit), EditMessageID: c.Req.MessageID, Buttons: rows}}}, nil
}

func (r *Router) chooseUnit(ctx context.Context, c *Context, a *access, draftID, unit int64) (Response, error) {
	gone := Response{CallbackText: messages.Plain(c.Lang, messages.KeyReportDraftGone)}
	d, ok, err := r.reports.ActiveReportDraft(ctx, c.User.ID, r.now())
	if err != nil || !ok || d.ID != draftID || d.Kind == "" {
		return gone, err
	}
	// The person must still belong to the unit: the button is not trusted.
	if _, member := a.roles[unit]; !member {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyNotAllowedShort), CallbackAlert: true}, nil
	}
	content, err := reports.ParseContent(d.Content)
	if err != nil {
		return Response{}, fmt.Errorf("read report draft %d: %w", d.ID, err)
	}
	return r.fileReport(ctx, c, a, d, content, unit)
}

// fileReport turns the draft into a report for unit and sends it to the
// officers: of the unit itself, or of the nearest unit above with an
// officer, or else to the admins, so that a report always reaches someone.
func (r *Router) fileReport(ctx context.Context, c *Context, a *access, d storage.ReportDraft, content reports.Content, unit int64) (Response, error) {
	dest, passed := unit, []int64(nil)
	officers, err := r.reports.UnitOfficerIDs(ctx, unit)
	if err != nil {
		return Response{}, err
	}
	if len(officers) == 0 {
		if to, p, ok, err := r.escalationFrom(ctx, a, unit); err != nil {
			return Response{}, err
		} else if ok {
			dest, passed = to.ID, p
			if officers, err = r.reports.UnitOfficerIDs(ctx, dest); err != nil {
				return Response{}, err
			}
		}
	}
	if len(officers) == 0 {
		// Nobody in charge anywhere above: the admins, so that no report
		// is filed for nobody to read.
		admins, err := r.dir.Admins(ctx)
		if err != nil {
			return Response{}, err
		}
		for _, u := range admins {
			officers = append(officers, u.ID)
		}
	}
	filed, err := r.reports.FileReport(ctx, storage.NewReport{
		DraftID: d.ID, UserID: c.User.ID, Kind: d.Kind, OriginUnitID: unit, UnitID: dest, Passed: passed,
		Link: reports.NormalizeLink(content.Link), Text: d.Text, Content: d.Content, At: r.now(),
	})
	if errors.Is(err, storage.ErrNotFound) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyReportDraftGone)}, nil
	}
	if err != nil {
		return Response{}, err
	}
	if filed.Created && len(officers) > 0 {
		rep, err := r.reports.Report(ctx, filed.ID)
		if err != nil {
			return Response{}, err
		}
		if err := r.sendToOfficers(ctx, rep, officers, "new", ""); err != nil {
			return Response{}, err
		}
	}
	u, _ := a.tree.Get(unit)
	text := c.T(messages.KeyReportThanks, filed.ID, u.Name)
	if !filed.Created {
		text = c.T(messages.KeyReportThanksJoined, filed.ID, messages.Count(filed.Reporters))
	}
	return Response{Replies: []Reply{{Text: text, EditMessageID: c.Req.MessageID}}}, nil
}

// escalation is where rep goes when escalated from where it is now.
func (r *Router) escalation(ctx context.Context, a *access, rep storage.Report) (storage.Unit, []int64, bool, error) {
	return r.escalationFrom(ctx, a, rep.UnitID)
}

func (r *Router) escalationFrom(ctx context.Context, a *access, unit int64) (storage.Unit, []int64, bool, error) {
	var ferr error
	to, passed, ok := reports.Escalation(a.tree, unit, func(u int64) bool {
		ids, err := r.reports.UnitOfficerIDs(ctx, u)
		if err != nil {
			ferr = err
		}
		return len(ids) > 0
	})
	if ferr != nil || !ok {
		return storage.Unit{}, nil, false, ferr
	}
	u, _ := a.tree.Get(to)
	return u, passed, true, nil
}

// sendToOfficers sends rep, as its officers read it (who reported
// included: they are officers of a unit it travelled through), into the
// private chats of officers, urgent, with the buttons to act on it. event
// makes the delivery's key, so a retried press sends nothing twice.
func (r *Router) sendToOfficers(ctx context.Context, rep storage.Report, officers []int64, event string, lead string) error {
	entries, err := r.reports.ReportEntries(ctx, rep.ID)
	if err != nil {
		return err
	}
	all, err := r.dir.Units(ctx)
	if err != nil {
		return err
	}
	names := unitNames(all)
	text := r.renderReport(r.lang, rep, entries, nil, names, true)
	if lead != "" {
		text = lead + "\n\n" + text
	}
	var media []delivery.Media
	if len(entries) > 0 {
		if c, err := reports.ParseContent(entries[0].Content); err == nil {
			for _, m := range c.Media {
				media = append(media, delivery.Media{Kind: m.Kind, FileID: m.FileID})
			}
		}
	}
	var buttons [][]delivery.Button
	for _, row := range actionButtons(r.lang, rep) {
		var out []delivery.Button
		for _, b := range row {
			out = append(out, delivery.Button{Text: b.Text, Data: b.Data})
		}
		buttons = append(buttons, out)
	}
	_, _, err = r.rdeliver.EnqueueToChats(ctx, delivery.Broadcast{
		Kind: reportBroadcastKind, Lang: r.lang, Text: text, NoPreview: true, Units: []int64{rep.UnitID},
		Media: media, Buttons: buttons, Urgent: true,
		DedupKey: fmt.Sprintf("report:%d:%s:%d", rep.ID, event, rep.UnitID),
	}, officers)
	return err
}

// tellReporters tells everyone who sent rep what happened to it, in a
// sentence of their own.
func (r *Router) tellReporters(ctx context.Context, rep storage.Report, text string) error {
	if len(rep.ReporterIDs) == 0 {
		return nil
	}
	_, _, err := r.rdeliver.EnqueueToChats(ctx, delivery.Broadcast{
		Kind: reportBroadcastKind, Lang: r.lang, Text: text, NoPreview: true, Units: []int64{rep.UnitID},
	}, rep.ReporterIDs)
	return err
}

func actionButtons(lang messages.Lang, rep storage.Report) [][]Button {
	if !reports.State(rep.State).Open() {
		return nil
	}
	id := strconv.FormatInt(rep.ID, 10)
	p := reportCallback + ":"
	rows := [][]Button{{
		{Text: messages.Plain(lang, messages.KeyReportButtonTake), Data: p + "t:" + id},
		{Text: messages.Plain(lang, messages.KeyReportButtonEscalate), Data: p + "e:" + id},
		{Text: messages.Plain(lang, messages.KeyReportButtonHandled), Data: p + "h:" + id},
	}}
	if rep.Link != "" {
		rows = append(rows, []Button{{Text: messages.Plain(lang, messages.KeyReportButtonSameLink), Data: p + "l:" + id}})
	}
	if reports.Kind(rep.Kind) == reports.KindModel {
		rows = append(rows, []Button{{Text: messages.Plain(lang, messages.KeyReportButtonBulletin), Data: p + "b:" + id}})
	}
	return rows
}

func unitNames(all []storage.Unit) map[int64]string {
	out := make(map[int64]string, len(all))
	for _, u := range all {
		out[u.ID] = u.Name
	}
	return out
}

// renderReport writes a report as an officer reads it: kind, unit, state,
// how many people reported it, then each reporter's message (with who sent
// it only when withNames), and the history when given.
func (r *Router) renderReport(lang messages.Lang, rep storage.Report, entries []storage.ReportEntry, history []storage.ReportEvent, names map[int64]string, withNames bool) string {
	T := func(k messages.Key, args ...any) string { return messages.T(lang, k, args...) }
	var b strings.Builder
	b.WriteString(T(messages.KeyReportHeader, rep.ID, reports.KindName(lang, reports.Kind(rep.Kind))))
	b.WriteString("\n" + T(messages.KeyReportUnitLine, names[rep.UnitID]))
	b.WriteString("\n" + T(messages.KeyReportStateLine, reports.StateName(lang, reports.State(rep.State))))
	if rep.Reporters > 1 {
		b.WriteString("\n" + T(messages.KeyReportReportersLine, messages.Count(rep.Reporters)))
	}
	for i, e := range entries {
		if i >= 5 {
			break // the first ones; the number above says how many more
		}
		b.WriteString("\n")
		if withNames {
			name := strings.TrimSpace(e.FirstName + " " + e.LastName)
			if e.Username != "" {
				name += " @" + e.Username
			}
			b.WriteString("\n" + T(messages.KeyReportReporterLine, name, messages.DateTime(e.CreatedAt, r.loc)))
		}
		content, _ := reports.ParseContent(e.Content)
		if content.Link != "" {
			b.WriteString("\n" + T(messages.KeyReportLinkLine, messages.Link(content.Link, content.Link)))
		}
		if f := content.Forward; f != nil {
			origin := messages.HTML(messages.Escape(f.Name))
			if l := f.Link(); l != "" {
				origin = messages.Link(l, f.Name)
			}
			b.WriteString("\n" + T(messages.KeyReportForwardLine, origin))
		}
		if l := content.Location; l != nil {
			url := fmt.Sprintf("https://maps.google.com/?q=%.6f,%.6f", l.Latitude, l.Longitude)
			b.WriteString("\n" + T(messages.KeyReportLocationLine, messages.Link(url, messages.Plain(lang, messages.KeyReportMap))))
		}
		if n := len(content.Media); n > 0 && i > 0 {
			b.WriteString("\n" + T(messages.KeyReportMediaLine, n))
		}
		if e.Text != "" {
			b.WriteString("\n" + e.Text)
		}
	}
	if len(history) > 0 {
		b.WriteString("\n\n" + T(messages.KeyReportHistoryHeader))
		for _, h := range history {
			note := messages.HTML("")
			if h.Note != "" {
				note = messages.HTML(T(messages.KeyReportNote, h.Note))
			}
			b.WriteString("\n" + T(messages.KeyReportHistoryLine, messages.DateTime(h.At, r.loc),
				messages.Plain(lang, actionKey(reports.Action(h.Action))), names[h.UnitID], note))
		}
	}
	return b.String()
}

func (r *Router) showReport(ctx context.Context, c *Context, a *access, id int64) (Response, error) {
	rep, ok, err := r.readable(ctx, a, id)
	if err != nil {
		return Response{}, err
	}
	if !ok {
		return c.Reply(messages.KeyReportNotFound, id), nil
	}
	v := a.viewer()
	rule := ruleReport(rep)
	entries, err := r.reports.ReportEntries(ctx, id)
	if err != nil {
		return Response{}, err
	}
	withNames := v.MaySeeReporters(rule)
	if !v.Oversees(rule) {
		// A reporter reads their own message and what became of it, not
		// what others sent.
		entries = slices.DeleteFunc(entries, func(e storage.ReportEntry) bool { return e.UserID != c.User.ID })
	}
	history, err := r.reports.ReportHistory(ctx, id)
	if err != nil {
		return Response{}, err
	}
	all, err := r.dir.Units(ctx)
	if err != nil {
		return Response{}, err
	}
	reply := Reply{Text: r.renderReport(c.Lang, rep, entries, history, unitNames(all), withNames), NoPreview: true}
	if v.MayAct(rule) {
		reply.Buttons = actionButtons(c.Lang, rep)
	}
	return Response{Replies: []Reply{reply}}, nil
}

// listReports shows an officer the open reports of their units and the
// units below, newest first, grouped by kind.
func (r *Router) listReports(ctx context.Context, c *Context, a *access) (Response, error) {
	units := a.actingUnits()
	list, err := r.reports.Reports(ctx, storage.ReportFilter{UnitIDs: units, OpenOnly: true, Limit: 100})
	if err != nil {
		return Response{}, err
	}
	if len(list) == 0 {
		return c.Reply(messages.KeyReportListEmpty), nil
	}
	all, err := r.dir.Units(ctx)
	if err != nil {
		return Response{}, err
	}
	names := unitNames(all)
	var b strings.Builder
	b.WriteString(c.T(messages.KeyReportListHeader, messages.Count(len(list))))
	for _, k := range reports.Kinds {
		first := true
		for _, rep := range list {
			if reports.Kind(rep.Kind) != k {
				continue
			}
			if first {
				b.WriteString("\n\n" + c.T(messages.KeyReportListKind, reports.KindName(c.Lang, k)))
				first = false
			}
			entries, err := r.reports.ReportEntries(ctx, rep.ID)
			if err != nil {
				return Response{}, err
			}
			excerpt := ""
			if len(entries) > 0 {
				excerpt = delivery.Excerpt(entries[0].Text, 60)
				if excerpt == "" {
					if c, _ := reports.ParseContent(entries[0].Content); c.Link != "" {
						excerpt = c.Link
					}
				}
			}
			more := messages.HTML("")
			if rep.Reporters > 1 {
				more = messages.HTML(c.T(messages.KeyReportListReporters, messages.Count(rep.Reporters)))

			}
			b.WriteString("\n" + c.T(messages.KeyReportListLine, rep.ID, messages.Date(rep.CreatedAt, r.loc),
				names[rep.UnitID], excerpt, more))
		}
	}
	b.WriteString("\n\n" + c.T(messages.KeyReportListFooter))
	return Response{Replies: []Reply{{Text: b.String(), NoPreview: true}}}, nil
}

func (r *Router) takeReport(ctx context.Context, c *Context, a *access, rep storage.Report) (Response, error) {
	err := r.reports.ChangeReport(ctx, storage.ReportChange{
		ID: rep.ID, ActorID: c.User.ID, Action: string(reports.ActionTaken), State: string(reports.StateTaken),
		UnitID: rep.UnitID, At: r.now(),
	}, rep.UnitID)
	if errors.Is(err, storage.ErrReportClosed) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyReportMovedOn)}, nil
	}
	if err != nil {
		return Response{}, err
	}
	u, _ := a.tree.Get(rep.UnitID)
	if err := r.tellReporters(ctx, rep, messages.T(r.lang, messages.KeyReportToReporterTaken, rep.ID, u.Name)); err != nil {
		return Response{}, err
	}
	return Response{CallbackText: messages.Plain(c.Lang, messages.KeyReportTaken, rep.ID)}, nil
}

// finishWithNote completes an escalation or a closing with the note the
// officer just typed, after checking again that they may: the case may
// have moved while they typed.
func (r *Router) finishWithNote(ctx context.Context, c *Context, n storage.ReportNote) (Response, error) {
	said, _ := c.Req.Said()
	note := strings.TrimSpace(said)
	if note == "" {
		// A sticker or a bare photo is no note: still waiting for one.
		if err := r.reports.AwaitReportNote(ctx, n); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeyReportAskNoteDone, n.ReportID), nil
	}
	if utf8.RuneCountInString(note) > reports.MaxNoteLength {
		if err := r.reports.AwaitReportNote(ctx, n); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeyReportNoteTooLong, messages.Count(reports.MaxNoteLength)), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	rep, ok, err := r.readable(ctx, a, n.ReportID)
	if err != nil {
		return Response{}, err
	}
	if !ok || !a.viewer().MayAct(ruleReport(rep)) || !reports.State(rep.State).Open() {
		return c.Reply(messages.KeyReportMovedOn), nil
	}
	switch reports.Action(n.Action) {
	case reports.ActionEscalated:
		to, passed, ok, err := r.escalation(ctx, a, rep)
		if err != nil {
			return Response{}, err
		}
		if !ok {
			return c.Reply(messages.KeyReportNoUnitAbove, rep.ID), nil
		}
		from := rep.UnitID
		err = r.reports.ChangeReport(ctx, storage.ReportChange{
			ID: rep.ID, ActorID: c.User.ID, Action: string(reports.ActionEscalated), State: string(reports.StateEscalated),
			UnitID: to.ID, Passed: passed, Note: note, At: r.now(),
		}, from)
		if errors.Is(err, storage.ErrReportClosed) {
			return c.Reply(messages.KeyReportMovedOn), nil
		}
		if err != nil {
			return Response{}, err
		}
		if rep, err = r.reports.Report(ctx, rep.ID); err != nil {
			return Response{}, err
		}
		officers, err := r.reports.UnitOfficerIDs(ctx, to.ID)
		if err != nil {
			return Response{}, err
		}
		fromUnit, _ := a.tree.Get(from)
		lead := messages.T(r.lang, messages.KeyReportEscalatedFrom, fromUnit.Name, note)
		if err := r.sendToOfficers(ctx, rep, officers, "up", lead); err != nil {
			return Response{}, err
		}
		if err := r.tellReporters(ctx, rep, messages.T(r.lang, messages.KeyReportToReporterEscalated, rep.ID, to.Name)); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeyReportEscalated, rep.ID, to.Name), nil
	case reports.ActionHandled:
		err := r.reports.ChangeReport(ctx, storage.ReportChange{
			ID: rep.ID, ActorID: c.User.ID, Action: string(reports.ActionHandled), State: string(reports.StateHandled),
			UnitID: rep.UnitID, Note: note, At: r.now(),
		}, rep.UnitID)
		if errors.Is(err, storage.ErrReportClosed) {
			return c.Reply(messages.KeyReportMovedOn), nil
		}
		if err != nil {
			return Response{}, err
		}
		if err := r.tellReporters(ctx, rep, messages.T(r.lang, messages.KeyReportToReporterHandled, rep.ID, note)); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeyReportHandled, rep.ID), nil
	}
	return c.Reply(messages.KeyReportMovedOn), nil
}

// sameLink lists the reports of the same link the asker may read, and how
// many there are in all with how many people: how far a post has spread,
// without naming anyone outside the asker's reach.
func (r *Router) sameLink(ctx context.Context, c *Context, a *access, rep storage.Report) (Response, error) {
	if rep.Link == "" {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	list, err := r.reports.Reports(ctx, storage.ReportFilter{Link: rep.Link, Limit: 200})
	if err != nil {
		return Response{}, err
	}
	all, err := r.dir.Units(ctx)
	if err != nil {
		return Response{}, err
	}
	names := unitNames(all)
	people := 0
	var lines []string
	for _, s := range list {
		people += s.Reporters
		full, ok, err := r.readable(ctx, a, s.ID)
		if err != nil {
			return Response{}, err
		}
		if !ok {
			continue
		}
		lines = append(lines, c.T(messages.KeyReportListLine, full.ID, messages.Date(full.CreatedAt, r.loc),
			names[full.UnitID], reports.StateName(c.Lang, reports.State(full.State)),
			messages.HTML(c.T(messages.KeyReportListReporters, messages.Count(full.Reporters)))))
	}
	text := c.T(messages.KeyReportSameLinkHead, messages.Link(rep.Link, rep.Link), messages.Count(len(list)), messages.Count(people)) + "\n" + strings.Join(lines, "\n")
	return Response{Replies: []Reply{{Text: text, NoPreview: true}}}, nil
}

// reportBulletin turns an exemplary-model report into a bulletin draft to
// the unit it came from and opens the usual broadcast preview, Send and
// Cancel included: the officer reads it before anyone else does.
func (r *Router) reportBulletin(ctx context.Context, c *Context, a *access, rep storage.Report) (Response, error) {
	if reports.Kind(rep.Kind) != reports.KindModel || r.bc == nil {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	entries, err := r.reports.ReportEntries(ctx, rep.ID)
	if err != nil || len(entries) == 0 {
		return Response{}, err
	}
	body := c.T(messages.KeyReportBulletinText, messages.HTML(entries[0].Text))
	var media []delivery.Media
	if content, err := reports.ParseContent(entries[0].Content); err == nil {
		for _, m := range content.Media {
			media = append(media, delivery.Media{Kind: m.Kind, FileID: m.FileID})
		}
	}
	unit, _ := a.tree.Get(rep.OriginUnitID)
	id, chats, err := r.bc.CreateDraft(ctx, delivery.Broadcast{
		Kind: "announcement", AuthorID: c.User.ID, AuthorChatID: c.Req.Chat.ID, Lang: c.Lang,
		Text: body, Units: []int64{rep.OriginUnitID}, Media: media,
	})
	if err != nil {
		return Response{}, fmt.Errorf("bulletin from report %d: %w", rep.ID, err)
	}
	if chats == 0 {
		return c.Reply(messages.KeyBroadcastNobody, unit.Name), nil
	}
	data := "bc:" + strconv.FormatInt(id, 10) + ":"
	return Response{Replies: []Reply{{
		Text: c.T(messages.KeyBroadcastPreview, messages.Count(chats), unit.Name, messages.HTML(body)),
		Buttons: [][]Button{{
			{Text: messages.Plain(c.Lang, messages.KeyBroadcastSendButton), Data: data + "send"},
			{Text: messages.Plain(c.Lang, messages.KeyBroadcastCancelButton), Data: data + "drop"},
		}},
	}}}, nil
}

// addedReports reports whether the report commands are registered.
func (r *Router) addedReports() bool { return r.dir != nil && r.reports != nil && r.rdeliver != nil }

// forwardOf keeps the origin of a forwarded message as the report's data.
func forwardOf(f *ForwardOrigin) *reports.Forward {
	out := &reports.Forward{Type: f.Kind, MessageID: f.MessageID, Name: f.SenderName, Username: f.ChatUsername}
	if f.Date > 0 {
		out.Date = time.Unix(f.Date, 0).UTC()
	}
	if u := f.User; u != nil {
		out.Name, out.Username, out.ChatID = u.Name(), u.Username, u.ID
	}
	if ch := f.Chat; ch != nil {
		out.Name, out.ChatID = ch.Title, ch.ID
	}
	return out
}
