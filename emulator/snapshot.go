package emulator

import (
	"sort"
	"time"
)

// Snapshot is what the emulator knows, in a form that survives a restart:
// the sandbox keeps it in a file so that chats, their histories and the
// update IDs carry on where they were. Pending updates, callbacks, webhooks
// and flood-control windows are not kept: a restart is a new connection.
type Snapshot struct {
	NextUpdateID int            `json:"next_update_id"`
	Users        []User         `json:"users"`
	Chats        []ChatSnapshot `json:"chats"`
}

// ChatSnapshot is one chat with the bot's messages and the people's.
type ChatSnapshot struct {
	Chat     Chat             `json:"chat"`
	NextID   int              `json:"next_id"`
	Members  map[int64]string `json:"members,omitempty"`
	Blocked  bool             `json:"blocked,omitempty"`
	Messages []Message        `json:"messages,omitempty"`
	People   []PersonMessage  `json:"people,omitempty"`
}

// PersonMessage is a text message a person sent, as kept for replies and
// edits.
type PersonMessage struct {
	MessageID int      `json:"message_id"`
	From      User     `json:"from"`
	Text      string   `json:"text,omitempty"`
	Entities  []Entity `json:"entities,omitempty"`
	Date      int64    `json:"date"`
	// Media is the kind of file sent ("" for a text; Text is then its
	// caption), File the file, MediaGroupID the album it belongs to.
	Media        string `json:"media,omitempty"`
	File         *File  `json:"file,omitempty"`
	MediaGroupID string `json:"media_group_id,omitempty"`
}

func personMessage(id int, um *userMsg) PersonMessage {
	p := PersonMessage{MessageID: id, From: um.from, Text: um.text, Entities: um.entities, Date: um.date}
	if um.media != nil {
		f := um.media.file
		p.Media, p.File, p.MediaGroupID = f.Kind, &f, um.media.groupID
	}
	return p
}

// Snapshot returns the Server's state; see Restore.
func (s *Server) Snapshot() Snapshot {
	var snap Snapshot
	s.q.mu.Lock()
	snap.NextUpdateID = s.q.nextID
	s.q.mu.Unlock()
	s.usersMu.RLock()
	for _, u := range s.users {
		if u.ID != s.bot.ID {
			snap.Users = append(snap.Users, u)
		}
	}
	s.usersMu.RUnlock()
	sort.Slice(snap.Users, func(i, j int) bool { return snap.Users[i].ID < snap.Users[j].ID })
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
			c := ChatSnapshot{Chat: cs.chat, NextID: cs.nextID, Blocked: cs.blocked, Messages: cs.exportAllLocked()}
			if len(cs.members) > 0 {
				c.Members = make(map[int64]string, len(cs.members))
				for k, v := range cs.members {
					c.Members[k] = v
				}
			}
			for id, um := range cs.userMsgs {
				c.People = append(c.People, personMessage(id, um))
			}
			cs.mu.Unlock()
			sort.Slice(c.People, func(i, j int) bool { return c.People[i].MessageID < c.People[j].MessageID })
			snap.Chats = append(snap.Chats, c)
		}
	}
	sort.Slice(snap.Chats, func(i, j int) bool { return snap.Chats[i].Chat.ID < snap.Chats[j].Chat.ID })
	return snap
}

// Restore loads a Snapshot into a Server that has seen no traffic yet.
// Update IDs continue from the larger of the snapshot's and after: a bot
// that stored its polling offset elsewhere must get updates above it, or
// it would take new updates for ones it already handled.
func (s *Server) Restore(snap Snapshot, after int) {
	for _, u := range snap.Users {
		if u.ID > 0 {
			s.learnUser(u, true)
		}
	}
	for _, c := range snap.Chats {
		cs, err := s.ensureChat(c.Chat)
		if err != nil {
			continue // a chat this version would refuse: forget it rather than fail the start
		}
		cs.mu.Lock()
		cs.nextID = max(cs.nextID, c.NextID)
		cs.blocked = c.Blocked
		for k, v := range c.Members {
			cs.members[k] = v
		}
		cs.msgs = cs.msgs[:0]
		for _, m := range c.Messages {
			cs.msgs = append(cs.msgs, importMessage(m, s.msgSeq.Add(1)))
			if m.Media != "" {
				s.rememberFile(m.File)
			}
		}
		if len(c.People) > 0 && cs.userMsgs == nil {
			cs.userMsgs = map[int]*userMsg{}
		}
		for _, p := range c.People {
			um := &userMsg{from: p.From, text: p.Text, entities: p.Entities, date: p.Date}
			if p.File != nil {
				um.media = &sentMedia{file: *p.File, groupID: p.MediaGroupID}
				s.rememberFile(*p.File)
			}
			cs.userMsgs[p.MessageID] = um
		}
		cs.mu.Unlock()
	}
	s.q.mu.Lock()
	s.q.nextID = max(s.q.nextID, snap.NextUpdateID, after+1)
	s.q.mu.Unlock()
}

// importMessage is export's inverse.
func importMessage(m Message, seq uint64) botMsg {
	b := botMsg{
		seq: seq, date: m.Date.Unix(), id: int32(m.MessageID), replyTo: int32(m.ReplyToMessageID),
		thread: int32(m.MessageThreadID), edits: int32(m.Edits), parseMode: parseModeIndex(m.ParseMode),
		text: m.Text, entities: m.Entities, keyboard: m.InlineKeyboard, markup: m.ReplyMarkup,
	}
	if m.HTML != m.Text {
		b.html = m.HTML
	}
	if !m.EditDate.IsZero() {
		b.editDate = m.EditDate.Unix()
	}
	if m.DisableWebPagePreview {
		b.flags |= flagNoPreview
	}
	if m.AllowPaidBroadcast {
		b.flags |= flagPaid
	}
	if m.Silent {
		b.flags |= flagSilent
	}
	if m.Media != "" {
		b.media = &sentMedia{file: m.File, groupID: m.MediaGroupID}
	}
	return b
}

// Counters are the figures the sandbox shows: what the bot sent and what
// Telegram would have refused.
type Counters struct {
	Messages        int // messages the bot sent, in all chats
	TooManyRequests int // 429 answers, self-caused or injected
	Errors          int // error answers of any kind
	At              time.Time
}

// Counters returns the Server's counters now.
func (s *Server) Counters() Counters {
	s.errMu.Lock()
	n := len(s.errs)
	s.errMu.Unlock()
	return Counters{Messages: s.MessageCount(), TooManyRequests: s.TooManyRequests(), Errors: n, At: time.Now()}
}

// PersonMessages returns the messages people sent into a chat, in order.
func (s *Server) PersonMessages(chatID int64) []PersonMessage {
	cs := s.chat(chatID)
	if cs == nil {
		return nil
	}
	cs.mu.Lock()
	out := make([]PersonMessage, 0, len(cs.userMsgs))
	for id, um := range cs.userMsgs {
		out = append(out, personMessage(id, um))
	}
	cs.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].MessageID < out[j].MessageID })
	return out
}
