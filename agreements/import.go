package agreements

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/loabot/loa/storage"
)

// Import reads the plan file at path and applies it to db in one
// transaction: either the whole file is valid and its units exist, and it is
// applied, or nothing changes and every problem is reported with its line.
// Running it again with the same file changes nothing; tasks are matched by
// key, so their ids (what people type: /task 12) stay the same.
func Import(ctx context.Context, db *storage.DB, path string) (storage.PlanReport, error) {
	plan, err := ParseFile(path)
	if err != nil {
		return storage.PlanReport{}, err
	}
	all, err := db.Units(ctx)
	if err != nil {
		return storage.PlanReport{}, err
	}
	if err := resolve(&plan, path, all); err != nil {
		return storage.PlanReport{}, err
	}
	specs := make([]storage.TaskSpec, len(plan.Tasks))
	for i, t := range plan.Tasks {
		specs[i] = t.TaskSpec
	}
	rep, err := db.ApplyPlan(ctx, plan.Agreement, specs)
	if err != nil {
		return storage.PlanReport{}, fmt.Errorf("import %s: %w", path, err)
	}
	return rep, nil
}

// resolve turns the plan's unit codes into ids, reporting every unknown or
// repeated unit with its line.
func resolve(plan *Plan, file string, all []storage.Unit) error {
	ids := make(map[string]int64, len(all))
	for _, u := range all {
		ids[u.Code] = u.ID
	}
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	lookup := func(what string, r UnitRef) (int64, bool) {
		id, ok := ids[r.Code]
		if !ok {
			fail(r.Line, "%s: unknown unit %q (import the units first: loa import units)", what, r.Code)
		}
		return id, ok
	}
	plan.Agreement.SignerIDs = nil
	for _, r := range plan.Signers {
		if id, ok := lookup("signers", r); ok {
			plan.Agreement.SignerIDs = append(plan.Agreement.SignerIDs, id)
		}
	}
	if len(plan.Signers) == 0 {
		fail(plan.Line, "agreement: has no signers:")
	}
	for i := range plan.Tasks {
		t := &plan.Tasks[i]
		lead, _ := lookup("lead", t.Lead)
		t.LeadUnitID = lead
		seen := map[int64]bool{lead: true}
		t.SupportIDs = nil
		for _, r := range t.Support {
			id, ok := lookup("support", r)
			if !ok {
				continue
			}
			if seen[id] {
				fail(r.Line, "support: %q is listed twice or is the lead unit", r.Code)
				continue
			}
			seen[id] = true
			t.SupportIDs = append(t.SupportIDs, id)
		}
	}
	return errors.Join(errs...)
}

// Summary renders rep for the operator who ran the import.
func Summary(rep storage.PlanReport) string {
	var b strings.Builder
	switch {
	case rep.AgreementAdded:
		b.WriteString("agreement added; ")
	case rep.AgreementUpdated:
		b.WriteString("agreement updated; ")
	}
	fmt.Fprintf(&b, "tasks: %d added, %d updated, %d unchanged", len(rep.Added), len(rep.Updated), len(rep.Unchanged))
	if len(rep.Missing) > 0 {
		fmt.Fprintf(&b, "\nnot in the file any more, kept: %s", strings.Join(rep.Missing, ", "))
	}
	return b.String()
}
