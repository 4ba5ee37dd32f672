package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The update types the emulator builds itself.
const (
	updMessage       = "message"
	updEditedMessage = "edited_message"
	updCallbackQuery = "callback_query"
	updMyChatMember  = "my_chat_member"
)

const (
	firstUpdateID          = 731500001 // Telegram's update IDs are large; a bot must not assume small ones
	longPollMax            = 50        // seconds: Telegram's cap on getUpdates timeout
	conflictThrottle       = 3 * time.Second
	sameOffsetMinimumPoll  = 3 // seconds; see getUpdates
	defaultMaxWebhookConns = 40
)

// updateTypes are the Bot API's update types, in the order of the
// allowed_updates bit mask.
var updateTypes = []string{
	"message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
	"business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
	"message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
	"pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
	"chat_join_request", "chat_boost", "removed_chat_boost",
}

func updateBit(kind string) uint64 {
	for i, t := range updateTypes {
		if t == kind {
			return 1 << i
		}
	}
	return 1 << 63 // unknown types (PushRaw) are always allowed
}

// defaultAllowed is every type except chat_member, message_reaction and
// message_reaction_count, which a bot only gets when it asks for them.
var defaultAllowed = ^(updateBit("chat_member") | updateBit("message_reaction") | updateBit("message_reaction_count"))

type queuedUpdate struct {
	id   int
	json []byte
}

// updateQueue is the bot's pending updates, delivered by getUpdates or the
// webhook. Its mutex guards all fields.
type updateQueue struct {
	mu      sync.Mutex
	nextID  int
	items   []queuedUpdate // ascending, contiguous IDs; items[0] is the head
	wake    chan struct{}  // closed and replaced when an update is queued or confirmed
	allowed uint64

	poll         *longPoll
	prevOffset   int
	prevStart    time.Time
	nextConflict time.Time

	webhook     *webhookState
	webhookGen  int
	lastSet     time.Time
	route       func(string) string
	lastErrDate int64
	lastErrMsg  string
	deliveries  []WebhookDelivery
}

func (q *updateQueue) init() {
	q.nextID = firstUpdateID
	q.wake = make(chan struct{})
	q.allowed = defaultAllowed
}

func (q *updateQueue) head() int {
	if len(q.items) > 0 {
		return q.items[0].id
	}
	return q.nextID
}

// signalLocked wakes long polls, the webhook worker and WaitConfirmed.
func (q *updateQueue) signalLocked() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// forgetBeforeLocked confirms every update with an ID below id.
func (q *updateQueue) forgetBeforeLocked(id int) {
	k := id - q.head()
	if k <= 0 {
		return
	}
	if k >= len(q.items) {
		q.items = q.items[:0]
	} else {
		q.items = q.items[k:]
		if cap(q.items) > 1024 && len(q.items) < cap(q.items)/4 {
			q.items = append([]queuedUpdate(nil), q.items...)
		}
	}
	q.signalLocked()
}

// pushUpdate queues an update of the given kind whose object is body and
// returns its ID, or 0 if the bot's allowed_updates exclude the kind (as
// at Telegram, such updates are never stored).
func (s *Server) pushUpdate(kind string, body []byte) int {
	q := &s.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.allowed&updateBit(kind) == 0 {
		return 0
	}
	id := q.nextID
	q.nextID++
	b := make([]byte, 0, len(body)+len(kind)+32)
	b = append(b, `{"update_id":`...)
	b = appendInt(b, int64(id))
	b = appendKey(b, kind)
	b = append(b, body...)
	b = append(b, '}')
	q.items = append(q.items, queuedUpdate{id: id, json: b})
	q.signalLocked()
	return id
}

// PendingUpdates is the number of updates the bot has not confirmed yet.
func (s *Server) PendingUpdates() int {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	return len(s.q.items)
}

// WaitConfirmed waits until the bot has confirmed the update with the given
// ID: through a later getUpdates offset, or by answering its webhook
// delivery with 2xx.
func (s *Server) WaitConfirmed(ctx context.Context, updateID int) error {
	q := &s.q
	for {
		q.mu.Lock()
		done := q.head() > updateID
		ch := q.wake
		q.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("emulator: wait for update %d to be confirmed: %w", updateID, ctx.Err())
		case <-s.closed:
			return fmt.Errorf("emulator: wait for update %d to be confirmed: server closed", updateID)
		}
	}
}

// parseAllowedUpdates is the Bot API's get_allowed_update_types: absent or
// unreadable means "keep what was set", an empty list means the default.
func parseAllowedUpdates(v string) (uint64, bool) {
	if strings.TrimSpace(v) == "" {
		return 0, false
	}
	var names []string
	if json.Unmarshal([]byte(v), &names) != nil {
		return 0, false
	}
	var mask uint64
	for _, n := range names {
		for i, t := range updateTypes {
			if strings.ToLower(n) == t {
				mask |= 1 << i
			}
		}
	}
	if mask == 0 {
		return defaultAllowed, true
	}
	return mask | 1<<63, true
}

// ---- getUpdates ----

type longPoll struct {
	offset, limit int
	aborted       *apiError
	abortDelay    time.Duration
	done          chan struct{} // closed when aborted
}

// conflictLocked answers 409 as Telegram does: at most once every 3 seconds
// immediately, later ones after 3 seconds, so that two bot instances
// fighting over one token do not spin.
func (q *updateQueue) conflictLocked(desc string) (*apiError, time.Duration) {
	now := time.Now()
	if now.Before(q.nextConflict) {
		return conflict(desc), conflictThrottle
	}
	q.nextConflict = now.Add(conflictThrottle)
	return conflict(desc), 0
}

// abortPollLocked answers a waiting long poll with 409.
func (q *updateQueue) abortPollLocked(desc string) {
	if q.poll == nil {
		return
	}
	q.poll.aborted, q.poll.abortDelay = q.conflictLocked(desc)
	close(q.poll.done)
	q.poll = nil
}

// getUpdates follows the Bot API's process_get_updates_query/do_get_updates:
//
//   - offset N confirms (forgets) every update with ID < N; a negative
//     offset counts from the end (-1 is the last update, and everything
//     before it is confirmed); an offset beyond the newest update is
//     ignored and the answer starts at the oldest pending update;
//   - limit is clamped to 1..100, timeout to 0..50 seconds;
//   - a poll that finds nothing waits up to timeout seconds and answers as
//     soon as an update arrives; a second waiting poll ends the first with
//     409 "terminated by other getUpdates request";
//   - a repeated poll with the same offset and a timeout under 3 seconds
//     within 3 seconds of the previous one waits at least 3 seconds (the
//     server's guard against busy loops);
//   - with a webhook set, getUpdates answers 409.
func (s *Server) getUpdates(rq *request, rp *reply) {
	q := &s.q
	offset := int(rq.int("offset"))
	limit := clamp(int(rq.int("limit")), 1, 100)
	if !rq.has("limit") {
		limit = 100
	}
	timeout := clamp(int(rq.int("timeout")), 0, longPollMax)

	q.mu.Lock()
	if q.webhook != nil {
		rp.err, rp.delay = q.conflictLocked("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		q.mu.Unlock()
		return
	}
	if mask, ok := parseAllowedUpdates(rq.get("allowed_updates")); ok {
		q.allowed = mask
	}
	now := time.Now()
	if offset == q.prevOffset && timeout < sameOffsetMinimumPoll && now.Before(q.prevStart.Add(sameOffsetMinimumPoll*time.Second)) {
		timeout = sameOffsetMinimumPoll
	}
	q.prevOffset, q.prevStart = offset, now
	offset = q.normaliseOffsetLocked(offset)
	b, found := q.appendUpdatesLocked(rp.buf, offset, limit)
	if found || timeout == 0 {
		rp.buf = b
		q.mu.Unlock()
		return
	}
	q.abortPollLocked("terminated by other getUpdates request; make sure that only one bot instance is running")
	lp := &longPoll{offset: offset, limit: limit, done: make(chan struct{})}
	q.poll = lp
	wake := q.wake
	q.mu.Unlock()

	timer := time.NewTimer(time.Duration(timeout) * time.Second)
	defer timer.Stop()
	for {
		select {
		case <-lp.done:
			rp.err, rp.delay = lp.aborted, lp.abortDelay
			return
		case <-wake:
			q.mu.Lock()
			if q.poll != lp { // aborted meanwhile: lp.done is closed
				q.mu.Unlock()
				<-lp.done
				rp.err, rp.delay = lp.aborted, lp.abortDelay
				return
			}
			b, found := q.appendUpdatesLocked(rp.buf, lp.offset, lp.limit)
			if found {
				q.poll = nil
				rp.buf = b
				q.mu.Unlock()
				return
			}
			wake = q.wake
			q.mu.Unlock()
			continue
		case <-timer.C:
		case <-rq.ctx.Done():
		case <-s.closed:
		}
		// timed out, client gone or server closing: answer an empty list
		q.mu.Lock()
		if q.poll == lp {
			q.poll = nil
		}
		q.mu.Unlock()
		rp.buf = append(rp.buf, '[', ']')
		return
	}
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// normaliseOffsetLocked applies the offset rules and confirms updates.
func (q *updateQueue) normaliseOffsetLocked(offset int) int {
	head, tail := q.head(), q.nextID
	if offset <= 0 {
		if offset < 0 {
			offset += tail
		}
		if offset < head {
			offset = head
		}
	}
	if offset > tail {
		return head // Telegram: "from_id is in the future" → answer from the head, confirm nothing
	}
	q.forgetBeforeLocked(offset)
	return offset
}

// appendUpdatesLocked appends the JSON array of up to limit updates from
// offset and reports whether there was any.
func (q *updateQueue) appendUpdatesLocked(b []byte, offset, limit int) ([]byte, bool) {
	start := max(offset-q.head(), 0)
	end := min(start+limit, len(q.items))
	b = append(b, '[')
	for i := start; i < end; i++ {
		if i > start {
			b = append(b, ',')
		}
		b = append(b, q.items[i].json...)
	}
	return append(b, ']'), end > start
}

// ---- injecting updates ----

func (s *Server) learnFrom(from User, op string) {
	if from.ID <= 0 {
		s.fatalf("emulator: %s: user ID %d must be positive", op, from.ID)
		return
	}
	s.learnUser(from, true)
}

// chatFor makes the chat of an injected update known, checking that a
// private chat belongs to the sender.
func (s *Server) chatFor(chat Chat, from User, op string) *chatState {
	if chat.Type == ChatPrivate && chat.ID != from.ID {
		s.fatalf("emulator: %s: private chat %d does not belong to user %d (use PrivateChat(user))", op, chat.ID, from.ID)
		return nil
	}
	cs, err := s.ensureChat(chat)
	if err != nil {
		s.fatalf("emulator: %s: %v", op, err)
		return nil
	}
	return cs
}

// SendText queues a message update: from writes text into chat. As at
// Telegram, commands ("/start", "/latest@loa_bot") get bot_command
// entities; the text is not normalised (NFD stays NFD). In a private chat
// whose user had blocked the bot, Telegram first reports the unblock
// (my_chat_member kicked → member), and so does the emulator. It returns
// the update ID.
func (s *Server) SendText(chat Chat, from User, text string) int {
	return s.sendUserMessage(chat, from, text, findBotCommands(text), 0, "SendText")
}

// SendTextWithEntities is SendText with the entities given by the test
// (offsets in UTF-16 units); no entity is detected.
func (s *Server) SendTextWithEntities(chat Chat, from User, text string, entities []Entity) int {
	return s.sendUserMessage(chat, from, text, append([]Entity(nil), entities...), 0, "SendTextWithEntities")
}

// ReplyTo queues a message that replies to message replyToMessageID of the
// chat (the bot's or a person's); reply_to_message carries the original
// with its from.
func (s *Server) ReplyTo(chat Chat, from User, text string, replyToMessageID int) int {
	return s.sendUserMessage(chat, from, text, findBotCommands(text), replyToMessageID, "ReplyTo")
}

func (s *Server) sendUserMessage(chat Chat, from User, text string, ents []Entity, replyTo int, op string) int {
	if text == "" {
		s.fatalf("emulator: %s: Telegram does not deliver empty texts", op)
		return 0
	}
	s.learnFrom(from, op)
	cs := s.chatFor(chat, from, op)
	if cs == nil {
		return 0
	}
	now := s.now().Unix()
	// Updates are queued under the chat's lock so that their order matches
	// the message IDs (the lock order is chat, then queue).
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.chat.Type == ChatPrivate && cs.blocked {
		cs.blocked = false
		s.pushUpdate(updMyChatMember, appendMemberUpdate(nil, &cs.chat, &from, now, &s.bot, StatusKicked, StatusMember))
	}
	wm := wireMessage{from: &from, chat: &cs.chat, date: now, text: text, entities: ents}
	if replyTo != 0 {
		if wm.replyTo = s.wireForReplyLocked(cs, replyTo); wm.replyTo == nil {
			s.fatalf("emulator: %s: chat %d has no message %d to reply to", op, chat.ID, replyTo)
			return 0
		}
	}
	wm.id = cs.nextID
	cs.nextID++
	if cs.userMsgs == nil {
		cs.userMsgs = map[int]*userMsg{}
	}
	cs.userMsgs[wm.id] = &userMsg{from: from, text: text, entities: ents, date: now}
	return s.pushUpdate(updMessage, appendMessage(nil, &wm))
}

// EditText queues an edited_message update: from changes the text of their
// earlier message messageID.
func (s *Server) EditText(chat Chat, from User, messageID int, newText string) int {
	cs := s.mustChat(chat.ID, "EditText")
	if cs == nil {
		return 0
	}
	now := s.now().Unix()
	cs.mu.Lock()
	um := cs.userMsgs[messageID]
	if um == nil || um.from.ID != from.ID {
		cs.mu.Unlock()
		s.fatalf("emulator: EditText: chat %d has no message %d from user %d", chat.ID, messageID, from.ID)
		return 0
	}
	um.text, um.entities, um.editDate = newText, findBotCommands(newText), now
	defer cs.mu.Unlock()
	return s.pushUpdate(updEditedMessage, appendMessage(nil, &wireMessage{id: messageID, from: &um.from, chat: &cs.chat, date: um.date, editDate: now, text: newText, entities: um.entities}))
}

// BotAdded queues what Telegram sends when by adds the bot to a group,
// supergroup or channel: my_chat_member (left → member), then, except in
// channels, the service message with new_chat_members. The bot becomes a
// member (it can send again if it had been kicked). It returns the ID of
// the my_chat_member update.
func (s *Server) BotAdded(chat Chat, by User) int {
	if chat.Type == ChatPrivate {
		s.fatalf("emulator: BotAdded: a bot is not added to a private chat; use SendText or BotUnblocked")
		return 0
	}
	s.learnFrom(by, "BotAdded")
	cs := s.chatFor(chat, by, "BotAdded")
	if cs == nil {
		return 0
	}
	now := s.now().Unix()
	cs.mu.Lock()
	old := StatusLeft
	if cs.members[s.bot.ID] == StatusKicked {
		old = StatusKicked
	}
	cs.members[s.bot.ID] = StatusMember
	c := cs.chat
	member := appendMemberUpdate(nil, &c, &by, now, &s.bot, old, StatusMember)
	var service []byte
	if c.Type != ChatChannel {
		service = appendMessage(nil, &wireMessage{id: cs.nextID, from: &by, chat: &c, date: now, newMembers: []User{s.bot}})
		cs.nextID++
	}
	cs.mu.Unlock()
	id := s.pushUpdate(updMyChatMember, member)
	if service != nil {
		s.pushUpdate(updMessage, service)
	}
	return id
}

// BotRemoved queues my_chat_member (member → kicked) for a group,
// supergroup or channel from which by removed the bot; sends then answer
// 403 "Forbidden: bot was kicked from the group chat".
func (s *Server) BotRemoved(chat Chat, by User) int {
	cs := s.mustChat(chat.ID, "BotRemoved")
	if cs == nil {
		return 0
	}
	s.learnFrom(by, "BotRemoved")
	now := s.now().Unix()
	cs.mu.Lock()
	if cs.chat.Type == ChatPrivate {
		cs.mu.Unlock()
		s.fatalf("emulator: BotRemoved: use BotBlocked for private chats")
		return 0
	}
	old := cs.members[s.bot.ID]
	cs.members[s.bot.ID] = StatusKicked
	c := cs.chat
	cs.mu.Unlock()
	return s.pushUpdate(updMyChatMember, appendMemberUpdate(nil, &c, &by, now, &s.bot, old, StatusKicked))
}

// BotBlocked queues my_chat_member (member → kicked) for u's private chat,
// as Telegram does when a user blocks the bot, and blocks the chat: sends
// answer 403 "Forbidden: bot was blocked by the user".
func (s *Server) BotBlocked(u User) int { return s.setBlockedByUser(u, true) }

// BotUnblocked queues my_chat_member (kicked → member) for u's private
// chat, as when the user restarts the bot, and unblocks it.
func (s *Server) BotUnblocked(u User) int { return s.setBlockedByUser(u, false) }

func (s *Server) setBlockedByUser(u User, blocked bool) int {
	op := "BotUnblocked"
	if blocked {
		op = "BotBlocked"
	}
	s.learnFrom(u, op)
	cs := s.privateChatOf(u, op)
	if cs == nil {
		return 0
	}
	now := s.now().Unix()
	cs.mu.Lock()
	cs.blocked = blocked
	c := cs.chat
	cs.mu.Unlock()
	oldSt, newSt := StatusMember, StatusKicked
	if !blocked {
		oldSt, newSt = StatusKicked, StatusMember
	}
	return s.pushUpdate(updMyChatMember, appendMemberUpdate(nil, &c, &u, now, &s.bot, oldSt, newSt))
}

// PushRaw queues an arbitrary update given as JSON, for shapes the helpers
// do not build. update_id is assigned if missing; if present it must not
// be below the next ID, and later IDs continue from it. Chats and users
// found in the usual places (message.chat, message.from, ...) become known.
// It returns the update ID.
func (s *Server) PushRaw(raw string) int {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		s.fatalf("emulator: PushRaw: %v", err)
		return 0
	}
	kind := ""
	for k := range obj {
		if k != "update_id" {
			if kind != "" {
				s.fatalf("emulator: PushRaw: an update has one payload, found %q and %q", kind, k)
				return 0
			}
			kind = k
		}
	}
	if kind == "" {
		s.fatalf("emulator: PushRaw: no payload in %s", raw)
		return 0
	}
	s.learnFromRaw(obj[kind])
	q := &s.q
	if idRaw, ok := obj["update_id"]; ok {
		id, err := strconv.Atoi(string(bytes.TrimSpace(idRaw)))
		q.mu.Lock()
		if err != nil || id < q.nextID {
			next := q.nextID
			q.mu.Unlock()
			s.fatalf("emulator: PushRaw: update_id %s must be an integer of at least %d", idRaw, next)
			return 0
		}
		q.nextID = id
		q.mu.Unlock()
	}
	return s.pushUpdate(kind, obj[kind])
}

// learnFromRaw makes the chats and users of a raw update known.
func (s *Server) learnFromRaw(payload json.RawMessage) {
	var p struct {
		Chat    *rawChat `json:"chat"`
		From    *rawUser `json:"from"`
		Message *struct {
			Chat *rawChat `json:"chat"`
		} `json:"message"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return
	}
	if p.From != nil && p.From.ID > 0 {
		s.learnUser(p.From.user(), false)
	}
	for _, c := range []*rawChat{p.Chat, func() *rawChat {
		if p.Message != nil {
			return p.Message.Chat
		}
		return nil
	}()} {
		if c != nil {
			if _, err := s.ensureChat(c.chat()); err != nil {
				s.fatalf("emulator: PushRaw: %v", err)
			}
		}
	}
}

type rawUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Username     string `json:"username"`
	LanguageCode string `json:"language_code"`
}

func (u *rawUser) user() User {
	return User{ID: u.ID, IsBot: u.IsBot, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

type rawChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

func (c *rawChat) chat() Chat {
	return Chat{ID: c.ID, Type: c.Type, Title: c.Title, Username: c.Username, FirstName: c.FirstName, LastName: c.LastName}
}
