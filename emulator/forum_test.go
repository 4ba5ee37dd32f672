package emulator

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
)

// Forum supergroups answer as Telegram does: a send into a topic carries
// message_thread_id and is_topic_message; into a topic that does not exist
// or was deleted, 400 "Bad Request: message thread not found"; without
// message_thread_id, the general topic. Messages people write in a topic
// carry the same fields, and the chat says is_forum.
func TestForumTopics(t *testing.T) {
	s := NewT(t)
	forum := Forum(-1001112223334, "Ban chỉ huy")
	s.AddChat(forum)
	topic := s.CreateTopic(forum.ID, "Bài viết")
	send := func(thread int) rawResponse {
		p := url.Values{"chat_id": {strconv.FormatInt(forum.ID, 10)}, "text": {"tin"}, "disable_notification": {"true"}}
		if thread != 0 {
			p.Set("message_thread_id", strconv.Itoa(thread))
		}
		return postForm(t, s, "sendMessage", p)
	}
	r := send(topic)
	var m struct {
		ThreadID int  `json:"message_thread_id"`
		IsTopic  bool `json:"is_topic_message"`
		Chat     struct {
			IsForum bool `json:"is_forum"`
		} `json:"chat"`
	}
	r.field(t, "result", &m)
	if m.ThreadID != topic || !m.IsTopic || !m.Chat.IsForum {
		t.Errorf("sent into topic %d: %s", topic, r.Body)
	}
	if got := s.Messages(forum.ID)[0]; got.MessageThreadID != topic || !got.Silent {
		t.Errorf("stored %+v", got)
	}
	if r := send(0); r.Status != 200 {
		t.Errorf("into the general topic: %s", r.Body)
	}
	if r := send(topic + 100); r.Status != 400 || string(r.JSON["description"]) != `"Bad Request: message thread not found"` {
		t.Errorf("unknown topic: %d %s", r.Status, r.Body)
	}
	s.DeleteTopic(forum.ID, topic)
	if r := send(topic); r.Status != 400 || string(r.JSON["description"]) != `"Bad Request: message thread not found"` {
		t.Errorf("deleted topic: %d %s", r.Status, r.Body)
	}

	// A person writes in a topic.
	other := s.CreateTopic(forum.ID, "Thông báo")
	s.SendTopicText(forum, User{ID: 42, FirstName: "Hùng"}, other, "/caidat")
	u := postForm(t, s, "getUpdates", url.Values{})
	var ups []struct {
		Message json.RawMessage `json:"message"`
	}
	u.field(t, "result", &ups)
	if len(ups) != 1 {
		t.Fatalf("updates: %s", u.Body)
	}
	var pm struct {
		ThreadID int  `json:"message_thread_id"`
		IsTopic  bool `json:"is_topic_message"`
		Chat     struct {
			IsForum bool `json:"is_forum"`
		} `json:"chat"`
	}
	if err := json.Unmarshal(ups[0].Message, &pm); err != nil || pm.ThreadID != other || !pm.IsTopic || !pm.Chat.IsForum {
		t.Errorf("a person's message in topic %d: %s (%v)", other, ups[0].Message, err)
	}

	if err := (Chat{ID: -5, Type: ChatGroup, IsForum: true}).validate(); err == nil {
		t.Error("a basic group with topics was accepted")
	}
}
