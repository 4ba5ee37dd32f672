package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/config"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/reports"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

const exportUsage = `Usage:
  loa export reports --from DD/MM/YYYY --to DD/MM/YYYY [--unit CODE] FILE.xlsx
  loa export tasks   --from DD/MM/YYYY --to DD/MM/YYYY [--unit CODE] FILE.xlsx

reports: the reports from the field sent in the period (both days included),
one sheet per kind; tasks: the tasks' occurrences due in the period. With
--unit, only that unit and the units below it.
`

// runExport is "loa export reports|tasks …": a spreadsheet for the
// periodic reviews the coordination program holds, in the language of
// LOA_LANG, dates dd/mm/yyyy.
func runExport(ctx context.Context, envFile string, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loa export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exportUsage, "\nFlags:\n"); fs.PrintDefaults() }
	from := fs.String("from", "", "first `day` of the period, dd/mm/yyyy")
	to := fs.String("to", "", "last `day` of the period, dd/mm/yyyy")
	unit := fs.String("unit", "", "only this unit `code` and the units below it")
	if len(args) == 0 || (args[0] != "reports" && args[0] != "tasks") {
		fs.Usage()
		return 2
	}
	what := args[0]
	// Flags may come before or after the file name.
	var rest []string
	for a := args[1:]; ; {
		if err := fs.Parse(a); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		a = fs.Args()[1:]
	}
	if len(rest) != 1 || !strings.HasSuffix(strings.ToLower(rest[0]), ".xlsx") || *from == "" || *to == "" {
		fmt.Fprintln(stderr, "loa export: need --from, --to and one FILE.xlsx")
		fs.Usage()
		return 2
	}
	if err := config.LoadDotEnv(envFile); err != nil {
		fmt.Fprintln(stderr, "loa:", err)
		return 2
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "loa: invalid configuration:")
		fmt.Fprintln(stderr, err)
		return 2
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	first, err1 := parseDay(*from, loc)
	last, err2 := parseDay(*to, loc)
	if err := errors.Join(err1, err2); err != nil || last.Before(first) {
		fmt.Fprintf(stderr, "loa export: the period %s – %s is not two days in order (dd/mm/yyyy)\n", *from, *to)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	db, closeDB, code := openMigrated(ctx, cfg, log, stderr)
	if db == nil {
		return code
	}
	defer closeDB()
	x := exporter{db: db, lang: messages.Lang(cfg.Lang), loc: loc, from: first, to: last.AddDate(0, 0, 1)}
	if x.lang == "" {
		x.lang = messages.Vietnamese
	}
	var n int
	if what == "reports" {
		n, err = x.reports(ctx, *unit, rest[0])
	} else {
		n, err = x.tasks(ctx, *unit, rest[0])
	}
	if err != nil {
		fmt.Fprintf(stderr, "loa export %s: %v\n", what, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d rows\n", rest[0], n)
	return 0
}

// parseDay reads a day as people write it here (18/11/2021), or in ISO
// form (2021-11-18), at midnight in loc.
func parseDay(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a day: %q", s)
}

type exporter struct {
	db       *storage.DB
	lang     messages.Lang
	loc      *time.Location
	from, to time.Time // [from, to)
}

func (x exporter) plain(k messages.Key, args ...any) string {
	return messages.Plain(x.lang, k, args...)
}

// scope returns the unit tree and the units --unit selects (nil: all).
func (x exporter) scope(ctx context.Context, code string) (*units.Tree, []int64, error) {
	all, err := x.db.Units(ctx)
	if err != nil {
		return nil, nil, err
	}
	tree := units.NewTree(all)
	if code == "" {
		return tree, nil, nil
	}
	u, ok := tree.ByCode(code)
	if !ok {
		return nil, nil, fmt.Errorf("no unit with the code %q", code)
	}
	return tree, append([]int64{u.ID}, tree.Descendants(u.ID)...), nil
}

// sheetName makes a title a valid sheet name: at most 31 characters,
// none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// writeSheet writes a header row and rows into a new sheet, columns sized
// for reading.
func writeSheet(f *excelize.File, name string, header []string, rows [][]any) error {
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	cells := append([][]any{toAny(header)}, rows...)
	for i, row := range cells {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(name, cell, &row); err != nil {
			return err
		}
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if err := f.SetColWidth(name, "A", last, 18); err != nil {
		return err
	}
	return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// save drops the workbook's default empty sheet and writes it.
func save(f *excelize.File, path string) error {
	if len(f.GetSheetList()) > 1 {
		if err := f.DeleteSheet("Sheet1"); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return f.SaveAs(path)
}

// reports writes one sheet per kind of the reports sent in the period.
// Dates are written as text dd/mm/yyyy, as the program's documents write
// them, so that no spreadsheet locale turns them into mm/dd.
func (x exporter) reports(ctx context.Context, code, path string) (int, error) {
	tree, scope, err := x.scope(ctx, code)
	if err != nil {
		return 0, err
	}
	list, err := x.db.Reports(ctx, storage.ReportFilter{UnitIDs: scope, From: x.from, To: x.to})
	if err != nil {
		return 0, err
	}
	slices.Reverse(list) // oldest first, as a register reads
	name := func(id int64) string { u, _ := tree.Get(id); return u.Name }
	header := []string{
		x.plain(messages.KeyExportNumber), x.plain(messages.KeyExportDate), x.plain(messages.KeyExportUnit),
		x.plain(messages.KeyExportState), x.plain(messages.KeyExportCount), x.plain(messages.KeyExportReporters),
		x.plain(messages.KeyExportText), x.plain(messages.KeyExportLink), x.plain(messages.KeyExportClosed),
	}
	f := excelize.NewFile()
	defer f.Close()
	n := 0
	for _, k := range reports.Kinds {
		var rows [][]any
		for _, r := range list {
			if reports.Kind(r.Kind) != k {
				continue
			}
			entries, err := x.db.ReportEntries(ctx, r.ID)
			if err != nil {
				return 0, err
			}
			history, err := x.db.ReportHistory(ctx, r.ID)
			if err != nil {
				return 0, err
			}
			var who, texts []string
			link := ""
			for _, e := range entries {
				who = append(who, strings.TrimSpace(e.FirstName+" "+e.LastName))
				if t := delivery.Excerpt(e.Text, 30000); t != "" {
					texts = append(texts, t)
				}
				if c, err := reports.ParseContent(e.Content); err == nil && link == "" {
					link = c.Link
				}
			}
			closed := ""
			for _, h := range history {
				if h.Action == string(reports.ActionHandled) {
					closed = messages.Date(h.At, x.loc)
				}
			}
			rows = append(rows, []any{
				r.ID, messages.Date(r.CreatedAt, x.loc), name(r.OriginUnitID),
				reports.StateName(x.lang, reports.State(r.State)), r.Reporters, strings.Join(who, ", "),
				strings.Join(texts, "\n"), link, closed,
			})
		}
		if err := writeSheet(f, sheetName(reports.KindName(x.lang, k)), header, rows); err != nil {
			return 0, err
		}
		n += len(rows)
	}
	return n, save(f, path)
}

// tasks writes the occurrences of the agreement's tasks due in the period,
// with their lead unit and status.
func (x exporter) tasks(ctx context.Context, code, path string) (int, error) {
	tree, scope, err := x.scope(ctx, code)
	if err != nil {
		return 0, err
	}
	tasks, err := x.db.Tasks(ctx)
	if err != nil {
		return 0, err
	}
	ids := make([]int64, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	statuses, err := x.db.OccurrenceStatuses(ctx, ids)
	if err != nil {
		return 0, err
	}
	today := storage.DateOf(time.Now().In(x.loc))
	board, err := agreements.NewBoard(tasks, statuses, today)
	if err != nil {
		return 0, err
	}
	statusKey := map[string]messages.Key{
		storage.TaskNotStarted: messages.KeyStatusNotStarted, storage.TaskInProgress: messages.KeyStatusInProgress,
		storage.TaskDone: messages.KeyStatusDone, agreements.Overdue: messages.KeyStatusOverdue,
	}
	header := []string{x.plain(messages.KeyExportNumber), x.plain(messages.KeyExportTask), x.plain(messages.KeyExportLead),
		x.plain(messages.KeyExportDue), x.plain(messages.KeyExportState)}
	var rows [][]any
	from, to := storage.DateOf(x.from), storage.DateOf(x.to)
	for _, t := range board.Tasks() {
		if scope != nil && !slices.ContainsFunc(scope, func(u int64) bool { return agreements.Involves(t, u) }) {
			continue
		}
		for _, o := range board.Occurrences(t) {
			if o.Due.Before(from) || !o.Due.Before(to) {
				continue
			}
			lead, _ := tree.Get(t.LeadUnitID)
			status := messages.Plain(x.lang, statusKey[o.Status])
			if o.Status == storage.TaskInProgress {
				status = messages.Plain(x.lang, statusKey[o.Status], o.Percent)
			}
			rows = append(rows, []any{t.ID, t.Title, lead.Name, o.Due.Format("02/01/2006"), status})
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeSheet(f, sheetName(x.plain(messages.KeyExportTask)), header, rows); err != nil {
		return 0, err
	}
	return len(rows), save(f, path)
}
