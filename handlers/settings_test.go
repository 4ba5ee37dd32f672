package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// withSettings gives the fixture's router the /caidat command.
func (f *dirFixture) withSettings() {
	f.r = NewRouter(Config{
		Store: f.db, Directory: f.db, ChatAdmins: f.admins, Settings: f.db, BotUsername: "loa_bot", Lang: messages.Vietnamese,
		Clock: func() time.Time { return f.now }, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
}

func (f *dirFixture) settingsOf(chatID int64) storage.ChatSettings {
	f.t.Helper()
	s, err := f.db.ChatSettings(context.Background(), chatID)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func TestSettingsInAGroupOnlyByItsAdmins(t *testing.T) {
	f := newDirFixture(t)
	f.withSettings()
	group := Chat{ID: -1001000000077, Type: ChatSupergroup, Title: "Dân quân Trà Cổ"}
	f.admins.set(group.ID, officerA.ID) // officerA administers the group in Telegram

	// Anyone sees the settings, with the buttons.
	resp := f.say(group, member, "/caidat")
	if len(resp.Replies) != 1 || !strings.Contains(resp.Replies[0].Text, "22:00–06:00") || len(resp.Replies[0].Buttons) == 0 {
		t.Fatalf("/caidat shows %+v", resp)
	}
	refused := messages.T(messages.Vietnamese, messages.KeySettingsGroupAdminOnly)
	// A member, an officer of the unit and even a Loa admin who do not
	// administer the group are refused, by command and by button.
	for _, u := range []User{member, officerB, admin} {
		if resp := f.say(group, u, "/caidat yen-lang tat"); len(resp.Replies) != 1 || resp.Replies[0].Text != refused {
			t.Errorf("%s changed the group's quiet hours: %+v", u.FirstName, resp)
		}
		if resp := f.press(group, u, "st:q0"); resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeySettingsGroupAdminOnly) || len(resp.Replies) != 0 {
			t.Errorf("%s's press was not refused: %+v", u.FirstName, resp)
		}
		if resp := f.press(group, u, "st:d1"); len(resp.Replies) != 0 {
			t.Errorf("%s's press changed the digest: %+v", u.FirstName, resp)
		}
	}
	if s := f.settingsOf(group.ID); s.Found {
		t.Fatalf("settings changed by people who may not: %+v", s)
	}

	// The group's admin may, by command and by button; each change is in
	// the audit log.
	resp = f.say(group, officerA, "/caidat yen-lang 21:30-05:00")
	if s := f.settingsOf(group.ID); s.QuietFrom != 21*60+30 || s.QuietTo != 5*60 {
		t.Fatalf("the group's admin could not set quiet hours: %+v, %+v", s, resp)
	}
	resp = f.press(group, officerA, "st:d1")
	if s := f.settingsOf(group.ID); s.DigestAt == nil || *s.DigestAt != DigestDefault {
		t.Fatalf("the group's admin's press did not set the digest: %+v", resp)
	}
	if len(resp.Replies) != 1 || resp.Replies[0].EditMessageID != 77 || !strings.Contains(resp.Replies[0].Text, "18:00") {
		t.Errorf("the press did not show the new settings in place: %+v", resp)
	}
	log, err := f.db.AuditLog(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		if e.ChatID != nil && *e.ChatID == group.ID {
			if e.ActorID != officerA.ID {
				t.Errorf("audit entry %+v by %d", e, e.ActorID)
			}
			actions = append(actions, e.Action+" "+e.Detail)
		}
	}
	if len(actions) != 2 || !strings.HasPrefix(actions[0], storage.AuditSettingsDigest) || !strings.Contains(actions[1], "21:30–05:00") {
		t.Errorf("audit log of the group: %q", actions)
	}

	// In a private chat the person sets their own.
	f.say(dm(member), member, "/caidat tom-tat 7h30")
	if s := f.settingsOf(member.ID); s.DigestAt == nil || *s.DigestAt != 7*60+30 {
		t.Errorf("a person could not set their digest: %+v", s)
	}
}

func TestSettingsFiltersPreviewAndTopicOutsideForum(t *testing.T) {
	f := newDirFixture(t)
	f.withSettings()
	resp := f.say(dm(member), member, "/caidat chi Biên giới, an ninh; bien gioi")
	s := f.settingsOf(member.ID)
	if strings.Join(s.OnlyWords, "|") != "Biên giới|an ninh" {
		t.Errorf("only words %q", s.OnlyWords)
	}
	if len(resp.Replies) != 2 || !strings.Contains(resp.Replies[1].Text, "0 trong 0") {
		t.Errorf("no preview: %+v", resp.Replies)
	}
	resp = f.say(dm(member), member, "/caidat chu-de bai-viet")
	if len(resp.Replies) != 1 || resp.Replies[0].Text != messages.T(messages.Vietnamese, messages.KeySettingsTopicNotForum) {
		t.Errorf("/caidat chu-de outside a topic: %+v", resp)
	}
}
