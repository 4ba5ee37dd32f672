package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Broadcaster is the delivery engine as the broadcast commands use it.
// *delivery.Engine satisfies it.
type Broadcaster interface {
	CreateDraft(ctx context.Context, b delivery.Broadcast) (int64, int, error)
	Start(ctx context.Context, id, actorID int64) (bool, int, error)
	Cancel(ctx context.Context, id, actorID int64) (int, error)
	Broadcast(ctx context.Context, id int64) (delivery.Summary, error)
	Recent(ctx context.Context, limit int) ([]delivery.Summary, error)
	EditLater(ctx context.Context, id, actorID int64, html string, reportTo int64, lang messages.Lang) error
	RecallLater(ctx context.Context, id, actorID int64, reportTo int64, lang messages.Lang) error
	Preview(ctx context.Context, units []int64) (int, error)
	SetDraftOptions(ctx context.Context, id, authorID int64, o delivery.DraftOptions) (bool, error)
	Answer(ctx context.Context, id, userID, chatID int64, messageID, i int) (delivery.AnswerResult, error)
	Unanswered(ctx context.Context, id int64) ([]storage.Unanswered, error)
	Remind(ctx context.Context, id int64) (delivery.Reminding, error)
	RememberAlbumPart(ctx context.Context, p storage.AlbumPart) error
	Album(ctx context.Context, chatID int64, groupID string) ([]delivery.Media, string, error)
}

func (r *Router) addBroadcastCommands() {
	r.add(&command{name: "broadcast", desc: messages.KeyCmdBroadcast, access: OfficerOrAdmin, run: r.broadcast})
	r.add(&command{name: "broadcasts", desc: messages.KeyCmdBroadcasts, access: OfficerOrAdmin, run: r.broadcasts})
	r.add(&command{name: "cancel", desc: messages.KeyCmdCancel, access: OfficerOrAdmin, run: r.cancelBroadcast})
	r.add(&command{name: "edit", desc: messages.KeyCmdEdit, access: OfficerOrAdmin, run: r.editBroadcast})
	r.add(&command{name: "recall", desc: messages.KeyCmdRecall, access: OfficerOrAdmin, run: r.recallBroadcast})
	r.add(&command{name: "acks", desc: messages.KeyCmdAcks, access: OfficerOrAdmin, run: r.acks})
}

// broadcast prepares an announcement: "/broadcast <unit…|all> <text>".
// Nothing is sent yet: the author sees how many chats it reaches and the
// text exactly as it will arrive, with Send and Cancel buttons.
func (r *Router) broadcast(ctx context.Context, c *Context) (Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	targets, names, textFrom, other := r.broadcastTargets(c, a)
	if other != nil {
		return *other, nil
	}
	said, ents := c.Req.Said()
	opts, textFrom, bad := r.broadcastOptions(said, textFrom)
	if opts.badAnswers {
		return c.Reply(messages.KeyBroadcastBadAnswers, delivery.MaxAnswers), nil
	}
	if bad {
		return c.Reply(messages.KeyBroadcastBadTime), nil
	}
	body := strings.TrimSpace(messages.TailToHTML(said, ents, textFrom))
	readable := messages.Readable(said[textFrom:])
	att, err := r.attachment(ctx, c)
	if err != nil {
		return Response{}, err
	}
	if body == "" && att.body != "" {
		// "/broadcast units" alone, in reply: the message replied to
		// (its text, or the caption of its file or album) is the bulletin.
		body, readable = att.body, true
	}
	if body == "" && len(att.media) == 0 {
		return c.Reply(messages.KeyBroadcastUsage), nil
	}
	if body != "" && !readable {
		return c.Reply(messages.KeyBroadcastNothingToRead), nil
	}
	if messages.Length(body) > delivery.MaxTextLength {
		return c.Reply(messages.KeyBroadcastTooLong, messages.Count(delivery.MaxTextLength)), nil
	}
	// The preview names the units as people know them; codes are for typing.
	list := strings.Join(names, ", ")
	id, chats, err := r.bc.CreateDraft(ctx, delivery.Broadcast{
		Kind: "announcement", AuthorID: c.User.ID, AuthorChatID: c.Req.Chat.ID, Lang: c.Lang,
		Text: body, Units: targets, Urgent: opts.urgent, At: opts.at, Media: att.media, Answers: opts.answers,
	})
	if err != nil {
		return Response{}, fmt.Errorf("draft broadcast to %s: %w", list, err)
	}
	if chats == 0 {
		return c.Reply(messages.KeyBroadcastNobody, list), nil
	}
	s, err := r.bc.Broadcast(ctx, id)
	if err != nil {
		return Response{}, err
	}
	reply, err := r.previewReply(ctx, c, a, s, false)
	if err != nil {
		return Response{}, err
	}
	// The file or album itself, as it will go out, above the preview.
	for _, m := range att.media {
		reply.Files = append(reply.Files, Media{Kind: m.Kind, FileID: m.FileID})
	}
	return Response{Replies: []Reply{reply}}, nil
}

// broadcastTargets reads the unit codes at the start of the arguments (or
// "all", for admins: the roots of the tree) and checks the asker acts for
// each. It returns the units, their names, and where the text begins.
func (r *Router) broadcastTargets(c *Context, a *access) ([]int64, []string, int, *Response) {
	text, _ := c.Req.Said()
	pos := c.Cmd.ArgsOffset
	var ids []int64
	var names []string
	for pos < len(text) {
		rest := text[pos:]
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		var found []storage.Unit
		// "all" (tat-ca, "tất cả") only as the first word: after a unit code
		// it is the start of the text ("dq-tra-co Tất cả đồng chí…"), and
		// reading it as a target would send the text to every unit.
		all := false
		if pos == c.Cmd.ArgsOffset {
			var n int
			_, n, all = messages.MatchArg(strings.Fields(rest), messages.ArgAll)
			if all {
				end = wordsEnd(rest, n)
			}
		}
		if all {
			found = a.tree.Roots()
		} else {
			for _, code := range strings.Split(word, ",") {
				if code == "" {
					continue
				}
				u, ok := a.tree.ByCode(strings.ToLower(code))
				if !ok {
					found = nil
					break
				}
				found = append(found, u)
			}
		}
		if len(found) == 0 {
			break // the text begins here
		}
		if all && !a.admin() {
			resp := c.Reply(messages.KeyNotAllowed)
			return nil, nil, 0, &resp
		}
		for _, u := range found {
			if !a.actsFor(u.ID) {
				resp := c.Reply(messages.KeyNotAllowed)
				return nil, nil, 0, &resp
			}
			ids = append(ids, u.ID)
			names = append(names, u.Name)
		}
		pos += end
		for pos < len(text) {
			r, n := utf8.DecodeRuneInString(text[pos:])
			if !unicode.IsSpace(r) {
				break
			}
			pos += n
		}
	}
	if len(ids) == 0 {
		resp := c.Reply(messages.KeyBroadcastUsage)
		return nil, nil, 0, &resp
	}
	return ids, names, pos, nil
}

// decideBroadcast handles Send and Cancel under a preview. Only the author
// may press them; the engine starts a draft once, so a second press (or a
// press after Cancel) sends nothing. Send checks the author's rights as they
// are at the press, not as they were when the preview was made: an officer
// stepped down since then sends nothing. Cancel only needs authorship, as
// it can only keep something from being sent.
func (r *Router) decideBroadcast(ctx context.Context, c *Context, data string) (Response, error) {
	idText, action, _ := strings.Cut(data, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || action == "" {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	switch action {
	case "acks":
		return r.unansweredList(ctx, c, id)
	case "remind":
		return r.remind(ctx, c, id)
	}
	b, err := r.bc.Broadcast(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	if err != nil {
		return Response{}, err
	}
	if b.AuthorID != c.User.ID {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyBroadcastNotYours), CallbackAlert: true}, nil
	}
	if action != "send" && action != "drop" {
		if b.State != delivery.StateDraft {
			return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
		}
		return r.changeDraft(ctx, c, b, action)
	}
	if action == "drop" {
		if _, err := r.bc.Cancel(ctx, id, c.User.ID); err != nil {
			return Response{}, fmt.Errorf("drop broadcast %d: %w", id, err)
		}
		return Response{Replies: []Reply{{EditMessageID: c.Req.MessageID, Text: c.T(messages.KeyBroadcastDropped)}}}, nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	if !maySend(a, b) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyBroadcastNoLongerAllowed), CallbackAlert: true}, nil
	}
	started, chats, err := r.bc.Start(ctx, id, c.User.ID)
	if err != nil {
		return Response{}, fmt.Errorf("start broadcast %d: %w", id, err)
	}
	if !started {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	return Response{Replies: []Reply{{EditMessageID: c.Req.MessageID, Text: c.T(messages.KeyBroadcastStarted, id, messages.Count(chats))}}}, nil
}

func stateName(c *Context, state string) messages.HTML {
	key := map[string]messages.Key{
		delivery.StateDraft: messages.KeyStateDraft, delivery.StateSending: messages.KeyStateSending,
		delivery.StateDone: messages.KeyStateDone, delivery.StateCancelled: messages.KeyStateCancelled,
	}[state]
	if key == "" {
		return messages.HTML(messages.Escape(state))
	}
	return messages.HTML(c.T(key))
}

// maySend: the asker may announce to every unit of b now, by the rule
// /broadcast applies when it is written (they act for each unit; "all" is
// the roots, which only admins and the roots' officers act for).
func maySend(a *access, b delivery.Summary) bool {
	for _, u := range b.Units {
		if !a.actsFor(u) {
			return false
		}
	}
	return len(b.Units) > 0
}

// mayManage: the author and admins manage a broadcast; officers see the
// broadcasts to units they act for.
func mayManage(a *access, b delivery.Summary) bool {
	return a.admin() || b.AuthorID == a.user.ID
}

func maySee(a *access, b delivery.Summary) bool {
	if mayManage(a, b) {
		return true
	}
	for _, u := range b.Units {
		if !a.actsFor(u) {
			return false
		}
	}
	return len(b.Units) > 0
}

// broadcasts lists the recent broadcasts the asker may see, with counts.
func (r *Router) broadcasts(ctx context.Context, c *Context) (Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	list, err := r.bc.Recent(ctx, 50)
	if err != nil {
		return Response{}, fmt.Errorf("recent broadcasts: %w", err)
	}
	var b strings.Builder
	shown := 0
	for _, s := range list {
		if !maySee(a, s) || shown == 10 {
			continue
		}
		shown++
		b.WriteString("\n")
		b.WriteString(c.T(messages.KeyBroadcastsLine, s.ID, messages.DateTime(s.CreatedAt, r.loc), stateName(c, s.State),
			messages.Count(s.Sent), messages.Count(s.Total), messages.Count(s.Blocked), messages.Count(s.Failed), s.Excerpt))
		if !s.ScheduledAt.IsZero() {
			b.WriteString(" " + c.T(messages.KeyBroadcastsScheduled, messages.DateTime(s.ScheduledAt, r.loc)))
		}
	}
	if shown == 0 {
		return c.Reply(messages.KeyBroadcastsEmpty), nil
	}
	return Response{Replies: []Reply{{Text: c.T(messages.KeyBroadcastsHeader) + b.String()}}}, nil
}

// cancelBroadcast stops what is left of a broadcast: "/cancel <id>".
func (r *Router) cancelBroadcast(ctx context.Context, c *Context) (Response, error) {
	idText := strings.TrimPrefix(strings.TrimSpace(c.Cmd.Args), "#")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return c.Reply(messages.KeyCancelUsage), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	s, err := r.bc.Broadcast(ctx, id)
	if errors.Is(err, delivery.ErrNotFound) || (err == nil && !mayManage(a, s)) {
		// Someone else's broadcast is answered like a missing one.
		return c.Reply(messages.KeyBroadcastUnknown, idText), nil
	}
	if err != nil {
		return Response{}, err
	}
	n, err := r.bc.Cancel(ctx, id, c.User.ID)
	if err != nil {
		return Response{}, fmt.Errorf("cancel broadcast %d: %w", id, err)
	}
	return c.Reply(messages.KeyBroadcastCancelled, id, messages.Count(n)), nil
}

// wordsEnd is where the first n words of s end, in bytes.
func wordsEnd(s string, n int) int {
	i := 0
	for w := 0; w < n; w++ {
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += size
		}
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += size
		}
	}
	return i
}
