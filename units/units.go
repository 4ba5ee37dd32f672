// Package units knows the tree of units bulletins are addressed to: it reads
// the units file (Parse, ParseFile), loads it into the database (Import),
// and answers questions about the tree (Tree: what is below what, which
// unit a person means when they type "tra co").
//
// The units file is YAML; examples/mongcai/units.yaml documents the format
// at its top.
package units

import (
	"context"
	"fmt"
	"strings"

	"github.com/loabot/loa/storage"
)

// Fold returns the search form of a name or a query: lower case, without
// diacritics (đ → d), NFC/NFD-insensitive, invisible format characters
// removed, runs of spaces collapsed, trimmed. "Trà Cổ", "TRÀ CỔ", "tra co"
// and the NFD spelling "Tra\u0300 Cô\u0309" all give "tra co".
//
// It is storage.FoldName, which defines the units.name_folded column, so a
// query folded here always compares equal to a name folded there.
func Fold(s string) string { return storage.FoldName(s) }

// Import reads the units file at path and applies it to db as actorID
// (storage.SystemActor from the command line), in one transaction: either
// the whole file is valid and applied, or nothing changes. Units in the
// database that the file no longer lists are kept and reported as Missing.
func Import(ctx context.Context, db *storage.DB, path string, actorID int64) (storage.UnitsReport, error) {
	specs, err := ParseFile(path)
	if err != nil {
		return storage.UnitsReport{}, err
	}
	rep, err := db.ApplyUnits(ctx, specs, actorID)
	if err != nil {
		return storage.UnitsReport{}, fmt.Errorf("import %s: %w", path, err)
	}
	return rep, nil
}

// Summary renders rep for the operator who ran the import, in one line per
// kind of change, missing units by code so they can be dealt with.
func Summary(rep storage.UnitsReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d added, %d updated, %d unchanged", len(rep.Added), len(rep.Updated), len(rep.Unchanged))
	list := func(label string, codes []string) {
		if len(codes) > 0 {
			fmt.Fprintf(&b, "\n%s: %s", label, strings.Join(codes, ", "))
		}
	}
	list("added", rep.Added)
	list("updated", rep.Updated)
	list("not in the file any more, kept", rep.Missing)
	return b.String()
}
