package agreements

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"github.com/loabot/loa/storage"
)

// Limits of a plan file. The shipped plan is a few kilobytes.
const (
	MaxFileSize      = 1 << 20
	MaxTitleLen      = 300 // characters of a title
	MaxShortTitleLen = 40  // a short title fits one line of /tasks on a phone
	MaxDescLen       = 2000
)

// Error is one problem in a plan file, "file:line: message".
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

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
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return Plan{}, fmt.Errorf("read plan file %s: %w", name, err)
	}
	p := &planParser{file: name}
	switch {
	case len(data) > MaxFileSize:
		p.errorf(1, "the file is larger than %d bytes", MaxFileSize)
	case !utf8.Valid(data):
		p.errorf(1, "the file is not valid UTF-8")
	}
	if len(p.errs) > 0 {
		return Plan{}, p.err()
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		p.errorf(line, "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return Plan{}, p.err()
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		p.errorf(1, "the file is empty: it needs agreement: and tasks:")
		return Plan{}, p.err()
	}
	plan := p.document(doc.Content[0])
	if len(p.errs) > 0 {
		return Plan{}, p.err()
	}
	return plan, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

type planParser struct {
	file string
	errs []*Error
}

func (p *planParser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *planParser) err() error {
	slices.SortStableFunc(p.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// fields calls f for each key of a mapping, refusing duplicate keys and
// aliases, which the YAML library would let through silently.
func (p *planParser) fields(m *yaml.Node, what string, f func(key, value *yaml.Node)) {
	if m.Kind != yaml.MappingNode {
		p.errorf(m.Line, "%s must be a mapping of keys", what)
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, value := m.Content[i], m.Content[i+1]
		if first, dup := seen[key.Value]; dup {
			p.errorf(key.Line, "key %q given twice in %s (first at line %d)", key.Value, what, first)
			continue
		}
		seen[key.Value] = key.Line
		if value.Kind == yaml.AliasNode || value.Anchor != "" || key.Value == "<<" {
			p.errorf(key.Line, "anchors, aliases and merge keys are not supported: write it out")
			continue
		}
		f(key, value)
	}
}

func (p *planParser) document(root *yaml.Node) Plan {
	var plan Plan
	var agreement, tasks *yaml.Node
	p.fields(root, "the file", func(key, value *yaml.Node) {
		switch key.Value {
		case "agreement":
			agreement = value
			plan.Line = key.Line
		case "tasks":
			tasks = value
		default:
			p.errorf(key.Line, "unknown key %q at the top: only agreement: and tasks: are known", key.Value)
		}
	})
	if agreement == nil || tasks == nil {
		p.errorf(root.Line, "the file needs both agreement: and tasks:")
		return plan
	}
	p.agreement(agreement, &plan)
	if tasks.Kind != yaml.SequenceNode || len(tasks.Content) == 0 {
		p.errorf(tasks.Line, "tasks: must be a non-empty list of tasks")
		return plan
	}
	keys := map[string]int{}
	for _, item := range tasks.Content {
		t, ok := p.task(item, plan.Agreement)
		if !ok {
			continue
		}
		if first, dup := keys[t.Key]; dup {
			p.errorf(t.Line, "duplicate task key %q: already used at line %d", t.Key, first)
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
	p.fields(m, "agreement:", func(key, value *yaml.Node) {
		switch key.Value {
		case "code":
			a.Code = p.text(key, value)
			if a.Code != "" && !storage.ValidUnitCode(a.Code) {
				p.errorf(value.Line, "code %q: use 1 to 40 characters of a-z, 0-9 and -, not starting with -", a.Code)
			}
		case "title":
			a.Title = p.prose(key, value, MaxTitleLen)
		case "signed":
			a.SignedOn = p.date(key, value)
		case "from":
			a.StartsOn, seenFrom = p.date(key, value), true
		case "until":
			a.EndsOn, seenUntil = p.date(key, value), true
		case "signers":
			plan.Signers = p.unitList(key, value)
		default:
			p.errorf(key.Line, "unknown key %q in agreement: (known: code, title, signed, from, until, signers)", key.Value)
		}
	})
	for _, req := range []struct {
		ok  bool
		key string
	}{{a.Code != "", "code"}, {a.Title != "", "title"}, {!a.SignedOn.IsZero(), "signed"}, {seenFrom, "from"}, {seenUntil, "until"}} {
		if !req.ok && !p.reported(m) {
			p.errorf(m.Line, "agreement: has no valid %s:", req.key)
		}
	}
	if !a.StartsOn.IsZero() && !a.EndsOn.IsZero() && a.EndsOn.Before(a.StartsOn) {
		p.errorf(m.Line, "agreement: until: is before from:")
	}
}

// reported reports whether an error was already given inside the node m,
// so that a bad value is not reported a second time as missing.
func (p *planParser) reported(m *yaml.Node) bool {
	last := m.Line
	if n := len(m.Content); n > 0 {
		last = m.Content[n-1].Line
	}
	for _, e := range p.errs {
		if e.Line >= m.Line && e.Line <= last {
			return true
		}
	}
	return false
}

var taskKey = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,59}$`)

// task reads one task; ok is false when it has errors (reported).
func (p *planParser) task(m *yaml.Node, a storage.AgreementSpec) (PlanTask, bool) {
	before := len(p.errs)
	t := PlanTask{TaskSpec: storage.TaskSpec{Line: m.Line, StartsOn: a.StartsOn, EndsOn: a.EndsOn}}
	if m.Kind != yaml.MappingNode {
		p.errorf(m.Line, "expected a task (key:, title:, lead:, …)")
		return t, false
	}
	var every string
	var everyLine, dayLine, onLine int
	var day int
	var on [2]int
	var due time.Time
	var dates []time.Time
	var hasDue, hasDates bool
	p.fields(m, "a task", func(key, value *yaml.Node) {
		switch key.Value {
		case "key":
			t.Key = p.text(key, value)
			if t.Key != "" && !taskKey.MatchString(t.Key) {
				p.errorf(value.Line, "key %q: use 1 to 60 characters of a-z, 0-9 and -", t.Key)
			}
		case "title":
			t.Title = p.prose(key, value, MaxTitleLen)
		case "short":
			t.ShortTitle = p.prose(key, value, MaxShortTitleLen)
		case "description":
			t.Description = p.prose(key, value, MaxDescLen)
		case "lead":
			code := p.text(key, value)
			t.Lead = UnitRef{Code: code, Line: value.Line}
			if code != "" && !storage.ValidUnitCode(code) {
				p.errorf(value.Line, "lead: %q is not a unit code", code)
			}
		case "support":
			t.Support = p.unitList(key, value)
		case "due":
			due, hasDue = p.date(key, value), true
		case "dates":
			hasDates = true
			if value.Kind != yaml.SequenceNode || len(value.Content) == 0 {
				p.errorf(value.Line, "dates: must be a non-empty list of dates dd/mm/yyyy")
				return
			}
			for _, v := range value.Content {
				if d := p.date(key, v); !d.IsZero() {
					dates = append(dates, d)
				}
			}
		case "every":
			every, everyLine = p.text(key, value), key.Line
		case "day":
			dayLine = key.Line
			n, err := strconv.Atoi(p.text(key, value))
			if err != nil || n < 1 || n > 31 {
				p.errorf(value.Line, "day: must be a day of the month from 1 to 31 (31 means the month's last day)")
				return
			}
			day = n
		case "on":
			onLine = key.Line
			v := p.text(key, value)
			dd, mm, ok := strings.Cut(v, "/")
			d, err1 := strconv.Atoi(dd)
			mo, err2 := strconv.Atoi(mm)
			if !ok || err1 != nil || err2 != nil || !validMonthDay(time.Month(mo), d) {
				p.errorf(value.Line, "on: %q is not a day of the year dd/mm, such as 22/12", v)
				return
			}
			on = [2]int{d, mo}
		case "from":
			t.StartsOn = p.date(key, value)
		case "until":
			t.EndsOn = p.date(key, value)
		default:
			p.errorf(key.Line, "unknown key %q in a task (known: key, title, short, description, lead, support, due, every, day, on, dates, from, until)", key.Value)
		}
	})
	for _, req := range []struct {
		ok  bool
		key string
	}{{t.Key != "", "key"}, {t.Title != "", "title"}, {t.Lead.Code != "", "lead"}} {
		if !req.ok && len(p.errs) == before {
			p.errorf(m.Line, "the task has no %s:", req.key)
		}
	}
	if t.ShortTitle == "" && t.Title != "" {
		if utf8.RuneCountInString(t.Title) > MaxShortTitleLen {
			if len(p.errs) == before {
				p.errorf(m.Line, "the title is longer than %d characters: give a short: title for lists", MaxShortTitleLen)
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
		p.errorf(m.Line, "give exactly one of due: (once), every: (month, quarter, year) or dates: (a list)")
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
				p.errorf(everyLine, "every: %s needs day: (1–31)", every)
			}
			if onLine != 0 {
				p.errorf(onLine, "on: goes with every: year; use day: with every: %s", every)
			}
		case "year":
			rec = Recurrence{Freq: Yearly, Day: on[0], Month: time.Month(on[1])}
			if on[0] == 0 && onLine == 0 {
				p.errorf(everyLine, "every: year needs on: dd/mm")
			}
			if dayLine != 0 {
				p.errorf(dayLine, "day: goes with every: month or quarter; use on: dd/mm with every: year")
			}
		default:
			p.errorf(everyLine, "every: %q: use month, quarter or year", every)
		}
	}
	if !t.StartsOn.IsZero() && !t.EndsOn.IsZero() && t.EndsOn.Before(t.StartsOn) {
		p.errorf(m.Line, "until: is before from:")
	}
	if len(p.errs) > before {
		return t, false
	}
	if len(rec.Between(t.StartsOn, t.EndsOn)) == 0 {
		p.errorf(m.Line, "the task never falls due between %s and %s", t.StartsOn.Format("02/01/2006"), t.EndsOn.Format("02/01/2006"))
		return t, false
	}
	t.Recurrence = rec.String()
	return t, true
}

// text returns a scalar's trimmed value, refusing empty values and lists.
func (p *planParser) text(key, value *yaml.Node) string {
	if value.Kind != yaml.ScalarNode {
		p.errorf(value.Line, "%s: must be text", key.Value)
		return ""
	}
	v := strings.TrimSpace(value.Value)
	if value.Tag == "!!null" || v == "" {
		p.errorf(key.Line, "%s: is empty", key.Value)
		return ""
	}
	return v
}

// prose is text people read: NFC, without control or invisible characters
// (line breaks are allowed in descriptions only), at most max characters.
func (p *planParser) prose(key, value *yaml.Node, max int) string {
	v := p.text(key, value)
	if v == "" {
		return ""
	}
	v = norm.NFC.String(v)
	for _, r := range v {
		if r == '\n' && key.Value == "description" {
			continue
		}
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			p.errorf(value.Line, "%s: contains the invisible or control character %U", key.Value, r)
			return ""
		}
	}
	if n := utf8.RuneCountInString(v); n > max {
		p.errorf(value.Line, "%s: is %d characters long, at most %d are allowed", key.Value, n, max)
		return ""
	}
	return v
}

// date reads dd/mm/yyyy (as dates are written in Vietnam) or yyyy-mm-dd.
func (p *planParser) date(key, value *yaml.Node) time.Time {
	v := p.text(key, value)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	p.errorf(value.Line, "%s: %q is not a date: write dd/mm/yyyy, such as 18/11/2021", key.Value, v)
	return time.Time{}
}

func (p *planParser) unitList(key, value *yaml.Node) []UnitRef {
	if value.Kind != yaml.SequenceNode {
		p.errorf(value.Line, "%s: must be a list of unit codes, such as [tuyengiao, chqs]", key.Value)
		return nil
	}
	var out []UnitRef
	for _, v := range value.Content {
		code := p.text(key, v)
		if code == "" {
			continue
		}
		if !storage.ValidUnitCode(code) {
			p.errorf(v.Line, "%s: %q is not a unit code", key.Value, code)
			continue
		}
		out = append(out, UnitRef{Code: code, Line: v.Line})
	}
	return out
}
