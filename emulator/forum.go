package emulator

// Forum supergroups: a supergroup with topics (is_forum). Each topic is
// addressed by its message_thread_id, which at Telegram is the id of the
// service message that created it; a message sent into a topic carries
// message_thread_id and is_topic_message, and a send with a
// message_thread_id the forum does not have (never created, or deleted)
// fails as at Telegram: 400 "Bad Request: message thread not found".
// Without message_thread_id a message goes to the general topic.

// errThreadNotFound is Telegram's answer for an unknown or deleted topic.
var errThreadNotFound = badRequest("message thread not found")

// Forum returns a supergroup with topics. id must be of the form
// -100xxxxxxxxxx.
func Forum(id int64, title string) Chat {
	return Chat{ID: id, Type: ChatSupergroup, Title: title, IsForum: true}
}

// checkThreadLocked answers a send into topic thread of cs. The caller
// holds cs.mu.
func checkThreadLocked(cs *chatState, thread int32) *apiError {
	if thread == 0 || !cs.chat.IsForum {
		return nil
	}
	if _, ok := cs.topics[thread]; !ok {
		return errThreadNotFound
	}
	return nil
}

// CreateTopic creates a topic named name in forum chatID (as a person
// with the right would) and returns its message_thread_id.
func (s *Server) CreateTopic(chatID int64, name string) int {
	cs := s.mustChat(chatID, "CreateTopic")
	if cs == nil {
		return 0
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if !cs.chat.IsForum {
		s.fatalf("emulator: CreateTopic: chat %d is not a forum (use Forum)", chatID)
		return 0
	}
	id := cs.nextID
	cs.nextID++
	if cs.topics == nil {
		cs.topics = map[int32]string{}
	}
	cs.topics[int32(id)] = name
	return id
}

// DeleteTopic deletes topic thread of forum chatID: sends into it fail
// from now on.
func (s *Server) DeleteTopic(chatID int64, thread int) {
	cs := s.mustChat(chatID, "DeleteTopic")
	if cs == nil {
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.topics[int32(thread)]; !ok {
		s.fatalf("emulator: DeleteTopic: forum %d has no topic %d", chatID, thread)
		return
	}
	delete(cs.topics, int32(thread))
}

// SendTopicText queues a message update: from writes text into topic
// thread of forum chat. It carries message_thread_id and is_topic_message,
// as at Telegram; commands get bot_command entities. It returns the update
// ID.
func (s *Server) SendTopicText(chat Chat, from User, thread int, text string) int {
	const op = "SendTopicText"
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
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.topics[int32(thread)]; !ok || !cs.chat.IsForum {
		s.fatalf("emulator: %s: chat %d has no topic %d", op, chat.ID, thread)
		return 0
	}
	ents := findBotCommands(text)
	wm := wireMessage{from: &from, chat: &cs.chat, date: now, text: text, entities: ents, threadID: thread, isTopic: true}
	wm.id = cs.nextID
	cs.nextID++
	if cs.userMsgs == nil {
		cs.userMsgs = map[int]*userMsg{}
	}
	cs.userMsgs[wm.id] = &userMsg{from: from, text: text, entities: ents, date: now}
	return s.pushUpdate(updMessage, appendMessage(nil, &wm))
}
