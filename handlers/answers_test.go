package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// buttonData is the data of the button whose data ends with suffix.
func buttonData(t *testing.T, r Reply, suffix string) string {
	t.Helper()
	for _, row := range r.Buttons {
		for _, b := range row {
			if strings.HasSuffix(b.Data, suffix) {
				return b.Data
			}
		}
	}
	t.Fatalf("no button …%s under %q (%+v)", suffix, r.Text, r.Buttons)
	return ""
}

func hasButton(r Reply, suffix string) bool {
	for _, row := range r.Buttons {
		for _, b := range row {
			if strings.HasSuffix(b.Data, suffix) {
				return true
			}
		}
	}
	return false
}

// TestPreviewButtonsChangeTheDraft: urgent, confirmation, pin (urgent
// only), automatic reminder and schedule are set by the preview's buttons,
// each press re-renders the preview in place, and the options are what
// Send sends. Only the author changes them, and only while still allowed.
func TestPreviewButtonsChangeTheDraft(t *testing.T) {
	f := newDirFixture(t)
	eng := withBroadcasts(t, f)
	ctx := context.Background()
	f.say(dm(member), member, "/subscribe dq-tra-co")
	prev := f.say(dm(officerA), officerA, "/broadcast dq-tra-co Diễn tập lúc 7h").Replies[0]
	if hasButton(prev, ":pin") || hasButton(prev, ":auto") || !strings.Contains(prev.Text, "? Có mặt | Vắng mặt") {
		t.Fatalf("routine preview without answers: %q %+v", prev.Text, prev.Buttons)
	}
	press := func(r Reply, suffix string) Reply {
		t.Helper()
		resp := f.press(dm(officerA), officerA, buttonData(t, r, suffix))
		if len(resp.Replies) != 1 || resp.Replies[0].EditMessageID != 77 {
			t.Fatalf("press %s answered %+v", suffix, resp)
		}
		return resp.Replies[0]
	}
	// Someone else's press changes nothing.
	if other := f.press(dm(officerB), officerB, buttonData(t, prev, ":urg")); !other.CallbackAlert || len(other.Replies) != 0 {
		t.Fatalf("another officer's press: %+v", other)
	}
	prev = press(prev, ":urg")
	if !strings.Contains(prev.Text, vi(messages.KeyBroadcastPreviewUrgent)) || !hasButton(prev, ":pin") {
		t.Fatalf("after Khẩn: %q", prev.Text)
	}
	prev = press(prev, ":pin")
	prev = press(prev, ":ack")
	if !strings.Contains(prev.Text, "Đã nhận") || !strings.Contains(prev.Text, vi(messages.KeyPreviewPin)) || !hasButton(prev, ":auto") {
		t.Fatalf("after Ghim and Yêu cầu xác nhận: %q", prev.Text)
	}
	prev = press(prev, ":auto")
	if !strings.Contains(prev.Text, "30 phút") {
		t.Fatalf("after Tự nhắc: %q", prev.Text)
	}
	prev = press(prev, ":at")
	if !strings.Contains(prev.Text, "@07:00 15/12") || !hasButton(prev, ":at:0") {
		t.Fatalf("schedule choices: %q %+v", prev.Text, prev.Buttons)
	}
	var later string
	for _, b := range prev.Buttons[0] {
		later = b.Data
	}
	prev = press(Reply{Buttons: [][]Button{{{Data: later}}}}, later[len(later)-6:])
	s, _ := eng.Recent(ctx, 1)
	if !s[0].Urgent || !s[0].Pin || len(s[0].Answers) != 1 || s[0].RemindAfter != 30*time.Minute || !s[0].ScheduledAt.After(time.Now()) {
		t.Fatalf("draft after the presses: %+v", s[0])
	}
	// Khẩn off: no pin (only urgent bulletins are pinned).
	prev = press(prev, ":urg")
	if s, _ = eng.Recent(ctx, 1); s[0].Urgent || s[0].Pin {
		t.Fatalf("a routine draft kept its pin: %+v", s[0])
	}
	// A demoted author's press changes nothing.
	f.demote(officerA, "dq-tra-co")
	if resp := f.press(dm(officerA), officerA, buttonData(t, prev, ":urg")); !resp.CallbackAlert {
		t.Fatalf("a demoted author's press: %+v", resp)
	}
	f.setRole(officerA, "dq-tra-co", storage.RoleOfficer)
	// Sent: the options no longer change.
	f.press(dm(officerA), officerA, buttonData(t, prev, ":send"))
	if resp := f.press(dm(officerA), officerA, buttonData(t, prev, ":urg")); len(resp.Replies) != 0 {
		t.Fatalf("an option changed after Send: %+v", resp)
	}
}

// TestCustomAnswersAreTypedBetweenQuestionMarks: "? A | B | C ?" after the
// units (with the other options, in any order) sets up to four answers;
// a list that does not parse is explained.
func TestCustomAnswersAreTypedBetweenQuestionMarks(t *testing.T) {
	f := newDirFixture(t)
	eng := withBroadcasts(t, f)
	ctx := context.Background()
	f.say(dm(member), member, "/subscribe dq-tra-co")
	prev := f.say(dm(officerA), officerA, "/broadcast dq-tra-co ! ?Có mặt |  Vắng mặt| Đến muộn? Tập trung 7h tại sân UBND").Replies[0]
	s, _ := eng.Recent(ctx, 1)
	if len(s) != 1 || !s[0].Urgent || strings.Join(s[0].Answers, "/") != "Có mặt/Vắng mặt/Đến muộn" || s[0].Text != "Tập trung 7h tại sân UBND" {
		t.Fatalf("draft %+v", s)
	}
	if !strings.Contains(prev.Text, "Có mặt | Vắng mặt | Đến muộn") {
		t.Errorf("the preview does not show the answers: %q", prev.Text)
	}
	bad := vi(messages.KeyBroadcastBadAnswers, 4)
	for _, text := range []string{
		"/broadcast dq-tra-co ? Có mặt | Vắng mặt Tập trung",
		"/broadcast dq-tra-co ? A | B | C | D | E ? Tập trung",
		"/broadcast dq-tra-co ? A || B ? Tập trung",
	} {
		wantReply(t, f.say(dm(officerA), officerA, text), bad)
	}
	// The typed options still work beside it.
	f.say(dm(officerA), officerA, "/broadcast dq-tra-co @07:00 ? Có | Không ? Họp")
	if s, _ = eng.Recent(ctx, 1); s[0].ScheduledAt.IsZero() || len(s[0].Answers) != 2 || s[0].Text != "Họp" {
		t.Fatalf("with a time: %+v", s[0])
	}
}
