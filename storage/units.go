package storage

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Unit is a node of the tree bulletins are addressed to: the city, a
// department, a ward, a militia platoon.
type Unit struct {
	ID         int64     `db:"id"`
	Code       string    `db:"code"` // short, stable, typed by people: "tuyengiao", "dq-tra-co"
	Name       string    `db:"name"` // as people read it, in Vietnamese
	Kind       string    `db:"kind"` // free classification from the file: "ward", "militia", ...
	Visibility string    `db:"visibility"`
	ParentID   *int64    `db:"parent_id"` // nil for a root
	Position   int       `db:"position"`  // order in the file, for display
	NameFolded string    `db:"name_folded"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`
}

// Visibilities of a unit and roles inside one.
const (
	Public     = "public"     // anyone may follow the unit
	Restricted = "restricted" // only members may follow it; others ask to join
	RoleMember = "member"     // receives what is sent to the unit
	// RoleOfficer acts for the unit and every unit below it: invites,
	// approves join requests, broadcasts.
	RoleOfficer = "officer"
)

// unitCode is the form of Unit.Code, the same as the CHECK in the schema.
var unitCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidUnitCode reports whether code has the form of a unit code: 1 to 40
// characters of a-z, 0-9 and '-', not starting with '-'.
func ValidUnitCode(code string) bool { return unitCode.MatchString(code) }

const unitColumns = `id, code, name, kind, visibility, parent_id, position, name_folded, created_at, updated_at`

// Units returns every unit in display order (the order of the file).
func (db *DB) Units(ctx context.Context) ([]Unit, error) {
	var out []Unit
	if err := db.x.SelectContext(ctx, &out, `SELECT `+unitColumns+` FROM units ORDER BY position, id`); err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	return out, nil
}

// Unit returns the unit with the given id, or ErrNotFound.
func (db *DB) Unit(ctx context.Context, id int64) (Unit, error) {
	var u Unit
	if err := db.x.GetContext(ctx, &u, `SELECT `+unitColumns+` FROM units WHERE id = $1`, id); err != nil {
		return Unit{}, fmt.Errorf("load unit %d: %w", id, notFound(err))
	}
	return u, nil
}

// UnitByCode returns the unit with the given code, or ErrNotFound. Codes are
// lower case; the code is looked up as given.
func (db *DB) UnitByCode(ctx context.Context, code string) (Unit, error) {
	var u Unit
	if err := db.x.GetContext(ctx, &u, `SELECT `+unitColumns+` FROM units WHERE code = $1`, code); err != nil {
		return Unit{}, fmt.Errorf("load unit %q: %w", code, notFound(err))
	}
	return u, nil
}

// UnitSpec is a unit as the units file describes it.
type UnitSpec struct {
	Code, Name, Kind, Visibility string
	ParentCode                   string // "" for a root
	Line                         int    // where the unit starts in the file, for messages
}

// UnitsReport says what ApplyUnits did, by unit code, in the order of the
// specs (Missing in display order).
type UnitsReport struct {
	Added, Updated, Unchanged []string
	// Missing lists units in the database that the file no longer has.
	// They are kept with their members, subscriptions and history: removing
	// a unit is a decision, not the side effect of a shorter file.
	Missing []string
}

// ApplyUnits makes the units table say what specs say, in one transaction:
// units are matched by code, new ones inserted, changed ones updated, with
// one audit row by actorID per added or updated unit. Applying the same
// specs twice changes nothing the second time (everything is Unchanged).
//
// specs come validated (units.Parse) and ordered parents before children;
// their order is the display order (Position). A unit only moved in the
// file gets its new position without counting as Updated: deleting one line
// would otherwise "update" every unit below it. Two imports at the same time
// run one after the other.
func (db *DB) ApplyUnits(ctx context.Context, specs []UnitSpec, actorID int64) (UnitsReport, error) {
	if len(specs) == 0 {
		return UnitsReport{}, fmt.Errorf("apply units: no units given")
	}
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return UnitsReport{}, fmt.Errorf("apply units: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	// Blocks other writers of units (another import), not readers, nor the
	// foreign key checks of memberships and subscriptions.
	if _, err := tx.ExecContext(ctx, `LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return UnitsReport{}, fmt.Errorf("apply units: %w", err)
	}
	var existing []Unit
	if err := tx.SelectContext(ctx, &existing, `SELECT `+unitColumns+` FROM units ORDER BY position, id`); err != nil {
		return UnitsReport{}, fmt.Errorf("apply units: %w", err)
	}
	byCode := make(map[string]Unit, len(existing))
	codeOf := make(map[int64]string, len(existing))
	for _, u := range existing {
		byCode[u.Code] = u
		codeOf[u.ID] = u.Code
	}

	var rep UnitsReport
	ids := make(map[string]int64, len(specs)) // units of the file applied so far
	for i, s := range specs {
		pos := i + 1
		fail := func(err error) (UnitsReport, error) {
			return UnitsReport{}, fmt.Errorf("apply units: unit %q (line %d): %w", s.Code, s.Line, err)
		}
		if _, dup := ids[s.Code]; dup {
			return fail(fmt.Errorf("listed twice"))
		}
		var parentID *int64
		if s.ParentCode != "" {
			id, ok := ids[s.ParentCode]
			if !ok {
				return fail(fmt.Errorf("parent %q is not listed before it", s.ParentCode))
			}
			parentID = &id
		}
		folded := FoldName(s.Name)
		old, known := byCode[s.Code]
		if !known {
			var id int64
			err := tx.GetContext(ctx, &id, `
				INSERT INTO units (code, name, kind, visibility, parent_id, position, name_folded)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				s.Code, s.Name, s.Kind, s.Visibility, parentID, pos, folded)
			if err != nil {
				return fail(err)
			}
			ids[s.Code] = id
			rep.Added = append(rep.Added, s.Code)
			detail := fmt.Sprintf("%s %q, %s", s.Kind, s.Name, s.Visibility)
			if s.ParentCode != "" {
				detail += ", under " + s.ParentCode
			}
			if err := writeAudit(ctx, tx, audit{actor: actorID, action: AuditUnitAdd, unit: id, detail: detail}); err != nil {
				return fail(err)
			}
			continue
		}
		ids[s.Code] = old.ID

		var changes []string
		if old.Name != s.Name {
			changes = append(changes, fmt.Sprintf("name %q → %q", old.Name, s.Name))
		}
		if old.Kind != s.Kind {
			changes = append(changes, fmt.Sprintf("kind %s → %s", old.Kind, s.Kind))
		}
		if old.Visibility != s.Visibility {
			changes = append(changes, fmt.Sprintf("visibility %s → %s", old.Visibility, s.Visibility))
		}
		if oldParent := parentCode(old.ParentID, codeOf); oldParent != s.ParentCode {
			changes = append(changes, fmt.Sprintf("parent %s → %s", orNone(oldParent), orNone(s.ParentCode)))
		}
		switch {
		case len(changes) > 0:
			_, err = tx.ExecContext(ctx, `
				UPDATE units SET name = $2, kind = $3, visibility = $4, parent_id = $5, position = $6,
					name_folded = $7, updated_at = now()
				WHERE id = $1`, old.ID, s.Name, s.Kind, s.Visibility, parentID, pos, folded)
			if err != nil {
				return fail(err)
			}
			rep.Updated = append(rep.Updated, s.Code)
			err = writeAudit(ctx, tx, audit{actor: actorID, action: AuditUnitUpdate, unit: old.ID, detail: strings.Join(changes, "; ")})
		case old.Position != pos || old.NameFolded != folded:
			// Display order, or the folding rules changed: derived
			// values, not an edit of the unit.
			_, err = tx.ExecContext(ctx, `UPDATE units SET position = $2, name_folded = $3 WHERE id = $1`, old.ID, pos, folded)
			rep.Unchanged = append(rep.Unchanged, s.Code)
		default:
			rep.Unchanged = append(rep.Unchanged, s.Code)
		}
		if err != nil {
			return fail(err)
		}
	}
	for _, u := range existing {
		if _, ok := ids[u.Code]; !ok {
			rep.Missing = append(rep.Missing, u.Code)
		}
	}
	if err := tx.Commit(); err != nil {
		return UnitsReport{}, fmt.Errorf("apply units: %w", err)
	}
	return rep, nil
}

func parentCode(id *int64, codeOf map[int64]string) string {
	if id == nil {
		return ""
	}
	return codeOf[*id]
}

func orNone(code string) string {
	if code == "" {
		return "(none)"
	}
	return code
}

// FoldName returns the search form of a unit name or of a query: canonical
// decomposition, combining marks (Vietnamese tones, the horn of ơ/ư, the
// breve and circumflex) and invisible format characters removed, đ/Đ → d,
// lower case, runs of white space collapsed to one space, trimmed. Thus
// "Trà Cổ", "TRÀ CỔ", "tra co" and the NFD spelling "Tra\u0300 Co\u0302\u0309"
// all fold to "tra co", which is what people type on a phone without a
// Vietnamese keyboard.
//
// It lives in storage because it defines the name_folded column, which
// ApplyUnits computes itself rather than trusting a caller; units.Fold is
// this function.
func FoldName(s string) string {
	t := transform.Chain(
		norm.NFD,
		// Nonspacing marks carry the diacritics; format characters
		// (zero-width spaces and joiners, direction marks, BOM) are
		// invisible and would make equal-looking words differ.
		runes.Remove(runes.Predicate(func(r rune) bool {
			return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r)
		})),
		runes.Map(func(r rune) rune {
			if r == 'đ' || r == 'Đ' { // a letter of its own, not d plus a mark
				return 'd'
			}
			return unicode.ToLower(r)
		}),
		norm.NFC,
	)
	out, _, err := transform.String(t, s)
	if err != nil {
		// Only a transformer bug could get here; folding is for search, so
		// fall back to the plain lower case rather than fail.
		out = strings.ToLower(s)
	}
	return strings.Join(strings.Fields(out), " ")
}
