package emulator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Chats are sharded so that senders into different chats rarely share a
// lock.
const shardCount = 64

type chatShard struct {
	mu sync.RWMutex
	m  map[int64]*chatState
}

// Member statuses, as in ChatMember.status.
const (
	StatusCreator       = "creator"
	StatusAdministrator = "administrator"
	StatusMember        = "member"
	StatusRestricted    = "restricted"
	StatusLeft          = "left"
	StatusKicked        = "kicked"
)

// chatState is everything the emulator knows of one chat. Its mutex guards
// all fields.
type chatState struct {
	mu          sync.Mutex
	chat        Chat
	nextID      int // next message_id: the bot's and the people's messages share the sequence
	msgs        []botMsg
	userMsgs    map[int]*userMsg
	blocked     bool  // private chat: the user blocked the bot
	deactivated bool  // private chat: the user's account is deleted
	migratedTo  int64 // group upgraded to this supergroup
	members     map[int64]string
	forced      []forcedRetry
	notify      chan struct{} // closed when a bot message is added; made by waiters
	limit       chatLimit
	canPin      bool // the bot, an administrator, may pin (SetBotRights)
	pinned      int  // the pinned message, 0 when none

	topics map[int32]string // forum topics by message_thread_id: their names (forum.go)
}

// botMsg is a message the bot sent, stored compactly: a benchmark keeps
// hundreds of thousands of them.
type botMsg struct {
	seq       uint64
	date      int64
	editDate  int64
	id        int32
	replyTo   int32
	thread    int32
	edits     int32
	parseMode uint8
	flags     uint8
	text      string // plain text
	html      string // the text parameter, when it differs from text
	entities  []Entity
	keyboard  [][]InlineKeyboardButton
	markup    string     // reply_markup parameter as sent
	media     *sentMedia // the file; text and entities are then its caption
}

const (
	flagNoPreview = 1 << iota
	flagPaid
	flagSilent // disable_notification
)

var parseModeNames = [...]string{"", "HTML", "MarkdownV2", "Markdown"}

func parseModeIndex(name string) uint8 {
	for i, n := range parseModeNames {
		if n == name {
			return uint8(i)
		}
	}
	return 0
}

// userMsg is a message a person sent (injected by a test), kept for
// replies and edits.
type userMsg struct {
	from     User
	text     string
	entities []Entity
	date     int64
	editDate int64
	media    *sentMedia // the file; text and entities are then its caption
}

func (s *Server) shard(id int64) *chatShard {
	return &s.shards[uint64(id)%shardCount]
}

// chat returns the state of a known chat, or nil.
func (s *Server) chat(id int64) *chatState {
	sh := s.shard(id)
	sh.mu.RLock()
	cs := sh.m[id]
	sh.mu.RUnlock()
	return cs
}

// mustChat returns a known chat or reports the test's mistake.
func (s *Server) mustChat(id int64, op string) *chatState {
	cs := s.chat(id)
	if cs == nil {
		s.fatalf("emulator: %s: chat %d is unknown; add it with AddChat or an injected update first", op, id)
	}
	return cs
}

// ensureChat registers c (or refreshes its title and names) and returns
// its state. A new group or supergroup has the bot as a member.
func (s *Server) ensureChat(c Chat) (*chatState, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	sh := s.shard(c.ID)
	sh.mu.Lock()
	cs := sh.m[c.ID]
	if cs == nil {
		cs = &chatState{chat: c, nextID: 1, members: map[int64]string{}}
		switch c.Type {
		case ChatGroup, ChatSupergroup:
			cs.members[s.bot.ID] = StatusMember
		case ChatChannel:
			cs.members[s.bot.ID] = StatusAdministrator // a bot posts in a channel only as an admin
		}
		sh.m[c.ID] = cs
		sh.mu.Unlock()
	} else {
		sh.mu.Unlock()
		cs.mu.Lock()
		if cs.chat.Type != c.Type {
			cs.mu.Unlock()
			return nil, fmt.Errorf("emulator: chat %d is a %s, not a %s", c.ID, cs.chat.Type, c.Type)
		}
		if c.Title != "" {
			cs.chat.Title = c.Title
		}
		if c.FirstName != "" {
			cs.chat.FirstName, cs.chat.LastName = c.FirstName, c.LastName
		}
		if c.Username != "" {
			cs.chat.Username = c.Username
		}
		cs.mu.Unlock()
	}
	if c.Username != "" && c.Type != ChatPrivate {
		s.namesMu.Lock()
		s.names[strings.ToLower(c.Username)] = c.ID
		s.namesMu.Unlock()
	}
	if c.Type == ChatPrivate {
		s.learnUser(User{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Username: c.Username}, false)
	}
	return cs, nil
}

// learnUser records u; overwrite replaces a known user's details.
func (s *Server) learnUser(u User, overwrite bool) {
	s.usersMu.Lock()
	if _, ok := s.users[u.ID]; overwrite || !ok {
		s.users[u.ID] = u
	}
	s.usersMu.Unlock()
}

func (s *Server) user(id int64) (User, bool) {
	s.usersMu.RLock()
	u, ok := s.users[id]
	s.usersMu.RUnlock()
	return u, ok
}

// AddChat makes c known, as if the bot had been added to it or the user had
// started the bot; sending to an unknown chat answers "chat not found". A
// new group or supergroup has the bot as a member, a new channel as an
// administrator (the only way a bot posts there). AddChat also refreshes
// the title and names of a known chat.
func (s *Server) AddChat(c Chat) {
	if _, err := s.ensureChat(c); err != nil {
		s.fatalf("%v", err)
	}
}

// AddUser makes u known (for getChatMember and text mentions) without a
// private chat: the user has not started the bot. Details of a known user
// are replaced.
func (s *Server) AddUser(u User) {
	if u.ID <= 0 {
		s.fatalf("emulator: AddUser: user ID %d must be positive", u.ID)
		return
	}
	s.learnUser(u, true)
}

// AddChats creates n chats of type typ with generated IDs and titles, for
// tests that fan out to thousands of chats. Private chats come with their
// users (Vietnamese, language "vi"), who have started the bot.
func (s *Server) AddChats(typ string, n int) []Chat {
	out := make([]Chat, 0, n)
	for range n {
		k := s.genSeq.Add(1)
		var c Chat
		switch typ {
		case ChatPrivate:
			u := User{ID: 7_000_000_000 + k, FirstName: "Người dùng", LastName: strconv.FormatInt(k, 10), LanguageCode: "vi"}
			s.learnUser(u, true)
			c = PrivateChat(u)
		case ChatGroup:
			c = Group(-(4_000_000_000 + k), "Nhóm "+strconv.FormatInt(k, 10))
		case ChatSupergroup, ChatChannel:
			c = Chat{ID: -1_002_000_000_000 - k, Type: typ, Title: "Đơn vị " + strconv.FormatInt(k, 10)}
		default:
			s.fatalf("emulator: AddChats: unknown chat type %q", typ)
			return nil
		}
		s.AddChat(c)
		out = append(out, c)
	}
	return out
}

// privateChatOf returns the state of u's private chat, which it makes known.
func (s *Server) privateChatOf(u User, op string) *chatState {
	cs, err := s.ensureChat(PrivateChat(u))
	if err != nil {
		s.fatalf("emulator: %s: %v", op, err)
	}
	return cs
}

// Block makes sends into a private chat answer 403 "Forbidden: bot was
// blocked by the user", without the my_chat_member update that BotBlocked
// also queues.
func (s *Server) Block(chatID int64) { s.setBlocked(chatID, true, "Block") }

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) { s.setBlocked(chatID, false, "Unblock") }

func (s *Server) setBlocked(chatID int64, blocked bool, op string) {
	cs := s.mustChat(chatID, op)
	if cs == nil {
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.chat.Type != ChatPrivate {
		s.fatalf("emulator: %s(%d): only a private chat's user can block the bot; use Kick for groups", op, chatID)
		return
	}
	cs.blocked = blocked
}

// Kick removes the bot from a group, supergroup or channel: sends answer
// 403 "Forbidden: bot was kicked from the group chat" (or "supergroup
// chat", "channel chat"). BotRemoved does the same and queues the update.
func (s *Server) Kick(chatID int64) {
	cs := s.mustChat(chatID, "Kick")
	if cs == nil {
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.chat.Type == ChatPrivate {
		s.fatalf("emulator: Kick(%d): a private chat cannot kick the bot; use Block", chatID)
		return
	}
	cs.members[s.bot.ID] = StatusKicked
}

// Deactivate deletes a user's account: sends into their private chat answer
// 403 "Forbidden: user is deactivated".
func (s *Server) Deactivate(userID int64) {
	cs := s.mustChat(userID, "Deactivate")
	if cs == nil {
		return
	}
	cs.mu.Lock()
	cs.deactivated = true
	cs.mu.Unlock()
}

// SetMember sets a user's status in a chat ("creator", "administrator",
// "member", "restricted", "left" or "kicked") for getChatMember and
// getChatAdministrators. The bot's own status is set the same way; a bot
// that is "left" or "kicked" cannot send to the chat. An unknown user is
// learnt with a placeholder name.
func (s *Server) SetMember(chatID, userID int64, status string) {
	switch status {
	case StatusCreator, StatusAdministrator, StatusMember, StatusRestricted, StatusLeft, StatusKicked:
	default:
		s.fatalf("emulator: SetMember: unknown status %q", status)
		return
	}
	cs := s.mustChat(chatID, "SetMember")
	if cs == nil {
		return
	}
	if _, ok := s.user(userID); !ok {
		s.learnUser(User{ID: userID, FirstName: "User " + strconv.FormatInt(userID, 10)}, false)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.chat.Type == ChatPrivate {
		s.fatalf("emulator: SetMember(%d): private chats have no member list", chatID)
		return
	}
	cs.members[userID] = status
}

// GroupAnonymousBot is the user Telegram names as the sender of messages
// sent on behalf of a group, such as the migrate_from_chat_id message.
var GroupAnonymousBot = User{ID: 1087968824, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}

// Migrate upgrades a group to a supergroup, as Telegram does when a group
// grows or changes settings: sends to the old ID answer 400 "Bad Request:
// group chat was upgraded to a supergroup chat" with
// parameters.migrate_to_chat_id, the new ID works, and the updates Telegram
// sends are queued: my_chat_member in the supergroup, a message in the old
// group with migrate_to_chat_id, and a message in the supergroup with
// migrate_from_chat_id (from GroupAnonymousBot, with sender_chat).
func (s *Server) Migrate(groupID, supergroupID int64) {
	old := s.mustChat(groupID, "Migrate")
	if old == nil {
		return
	}
	if s.chat(supergroupID) != nil {
		s.fatalf("emulator: Migrate: chat %d already exists", supergroupID)
		return
	}
	old.mu.Lock()
	if old.chat.Type != ChatGroup || old.migratedTo != 0 {
		old.mu.Unlock()
		s.fatalf("emulator: Migrate: chat %d is not a basic group that can be upgraded", groupID)
		return
	}
	super := Chat{ID: supergroupID, Type: ChatSupergroup, Title: old.chat.Title}
	if err := super.validate(); err != nil {
		old.mu.Unlock()
		s.fatalf("%v", err)
		return
	}
	old.migratedTo = supergroupID
	members := make(map[int64]string, len(old.members))
	for id, st := range old.members {
		members[id] = st
	}
	by := s.chatOwner(old)
	groupChat := old.chat
	now := s.now().Unix()
	oldMsgID := old.nextID
	old.nextID++
	old.mu.Unlock()

	cs, err := s.ensureChat(super)
	if err != nil {
		s.fatalf("%v", err)
		return
	}
	cs.mu.Lock()
	cs.members = members
	botStatus := members[s.bot.ID]
	newMsgID := cs.nextID
	cs.nextID++
	cs.mu.Unlock()

	s.pushUpdate(updMyChatMember, appendMemberUpdate(nil, &super, &by, now, &s.bot, StatusLeft, botStatus))
	s.pushUpdate(updMessage, appendMessage(nil, &wireMessage{id: oldMsgID, from: &by, chat: &groupChat, date: now, migrateTo: supergroupID}))
	anon := GroupAnonymousBot
	s.pushUpdate(updMessage, appendMessage(nil, &wireMessage{id: newMsgID, from: &anon, senderChat: &super, chat: &super, date: now, migrateFrom: groupID}))
}

// chatOwner returns the creator of a group, or an administrator, or a
// stand-in user. The caller holds cs.mu.
func (s *Server) chatOwner(cs *chatState) User {
	var admin int64
	for id, st := range cs.members {
		if st == StatusCreator {
			if u, ok := s.user(id); ok {
				return u
			}
		}
		if st == StatusAdministrator && id != s.bot.ID && (admin == 0 || id < admin) {
			admin = id
		}
	}
	if u, ok := s.user(admin); ok && admin != 0 {
		return u
	}
	return User{ID: 100000001, FirstName: "Admin", LanguageCode: "vi"}
}

// resolveChat finds the chat a chat_id parameter names: an integer ID or a
// public "@username".
func (s *Server) resolveChat(v string) (*chatState, int64, *apiError) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, 0, errChatIDEmpty
	}
	var id int64
	if v[0] == '@' {
		s.namesMu.RLock()
		id = s.names[strings.ToLower(v[1:])]
		s.namesMu.RUnlock()
		if id == 0 {
			return nil, 0, errChatNotFound
		}
	} else {
		var err error
		if id, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, 0, errChatNotFound
		}
	}
	cs := s.chat(id)
	if cs == nil {
		return nil, id, errChatNotFound
	}
	return cs, id, nil
}

// checkUpgradedLocked answers for a group that became a supergroup.
func checkUpgradedLocked(cs *chatState) *apiError {
	if cs.migratedTo != 0 {
		return &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: cs.migratedTo}
	}
	return nil
}

// checkWritableLocked answers for a chat the bot cannot send to. The
// caller holds cs.mu.
func (s *Server) checkWritableLocked(cs *chatState) *apiError {
	if e := checkUpgradedLocked(cs); e != nil {
		return e
	}
	if cs.chat.Type == ChatPrivate {
		switch {
		case cs.deactivated:
			return &apiError{code: 403, desc: "Forbidden: user is deactivated"}
		case cs.blocked:
			return &apiError{code: 403, desc: "Forbidden: bot was blocked by the user"}
		}
		return nil
	}
	switch st := cs.members[s.bot.ID]; {
	case st == StatusKicked:
		return &apiError{code: 403, desc: "Forbidden: bot was kicked from the " + cs.chat.Type + " chat"}
	case st == StatusLeft || st == "":
		return &apiError{code: 403, desc: "Forbidden: bot is not a member of the " + cs.chat.Type + " chat"}
	case st == StatusRestricted:
		return badRequest("not enough rights to send text messages to the chat")
	case cs.chat.Type == ChatChannel && st != StatusAdministrator && st != StatusCreator:
		return badRequest("need administrator rights in the channel chat")
	}
	return nil
}

// ---- methods ----

func (s *Server) getChat(rq *request, rp *reply) {
	cs, id, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = id
	if err != nil {
		rp.fail(err)
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if err := checkUpgradedLocked(cs); err != nil {
		rp.fail(err)
		return
	}
	c := cs.chat
	b := appendChat(rp.buf, &c)
	b = b[:len(b)-1] // reopen the object: ChatFullInfo has more fields
	b = appendIntField(b, "accent_color_id", 0)
	b = appendIntField(b, "max_reaction_count", 11)
	rp.buf = append(b, '}')
}

func (s *Server) getChatMember(rq *request, rp *reply) {
	cs, id, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = id
	if err != nil {
		rp.fail(err)
		return
	}
	userID := rq.int("user_id")
	u, known := s.user(userID)
	if userID <= 0 || !known {
		rp.fail(badRequest("user not found"))
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if err := checkUpgradedLocked(cs); err != nil {
		rp.fail(err)
		return
	}
	rp.buf = appendChatMember(rp.buf, &u, s.memberStatusLocked(cs, userID))
}

// memberStatusLocked is a user's status in a chat; anyone not listed has
// left. In a private chat both the user and the bot are members, unless
// the user blocked the bot.
func (s *Server) memberStatusLocked(cs *chatState, userID int64) string {
	if cs.chat.Type == ChatPrivate {
		switch {
		case userID == cs.chat.ID:
			return StatusMember
		case userID == s.bot.ID && cs.blocked:
			return StatusKicked
		case userID == s.bot.ID:
			return StatusMember
		}
		return StatusLeft
	}
	if st, ok := cs.members[userID]; ok {
		return st
	}
	return StatusLeft
}

func (s *Server) getChatAdministrators(rq *request, rp *reply) {
	cs, id, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = id
	if err != nil {
		rp.fail(err)
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if err := checkUpgradedLocked(cs); err != nil {
		rp.fail(err)
		return
	}
	if cs.chat.Type == ChatPrivate {
		rp.fail(badRequest("there are no administrators in the private chat"))
		return
	}
	var ids []int64
	for uid, st := range cs.members {
		if st == StatusCreator || st == StatusAdministrator {
			ids = append(ids, uid)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		ci, cj := cs.members[ids[i]] == StatusCreator, cs.members[ids[j]] == StatusCreator
		if ci != cj {
			return ci
		}
		return ids[i] < ids[j]
	})
	rp.buf = append(rp.buf, '[')
	for i, uid := range ids {
		if i > 0 {
			rp.buf = append(rp.buf, ',')
		}
		u, _ := s.user(uid)
		rp.buf = appendChatMember(rp.buf, &u, cs.members[uid])
	}
	rp.buf = append(rp.buf, ']')
}

func (s *Server) getChatMemberCount(rq *request, rp *reply) {
	cs, id, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = id
	if err != nil {
		rp.fail(err)
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if err := checkUpgradedLocked(cs); err != nil {
		rp.fail(err)
		return
	}
	n := 0
	if cs.chat.Type == ChatPrivate {
		n = 2
	}
	for _, st := range cs.members {
		switch st {
		case StatusCreator, StatusAdministrator, StatusMember, StatusRestricted:
			n++
		}
	}
	rp.buf = appendInt(rp.buf, int64(n))
}

// appendChatMember writes a ChatMember of the given status.
func appendChatMember(b []byte, u *User, status string) []byte {
	b = append(b, '{')
	b = appendUser(appendKey(b, "user"), u, false)
	b = appendStringField(b, "status", status)
	switch status {
	case StatusCreator:
		b = appendBoolField(b, "is_anonymous", false)
	case StatusAdministrator:
		b = appendBoolField(b, "can_be_edited", false)
		b = appendBoolField(b, "is_anonymous", false)
		for _, f := range []string{"can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members"} {
			b = appendBoolField(b, f, true)
		}
		b = appendBoolField(b, "can_promote_members", false)
		for _, f := range []string{"can_change_info", "can_invite_users", "can_pin_messages"} {
			b = appendBoolField(b, f, true)
		}
		for _, f := range []string{"can_post_stories", "can_edit_stories", "can_delete_stories"} {
			b = appendBoolField(b, f, false)
		}
	case StatusRestricted:
		b = appendBoolField(b, "is_member", true)
		b = appendBoolField(b, "can_send_messages", false)
		b = appendIntField(b, "until_date", 0)
	case StatusKicked:
		b = appendIntField(b, "until_date", 0)
	}
	return append(b, '}')
}

// appendMemberUpdate writes a ChatMemberUpdated about the bot.
func appendMemberUpdate(b []byte, chat *Chat, from *User, date int64, who *User, oldStatus, newStatus string) []byte {
	b = append(b, '{')
	b = appendChat(appendKey(b, "chat"), chat)
	b = appendUser(appendKey(b, "from"), from, false)
	b = appendIntField(b, "date", date)
	b = appendChatMember(appendKey(b, "old_chat_member"), who, oldStatus)
	b = appendChatMember(appendKey(b, "new_chat_member"), who, newStatus)
	return append(b, '}')
}

// ChatIDs returns the IDs of chats, in order: what a test stores in the bot's
// database for the chats it made with AddChats.
func ChatIDs(chats []Chat) []int64 {
	ids := make([]int64, len(chats))
	for i, c := range chats {
		ids[i] = c.ID
	}
	return ids
}
