package agreements_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A reminder of a task due that day rings through a chat's quiet hours
// (issue 14); the others (a week before, the day before, overdue) are
// routine and arrive silently during them.
func TestOnlyTodaysRemindersRing(t *testing.T) {
	f := newFixture(t, fixturePlan)
	if err := f.db.SetLastReminderDay(context.Background(), date("02/12/2021")); err != nil {
		t.Fatal(err)
	}
	for day := 3; day <= 11; day++ {
		f.tick(time.Date(2021, 12, day, 0, 30, 0, 0, time.UTC))
	}
	today := 0
	for _, s := range f.pub.sent {
		isToday := strings.Contains(s.b.DedupKey, ":today:")
		if isToday {
			today++
		}
		if s.b.Rings != isToday {
			t.Errorf("%s: Rings %t", s.b.DedupKey, s.b.Rings)
		}
	}
	if today == 0 || today == len(f.pub.sent) {
		t.Fatalf("%d of %d reminders are of the day: the test proves nothing", today, len(f.pub.sent))
	}
}
