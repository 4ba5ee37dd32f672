package units

import (
	"cmp"
	"slices"
	"strings"

	"github.com/loabot/loa/storage"
)

// Tree is the units as a tree, for the questions asked on every command:
// what is below a unit, is one under another, which unit does a query mean.
// Build it with NewTree from storage's Units; it is read-only afterwards and
// so safe for concurrent use.
type Tree struct {
	units    []storage.Unit // display order: position, then id
	index    map[int64]int  // id → position in units
	byCode   map[string]int
	children map[int64][]int64 // in display order
	roots    []int64
}

// NewTree builds the tree of units. A unit whose parent is not among units
// counts as a root, so a partial list still gives a usable tree. Units
// without NameFolded (made by hand in tests) get it from Fold.
func NewTree(units []storage.Unit) *Tree {
	t := &Tree{
		units:    slices.Clone(units),
		index:    make(map[int64]int, len(units)),
		byCode:   make(map[string]int, len(units)),
		children: make(map[int64][]int64),
	}
	slices.SortStableFunc(t.units, func(a, b storage.Unit) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	for i := range t.units {
		u := &t.units[i]
		if u.NameFolded == "" {
			u.NameFolded = Fold(u.Name)
		}
		t.index[u.ID] = i
		t.byCode[u.Code] = i
	}
	for _, u := range t.units {
		if u.ParentID != nil {
			if _, ok := t.index[*u.ParentID]; ok && *u.ParentID != u.ID {
				t.children[*u.ParentID] = append(t.children[*u.ParentID], u.ID)
				continue
			}
		}
		t.roots = append(t.roots, u.ID)
	}
	return t
}

// Len returns the number of units.
func (t *Tree) Len() int { return len(t.units) }

// Units returns every unit in display order.
func (t *Tree) Units() []storage.Unit { return slices.Clone(t.units) }

// Get returns the unit with the given id.
func (t *Tree) Get(id int64) (storage.Unit, bool) {
	i, ok := t.index[id]
	if !ok {
		return storage.Unit{}, false
	}
	return t.units[i], true
}

// ByCode returns the unit with the given code, ignoring case and
// surrounding spaces as people type them.
func (t *Tree) ByCode(code string) (storage.Unit, bool) {
	i, ok := t.byCode[strings.ToLower(strings.TrimSpace(code))]
	if !ok {
		return storage.Unit{}, false
	}
	return t.units[i], true
}

// Roots returns the units without a parent, in display order.
func (t *Tree) Roots() []storage.Unit { return t.list(t.roots) }

// Children returns the units right below id, in display order.
func (t *Tree) Children(id int64) []storage.Unit { return t.list(t.children[id]) }

func (t *Tree) list(ids []int64) []storage.Unit {
	out := make([]storage.Unit, 0, len(ids))
	for _, id := range ids {
		out = append(out, t.units[t.index[id]])
	}
	return out
}

// Descendants returns id and every unit below it, in display order (id
// first); nil for an unknown id. It is the set a bulletin to id reaches.
func (t *Tree) Descendants(id int64) []int64 {
	if _, ok := t.index[id]; !ok {
		return nil
	}
	var out []int64
	seen := make(map[int64]bool)
	var walk func(int64)
	walk = func(id int64) {
		if seen[id] { // a cycle hand-edited into the database
			return
		}
		seen[id] = true
		out = append(out, id)
		for _, c := range t.children[id] {
			walk(c)
		}
	}
	walk(id)
	return out
}

// IsUnder reports whether unit is ancestor or lies below it: an officer of
// ancestor acts for unit.
func (t *Tree) IsUnder(unit, ancestor int64) bool {
	if _, ok := t.index[unit]; !ok {
		return false
	}
	for range len(t.units) + 1 { // bounded: a cycle cannot loop forever
		if unit == ancestor {
			return true
		}
		p, ok := t.parent(unit)
		if !ok {
			return false
		}
		unit = p
	}
	return false
}

// parent returns the parent of id as the tree knows it.
func (t *Tree) parent(id int64) (int64, bool) {
	i, ok := t.index[id]
	if !ok {
		return 0, false
	}
	p := t.units[i].ParentID
	if p == nil {
		return 0, false
	}
	if _, ok := t.index[*p]; !ok || *p == id {
		return 0, false
	}
	return *p, true
}

// Path returns the units from a root down to id, id last; nil for an
// unknown id. It names a unit unambiguously: "Phường Trà Cổ › Dân quân".
func (t *Tree) Path(id int64) []storage.Unit {
	if _, ok := t.index[id]; !ok {
		return nil
	}
	var up []storage.Unit
	seen := make(map[int64]bool)
	for !seen[id] {
		seen[id] = true
		up = append(up, t.units[t.index[id]])
		p, ok := t.parent(id)
		if !ok {
			break
		}
		id = p
	}
	slices.Reverse(up)
	return up
}

// Depth returns how far below a root id lies (0 for a root), -1 for an
// unknown id.
func (t *Tree) Depth(id int64) int { return len(t.Path(id)) - 1 }

// Walk calls f for every unit reachable from a root, parents before their
// children, siblings in display order, with the unit's depth (0 for roots):
// the order of a unit list on screen.
func (t *Tree) Walk(f func(u storage.Unit, depth int)) {
	seen := make(map[int64]bool)
	var walk func(id int64, depth int)
	walk = func(id int64, depth int) {
		if seen[id] {
			return
		}
		seen[id] = true
		f(t.units[t.index[id]], depth)
		for _, c := range t.children[id] {
			walk(c, depth+1)
		}
	}
	for _, r := range t.roots {
		walk(r, 0)
	}
}

// ActsFor reports whether memberships (one user's) make them an officer of
// unit or of a unit above it: an officer acts for their unit and every unit
// below it. The bot-wide admin role is the caller's to check.
func (t *Tree) ActsFor(memberships []storage.Membership, unit int64) bool {
	for _, m := range memberships {
		if m.Role == storage.RoleOfficer && t.IsUnder(unit, m.UnitID) {
			return true
		}
	}
	return false
}

// Match finds the units a person means by query, in display order:
//
//  1. a unit whose code equals query, ignoring case, alone;
//  2. else the units whose folded name equals the folded query;
//  3. else the units whose folded name contains every word of the folded
//     query, so "tra co" finds both "Phường Trà Cổ" and "Dân quân phường
//     Trà Cổ" and the caller offers a choice.
//
// An empty query matches nothing.
func (t *Tree) Match(query string) []storage.Unit {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil
	}
	for _, u := range t.units {
		if strings.EqualFold(u.Code, q) {
			return []storage.Unit{u}
		}
	}
	fq := Fold(q)
	if fq == "" {
		return nil
	}
	var exact, all []storage.Unit
	words := strings.Fields(fq)
	for _, u := range t.units {
		if u.NameFolded == fq {
			exact = append(exact, u)
		}
		if containsAll(u.NameFolded, words) {
			all = append(all, u)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return all
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
