package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/settings"
	"github.com/loabot/loa/storage"
)

// SettingsStore is what /caidat needs from storage; *storage.DB.
type SettingsStore interface {
	ChatSettings(ctx context.Context, chatID int64) (storage.ChatSettings, error)
	SaveChatSettings(ctx context.Context, s storage.ChatSettings, ch storage.SettingsChange, now time.Time) error
	ChatSources(ctx context.Context, chatID int64) ([]storage.MutedSource, error)
	SetSourceMuted(ctx context.Context, chatID, sourceID int64, muted bool, actorID int64) error
	ChatTopics(ctx context.Context, chatID int64) ([]storage.Topic, error)
	SetTopic(ctx context.Context, chatID, unitID int64, kind string, threadID int, actorID int64) error
	FilterPreview(ctx context.Context, chatID int64, since time.Time, only, none []string) (passed, total int, err error)
}

// settingsCallback starts the data of /caidat's buttons: "st:<action>".
const settingsCallback = "st"

// DigestDefault is the digest time the button offers (18:00: after the
// working day, before the evening); /caidat tom-tat sets any other.
const DigestDefault = 18 * 60

// maxSourceButtons bounds the mute buttons under /caidat; more sources are
// muted by number.
const maxSourceButtons = 8

func (r *Router) addSettingsCommands() {
	for _, name := range []string{"caidat", "settings"} {
		r.add(&command{name: name, desc: messages.KeyCmdSettings, run: r.settingsCmd})
	}
}

// maySetChat says whether the asker may change this chat's settings: a
// person their own private chat; in a group only the group's Telegram
// admins, asked of Telegram at every change (the command and each press),
// since anyone in a group can press a button under /caidat.
func (r *Router) maySetChat(ctx context.Context, c *Context) (bool, error) {
	if c.Req.Chat.Type == ChatPrivate {
		return c.Req.Chat.ID == c.User.ID, nil
	}
	if !c.Req.Chat.Type.IsGroup() || r.admins == nil {
		return false, nil
	}
	ok, err := r.admins.IsChatAdmin(ctx, c.Req.Chat.ID, c.User.ID)
	if err != nil {
		return false, fmt.Errorf("is %d an admin of %d: %w", c.User.ID, c.Req.Chat.ID, err)
	}
	return ok, nil
}

// settingsCmd shows the chat's settings with buttons, or changes one
// ("/caidat yen-lang 22:00-06:00"); a change needs maySetChat.
func (r *Router) settingsCmd(ctx context.Context, c *Context) (Response, error) {
	fields := strings.Fields(c.Cmd.Args)
	if len(fields) == 0 {
		return r.settingsView(ctx, c, 0)
	}
	ok, err := r.maySetChat(ctx, c)
	if err != nil {
		return Response{}, err
	}
	if !ok {
		return c.Reply(messages.KeySettingsGroupAdminOnly), nil
	}
	arg, n, known := messages.MatchArg(fields, messages.ArgQuiet, messages.ArgDigest, messages.ArgOnly,
		messages.ArgExcept, messages.ArgMute, messages.ArgUnmute, messages.ArgTopic)
	if !known {
		return c.Reply(messages.KeySettingsUsage), nil
	}
	rest := strings.TrimSpace(strings.Join(fields[n:], " "))
	off := messages.IsArg(rest, messages.ArgOff)
	chat := c.Req.Chat.ID
	s, err := r.settings.ChatSettings(ctx, chat)
	if err != nil {
		return Response{}, err
	}
	switch arg {
	case messages.ArgQuiet:
		q, ok := settings.ParseQuiet(rest)
		if off {
			q, ok = settings.Quiet{}, true
		}
		if !ok {
			return c.Reply(messages.KeySettingsBadQuiet), nil
		}
		s.QuietFrom, s.QuietTo = q.From, q.To
		err = r.saveSettings(ctx, c, s, storage.AuditSettingsQuiet, "quiet "+quietDetail(q))
	case messages.ArgDigest:
		if off {
			s.DigestAt = nil
		} else {
			at, ok := settings.ParseClock(rest)
			if !ok {
				return c.Reply(messages.KeySettingsBadTime), nil
			}
			s.DigestAt = &at
		}
		err = r.saveSettings(ctx, c, s, storage.AuditSettingsDigest, "digest "+digestDetail(s.DigestAt))
	case messages.ArgOnly, messages.ArgExcept:
		var words []string
		if !off {
			words = settings.Keywords(rest)
			if len(words) > settings.MaxKeywords {
				return c.Reply(messages.KeySettingsTooMany, settings.MaxKeywords), nil
			}
		}
		action := "only"
		if arg == messages.ArgOnly {
			s.OnlyWords = words
		} else {
			s.NoneWords, action = words, "except"
		}
		if err := r.saveSettings(ctx, c, s, storage.AuditSettingsFilter, action+" "+strings.Join(words, ", ")); err != nil {
			return Response{}, err
		}
		passed, total, err := r.settings.FilterPreview(ctx, chat, r.now().AddDate(0, 0, -7), s.OnlyWords, s.NoneWords)
		if err != nil {
			return Response{}, err
		}
		resp, err := r.settingsView(ctx, c, 0)
		if err != nil {
			return Response{}, err
		}
		resp.Replies = append(resp.Replies, Reply{Text: c.T(messages.KeySettingsPreview, messages.Count(passed), messages.Count(total))})
		return resp, nil
	case messages.ArgMute, messages.ArgUnmute:
		id, perr := strconv.ParseInt(rest, 10, 64)
		if perr != nil {
			return c.Reply(messages.KeySettingsUsage), nil
		}
		if resp, done, err := r.muteSource(ctx, c, id, arg == messages.ArgMute); err != nil || done {
			return resp, err
		}
	case messages.ArgTopic:
		return r.routeTopic(ctx, c, rest, off)
	}
	if err != nil {
		return Response{}, err
	}
	return r.settingsView(ctx, c, 0)
}

func quietDetail(q settings.Quiet) string {
	if q.Off() {
		return "off"
	}
	return q.String()
}

func digestDetail(at *int) string {
	if at == nil {
		return "off"
	}
	return settings.Clock(*at)
}

// saveSettings writes s with an audit entry of the change.
func (r *Router) saveSettings(ctx context.Context, c *Context, s storage.ChatSettings, action, detail string) error {
	s.ChatID = c.Req.Chat.ID
	return r.settings.SaveChatSettings(ctx, s, storage.SettingsChange{ActorID: c.User.ID, Action: action, Detail: detail}, r.now())
}

// muteSource mutes or unmutes a source the chat receives; done with a
// response when the source is not one of them.
func (r *Router) muteSource(ctx context.Context, c *Context, id int64, mute bool) (Response, bool, error) {
	srcs, err := r.settings.ChatSources(ctx, c.Req.Chat.ID)
	if err != nil {
		return Response{}, false, err
	}
	for _, s := range srcs {
		if s.ID == id {
			return Response{}, false, r.settings.SetSourceMuted(ctx, c.Req.Chat.ID, id, mute, c.User.ID)
		}
	}
	return c.Reply(messages.KeySettingsNoSource, id), true, nil
}

// routeTopic routes a unit, or a kind of message, to the forum topic the
// command was typed in.
func (r *Router) routeTopic(ctx context.Context, c *Context, rest string, off bool) (Response, error) {
	if !c.Req.Chat.IsForum || c.Req.ThreadID == 0 {
		return c.Reply(messages.KeySettingsTopicNotForum), nil
	}
	if rest == "" {
		return c.Reply(messages.KeySettingsTopicUsage), nil
	}
	thread := c.Req.ThreadID
	fields := strings.Fields(rest)
	kinds := map[messages.Arg]struct {
		kind string
		name messages.Key
	}{
		messages.ArgArticles:  {storage.TopicArticles, messages.KeySettingsKindArticles},
		messages.ArgBulletins: {storage.TopicBulletins, messages.KeySettingsKindBulletins},
		messages.ArgReminders: {storage.TopicReminders, messages.KeySettingsKindReminders},
	}
	if off {
		// Whatever this topic receives goes to the general one again.
		topics, err := r.settings.ChatTopics(ctx, c.Req.Chat.ID)
		if err != nil {
			return Response{}, err
		}
		for _, t := range topics {
			if t.ThreadID != thread {
				continue
			}
			var unit int64
			kind := ""
			if t.UnitID != nil {
				unit = *t.UnitID
			} else if t.Kind != nil {
				kind = *t.Kind
			}
			if err := r.settings.SetTopic(ctx, c.Req.Chat.ID, unit, kind, 0, c.User.ID); err != nil {
				return Response{}, err
			}
		}
		return r.settingsView(ctx, c, 0)
	}
	if arg, n, ok := messages.MatchArg(fields, messages.ArgArticles, messages.ArgBulletins, messages.ArgReminders); ok && n == len(fields) {
		k := kinds[arg]
		if err := r.settings.SetTopic(ctx, c.Req.Chat.ID, 0, k.kind, thread, c.User.ID); err != nil {
			return Response{}, err
		}
		return c.Reply(messages.KeySettingsTopicSet, c.T(k.name), thread), nil
	}
	if r.dir == nil {
		return c.Reply(messages.KeySettingsTopicUsage), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	u, other := r.resolve(c, a, rest, "caidat chu-de")
	if other != nil {
		return *other, nil
	}
	if err := r.settings.SetTopic(ctx, c.Req.Chat.ID, u.ID, "", thread, c.User.ID); err != nil {
		return Response{}, err
	}
	return c.Reply(messages.KeySettingsTopicSet, u.Name, thread), nil
}

// settingsView is the chat's settings in one message with its buttons;
// editing message edit when non-zero.
func (r *Router) settingsView(ctx context.Context, c *Context, edit int) (Response, error) {
	chat := c.Req.Chat.ID
	s, err := r.settings.ChatSettings(ctx, chat)
	if err != nil {
		return Response{}, err
	}
	srcs, err := r.settings.ChatSources(ctx, chat)
	if err != nil {
		return Response{}, err
	}
	topics, err := r.settings.ChatTopics(ctx, chat)
	if err != nil {
		return Response{}, err
	}
	title := c.Req.Chat.Title
	if title == "" {
		title = c.Req.From.Name()
	}
	lines := []string{c.T(messages.KeySettingsHeader, title), ""}
	q := settings.Quiet{From: s.QuietFrom, To: s.QuietTo}
	if q.Off() {
		lines = append(lines, c.T(messages.KeySettingsQuietOff))
	} else {
		lines = append(lines, c.T(messages.KeySettingsQuietOn, q.String()))
	}
	if s.DigestAt == nil {
		lines = append(lines, c.T(messages.KeySettingsArticlesNow))
	} else {
		lines = append(lines, c.T(messages.KeySettingsArticlesDigest, settings.Clock(*s.DigestAt)))
	}
	if len(s.OnlyWords) == 0 {
		lines = append(lines, c.T(messages.KeySettingsOnlyAll))
	} else {
		lines = append(lines, c.T(messages.KeySettingsOnly, strings.Join(s.OnlyWords, ", ")))
	}
	if len(s.NoneWords) > 0 {
		lines = append(lines, c.T(messages.KeySettingsNone, strings.Join(s.NoneWords, ", ")))
	}
	var muted []string
	for _, src := range srcs {
		if src.Muted {
			muted = append(muted, fmt.Sprintf("%s (%d)", src.Name, src.ID))
		}
	}
	if len(muted) > 0 {
		lines = append(lines, c.T(messages.KeySettingsMuted, strings.Join(muted, ", ")))
	}
	if len(topics) > 0 {
		var ts []string
		for _, t := range topics {
			what := ""
			switch {
			case t.UnitName != nil:
				what = *t.UnitName
			case t.Kind != nil:
				what = c.T(map[string]messages.Key{
					storage.TopicArticles: messages.KeySettingsKindArticles, storage.TopicBulletins: messages.KeySettingsKindBulletins,
					storage.TopicReminders: messages.KeySettingsKindReminders,
				}[*t.Kind])
			}
			ts = append(ts, c.T(messages.KeySettingsTopicLine, what, t.ThreadID))
		}
		lines = append(lines, c.T(messages.KeySettingsTopics, strings.Join(ts, "\n")))
	}
	lines = append(lines, "", c.T(messages.KeySettingsBulletinsNote), "", c.T(messages.KeySettingsUsage))

	pl := func(k messages.Key, args ...any) string { return messages.Plain(c.Lang, k, args...) }
	var rows [][]Button
	if q.Off() {
		rows = append(rows, []Button{{Text: pl(messages.KeySettingsBtnQuietOn, settings.DefaultQuiet.String()), Data: settingsCallback + ":q1"}})
	} else {
		rows = append(rows, []Button{{Text: pl(messages.KeySettingsBtnQuietOff), Data: settingsCallback + ":q0"}})
	}
	if s.DigestAt == nil {
		rows = append(rows, []Button{{Text: pl(messages.KeySettingsBtnDigestOn, settings.Clock(DigestDefault)), Data: settingsCallback + ":d1"}})
	} else {
		rows = append(rows, []Button{{Text: pl(messages.KeySettingsBtnDigestOff), Data: settingsCallback + ":d0"}})
	}
	if len(s.OnlyWords)+len(s.NoneWords) > 0 {
		rows = append(rows, []Button{{Text: pl(messages.KeySettingsBtnFiltersOff), Data: settingsCallback + ":f0"}})
	}
	for i, src := range srcs {
		if i == maxSourceButtons {
			break
		}
		if src.Muted {
			rows = append(rows, []Button{{Text: pl(messages.KeySettingsBtnUnmute, src.Name), Data: settingsCallback + ":u:" + strconv.FormatInt(src.ID, 10)}})
		} else {
			rows = append(rows, []Button{{Text: pl(messages.KeySettingsBtnMute, src.Name), Data: settingsCallback + ":m:" + strconv.FormatInt(src.ID, 10)}})
		}
	}
	return Response{Replies: []Reply{{Text: strings.Join(lines, "\n"), Buttons: rows, EditMessageID: edit}}}, nil
}

// settingsButton applies a press on a /caidat button, after checking again
// that the presser may change this chat's settings, and shows the result
// in the same message.
func (r *Router) settingsButton(ctx context.Context, c *Context, data string) (Response, error) {
	ok, err := r.maySetChat(ctx, c)
	if err != nil {
		return Response{}, err
	}
	if !ok {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeySettingsGroupAdminOnly), CallbackAlert: true}, nil
	}
	s, err := r.settings.ChatSettings(ctx, c.Req.Chat.ID)
	if err != nil {
		return Response{}, err
	}
	action, arg, _ := strings.Cut(data, ":")
	switch action {
	case "q0", "q1":
		q := settings.Quiet{}
		if action == "q1" {
			q = settings.DefaultQuiet
		}
		s.QuietFrom, s.QuietTo = q.From, q.To
		err = r.saveSettings(ctx, c, s, storage.AuditSettingsQuiet, "quiet "+quietDetail(q))
	case "d0", "d1":
		s.DigestAt = nil
		if action == "d1" {
			at := DigestDefault
			s.DigestAt = &at
		}
		err = r.saveSettings(ctx, c, s, storage.AuditSettingsDigest, "digest "+digestDetail(s.DigestAt))
	case "f0":
		s.OnlyWords, s.NoneWords = nil, nil
		err = r.saveSettings(ctx, c, s, storage.AuditSettingsFilter, "filters off")
	case "m", "u":
		id, perr := strconv.ParseInt(arg, 10, 64)
		if perr != nil {
			return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
		}
		_, done, merr := r.muteSource(ctx, c, id, action == "m")
		if merr != nil {
			return Response{}, merr
		}
		if done {
			return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
		}
	default:
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	if err != nil {
		return Response{}, err
	}
	resp, err := r.settingsView(ctx, c, c.Req.MessageID)
	if err != nil {
		return Response{}, err
	}
	resp.CallbackText = messages.Plain(c.Lang, messages.KeySettingsSaved)
	return resp, nil
}
