package agreements

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/yamlfile"
)

// Limits of a plan file. The shipped plan is a few kilobytes.
const (
	MaxFileSize      = 1 << 20
	MaxTitleLen      = 300 // characters of a title
	MaxShortTitleLen = 40  // a short title fits one line of /tasks on a phone
	MaxDescLen       = 2000
)

// Error is one problem in a plan file, "file:line: message".
type Error = yamlfile.Error

// UnitRef is a unit code as written in the file, with its line, resolved by
// Import against the units in the database.
type UnitRef struct {
	Code string
	Line int
}

// PlanTask is one task of a plan file.
type PlanTask struct {
	storage.TaskSpec
	Lead    UnitRef
	Support []UnitRef
}

// Plan is a plan file: one agreement and its tasks, in file order.
type Plan struct {
	Agreement storage.AgreementSpec
	Signers   []UnitRef
	Tasks     []PlanTask
	Line      int // of agreement:
}

// ParseFile reads the plan file at path; see Parse.
func ParseFile(path string) (Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return Plan{}, fmt.Errorf("read plan file: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a plan file from r; name is used in errors. The whole file
// is checked and every problem reported, each as an *Error with its line,
// joined with errors.Join. Unit codes are checked for their form only;
// Import checks that they exist. The format is documented at the top of
// examples/mongcai/plan-2021-2025.yaml:
//
//	agreement:
//	  code: tg-chqs-2021-2025
//	  title: Chương trình phối hợp …
//	  signed: 18/11/2021          # dd/mm/yyyy
//	  from: 18/11/2021            # the period of the program
//	  until: 31/12/2025
//	  signers: [tuyengiao, chqs]
//	tasks:
//	  - key: tuyen-truyen-qp      # stable: how the task is found on the next import
//	    title: …
//	    short: …                  # at most 40 characters, for lists
//	    description: …            # optional
//	    lead: tuyengiao
//	    support: [chqs]           # optional
//	    due: 30/12/2021           # exactly one of due, every, dates
//	    every: month | quarter | year
//	    day: 25                   # with every: month or quarter
//	    on: 22/12                 # with every: year
//	    dates: [15/04/2022, 15/10/2022]
//	    from: …                   # optional, default the agreement's period
//	    until: …
func Parse(r io.Reader, name string) (Plan, error) {
	f, root, err := yamlfile.Read(r, name, MaxFileSize, "it needs agreement: and tasks:")
	if err != nil {
		return Plan{}, fmt.Errorf("read plan file: %w", err)
	}
	if root == nil {
		return Plan{}, f.Err()
	}
	p := &planParser{File: f}
	plan := p.document(root)
	if p.Count() > 0 {
		return Plan{}, p.Err()
	}
	return plan, nil
}

// planParser reads a plan file through the one YAML layer.
type planParser struct{ *yamlfile.File }

func (p *planParser) document(root *yaml.Node) Plan {
	var plan Plan
	var agreement, tasks *yaml.Node
	p.Fields(root, "the file", func(key, value *yaml.Node) {
		switch key.Value {
		case "agreement":
			agreement = value
			plan.Line = key.Line
		case "tasks":
			tasks = value
		default:
			p.Errorf(key.Line, "unknown key %q at the top: only agreement: and tasks: are known", key.Value)
		}
	})
	if agreement == nil || tasks == nil {
		p.Errorf(root.Line, "the file needs both agreement: and tasks:")
		return plan
	}
	p.agreement(agreement, &plan)
	if tasks.Kind != yaml.SequenceNode || len(tasks.Content) == 0 {
		p.Errorf(tasks.Line, "tasks: must be a non-empty list of tasks")
		return plan
	}
	keys := map[string]int{}
	for _, item := range tasks.Content {
		t, ok := p.task(item, plan.Agreement)
		if !ok {
			continue
		}
		if first, dup := keys[t.Key]; dup {
			p.Errorf(t.Line, "duplicate task key %q: already used at line %d", t.Key, first)
			continue
		}
		keys[t.Key] = t.Line
		plan.Tasks = append(plan.Tasks, t)
	}
	return plan
}

func (p *planParser) agreement(m *yaml.Node, plan *Plan) {
	a := &plan.Agreement
	var seenFrom, seenUntil bool
	p.Fields(m, "agreement:", func(key, value *yaml.Node) {
		switch key.Value {
		case "code":
			a.Code = p.Text(key, value)
			if a.Code != "" && !storage.ValidUnitCode(a.Code) {
				p.Errorf(value.Line, "code %q: use 1 to 40 characters of a-z, 0-9 and -, not starting with -", a.Code)
			}
		case "title":
			a.Title = p.Prose(key, value, MaxTitleLen, false)
		case "signed":
			a.SignedOn = p.Date(key, value)
		case "from":
			a.StartsOn, seenFrom = p.Date(key, value), true
		case "until":
			a.EndsOn, seenUntil = p.Date(key, value), true
		case "signers":
			plan.Signers = p.unitList(key, value)
		default:
			p.Errorf(key.Line, "unknown key %q in agreement: (known: code, title, signed, from, until, signers)", key.Value)
		}
	})
	for _, req := range []struct {
		ok  bool
		key string
	}{{a.Code != "", "code"}, {a.Title != "", "title"}, {!a.SignedOn.IsZero(), "signed"}, {seenFrom, "from"}, {seenUntil, "until"}} {
		if !req.ok && !p.ReportedIn(m) {
			p.Errorf(m.Line, "agreement: has no valid %s:", req.key)
		}
	}
	if !a.StartsOn.IsZero() && !a.EndsOn.IsZero() && a.EndsOn.Before(a.StartsOn) {
		p.Errorf(m.Line, "agreement: until: is before from:")
	}
}

var taskKey = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,59}$`)

// task reads one task; ok is false when it has errors (reported).
func (p *planParser) task(m *yaml.Node, a storage.AgreementSpec) (PlanTask, bool) {
	before := p.Count()
	t := PlanTask{TaskSpec: storage.TaskSpec{Line: m.Line, StartsOn: a.StartsOn, EndsOn: a.EndsOn}}
	if m.Kind != yaml.MappingNode {
		p.Errorf(m.Line, "expected a task (key:, title:, lead:, …), found %s", yamlfile.Describe(m))
		return t, false
	}
	var every string
	var everyLine, dayLine, onLine int
	var day int
	var on [2]int
	var due time.Time
	var dates []time.Time
	var hasDue, hasDates bool
	p.Fields(m, "a task", func(key, value *yaml.Node) {
		switch key.Value {
		case "key":
			t.Key = p.Text(key, value)
			if t.Key != "" && !taskKey.MatchString(t.Key) {
				p.Errorf(value.Line, "key %q: use 1 to 60 characters of a-z, 0-9 and -", t.Key)
			}
		case "title":
			t.Title = p.Prose(key, value, MaxTitleLen, false)
		case "short":
			t.ShortTitle = p.Prose(key, value, MaxShortTitleLen, false)
		case "description":
			t.Description = p.Prose(key, value, MaxDescLen, true)
		case "lead":
			code := p.Text(key, value)
			t.Lead = UnitRef{Code: code, Line: value.Line}
			if code != "" && !storage.ValidUnitCode(code) {
				p.Errorf(value.Line, "lead: %q is not a unit code", code)
			}
		case "support":
			t.Support = p.unitList(key, value)
		case "due":
			due, hasDue = p.Date(key, value), true
		case "dates":
			hasDates = true
			if value.Kind != yaml.SequenceNode || len(value.Content) == 0 {
				p.Errorf(value.Line, "dates: must be a non-empty list of dates dd/mm/yyyy")
				return
			}
			for _, v := range value.Content {
				if d := p.Date(key, v); !d.IsZero() {
					dates = append(dates, d)
				}
			}
		case "every":
			every, everyLine = p.Text(key, value), key.Line
		case "day":
			dayLine = key.Line
			n, err := strconv.Atoi(p.Text(key, value))
			if err != nil || n < 1 || n > 31 {
				p.Errorf(value.Line, "day: must be a day of the month from 1 to 31 (31 means the month's last day)")
				return
			}
			day = n
		case "on":
			onLine = key.Line
			v := p.Text(key, value)
			dd, mm, ok := strings.Cut(v, "/")
			d, err1 := strconv.Atoi(dd)
			mo, err2 := strconv.Atoi(mm)
			if !ok || err1 != nil || err2 != nil || !validMonthDay(time.Month(mo), d) {
				p.Errorf(value.Line, "on: %q is not a day of the year dd/mm, such as 22/12", v)
				return
			}
			on = [2]int{d, mo}
		case "from":
			t.StartsOn = p.Date(key, value)
		case "until":
			t.EndsOn = p.Date(key, value)
		default:
			p.Errorf(key.Line, "unknown key %q in a task (known: key, title, short, description, lead, support, due, every, day, on, dates, from, until)", key.Value)
		}
	})
	for _, req := range []struct {
		ok  bool
		key string
	}{{t.Key != "", "key"}, {t.Title != "", "title"}, {t.Lead.Code != "", "lead"}} {
		if !req.ok && p.Count() == before {
			p.Errorf(m.Line, "the task has no %s:", req.key)
		}
	}
	if t.ShortTitle == "" && t.Title != "" {
		if utf8.RuneCountInString(t.Title) > MaxShortTitleLen {
			if p.Count() == before {
				p.Errorf(m.Line, "the title is longer than %d characters: give a short: title for lists", MaxShortTitleLen)
			}
		} else {
			t.ShortTitle = t.Title
		}
	}

	// Exactly one way of falling due.
	n := 0
	for _, b := range []bool{hasDue, hasDates, every != "" || everyLine != 0} {
		if b {
			n++
		}
	}
	var rec Recurrence
	switch {
	case n != 1:
		p.Errorf(m.Line, "give exactly one of due: (once), every: (month, quarter, year) or dates: (a list)")
	case hasDue:
		rec = Recurrence{Freq: Once, Dates: []time.Time{due}}
	case hasDates:
		rec = Recurrence{Freq: Dates, Dates: dates}
	default:
		switch every {
		case "month", "quarter":
			rec = Recurrence{Freq: Monthly, Day: day}
			if every == "quarter" {
				rec.Freq = Quarterly
			}
			if day == 0 && dayLine == 0 {
				p.Errorf(everyLine, "every: %s needs day: (1–31)", every)
			}
			if onLine != 0 {
				p.Errorf(onLine, "on: goes with every: year; use day: with every: %s", every)
			}
		case "year":
			rec = Recurrence{Freq: Yearly, Day: on[0], Month: time.Month(on[1])}
			if on[0] == 0 && onLine == 0 {
				p.Errorf(everyLine, "every: year needs on: dd/mm")
			}
			if dayLine != 0 {
				p.Errorf(dayLine, "day: goes with every: month or quarter; use on: dd/mm with every: year")
			}
		default:
			p.Errorf(everyLine, "every: %q: use month, quarter or year", every)
		}
	}
	if !t.StartsOn.IsZero() && !t.EndsOn.IsZero() && t.EndsOn.Before(t.StartsOn) {
		p.Errorf(m.Line, "until: is before from:")
	}
	if p.Count() > before {
		return t, false
	}
	if len(rec.Between(t.StartsOn, t.EndsOn)) == 0 {
		p.Errorf(m.Line, "the task never falls due between %s and %s", t.StartsOn.Format("02/01/2006"), t.EndsOn.Format("02/01/2006"))
		return t, false
	}
	t.Recurrence = rec.String()
	return t, true
}

func (p *planParser) unitList(key, value *yaml.Node) []UnitRef {
	if value.Kind != yaml.SequenceNode {
		p.Errorf(value.Line, "%s: must be a list of unit codes, such as [tuyengiao, chqs]", key.Value)
		return nil
	}
	var out []UnitRef
	for _, v := range value.Content {
		code := p.Text(key, v)
		if code == "" {
			continue
		}
		if !storage.ValidUnitCode(code) {
			p.Errorf(v.Line, "%s: %q is not a unit code", key.Value, code)
			continue
		}
		out = append(out, UnitRef{Code: code, Line: v.Line})
	}
	return out
}
