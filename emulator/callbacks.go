package emulator

import (
	"fmt"
	"strconv"
)

type callbackState struct {
	chatID    int64
	messageID int
	from      User
	data      string
	answered  bool
}

// PressButton queues a callback_query: from presses the inline button with
// callback_data data under the bot's message messageID in chat. The
// query's message is the bot's message as it stands. It returns the update
// ID and the callback query ID the bot must answer. A press Telegram could
// not produce (no such message, no such button) fails the test; see
// TryPressButton to get an error instead.
func (s *Server) PressButton(chat Chat, from User, messageID int, data string) (updateID int, callbackID string) {
	updateID, callbackID, err := s.TryPressButton(chat, from, messageID, data)
	if err != nil {
		s.fatalf("%v", err)
	}
	return updateID, callbackID
}

// TryPressButton is PressButton returning an error for an impossible
// press.
func (s *Server) TryPressButton(chat Chat, from User, messageID int, data string) (updateID int, callbackID string, err error) {
	if from.ID <= 0 {
		return 0, "", fmt.Errorf("emulator: PressButton: user ID %d must be positive", from.ID)
	}
	cs := s.chat(chat.ID)
	if cs == nil {
		return 0, "", fmt.Errorf("emulator: PressButton: chat %d is unknown", chat.ID)
	}
	s.learnUser(from, true)
	cs.mu.Lock()
	m := cs.findBotLocked(messageID)
	if m == nil {
		cs.mu.Unlock()
		return 0, "", fmt.Errorf("emulator: PressButton: the bot has no message %d in chat %d", messageID, chat.ID)
	}
	found := false
	for _, row := range m.keyboard {
		for _, b := range row {
			if b.Kind == "callback_data" && b.Value == data {
				found = true
			}
		}
	}
	if !found {
		cs.mu.Unlock()
		return 0, "", fmt.Errorf("emulator: PressButton: message %d in chat %d has no button with callback_data %q", messageID, chat.ID, data)
	}
	s.cbMu.Lock()
	s.cbSeq++
	// Telegram's query IDs are large decimal numbers; a multiplication by an
	// odd constant keeps them unique and unpredictable-looking.
	callbackID = strconv.FormatUint((s.cbSeq*0x9E3779B97F4A7C15)>>1, 10)
	s.callbacks[callbackID] = &callbackState{chatID: chat.ID, messageID: messageID, from: from, data: data}
	s.cbMu.Unlock()

	b := append([]byte(nil), '{')
	b = appendStringField(b, "id", callbackID)
	b = appendUser(appendKey(b, "from"), &from, false)
	wm := s.wireBotLocked(cs, m)
	b = appendMessage(appendKey(b, "message"), &wm)
	b = appendStringField(b, "chat_instance", strconv.FormatInt(chatInstance(chat.ID), 10))
	b = appendStringField(b, "data", data)
	b = append(b, '}')
	defer cs.mu.Unlock()
	return s.pushUpdate(updCallbackQuery, b), callbackID, nil
}

// chatInstance derives a stable, signed chat_instance from the chat ID.
func chatInstance(chatID int64) int64 {
	return int64(uint64(chatID)*0xBF58476D1CE4E5B9) >> 1
}

// answerCallbackQuery accepts each query the emulator issued exactly once;
// the notification text is at most 200 characters.
func (s *Server) answerCallbackQuery(rq *request, rp *reply) {
	id := rq.get("callback_query_id")
	text := rq.get("text")
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	cb := s.callbacks[id]
	if cb == nil || cb.answered {
		rp.fail(errQueryInvalid)
		return
	}
	rp.chatID = cb.chatID
	if utf16Len(text) > 200 {
		rp.fail(badRequest("MESSAGE_TOO_LONG"))
		return
	}
	cb.answered = true
	s.cbAnswers = append(s.cbAnswers, CallbackAnswer{
		CallbackQueryID: id,
		ChatID:          cb.chatID,
		MessageID:       cb.messageID,
		From:            cb.from,
		Data:            cb.data,
		Text:            text,
		ShowAlert:       rq.bool("show_alert"),
		URL:             rq.get("url"),
		CacheTime:       int(rq.int("cache_time")),
	})
	rp.buf = append(rp.buf, "true"...)
}

// CallbackAnswers returns the successful answerCallbackQuery calls, in
// order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	return append([]CallbackAnswer(nil), s.cbAnswers...)
}
