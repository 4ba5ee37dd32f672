package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
)

// broadcastOpts are the options typed between the units and the text of
// /broadcast, chosen to be easy on a phone keyboard:
//
//	!              urgent ("Khẩn"): before anything routine, with a sound
//	@07:00         at 07:00 today (tomorrow if that has passed)
//	@07:00 15/12   at 07:00 on 15 December (next year if that has passed)
//	? Có mặt | Vắng mặt ?   the answers each person gives (up to four)
type broadcastOpts struct {
	urgent     bool
	at         time.Time // zero: at once
	answers    []string
	badAnswers bool // a "?" list that does not parse
}

var (
	clockRe = regexp.MustCompile(`^@([01]?\d|2[0-3])[:hg]([0-5]\d)$`)
	dateRe  = regexp.MustCompile(`^([0-3]?\d)/([01]?\d)$`)
)

// broadcastOptions reads the options at text[pos:] and returns them with
// where the text begins; bad is a time that does not parse or has passed.
// Times are in the Router's Location, from its injected clock.
func (r *Router) broadcastOptions(text string, pos int) (o broadcastOpts, from int, bad bool) {
	for {
		word, next := nextWord(text, pos)
		switch {
		case word == "!":
			o.urgent = true
		case strings.HasPrefix(word, "?"):
			answers, after, ok := parseAnswers(text, pos)
			if !ok {
				o.badAnswers = true
				return o, pos, false
			}
			o.answers, pos = answers, after
			continue
		case strings.HasPrefix(word, "@"):
			m := clockRe.FindStringSubmatch(word)
			if m == nil {
				return o, pos, true
			}
			hh, _ := strconv.Atoi(m[1])
			mm, _ := strconv.Atoi(m[2])
			now := r.now().In(r.loc)
			at := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, r.loc)
			if d, after := nextWord(text, next); dateRe.MatchString(d) {
				dm := dateRe.FindStringSubmatch(d)
				day, _ := strconv.Atoi(dm[1])
				month, _ := strconv.Atoi(dm[2])
				at = time.Date(now.Year(), time.Month(month), day, hh, mm, 0, 0, r.loc)
				if at.Day() != day || month < 1 || month > 12 {
					return o, pos, true
				}
				if !at.After(now) {
					at = at.AddDate(1, 0, 0)
				}
				next = after
			} else if !at.After(now) {
				at = at.AddDate(0, 0, 1)
			}
			o.at = at
		default:
			return o, pos, false
		}
		pos = next
	}
}

// nextWord is the word at text[pos:] (after spaces) and where the spaces
// after it end.
func nextWord(text string, pos int) (string, int) {
	rest := text[pos:]
	start := len(rest) - len(strings.TrimLeftFunc(rest, unicode.IsSpace))
	rest = rest[start:]
	end := strings.IndexFunc(rest, unicode.IsSpace)
	if end < 0 {
		end = len(rest)
	}
	word := rest[:end]
	after := rest[end:]
	skip := len(after) - len(strings.TrimLeftFunc(after, unicode.IsSpace))
	return word, pos + start + end + skip
}

// revisable finds broadcast "#id" of the arguments for /edit and /recall:
// only its author and admins may change what was sent (checked here, at
// the command; anyone else is answered as for an unknown broadcast).
func (r *Router) revisable(ctx context.Context, c *Context, usage messages.Key) (delivery.Summary, int, *Response, error) {
	args := c.Req.Text[c.Cmd.ArgsOffset:]
	word, next := nextWord(args, 0)
	idText := strings.TrimPrefix(word, "#")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		resp := c.Reply(usage)
		return delivery.Summary{}, 0, &resp, nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return delivery.Summary{}, 0, nil, err
	}
	s, err := r.bc.Broadcast(ctx, id)
	if errors.Is(err, delivery.ErrNotFound) || (err == nil && !mayManage(a, s)) {
		resp := c.Reply(messages.KeyBroadcastUnknown, idText)
		return delivery.Summary{}, 0, &resp, nil
	}
	if err != nil {
		return delivery.Summary{}, 0, nil, err
	}
	return s, c.Cmd.ArgsOffset + next, nil, nil
}

// editBroadcast changes every delivered copy: "/edit <id> <new text>".
func (r *Router) editBroadcast(ctx context.Context, c *Context) (Response, error) {
	s, textFrom, other, err := r.revisable(ctx, c, messages.KeyEditUsage)
	if err != nil || other != nil {
		return deref(other), err
	}
	body := strings.TrimSpace(messages.TailToHTML(c.Req.Text, c.Req.Entities, textFrom))
	if body == "" || !messages.Readable(c.Req.Text[textFrom:]) {
		return c.Reply(messages.KeyEditUsage), nil
	}
	// An edit changes one message per chat: the text must fit in one (a
	// caption's limit for a bulletin with a file), and so must the original.
	limit := messages.MaxMessageLength
	if len(s.Media) > 0 {
		limit = delivery.MaxCaptionLength
	}
	if messages.Length(body) > limit || messages.Length(s.Text) > limit {
		return c.Reply(messages.KeyEditTooLong, messages.Count(limit)), nil
	}
	// The copies are edited by the engine, paced; the report follows.
	if err := r.bc.EditLater(ctx, s.ID, c.User.ID, body, c.Req.Chat.ID, c.Lang); err != nil {
		return Response{}, fmt.Errorf("edit broadcast %d: %w", s.ID, err)
	}
	return c.Reply(messages.KeyEditStarted, s.ID), nil
}

// recallBroadcast deletes every delivered copy: "/recall <id>".
func (r *Router) recallBroadcast(ctx context.Context, c *Context) (Response, error) {
	s, _, other, err := r.revisable(ctx, c, messages.KeyRecallUsage)
	if err != nil || other != nil {
		return deref(other), err
	}
	if err := r.bc.RecallLater(ctx, s.ID, c.User.ID, c.Req.Chat.ID, c.Lang); err != nil {
		return Response{}, fmt.Errorf("recall broadcast %d: %w", s.ID, err)
	}
	return c.Reply(messages.KeyRecallStarted, s.ID), nil
}
