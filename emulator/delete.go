package emulator

import "time"

// deleteWindow is how long after sending a message may be deleted by a bot
// (Telegram: "a message can only be deleted if it was sent less than 48
// hours ago").
const deleteWindow = 48 * time.Hour

// errCantDelete is Telegram's answer for a message the bot may not delete.
var errCantDelete = badRequest("message can't be deleted for everyone")

// deleteMessage removes a message as Telegram does for a bot: its own
// messages under 48 hours old anywhere, a person's message in a private
// chat under 48 hours old, and in groups a person's message only when the
// bot is an administrator.
func (s *Server) deleteMessage(rq *request, rp *reply) {
	cs, chatID, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = chatID
	if err != nil {
		rp.fail(err)
		return
	}
	if !rq.has("message_id") {
		rp.fail(badRequest("message identifier is not specified"))
		return
	}
	id := int(rq.int("message_id"))
	now := s.now()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if err := s.checkWritableLocked(cs); err != nil {
		rp.fail(err)
		return
	}
	if m := cs.findBotLocked(id); m != nil {
		if now.Sub(time.Unix(m.date, 0)) >= deleteWindow {
			rp.fail(errCantDelete)
			return
		}
		for i := range cs.msgs {
			if int(cs.msgs[i].id) == id {
				cs.msgs = append(cs.msgs[:i], cs.msgs[i+1:]...)
				break
			}
		}
		rp.buf = append(rp.buf, "true"...)
		return
	}
	if um := cs.userMsgs[id]; um != nil {
		private := cs.chat.Type == ChatPrivate
		admin := cs.members[s.bot.ID] == StatusAdministrator || cs.members[s.bot.ID] == StatusCreator
		if (!private && !admin) || now.Sub(time.Unix(um.date, 0)) >= deleteWindow {
			rp.fail(errCantDelete)
			return
		}
		delete(cs.userMsgs, id)
		rp.buf = append(rp.buf, "true"...)
		return
	}
	rp.fail(badRequest("message to delete not found"))
}
