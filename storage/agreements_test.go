package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// applyTestPlan stores an agreement with one task led by a fresh unit.
func applyTestPlan(t *testing.T, db *storage.DB) storage.Task {
	t.Helper()
	ctx := testContext(t)
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{{Code: "tuyengiao", Name: "Ban Tuyên giáo", Kind: "dept", Visibility: storage.Public, Line: 1}}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	u, err := db.UnitByCode(ctx, "tuyengiao")
	if err != nil {
		t.Fatal(err)
	}
	a := storage.AgreementSpec{Code: "p", Title: "P", SignedOn: ymd(2021, 11, 18), StartsOn: ymd(2021, 11, 18), EndsOn: ymd(2025, 12, 31), SignerIDs: []int64{u.ID}}
	spec := storage.TaskSpec{Key: "k", Title: "T", ShortTitle: "T", LeadUnitID: u.ID, Recurrence: "monthly 31", StartsOn: a.StartsOn, EndsOn: a.EndsOn, Line: 3}
	if _, err := db.ApplyPlan(ctx, a, []storage.TaskSpec{spec}); err != nil {
		t.Fatal(err)
	}
	tasks, err := db.Tasks(ctx)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("tasks %v %v", tasks, err)
	}
	return tasks[0]
}

// TestPlanDates: calendar days come back as the same days, at midnight UTC.
func TestPlanDates(t *testing.T) {
	db := pgtest.New(t)
	ctx := testContext(t)
	task := applyTestPlan(t, db)
	if !task.StartsOn.Equal(ymd(2021, 11, 18)) || !task.EndsOn.Equal(ymd(2025, 12, 31)) {
		t.Errorf("dates moved: %v %v", task.StartsOn, task.EndsOn)
	}
	got, err := db.Task(ctx, task.ID)
	if err != nil || !got.StartsOn.Equal(task.StartsOn) {
		t.Errorf("Task = %+v, %v", got, err)
	}
	if _, err := db.Task(ctx, task.ID+100); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
}

// TestReminderRowsAreUnique: whoever records a reminder first wins; a
// second process (or a restart) finds it sent.
func TestReminderRowsAreUnique(t *testing.T) {
	db := pgtest.New(t)
	ctx := testContext(t)
	task := applyTestPlan(t, db)
	r := storage.Reminder{TaskID: task.ID, DueOn: ymd(2021, 11, 30), Kind: "overdue", Day: ymd(2021, 12, 1)}
	if sent, err := db.ReminderSent(ctx, r); err != nil || sent {
		t.Fatalf("before: %v %v", sent, err)
	}
	if first, err := db.MarkReminderSent(ctx, r, 7); err != nil || !first {
		t.Fatalf("first: %v %v", first, err)
	}
	if again, err := db.MarkReminderSent(ctx, r, 8); err != nil || again {
		t.Fatalf("second: %v %v", again, err)
	}
	next := r
	next.Day = ymd(2021, 12, 2)
	if sent, _ := db.ReminderSent(ctx, next); sent {
		t.Error("the next day's overdue reminder counts as sent")
	}
	if first, err := db.MarkDigestSent(ctx, task.LeadUnitID, ymd(2021, 12, 6), 9); err != nil || !first {
		t.Fatalf("digest: %v %v", first, err)
	}
	if sent, _ := db.DigestSent(ctx, task.LeadUnitID, ymd(2021, 12, 6)); !sent {
		t.Error("digest not recorded")
	}

	if _, ok, err := db.LastReminderDay(ctx); ok || err != nil {
		t.Fatalf("before the first run: %v %v", ok, err)
	}
	for _, d := range []time.Time{ymd(2021, 12, 5), ymd(2021, 12, 3)} {
		if err := db.SetLastReminderDay(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if d, ok, err := db.LastReminderDay(ctx); !ok || err != nil || !d.Equal(ymd(2021, 12, 5)) {
		t.Errorf("last day moved backwards: %v %v %v", d, ok, err)
	}
}

func TestUpdateOccurrence(t *testing.T) {
	db := pgtest.New(t)
	ctx := testContext(t)
	task := applyTestPlan(t, db)
	due := ymd(2022, 2, 28)
	at := time.Date(2022, 2, 27, 2, 0, 0, 0, time.UTC)
	pct := 30
	steps := []struct {
		action  string
		percent *int
		status  string
		want    int
	}{
		{storage.UpdateProgress, &pct, storage.TaskInProgress, 30},
		{storage.UpdateReopen, nil, storage.TaskInProgress, 30}, // reopening work in progress keeps it
		{storage.UpdateDone, nil, storage.TaskDone, 100},
		{storage.UpdateReopen, nil, storage.TaskNotStarted, 0},
	}
	for i, s := range steps {
		st, err := db.UpdateOccurrence(ctx, storage.OccurrenceUpdate{TaskID: task.ID, DueOn: due, UserID: 5, At: at, Action: s.action, Percent: s.percent})
		if err != nil || st.Status != s.status || st.Percent != s.want {
			t.Errorf("step %d (%s): %+v %v", i, s.action, st, err)
		}
	}
	hist, err := db.TaskHistory(ctx, task.ID, 10)
	if err != nil || len(hist) != 4 || hist[0].Action != storage.UpdateReopen || !hist[0].DueOn.Equal(due) {
		t.Errorf("history %+v %v", hist, err)
	}
	_, err = db.UpdateOccurrence(ctx, storage.OccurrenceUpdate{TaskID: task.ID + 100, DueOn: due, UserID: 5, At: at, Action: storage.UpdateDone})
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
}
