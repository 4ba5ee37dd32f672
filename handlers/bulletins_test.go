package handlers

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
)

// TestEditAndRecallOnlyByAuthorAndAdmins: another officer, even of the
// same unit, and a member are answered as for an unknown broadcast (or
// refused); the author and an admin may.
func TestEditAndRecallOnlyByAuthorAndAdmins(t *testing.T) {
	f := newDirFixture(t)
	eng := withBroadcasts(t, f)
	ctx := context.Background()
	f.say(dm(member), member, "/subscribe dq-tra-co")
	prev := f.say(dm(officerA), officerA, "/broadcast dq-tra-co ! Họp lúc 7h").Replies[0]
	if !strings.Contains(prev.Text, vi(messages.KeyBroadcastPreviewUrgent)) {
		t.Fatalf("urgent preview: %q", prev.Text)
	}
	f.press(dm(officerA), officerA, buttonData(t, prev, ":send"))
	list, _ := eng.Recent(ctx, 1)
	if len(list) != 1 || !list[0].Urgent {
		t.Fatalf("broadcast %+v", list)
	}
	idText := strconv.FormatInt(list[0].ID, 10)
	unknown := vi(messages.KeyBroadcastUnknown, idText)
	wantReply(t, f.say(dm(officerB), officerB, "/edit "+idText+" Họp lúc 8h"), unknown)
	wantReply(t, f.say(dm(officerB), officerB, "/recall "+idText), unknown)
	wantReply(t, f.say(dm(member), member, "/recall "+idText), vi(messages.KeyNotAllowed))
	wantReply(t, f.say(dm(stranger), stranger, "/edit "+idText+" x"), vi(messages.KeyNotAllowed))
	if s, _ := eng.Broadcast(ctx, list[0].ID); s.State != delivery.StateSending || s.Text != "Họp lúc 7h" {
		t.Fatalf("changed by someone else: %+v", s)
	}
	wantReply(t, f.say(dm(officerA), officerA, "/edit "+idText+" Họp lúc 8h"), vi(messages.KeyEditStarted, list[0].ID))
	if s, _ := eng.Broadcast(ctx, list[0].ID); s.Text != "Họp lúc 8h" {
		t.Fatalf("after the author's edit: %q", s.Text)
	}
	wantReply(t, f.say(dm(admin), admin, "/recall #"+idText), vi(messages.KeyRecallStarted, list[0].ID))
	if s, _ := eng.Broadcast(ctx, list[0].ID); s.State != delivery.StateCancelled {
		t.Fatalf("after the admin's recall: %+v", s)
	}
	wantReply(t, f.say(dm(officerA), officerA, "/edit abc"), vi(messages.KeyEditUsage))
}

// TestBroadcastScheduleOption: "@07:00" is today or tomorrow, "@07:00
// 15/12" a date, in the Router's time zone and by its clock.
func TestBroadcastScheduleOption(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	r := &Router{loc: loc, now: func() time.Time { return time.Date(2026, 12, 1, 8, 0, 0, 0, loc) }}
	for _, c := range []struct {
		in   string
		want time.Time
		rest string
		bad  bool
	}{
		{"@07:00 Họp", time.Date(2026, 12, 2, 7, 0, 0, 0, loc), "Họp", false},
		{"@9h30 Họp", time.Date(2026, 12, 1, 9, 30, 0, 0, loc), "Họp", false},
		{"! @07:00 15/12 Họp", time.Date(2026, 12, 15, 7, 0, 0, 0, loc), "Họp", false},
		{"@07:00 30/11 Họp", time.Date(2027, 11, 30, 7, 0, 0, 0, loc), "Họp", false},
		{"@25:00 Họp", time.Time{}, "", true},
		{"Họp 07:00", time.Time{}, "Họp 07:00", false},
	} {
		o, from, bad := r.broadcastOptions(c.in, 0)
		if bad != c.bad || (!bad && (!o.at.Equal(c.want) || c.in[from:] != c.rest)) {
			t.Errorf("%q: at %v, rest %q, bad %v; want %v, %q, %v", c.in, o.at, c.in[from:], bad, c.want, c.rest, c.bad)
		}
	}
}
