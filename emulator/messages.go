package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// parseModeParam normalises parse_mode; the Bot API ignores its case.
// Markdown and MarkdownV2 are accepted, but their markup is not parsed: the
// text is stored as sent.
func parseModeParam(v string) (string, *apiError) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return "", nil
	case "html":
		return "HTML", nil
	case "markdownv2":
		return "MarkdownV2", nil
	case "markdown":
		return "Markdown", nil
	}
	return "", badRequest("unsupported parse_mode")
}

type jsonEntity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url"`
	Language      string `json:"language"`
	CustomEmojiID string `json:"custom_emoji_id"`
	User          *struct {
		ID int64 `json:"id"`
	} `json:"user"`
}

// parseEntitiesParam reads an entities parameter (used when no parse_mode
// is given).
func (s *Server) parseEntitiesParam(v string) ([]Entity, *apiError) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var in []jsonEntity
	if err := json.Unmarshal([]byte(v), &in); err != nil {
		return nil, badRequest("can't parse entities JSON object")
	}
	out := make([]Entity, 0, len(in))
	for _, e := range in {
		if e.Offset < 0 || e.Length <= 0 {
			continue
		}
		ent := Entity{Type: e.Type, Offset: e.Offset, Length: e.Length, URL: e.URL, Language: e.Language, CustomEmojiID: e.CustomEmojiID}
		if e.User != nil {
			u, ok := s.user(e.User.ID)
			if !ok {
				return nil, badRequest("can't parse entities: user not found")
			}
			ent.User = &u
		}
		out = append(out, ent)
	}
	sortEntities(out)
	return out, nil
}

// messageText validates the text parameters of sendMessage and
// editMessageText and returns what the message will show.
func (s *Server) messageText(rq *request) (text, mode string, ents []Entity, err *apiError) {
	mode, err = parseModeParam(rq.get("parse_mode"))
	if err != nil {
		return "", "", nil, err
	}
	var given []Entity
	if mode == "" {
		if given, err = s.parseEntitiesParam(rq.get("entities")); err != nil {
			return "", "", nil, err
		}
	}
	text, ents, terr := formatText(rq.get("text"), mode, given, s.pedantic)
	if terr != nil {
		var te *TextError
		if errors.As(terr, &te) {
			return "", "", nil, &apiError{code: 400, desc: te.Description}
		}
		return "", "", nil, badRequest(terr.Error())
	}
	return text, mode, ents, nil
}

// previewDisabled reads disable_web_page_preview and link_preview_options.
func previewDisabled(rq *request) (bool, *apiError) {
	if v := rq.get("link_preview_options"); strings.TrimSpace(v) != "" {
		var o struct {
			IsDisabled bool `json:"is_disabled"`
		}
		if err := json.Unmarshal([]byte(v), &o); err != nil {
			return false, badRequest("can't parse link preview options JSON object")
		}
		if o.IsDisabled {
			return true, nil
		}
	}
	return rq.bool("disable_web_page_preview"), nil
}

// replyParams reads reply_to_message_id / reply_parameters.
func replyParams(rq *request) (id int, allowMissing bool, err *apiError) {
	if v := rq.get("reply_parameters"); strings.TrimSpace(v) != "" {
		var p struct {
			MessageID                int  `json:"message_id"`
			AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
		}
		if e := json.Unmarshal([]byte(v), &p); e != nil {
			return 0, false, badRequest("can't parse reply parameters JSON object")
		}
		return p.MessageID, p.AllowSendingWithoutReply, nil
	}
	return int(rq.int("reply_to_message_id")), rq.bool("allow_sending_without_reply"), nil
}

func (s *Server) sendMessage(rq *request, rp *reply) {
	text, mode, ents, err := s.messageText(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	markup, keyboard, err := s.replyMarkup(rq.get("reply_markup"))
	if err != nil {
		rp.fail(err)
		return
	}
	noPreview, err := previewDisabled(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	replyTo, allowMissing, err := replyParams(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	cs, chatID, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = chatID
	if err != nil {
		rp.fail(err)
		return
	}
	paid := rq.bool("allow_paid_broadcast")
	m := botMsg{
		parseMode: parseModeIndex(mode),
		text:      text,
		entities:  ents,
		keyboard:  keyboard,
		markup:    markup,
		thread:    int32(rq.int("message_thread_id")),
	}
	if raw := rq.get("text"); raw != text {
		m.html = raw
	}
	if noPreview {
		m.flags |= flagNoPreview
	}
	if paid {
		m.flags |= flagPaid
	}
	if rq.bool("disable_notification") {
		m.flags |= flagSilent
	}
	now := s.now()

	cs.mu.Lock()
	if err := s.checkWritableLocked(cs); err != nil {
		cs.mu.Unlock()
		rp.fail(err)
		return
	}
	if err := checkThreadLocked(cs, m.thread); err != nil {
		cs.mu.Unlock()
		rp.fail(err)
		return
	}
	var replyWire *wireMessage
	if replyTo > 0 {
		replyWire = s.wireForReplyLocked(cs, replyTo)
		if replyWire == nil && !allowMissing {
			cs.mu.Unlock()
			rp.fail(errReplyMissing)
			return
		}
		if replyWire != nil {
			m.replyTo = int32(replyTo)
		}
	}
	if err := s.floodLocked(cs, paid, now); err != nil {
		cs.mu.Unlock()
		rp.fail(err)
		return
	}
	m.id = int32(cs.nextID)
	cs.nextID++
	m.date = now.Unix()
	m.seq = s.msgSeq.Add(1)
	cs.msgs = append(cs.msgs, m)
	wm := s.wireBotLocked(cs, &cs.msgs[len(cs.msgs)-1])
	wm.replyTo = replyWire
	rp.buf = appendMessage(rp.buf, &wm)
	if cs.notify != nil {
		close(cs.notify)
		cs.notify = nil
	}
	cs.mu.Unlock()
	s.messageAdded()
}

// floodLocked applies ForceRetryAfter, injected Faults and the Limits to a message-creating
// or editing call. The caller holds cs.mu.
func (s *Server) floodLocked(cs *chatState, paid bool, now time.Time) *apiError {
	if sec := cs.takeForced(); sec > 0 {
		s.injected429.Add(1)
		return tooManyRequests(sec)
	}
	if e := s.sendFault(); e != nil {
		return e
	}
	group := cs.chat.Type == ChatGroup || cs.chat.Type == ChatSupergroup
	if sec := s.lim.admit(&cs.limit, group, paid, now.UnixNano()); sec > 0 {
		return tooManyRequests(sec)
	}
	return nil
}

func (s *Server) messageAdded() {
	s.msgCount.Add(1)
	if s.countWt.Load() > 0 {
		s.countMu.Lock()
		if s.countCh != nil {
			close(s.countCh)
			s.countCh = nil
		}
		s.countMu.Unlock()
	}
}

// findBotLocked returns the bot's message with the given ID, or nil.
func (cs *chatState) findBotLocked(id int) *botMsg {
	i := sort.Search(len(cs.msgs), func(i int) bool { return int(cs.msgs[i].id) >= id })
	if i < len(cs.msgs) && int(cs.msgs[i].id) == id {
		return &cs.msgs[i]
	}
	return nil
}

// wireBotLocked describes a bot message for JSON. The caller holds cs.mu
// until the JSON is written.
func (s *Server) wireBotLocked(cs *chatState, m *botMsg) wireMessage {
	return wireMessage{
		id:              int(m.id),
		threadID:        int(m.thread),
		from:            &s.bot,
		chat:            &cs.chat,
		date:            m.date,
		editDate:        m.editDate,
		text:            m.text,
		entities:        m.entities,
		previewDisabled: m.flags&flagNoPreview != 0,
		keyboard:        m.keyboard,
		isTopic:         m.thread != 0 && cs.chat.IsForum,
		media:           m.media,
	}
}

// wireForReplyLocked describes the message with the given ID (the bot's or
// a person's) as the reply_to_message of another, or nil if there is none.
func (s *Server) wireForReplyLocked(cs *chatState, id int) *wireMessage {
	if m := cs.findBotLocked(id); m != nil {
		wm := s.wireBotLocked(cs, m)
		return &wm
	}
	if um := cs.userMsgs[id]; um != nil {
		return &wireMessage{id: id, from: &um.from, chat: &cs.chat, date: um.date, editDate: um.editDate, text: um.text, entities: um.entities, media: um.media}
	}
	return nil
}

func entitiesEqual(a, b []Entity) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if (x.User == nil) != (y.User == nil) || (x.User != nil && x.User.ID != y.User.ID) {
			return false
		}
		x.User, y.User = nil, nil
		if x != y {
			return false
		}
	}
	return true
}

// editTarget finds the bot message an edit names.
func (s *Server) editTarget(rq *request, rp *reply) (*chatState, int, bool) {
	if rq.get("inline_message_id") != "" {
		rp.fail(badRequest("MESSAGE_ID_INVALID"))
		return nil, 0, false
	}
	cs, chatID, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = chatID
	if err != nil {
		rp.fail(err)
		return nil, 0, false
	}
	return cs, int(rq.int("message_id")), true
}

// lookupEditLocked returns the message to edit or the error to answer.
func (s *Server) lookupEditLocked(cs *chatState, id int) (*botMsg, *apiError) {
	if err := s.checkWritableLocked(cs); err != nil {
		return nil, err
	}
	if m := cs.findBotLocked(id); m != nil {
		return m, nil
	}
	if cs.userMsgs[id] != nil {
		return nil, errCantEdit
	}
	return nil, errEditNotFound
}

func (s *Server) editMessageText(rq *request, rp *reply) {
	text, mode, ents, err := s.messageText(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	markup, keyboard, err := s.replyMarkup(rq.get("reply_markup"))
	if err != nil {
		rp.fail(err)
		return
	}
	noPreview, err := previewDisabled(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	cs, id, ok := s.editTarget(rq, rp)
	if !ok {
		return
	}
	now := s.now()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	m, err := s.lookupEditLocked(cs, id)
	if err != nil {
		rp.fail(err)
		return
	}
	if m.media != nil {
		rp.fail(errNoText)
		return
	}
	if m.text == text && entitiesEqual(m.entities, ents) && keyboardsEqual(m.keyboard, keyboard) {
		rp.fail(errNotModified)
		return
	}
	if err := s.floodLocked(cs, false, now); err != nil {
		rp.fail(err)
		return
	}
	m.text, m.entities, m.parseMode = text, ents, parseModeIndex(mode)
	m.html = ""
	if raw := rq.get("text"); raw != text {
		m.html = raw
	}
	m.keyboard, m.markup = keyboard, markup // an edit without reply_markup removes the keyboard
	m.flags &^= flagNoPreview
	if noPreview {
		m.flags |= flagNoPreview
	}
	m.edits++
	m.editDate = now.Unix()
	wm := s.wireBotLocked(cs, m)
	rp.buf = appendMessage(rp.buf, &wm)
}

func (s *Server) editMessageReplyMarkup(rq *request, rp *reply) {
	markup, keyboard, err := s.replyMarkup(rq.get("reply_markup"))
	if err != nil {
		rp.fail(err)
		return
	}
	cs, id, ok := s.editTarget(rq, rp)
	if !ok {
		return
	}
	now := s.now()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	m, err := s.lookupEditLocked(cs, id)
	if err != nil {
		rp.fail(err)
		return
	}
	if keyboardsEqual(m.keyboard, keyboard) {
		rp.fail(errNotModified)
		return
	}
	m.keyboard, m.markup = keyboard, markup
	m.edits++
	m.editDate = now.Unix()
	wm := s.wireBotLocked(cs, m)
	rp.buf = appendMessage(rp.buf, &wm)
}

// ---- reading what the bot did ----

func (cs *chatState) export(m *botMsg) Message {
	out := Message{
		ChatID:                cs.chat.ID,
		MessageID:             int(m.id),
		Date:                  time.Unix(m.date, 0),
		Edits:                 int(m.edits),
		Text:                  m.text,
		HTML:                  m.html,
		ParseMode:             parseModeNames[m.parseMode],
		Entities:              append([]Entity(nil), m.entities...),
		InlineKeyboard:        copyKeyboard(m.keyboard),
		ReplyMarkup:           m.markup,
		DisableWebPagePreview: m.flags&flagNoPreview != 0,
		ReplyToMessageID:      int(m.replyTo),
		MessageThreadID:       int(m.thread),
		AllowPaidBroadcast:    m.flags&flagPaid != 0,
		Silent:                m.flags&flagSilent != 0,
	}
	if m.media != nil {
		out.Media, out.File, out.MediaGroupID = m.media.file.Kind, m.media.file, m.media.groupID
	}
	if out.HTML == "" {
		out.HTML = m.text
	}
	if m.editDate != 0 {
		out.EditDate = time.Unix(m.editDate, 0)
	}
	return out
}

// Messages returns every message the bot sent into the chat, in order, as
// they stand now (after edits). It is empty for an unknown chat.
func (s *Server) Messages(chatID int64) []Message {
	cs := s.chat(chatID)
	if cs == nil {
		return nil
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.exportAllLocked()
}

func (cs *chatState) exportAllLocked() []Message {
	out := make([]Message, len(cs.msgs))
	for i := range cs.msgs {
		out[i] = cs.export(&cs.msgs[i])
	}
	return out
}

// Message returns the bot's message with the given ID in a chat.
func (s *Server) Message(chatID int64, messageID int) (Message, bool) {
	cs := s.chat(chatID)
	if cs == nil {
		return Message{}, false
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if m := cs.findBotLocked(messageID); m != nil {
		return cs.export(m), true
	}
	return Message{}, false
}

// AllMessages returns every message the bot sent, in all chats, in the
// order they were sent.
func (s *Server) AllMessages() []Message {
	type seqMsg struct {
		seq uint64
		m   Message
	}
	var all []seqMsg
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		chats := make([]*chatState, 0, len(sh.m))
		for _, cs := range sh.m {
			chats = append(chats, cs)
		}
		sh.mu.RUnlock()
		for _, cs := range chats {
			cs.mu.Lock()
			for k := range cs.msgs {
				all = append(all, seqMsg{cs.msgs[k].seq, cs.export(&cs.msgs[k])})
			}
			cs.mu.Unlock()
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	out := make([]Message, len(all))
	for i := range all {
		out[i] = all[i].m
	}
	return out
}

// MessageCount is the number of messages the bot has sent, in all chats.
func (s *Server) MessageCount() int { return int(s.msgCount.Load()) }

// WaitMessages waits until the bot has sent at least n messages into the
// chat and returns them all. It wakes on each new message, without
// polling. On ctx's end it returns what there is and an error.
func (s *Server) WaitMessages(ctx context.Context, chatID int64, n int) ([]Message, error) {
	cs := s.chat(chatID)
	if cs == nil {
		return nil, fmt.Errorf("emulator: wait for messages in chat %d: unknown chat", chatID)
	}
	for {
		cs.mu.Lock()
		if len(cs.msgs) >= n {
			out := cs.exportAllLocked()
			cs.mu.Unlock()
			return out, nil
		}
		if cs.notify == nil {
			cs.notify = make(chan struct{})
		}
		ch := cs.notify
		cs.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			got := s.Messages(chatID)
			return got, fmt.Errorf("emulator: wait for %d messages in chat %d: got %d: %w", n, chatID, len(got), ctx.Err())
		case <-s.closed:
			got := s.Messages(chatID)
			return got, fmt.Errorf("emulator: wait for %d messages in chat %d: got %d: server closed", n, chatID, len(got))
		}
	}
}

// WaitMessageCount waits until the bot has sent at least n messages in
// all, e.g. until a broadcast to thousands of chats is through.
func (s *Server) WaitMessageCount(ctx context.Context, n int) error {
	s.countWt.Add(1)
	defer s.countWt.Add(-1)
	for {
		s.countMu.Lock()
		if s.MessageCount() >= n {
			s.countMu.Unlock()
			return nil
		}
		if s.countCh == nil {
			s.countCh = make(chan struct{})
		}
		ch := s.countCh
		s.countMu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("emulator: wait for %d messages: got %d: %w", n, s.MessageCount(), ctx.Err())
		case <-s.closed:
			return fmt.Errorf("emulator: wait for %d messages: got %d: server closed", n, s.MessageCount())
		}
	}
}

// copyKeyboard gives a test its own copy: stored keyboards are shared.
func copyKeyboard(kb [][]InlineKeyboardButton) [][]InlineKeyboardButton {
	if kb == nil {
		return nil
	}
	out := make([][]InlineKeyboardButton, len(kb))
	for i, row := range kb {
		out[i] = append([]InlineKeyboardButton(nil), row...)
	}
	return out
}
