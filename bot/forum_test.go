package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage/pgtest"
)

// Inside a topic of a forum group, its admin routes articles to that topic
// with /caidat; the answer comes in the same topic; someone who does not
// administer the group (asked of Telegram, getChatMember) is refused there.
func TestSettingsTopicInForum(t *testing.T) {
	emu := emulator.NewT(t)
	db := pgtest.New(t)
	importUnits(t, db)
	client := bot.NewClient(emu.URL(), emu.Token(), 5*time.Second)
	router := handlers.NewRouter(handlers.Config{
		Store: db, Directory: db, ChatAdmins: client, Settings: db, BotUsername: emu.BotUsername(), Lang: messages.Vietnamese,
	})
	start(t, emu, db, setup{handler: router})
	forum := emulator.Forum(-1009876543210, "Ban chỉ huy quân sự")
	chief := emulator.User{ID: 9301, FirstName: "Chỉ huy", LanguageCode: "vi"}
	soldier := emulator.User{ID: 9302, FirstName: "Chiến sĩ", LanguageCode: "vi"}
	emu.AddChat(forum)
	emu.SetMember(forum.ID, chief.ID, emulator.StatusAdministrator)
	emu.SetMember(forum.ID, soldier.ID, emulator.StatusMember)
	topic := emu.CreateTopic(forum.ID, "Bài viết")

	inTopic := func(from emulator.User, text string) emulator.Message {
		t.Helper()
		before := len(emu.Messages(forum.ID))
		emu.SendTopicText(forum, from, topic, text)
		return waitN(t, emu, forum.ID, before+1)[before]
	}
	m := inTopic(soldier, "/caidat chu-de bai-viet")
	if m.MessageThreadID != topic || m.Text != messages.Plain(messages.Vietnamese, messages.KeySettingsGroupAdminOnly) {
		t.Errorf("a member's /caidat: %q in topic %d", m.Text, m.MessageThreadID)
	}
	m = inTopic(chief, "/caidat chu-de bai-viet")
	if m.MessageThreadID != topic || !strings.Contains(m.Text, "chủ đề này") {
		t.Errorf("the admin's /caidat: %q in topic %d", m.Text, m.MessageThreadID)
	}
	topics, err := db.ChatTopics(context.Background(), forum.ID)
	if err != nil || len(topics) != 1 || topics[0].ThreadID != topic || topics[0].Kind == nil || *topics[0].Kind != "articles" {
		t.Errorf("routes: %+v, %v", topics, err)
	}
}
