package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// answers.go: the preview's buttons (urgent, confirmation, schedule, pin,
// automatic reminder), the answer buttons under each copy, the list of
// those who have not answered and "Nhắc lại".

// parseAnswers reads the author's own answers at text[pos:], written
// between two question marks and separated by bars, easy to type on a
// phone: "? Có mặt | Vắng mặt | Đến muộn ?". It returns them and where the
// text after them begins; ok is false for an unclosed list, an empty
// answer or more than four.
func parseAnswers(text string, pos int) (answers []string, next int, ok bool) {
	rest := text[pos:]
	trimmed := strings.TrimLeft(rest, " \t\n")
	start := pos + len(rest) - len(trimmed)
	if !strings.HasPrefix(trimmed, "?") {
		return nil, pos, false
	}
	end := strings.IndexByte(trimmed[1:], '?')
	if end < 0 {
		return nil, pos, false
	}
	for _, a := range strings.Split(trimmed[1:1+end], "|") {
		a = strings.Join(strings.Fields(a), " ")
		if a == "" || len(a) > 60 {
			return nil, pos, false
		}
		answers = append(answers, a)
	}
	if len(answers) > delivery.MaxAnswers {
		return nil, pos, false
	}
	next = start + 1 + end + 1
	for next < len(text) && (text[next] == ' ' || text[next] == '\n' || text[next] == '\t') {
		next++
	}
	return answers, next, true
}

// previewReply renders the preview of draft s: what will go out, its
// options, and the buttons that change them. at is true while the
// schedule's choices are shown instead of the options.
func (r *Router) previewReply(ctx context.Context, c *Context, a *access, s delivery.Summary, atChoices bool) (Reply, error) {
	chats, err := r.bc.Preview(ctx, s.Units)
	if err != nil {
		return Reply{}, fmt.Errorf("count chats of draft %d: %w", s.ID, err)
	}
	var names []string
	for _, id := range s.Units {
		if u, ok := a.tree.Get(id); ok {
			names = append(names, u.Name)
		}
	}
	var head []string
	if s.Urgent {
		head = append(head, c.T(messages.KeyBroadcastPreviewUrgent))
	}
	if !s.ScheduledAt.IsZero() {
		head = append(head, c.T(messages.KeyBroadcastPreviewAt, messages.DateTime(s.ScheduledAt, r.loc)))
	}
	if len(s.Media) > 0 {
		head = append(head, describeMedia(c, s.Media))
	}
	if len(s.Answers) > 0 {
		head = append(head, c.T(messages.KeyPreviewAnswers, strings.Join(s.Answers, " | ")))
		if s.RemindAfter > 0 {
			head = append(head, c.T(messages.KeyPreviewRemind, delay(c, s.RemindAfter)))
		}
	}
	if s.Pin && s.Urgent {
		head = append(head, c.T(messages.KeyPreviewPin))
	}
	text := c.T(messages.KeyBroadcastPreview, messages.Count(chats), strings.Join(names, ", "), messages.HTML(s.Text))
	if len(head) > 0 {
		text = strings.Join(head, "\n") + "\n" + text
	}
	if len(s.Media) > 0 && s.Text != "" && messages.Length(s.Text) > delivery.MaxCaptionLength {
		text += "\n\n" + c.T(messages.KeyBulletinCaptionSplit, messages.Count(delivery.MaxCaptionLength))
	}
	data := "bc:" + strconv.FormatInt(s.ID, 10) + ":"
	plain := func(k messages.Key, args ...any) string { return messages.Plain(c.Lang, k, args...) }
	on := func(label string, v bool) string {
		if v {
			return "✓ " + label
		}
		return label
	}
	if atChoices {
		text += "\n\n" + c.T(messages.KeyOptAtHelp)
		var row []Button
		now := r.now().In(r.loc)
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, r.loc)
		for _, t := range []struct {
			at  time.Time
			key messages.Key
		}{
			{day.Add(19 * time.Hour), messages.KeyOptAtToday},
			{day.AddDate(0, 0, 1).Add(7 * time.Hour), messages.KeyOptAtTomorrow},
			{day.AddDate(0, 0, 1).Add(14 * time.Hour), messages.KeyOptAtTomorrow},
		} {
			if t.at.After(now.Add(5 * time.Minute)) {
				row = append(row, Button{Text: plain(t.key, t.at.Format("15:04")), Data: data + "at:" + strconv.FormatInt(t.at.Unix(), 10)})
			}
		}
		return Reply{Text: text, Buttons: [][]Button{row, {
			{Text: plain(messages.KeyOptAtNow), Data: data + "at:0"},
			{Text: plain(messages.KeyOptBack), Data: data + "back"},
		}}}, nil
	}
	text += "\n\n" + c.T(messages.KeyPreviewHint)
	confirm := len(s.Answers) > 0
	second := []Button{{Text: on(plain(messages.KeyOptAtButton), !s.ScheduledAt.IsZero()), Data: data + "at"}}
	if s.Urgent {
		second = append(second, Button{Text: on(plain(messages.KeyOptPinButton), s.Pin), Data: data + "pin"})
	}
	if confirm {
		d := plain(messages.KeyOptRemindOff)
		if s.RemindAfter > 0 {
			d = delay(c, s.RemindAfter)
		}
		second = append(second, Button{Text: plain(messages.KeyOptRemindButton, d), Data: data + "auto"})
	}
	return Reply{Text: text, Buttons: [][]Button{
		{
			{Text: on(plain(messages.KeyOptUrgentButton), s.Urgent), Data: data + "urg"},
			{Text: on(plain(messages.KeyOptConfirmButton), confirm), Data: data + "ack"},
		},
		second,
		{
			{Text: plain(messages.KeyBroadcastSendButton), Data: data + "send"},
			{Text: plain(messages.KeyBroadcastCancelButton), Data: data + "drop"},
		},
	}}, nil
}

// remindDelays are the automatic reminder's choices, in the order a press
// cycles through them (then off again).
var remindDelays = []time.Duration{30 * time.Minute, 2 * time.Hour}

func delay(c *Context, d time.Duration) string {
	if d%time.Hour == 0 {
		return messages.Plain(c.Lang, messages.KeyOptHours, int(d/time.Hour))
	}
	return messages.Plain(c.Lang, messages.KeyOptMinutes, int(d/time.Minute))
}

func describeMedia(c *Context, media []delivery.Media) string {
	if len(media) > 1 {
		return c.T(messages.KeyBulletinAlbum, messages.Count(len(media)))
	}
	return c.T(messages.KeyBulletinAttached, messages.Plain(c.Lang, mediaKeys[media[0].Kind]))
}

// changeDraft handles the preview's option buttons. Only the author
// changes a draft, and only while they may still send to its units.
func (r *Router) changeDraft(ctx context.Context, c *Context, s delivery.Summary, action string) (Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	if !maySend(a, s) {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyBroadcastNoLongerAllowed), CallbackAlert: true}, nil
	}
	o := delivery.DraftOptions{Urgent: s.Urgent, At: s.ScheduledAt, Answers: s.Answers, Pin: s.Pin, RemindAfter: s.RemindAfter}
	atChoices := false
	switch {
	case action == "urg":
		o.Urgent = !o.Urgent
	case action == "ack":
		if len(o.Answers) > 0 {
			o.Answers, o.RemindAfter = nil, 0
		} else {
			o.Answers = []string{messages.Plain(s.Lang, messages.KeyAnswerConfirm)}
		}
	case action == "pin":
		o.Pin = !o.Pin
	case action == "auto":
		next := time.Duration(0)
		for i, d := range remindDelays {
			if d == o.RemindAfter && i+1 < len(remindDelays) {
				next = remindDelays[i+1]
			}
		}
		if o.RemindAfter == 0 {
			next = remindDelays[0]
		}
		o.RemindAfter = next
	case action == "at":
		atChoices = true
	case action == "back":
	case strings.HasPrefix(action, "at:"):
		sec, err := strconv.ParseInt(strings.TrimPrefix(action, "at:"), 10, 64)
		if err != nil {
			return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
		}
		o.At = time.Time{}
		if sec > 0 {
			if at := time.Unix(sec, 0); at.After(r.now()) {
				o.At = at
			}
		}
	default:
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	if !o.Urgent {
		o.Pin = false // only urgent bulletins are pinned
	}
	ok, err := r.bc.SetDraftOptions(ctx, s.ID, c.User.ID, o)
	if err != nil {
		return Response{}, fmt.Errorf("change draft %d: %w", s.ID, err)
	}
	if !ok {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	s, err = r.bc.Broadcast(ctx, s.ID)
	if err != nil {
		return Response{}, err
	}
	reply, err := r.previewReply(ctx, c, a, s, atChoices)
	if err != nil {
		return Response{}, err
	}
	reply.EditMessageID = c.Req.MessageID
	return Response{Replies: []Reply{reply}}, nil
}

// answer records a press of an answer button under a copy of a bulletin.
// Each person answers for themself (in a group too); only members of the
// units it reached, and only under a real copy of it.
func (r *Router) answer(ctx context.Context, c *Context, rest string) (Response, error) {
	id, i, ok := delivery.ParseAnswerData(rest)
	if !ok {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	res, err := r.bc.Answer(ctx, id, c.User.ID, c.Req.Chat.ID, c.Req.MessageID, i)
	if err != nil {
		return Response{}, fmt.Errorf("answer to broadcast %d: %w", id, err)
	}
	toast := func(k messages.Key, args ...any) Response {
		return Response{CallbackText: messages.Plain(c.Lang, k, args...)}
	}
	switch res.Outcome {
	case delivery.AnswerRecorded:
		return toast(messages.KeyAnswerRecorded, res.Answer), nil
	case delivery.AnswerChanged:
		return toast(messages.KeyAnswerChanged, res.Previous, res.Answer), nil
	case delivery.AnswerSame:
		return toast(messages.KeyAnswerSame, res.Answer), nil
	case delivery.AnswerNotMember:
		r.log.Info("answer from outside the units", "broadcast", id, "user_id", c.User.ID)
		resp := toast(messages.KeyAnswerNotYours)
		resp.CallbackAlert = true
		return resp, nil
	}
	r.log.Warn("answer button not under a copy of its bulletin", "broadcast", id, "user_id", c.User.ID, "chat_id", c.Req.Chat.ID)
	return toast(messages.KeyButtonExpired), nil
}

// mayWatch: who may see who answered and remind them: the author, the
// officers of every target unit, admins.
func mayWatch(a *access, s delivery.Summary) bool {
	return maySee(a, s)
}

// watched loads broadcast id for the answer list and the reminder, or
// the answer for someone who may not see it (as for a missing one).
func (r *Router) watched(ctx context.Context, c *Context, id int64) (delivery.Summary, *Response, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return delivery.Summary{}, nil, err
	}
	s, err := r.bc.Broadcast(ctx, id)
	if errors.Is(err, delivery.ErrNotFound) || (err == nil && !mayWatch(a, s)) {
		resp := c.Reply(messages.KeyBroadcastUnknown, strconv.FormatInt(id, 10))
		if c.Req.Kind == KindCallback {
			resp = Response{CallbackText: messages.Plain(c.Lang, messages.KeyBroadcastNotYours), CallbackAlert: true}
		}
		return delivery.Summary{}, &resp, nil
	}
	return s, nil, err
}

// acks lists, by unit, those who have not answered: "/acks <id>".
func (r *Router) acks(ctx context.Context, c *Context) (Response, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(c.Cmd.Args), "#"), 10, 64)
	if err != nil || id <= 0 {
		return c.Reply(messages.KeyAcksUsage), nil
	}
	return r.unansweredList(ctx, c, id)
}

func (r *Router) unansweredList(ctx context.Context, c *Context, id int64) (Response, error) {
	s, other, err := r.watched(ctx, c, id)
	if err != nil || other != nil {
		return deref(other), err
	}
	text := ""
	if len(s.Answers) == 0 {
		text = c.T(messages.KeyUnansweredNoAnswers, id)
	} else {
		un, err := r.bc.Unanswered(ctx, id)
		if err != nil {
			return Response{}, fmt.Errorf("unanswered of %d: %w", id, err)
		}
		text = unansweredText(c, id, un)
	}
	reply := Reply{Text: text}
	if c.Req.Chat.Type.IsGroup() {
		// Names are for those who may see them, not for the group.
		reply.ChatID = c.User.ID
	}
	return Response{Replies: []Reply{reply}}, nil
}

func unansweredText(c *Context, id int64, un []storage.Unanswered) string {
	if len(un) == 0 {
		return c.T(messages.KeyUnansweredNone, id)
	}
	people := map[int64]bool{}
	var b strings.Builder
	for i := 0; i < len(un); {
		j := i
		var names []string
		for ; j < len(un) && un[j].UnitID == un[i].UnitID; j++ {
			people[un[j].UserID] = true
			names = append(names, personName(storage.User{ID: un[j].UserID, FirstName: un[j].FirstName, LastName: un[j].LastName}))
		}
		b.WriteString("\n")
		b.WriteString(c.T(messages.KeyUnansweredUnit, un[i].UnitName, strings.Join(names, ", ")))
		i = j
	}
	return c.T(messages.KeyUnansweredHeader, id, messages.Count(len(people))) + b.String()
}

// remind is "Nhắc lại" under the author's status message.
func (r *Router) remind(ctx context.Context, c *Context, id int64) (Response, error) {
	_, other, err := r.watched(ctx, c, id)
	if err != nil || other != nil {
		return deref(other), err
	}
	res, err := r.bc.Remind(ctx, id)
	if err != nil {
		return Response{}, fmt.Errorf("remind broadcast %d: %w", id, err)
	}
	return Response{
		Replies:      []Reply{{ChatID: c.User.ID, Text: c.T(messages.KeyRemindStarted, messages.Count(res.Reminders), messages.Count(res.Before), messages.Count(res.Unreachable))}},
		CallbackText: messages.Plain(c.Lang, messages.KeyAnswersRemindButton),
	}, nil
}
