package agreements

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loabot/loa/storage"
)

// Frequency says how a task comes due again.
type Frequency string

// The frequencies a plan may give. Quarterly tasks fall due in the last
// month of each quarter (March, June, September, December), when quarterly
// reports are collected.
const (
	Once      Frequency = "once"
	Monthly   Frequency = "monthly"
	Quarterly Frequency = "quarterly"
	Yearly    Frequency = "yearly"
	Dates     Frequency = "dates"
)

// Recurrence is when a task falls due. Day is the day of the month
// (Monthly, Quarterly, Yearly); a day the month lacks (31 in April, 29
// February in a common year) means the month's last day, so "monthly on the
// 31st" is "at the end of every month". Month is for Yearly. Dates holds the
// one date of Once or the list of Dates, as calendar days (storage.DateOf).
type Recurrence struct {
	Freq  Frequency
	Day   int
	Month time.Month
	Dates []time.Time
}

// String is the canonical form stored in tasks.recurrence and read back by
// ParseRecurrence: "once 2021-12-30", "monthly 25", "quarterly 20",
// "yearly 12-22", "dates 2022-04-15 2022-10-15".
func (r Recurrence) String() string {
	switch r.Freq {
	case Monthly, Quarterly:
		return fmt.Sprintf("%s %d", r.Freq, r.Day)
	case Yearly:
		return fmt.Sprintf("yearly %02d-%02d", int(r.Month), r.Day)
	}
	parts := []string{string(r.Freq)}
	for _, d := range r.Dates {
		parts = append(parts, d.Format("2006-01-02"))
	}
	return strings.Join(parts, " ")
}

// ParseRecurrence reads the canonical form String writes.
func ParseRecurrence(s string) (Recurrence, error) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return Recurrence{}, fmt.Errorf("recurrence %q: too short", s)
	}
	r := Recurrence{Freq: Frequency(f[0])}
	bad := func() (Recurrence, error) { return Recurrence{}, fmt.Errorf("recurrence %q: malformed", s) }
	switch r.Freq {
	case Monthly, Quarterly:
		n, err := strconv.Atoi(f[1])
		if err != nil || len(f) != 2 || n < 1 || n > 31 {
			return bad()
		}
		r.Day = n
	case Yearly:
		m, d, ok := strings.Cut(f[1], "-")
		mm, err1 := strconv.Atoi(m)
		dd, err2 := strconv.Atoi(d)
		if !ok || err1 != nil || err2 != nil || len(f) != 2 || !validMonthDay(time.Month(mm), dd) {
			return bad()
		}
		r.Month, r.Day = time.Month(mm), dd
	case Once, Dates:
		if r.Freq == Once && len(f) != 2 {
			return bad()
		}
		for _, v := range f[1:] {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return bad()
			}
			r.Dates = append(r.Dates, t)
		}
	default:
		return bad()
	}
	return r, nil
}

// validMonthDay accepts a day that exists in month in some year (29
// February included).
func validMonthDay(m time.Month, d int) bool {
	return m >= time.January && m <= time.December && d >= 1 && d <= daysIn(2024, m)
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// onDay returns day d of month m of year y, or the month's last day when it
// has fewer days.
func onDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, min(d, daysIn(y, m)), 0, 0, 0, 0, time.UTC)
}

// Between returns the due dates of r from from to to, both included, in
// order. Both are calendar days (storage.DateOf).
func (r Recurrence) Between(from, to time.Time) []time.Time {
	from, to = storage.DateOf(from), storage.DateOf(to)
	var out []time.Time
	add := func(t time.Time) {
		if !t.Before(from) && !t.After(to) {
			out = append(out, t)
		}
	}
	switch r.Freq {
	case Once, Dates:
		for _, d := range r.Dates {
			add(storage.DateOf(d))
		}
		slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
		return slices.CompactFunc(out, time.Time.Equal)
	case Monthly, Quarterly:
		for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
			if r.Freq == Quarterly && m.Month()%3 != 0 {
				continue
			}
			add(onDay(m.Year(), m.Month(), r.Day))
		}
	case Yearly:
		for y := from.Year(); y <= to.Year(); y++ {
			add(onDay(y, r.Month, r.Day))
		}
	}
	return out
}
