package handlers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// More people for the task tests: an officer of the ward of Trà Cổ (above
// its militia) and an officer of the Propaganda Department.
var (
	wardOfficer = User{ID: 401, FirstName: "Cán bộ", LastName: "Phường Trà Cổ", LanguageCode: "vi"}
	deptOfficer = User{ID: 402, FirstName: "Cán bộ", LastName: "Tuyên giáo", LanguageCode: "vi"}
)

type taskFixture struct {
	*dirFixture
	ids map[string]int64 // task key → id
}

// newTaskFixture: the shipped units and plan, the people of the directory
// tests and two more, on 13/12/2021 at 09:00 in Hà Nội.
func newTaskFixture(t *testing.T) *taskFixture {
	t.Helper()
	f := newDirFixture(t)
	ctx := context.Background()
	if _, err := agreements.Import(ctx, f.db, "../agreements/testdata/plan-fixture.yaml" /* a frozen copy: these expectations depend on its tasks */); err != nil {
		t.Fatal(err)
	}
	hanoi, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2021, 12, 13, 2, 0, 0, 0, time.UTC)
	f.r = NewRouter(Config{
		Store: f.db, Directory: f.db, Tasks: f.db, ChatAdmins: f.admins, BotUsername: "loa_bot", Lang: messages.Vietnamese,
		Location: hanoi, Clock: func() time.Time { return f.now }, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
	for _, u := range []User{wardOfficer, deptOfficer} {
		f.say(dm(u), u, "/help")
	}
	f.setRole(wardOfficer, "p-tra-co", storage.RoleOfficer)
	f.setRole(deptOfficer, "tuyengiao", storage.RoleOfficer)
	tf := &taskFixture{dirFixture: f, ids: map[string]int64{}}
	tasks, err := f.db.Tasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tasks {
		tf.ids[x.Key] = x.ID
	}
	return tf
}

func (f *taskFixture) text(u User, cmd string) string {
	f.t.Helper()
	resp := f.say(dm(u), u, cmd)
	if len(resp.Replies) != 1 {
		f.t.Fatalf("%s: %d replies", cmd, len(resp.Replies))
	}
	return resp.Replies[0].Text
}

func (f *taskFixture) keysOf(text string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`#(\d+) `).FindAllStringSubmatch(text, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		for k, v := range f.ids {
			if v == id {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var countsLine = regexp.MustCompile(`Chưa thực hiện (\d+) · Đang thực hiện (\d+) · Hoàn thành (\d+) · Quá hạn (\d+)`)

// TestTasksShowsWhatEachMaysee is acceptance 3: a ward militia member, a
// ward officer, a department officer and an admin each see their tasks.
func TestTasksShowsWhatEachMaySee(t *testing.T) {
	f := newTaskFixture(t)
	tests := []struct {
		who   User
		tasks int      // tasks they may see (the counts add up to it)
		lines []string // overdue or due by 27/12
	}{
		{member, 2, []string{"bien-gioi", "covid-19"}},
		{wardOfficer, 3, []string{"bien-gioi", "covid-19", "du-luan-xa-hoi"}},
		{deptOfficer, 11, []string{"bao-ve-nen-tang", "covid-19", "du-luan-xa-hoi", "ky-niem-22-12", "tham-muu-nq03", "thi-dua-quyet-thang", "tuyen-truyen-qp"}},
		{admin, 14, []string{"bao-ve-nen-tang", "bien-gioi", "covid-19", "du-luan-xa-hoi", "ky-niem-22-12", "tham-muu-nq03", "thi-dua-quyet-thang", "tuyen-truyen-qp"}},
	}
	for _, tt := range tests {
		text := f.text(tt.who, "/tasks")
		if got := f.keysOf(text); !slices.Equal(got, tt.lines) {
			t.Errorf("%s sees %v, want %v\n%s", tt.who.LastName, got, tt.lines, text)
		}
		m := countsLine.FindStringSubmatch(text)
		sum := 0
		for _, n := range m[1:] {
			v, _ := strconv.Atoi(n)
			sum += v
		}
		if m == nil || sum != tt.tasks {
			t.Errorf("%s: counts %v, want %d tasks in all", tt.who.LastName, m, tt.tasks)
		}
		if n := messages.Length(text); n > messages.MaxMessageLength || strings.Count(text, "\n") > 30 {
			t.Errorf("%s: the answer is %d characters, %d lines", tt.who.LastName, n, strings.Count(text, "\n"))
		}
	}
	if !strings.Contains(f.text(admin, "/tasks"), "13/12/2021") {
		t.Error("the overview does not say which day it is for")
	}
	if got := f.text(stranger, "/tasks"); got != messages.T(messages.Vietnamese, messages.KeyTasksEmpty) {
		t.Errorf("a stranger's /tasks: %q", got)
	}
	if got := f.text(officerA, "/tasks all"); got != messages.T(messages.Vietnamese, messages.KeyNotAllowed) {
		t.Errorf("/tasks all for an officer: %q", got)
	}
	if got := f.keysOf(f.text(admin, "/tasks all")); len(got) != 8 {
		t.Errorf("/tasks all for an admin: %v", got)
	}
	if got := f.keysOf(f.text(admin, "/tasks overdue")); !slices.Equal(got, []string{"bao-ve-nen-tang", "covid-19", "du-luan-xa-hoi", "thi-dua-quyet-thang", "tuyen-truyen-qp"}) {
		t.Errorf("/tasks overdue: %v", got)
	}
	if got := f.keysOf(f.text(admin, "/tasks week")); !slices.Equal(got, []string{"bien-gioi", "tham-muu-nq03"}) {
		t.Errorf("/tasks week (13–20/12): %v", got)
	}
	if got := f.keysOf(f.text(wardOfficer, "/tasks dq-tra-co")); !slices.Equal(got, []string{"bien-gioi", "covid-19"}) {
		t.Errorf("/tasks dq-tra-co for the ward officer: %v", got)
	}
	if got := f.text(member, "/tasks tuyengiao"); got != messages.T(messages.Vietnamese, messages.KeyNotAllowed) {
		t.Errorf("/tasks of a unit the member is not in: %q", got)
	}
}

func TestTaskDetailAndStrangers(t *testing.T) {
	f := newTaskFixture(t)
	covid := fmt.Sprint(f.ids["covid-19"])
	text := f.text(member, "/task "+covid)
	for _, want := range []string{"Phối hợp phòng, chống dịch bệnh COVID-19", "ngày 10 hằng tháng", "10/12/2021 — quá hạn", "10/01/2022 — chưa thực hiện", "Chưa có cập nhật"} {
		if !strings.Contains(text, want) {
			t.Errorf("/task lacks %q:\n%s", want, text)
		}
	}
	notFound := messages.T(messages.Vietnamese, messages.KeyTaskNotFound, covid)
	if got := f.text(stranger, "/task "+covid); got != notFound {
		t.Errorf("a stranger sees the task: %q", got)
	}
	if got := f.text(stranger, "/task 99999"); got != messages.T(messages.Vietnamese, messages.KeyTaskNotFound, "99999") {
		t.Errorf("an unknown task: %q", got)
	}
	// The member sees it but gets no buttons; the officer gets them.
	if resp := f.say(dm(member), member, "/task "+covid); len(resp.Replies[0].Buttons) != 0 {
		t.Error("a member got update buttons")
	}
	if resp := f.say(dm(officerA), officerA, "/task #"+covid); len(resp.Replies[0].Buttons) != 1 {
		t.Error("an officer got no update buttons")
	}
}

func (f *taskFixture) occurrence(key, due string) storage.OccurrenceStatus {
	f.t.Helper()
	st, err := f.db.OccurrenceStatuses(context.Background(), []int64{f.ids[key]})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range st {
		if s.DueOn.Format("02/01/2006") == due {
			return s
		}
	}
	return storage.OccurrenceStatus{Status: storage.TaskNotStarted}
}

// TestReporting is acceptance 4: /done, /progress, /reopen and the buttons
// update the occurrence and its history; members and strangers are refused.
func TestReporting(t *testing.T) {
	f := newTaskFixture(t)
	covid := fmt.Sprint(f.ids["covid-19"])
	notAllowed := messages.T(messages.Vietnamese, messages.KeyNotAllowed)

	if got := f.text(member, "/done "+covid); got != notAllowed {
		t.Errorf("a member's /done: %q", got)
	}
	if got := f.text(stranger, "/done "+covid); got != notAllowed {
		t.Errorf("a stranger's /done: %q", got)
	}
	// An officer elsewhere does not even see a task of another ward.
	duLuan := fmt.Sprint(f.ids["du-luan-xa-hoi"])
	if got := f.text(officerB, "/done "+duLuan); got != messages.T(messages.Vietnamese, messages.KeyTaskNotFound, duLuan) {
		t.Errorf("officer of Hải Xuân's militia on a ward task: %q", got)
	}
	if s := f.occurrence("covid-19", "10/12/2021"); s.Status != storage.TaskNotStarted {
		t.Fatalf("refused updates changed the task: %+v", s)
	}

	if got := f.text(officerA, "/progress "+covid+" 140"); !strings.Contains(got, "0 đến 100") {
		t.Errorf("/progress 140: %q", got)
	}
	if got := f.text(officerA, "/progress "+covid+" 40 đã họp triển khai"); !strings.Contains(got, "đang thực hiện, 40%") || !strings.Contains(got, "10/12/2021") {
		t.Errorf("/progress: %q", got)
	}
	if s := f.occurrence("covid-19", "10/12/2021"); s.Status != storage.TaskInProgress || s.Percent != 40 || s.UpdatedBy != officerA.ID {
		t.Errorf("after /progress: %+v", s)
	}
	if got := f.text(officerA, "/done "+covid+" xong đợt 1"); !strings.Contains(got, "đã hoàn thành") {
		t.Errorf("/done: %q", got)
	}
	if s := f.occurrence("covid-19", "10/12/2021"); s.Status != storage.TaskDone || s.Percent != 100 {
		t.Errorf("after /done: %+v", s)
	}
	// The next /done is for the next occurrence; /reopen reopens the latest done.
	if got := f.text(officerA, "/reopen "+covid); !strings.Contains(got, "10/12/2021") {
		t.Errorf("/reopen: %q", got)
	}
	if s := f.occurrence("covid-19", "10/12/2021"); s.Status != storage.TaskNotStarted {
		t.Errorf("after /reopen: %+v", s)
	}

	// Buttons under a reminder.
	data := "tk:d:" + covid + ":20211210"
	if resp := f.press(dm(member), member, data); resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyNotAllowedShort) {
		t.Errorf("a member pressed Done: %+v", resp)
	}
	if resp := f.press(dm(stranger), stranger, data); resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyTaskNotFoundToast) {
		t.Errorf("a stranger pressed Done: %+v", resp)
	}
	if s := f.occurrence("covid-19", "10/12/2021"); s.Status != storage.TaskNotStarted {
		t.Fatalf("refused presses changed the task: %+v", s)
	}
	if resp := f.press(dm(officerA), officerA, "tk:p:"+covid+":20211210"); resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyTaskProgressToast) {
		t.Errorf("In progress: %+v", resp)
	}
	if resp := f.press(dm(admin), admin, data); resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyTaskDoneToast) || len(resp.Replies) != 1 {
		t.Errorf("Done by an admin: %+v", resp)
	}
	if s := f.occurrence("covid-19", "10/12/2021"); s.Status != storage.TaskDone || s.UpdatedBy != admin.ID {
		t.Errorf("after the Done button: %+v", s)
	}
	if resp := f.press(dm(officerA), officerA, "tk:d:"+covid+":20211211"); resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyButtonExpired) {
		t.Errorf("a date the task is not due on: %+v", resp)
	}
	if resp := f.press(dm(member), member, "tk:o:"+covid); len(resp.Replies) != 1 || !strings.Contains(resp.Replies[0].Text, "Lịch sử cập nhật") {
		t.Errorf("Open the task: %+v", resp)
	}

	hist, err := f.db.TaskHistory(context.Background(), f.ids["covid-19"], 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist {
		pct := ""
		if h.Percent != nil {
			pct = fmt.Sprint(*h.Percent)
		}
		got = append(got, fmt.Sprintf("%d %s %s %s %q", h.UserID, h.Action, h.DueOn.Format("02/01"), pct, h.Note))
	}
	want := []string{
		`100 done 10/12  ""`,
		`201 progress 10/12  ""`,
		`201 reopen 10/12  ""`,
		`201 done 10/12  "xong đợt 1"`,
		`201 progress 10/12 40 "đã họp triển khai"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("history, newest first:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	text := f.text(member, "/task "+covid)
	if !strings.Contains(text, "Cán bộ Trà Cổ: tiến độ 40% (hạn 10/12/2021) — “đã họp triển khai”") {
		t.Errorf("/task does not show the history:\n%s", text)
	}
}
