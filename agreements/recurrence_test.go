package agreements

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("02/01/2006", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dates(ts []time.Time) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format("02/01/2006")
	}
	return strings.Join(out, " ")
}

func TestRecurrenceBetween(t *testing.T) {
	tests := []struct {
		name     string
		rec      Recurrence
		from, to string
		want     string
	}{
		{"monthly on a day every month has", Recurrence{Freq: Monthly, Day: 25}, "18/11/2021", "31/01/2022", "25/11/2021 25/12/2021 25/01/2022"},
		{"monthly 31 clamps to short months", Recurrence{Freq: Monthly, Day: 31}, "01/01/2022", "30/04/2022", "31/01/2022 28/02/2022 31/03/2022 30/04/2022"},
		{"monthly 30 in February of a leap year", Recurrence{Freq: Monthly, Day: 30}, "01/02/2024", "31/03/2024", "29/02/2024 30/03/2024"},
		{"monthly 29 in February of a common year", Recurrence{Freq: Monthly, Day: 29}, "01/02/2023", "28/02/2023", "28/02/2023"},
		{"monthly starts after the period starts", Recurrence{Freq: Monthly, Day: 5}, "18/11/2021", "05/12/2021", "05/12/2021"},
		{"quarterly in the last month of each quarter", Recurrence{Freq: Quarterly, Day: 31}, "18/11/2021", "31/12/2022", "31/12/2021 31/03/2022 30/06/2022 30/09/2022 31/12/2022"},
		{"yearly 29/02 falls on 28/02 in common years", Recurrence{Freq: Yearly, Month: time.February, Day: 29}, "01/01/2022", "31/12/2025", "28/02/2022 28/02/2023 29/02/2024 28/02/2025"},
		{"yearly inside the period only", Recurrence{Freq: Yearly, Month: time.November, Day: 30}, "01/12/2021", "31/12/2023", "30/11/2022 30/11/2023"},
		{"once", Recurrence{Freq: Once, Dates: []time.Time{day("30/12/2021")}}, "18/11/2021", "31/12/2025", "30/12/2021"},
		{"once outside the period", Recurrence{Freq: Once, Dates: []time.Time{day("30/12/2026")}}, "18/11/2021", "31/12/2025", ""},
		{"dates sorted, repeats dropped", Recurrence{Freq: Dates, Dates: []time.Time{day("15/10/2022"), day("15/04/2022"), day("15/10/2022")}}, "18/11/2021", "31/12/2025", "15/04/2022 15/10/2022"},
		{"the period's ends are included", Recurrence{Freq: Monthly, Day: 18}, "18/11/2021", "18/12/2021", "18/11/2021 18/12/2021"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dates(tt.rec.Between(day(tt.from), day(tt.to))); got != tt.want {
				t.Errorf("Between = %q, want %q", got, tt.want)
			}
			back, err := ParseRecurrence(tt.rec.String())
			if err != nil {
				t.Fatalf("ParseRecurrence(%q): %v", tt.rec.String(), err)
			}
			if back.String() != tt.rec.String() {
				t.Errorf("round trip %q → %q", tt.rec.String(), back.String())
			}
		})
	}
}

func TestParseRecurrenceRefuses(t *testing.T) {
	for _, s := range []string{"", "monthly", "monthly 0", "monthly 32", "weekly 1", "yearly 02-30", "yearly 13-01", "once 2021-12-30 2021-12-31", "dates 30/12/2021", "quarterly x"} {
		if _, err := ParseRecurrence(s); err == nil {
			t.Errorf("ParseRecurrence(%q) accepted it", s)
		}
	}
}

// FuzzParse checks that no plan file makes the parser panic, and that what
// it accepts has a valid recurrence that falls due at least once.
func FuzzParse(f *testing.F) {
	f.Add("agreement:\n  code: a\n  title: T\n  signed: 18/11/2021\n  from: 18/11/2021\n  until: 31/12/2025\n  signers: [a]\ntasks:\n  - key: k\n    title: T\n    lead: a\n    every: month\n    day: 31\n")
	f.Add("tasks:\n  - key: k\n    dates: [29/02/2023]\n")
	f.Fuzz(func(t *testing.T, src string) {
		plan, err := Parse(strings.NewReader(src), "fuzz.yaml")
		if err != nil {
			return
		}
		for _, task := range plan.Tasks {
			r, err := ParseRecurrence(task.Recurrence)
			if err != nil {
				t.Fatalf("accepted recurrence %q does not parse: %v", task.Recurrence, err)
			}
			if len(r.Between(task.StartsOn, task.EndsOn)) == 0 {
				t.Fatalf("accepted task %q never falls due", task.Key)
			}
		}
	})
}
