package handlers

import (
	"slices"
	"strings"
	"testing"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Officials type arguments in Vietnamese, often without accents: each
// Vietnamese form does what its English form does.
func TestTasksTakesVietnameseArguments(t *testing.T) {
	f := newTaskFixture(t)
	for english, forms := range map[string][]string{
		"overdue": {"qua-han", "quá hạn", "QUA HAN", "Quá-Hạn"},
		"week":    {"tuan", "tuần", "Tuan"},
		"all":     {"tat-ca", "tất cả", "TAT CA"},
	} {
		want := f.keysOf(f.text(admin, "/tasks "+english))
		if len(want) == 0 {
			t.Fatalf("/tasks %s shows nothing", english)
		}
		for _, form := range forms {
			if got := f.keysOf(f.text(admin, "/tasks "+form)); !slices.Equal(got, want) {
				t.Errorf("/tasks %s shows %v, /tasks %s %v", form, got, english, want)
			}
		}
	}
	if got := f.text(officerA, "/tasks tất cả"); got != messages.T(messages.Vietnamese, messages.KeyNotAllowed) {
		t.Errorf("/tasks tất cả for an officer: %q", got)
	}
}

// A task line names its lead unit and says the weekday of its due date.
func TestTaskLinesNameUnitsAndWeekdays(t *testing.T) {
	f := newTaskFixture(t)
	text := f.text(admin, "/tasks")
	if strings.Contains(text, "<code>") {
		t.Errorf("a unit code in the overview:\n%s", text)
	}
	if !strings.Contains(text, "Thứ Hai, 13/12/2021") {
		t.Errorf("the overview's date has no weekday:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") && !strings.Contains(line, "hạn Thứ") && !strings.Contains(line, "hạn Chủ nhật") {
			t.Errorf("a task line without the weekday: %q", line)
		}
	}
}

func TestInviteAndPromoteTakeVietnameseRoles(t *testing.T) {
	f := newDirFixture(t)
	for _, role := range []string{"cán bộ", "can-bo", "CAN BO PHU TRACH"} {
		text := f.say(dm(admin), admin, "/invite dq-tra-co "+role+" 5 1").Replies[0].Text
		if !strings.Contains(text, "vai trò cán bộ phụ trách") {
			t.Errorf("/invite dq-tra-co %s: %q", role, text)
		}
	}
	text := f.say(dm(officerA), officerA, "/invite dq-tra-co thành viên 2 3").Replies[0].Text
	i := strings.Index(text, "?start=")
	if i < 0 || !strings.Contains(text, "vai trò thành viên") {
		t.Fatalf("/invite dq-tra-co thành viên 2 3: %q", text)
	}
	f.say(dm(stranger), stranger, "/start "+text[i+len("?start="):i+len("?start=")+22])
	if f.roleIn(stranger, "dq-tra-co") != storage.RoleMember {
		t.Fatal("the invite did not make a member")
	}

	wantReply(t, f.say(dm(admin), admin, "/promote 999 quản trị viên"), vi(messages.KeyPromotedAdmin, "Người Lạ"))
	wantReply(t, f.say(dm(admin), admin, "/demote 999 quan-tri"), vi(messages.KeyDemotedAdmin, "Người Lạ"))
}

func TestBroadcastTakesTatCaOnlyFirst(t *testing.T) {
	f := newDirFixture(t)
	withBroadcasts(t, f)
	f.say(dm(member), member, "/subscribe dq-tra-co")
	mil := f.unit("dq-tra-co")

	// "tất cả" first: every unit (the roots of the tree).
	text := f.say(dm(admin), admin, "/broadcast tất cả Họp gấp").Replies[0].Text
	if !strings.Contains(text, "Xem trước") || !strings.Contains(text, "\n\nHọp gấp\n\n") || strings.Contains(text, mil.Name+"\n") {
		t.Errorf("/broadcast tất cả: %q", text)
	}
	// After a unit, "Tất cả" is the start of the text: one unit, not all.
	text = f.say(dm(admin), admin, "/broadcast dq-tra-co Tất cả đồng chí họp lúc 7h30").Replies[0].Text
	if !strings.Contains(text, ": "+mil.Name+"\n\nTất cả đồng chí họp lúc 7h30") {
		t.Errorf("/broadcast dq-tra-co Tất cả…: %q", text)
	}
	text = f.say(dm(admin), admin, "/broadcast dq-tra-co all hands at 7:30").Replies[0].Text
	if !strings.Contains(text, ": "+mil.Name+"\n\nall hands at 7:30") {
		t.Errorf("/broadcast dq-tra-co all…: %q", text)
	}
	wantReply(t, f.say(dm(officerA), officerA, "/broadcast tat-ca Họp"), vi(messages.KeyNotAllowed))
}
