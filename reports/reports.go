// Package reports is the channel up the unit tree: members and officials
// tell their unit what people are saying, a false post spreading, a good
// example; the unit's officers take the report, escalate it to the unit
// above or close it, and the reporter is told each step.
//
// It holds the rules, free of Telegram and SQL: the kinds and states, what
// makes two reports one case (the same link, normalised), who may read a
// report, who may learn who sent it, who may act on it, and where an
// escalation goes. handlers asks these rules at every command and every
// button press; storage only records what they decided.
package reports

import (
	"slices"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

// Kind is what a report is about. The values are stored (reports.kind).
type Kind string

// The kinds of report, from the coordination program: follow public
// opinion, counter false and hostile views, commend exemplary people.
const (
	KindOpinion Kind = "opinion" // dư luận xã hội
	KindFalse   Kind = "false"   // false or hostile content; a link is expected
	KindModel   Kind = "model"   // an exemplary person or model
	KindBorder  Kind = "border"  // border and security situation
	KindOther   Kind = "other"
)

// Kinds lists the kinds in the order the buttons and the export show them.
var Kinds = []Kind{KindOpinion, KindFalse, KindModel, KindBorder, KindOther}

// Valid reports whether k is one of Kinds (a button's data is not trusted).
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// State is where a case stands. The values are stored (reports.state).
type State string

// The states of a case. Every state but Handled is open: it shows in the
// officers' list and in the weekly digest.
const (
	StateNew       State = "new"
	StateTaken     State = "taken"
	StateEscalated State = "escalated" // sent up; open at the unit above
	StateHandled   State = "handled"
)

// Open reports whether the case still waits for someone.
func (s State) Open() bool { return s != StateHandled }

// Action is one change in a case's history (report_history.action).
type Action string

// The actions of the history.
const (
	ActionCreated   Action = "created"
	ActionJoined    Action = "joined" // another person reported the same link
	ActionTaken     Action = "taken"
	ActionEscalated Action = "escalated"
	ActionHandled   Action = "handled"
)

// DraftTTL is how long an unfinished report waits for its kind and unit.
// A day: long enough for someone called away mid-report, short enough that
// a forgotten draft does not surface a week later.
const DraftTTL = 24 * time.Hour

// NoteTTL is how long Loa waits for an officer's note after "Chuyển lên"
// or "Đã xử lý"; after that their next message is an ordinary one again.
const NoteTTL = 30 * time.Minute

// StaleAfter is how long a case may stay open before the weekly digest
// lists it by name.
const StaleAfter = 3 * 24 * time.Hour

// MaxNoteLength is the longest note an officer may attach (characters).
const MaxNoteLength = 500

// Report is a case as the rules need it.
type Report struct {
	ID           int64
	Kind         Kind
	State        State
	OriginUnitID int64   // where it was sent
	UnitID       int64   // where it is now
	Travelled    []int64 // every unit it passed through, origin first
	Reporters    []int64 // the people who sent it
}

// Viewer is a person looking at reports: their Loa role and memberships,
// with the unit tree to tell what is above what.
type Viewer struct {
	UserID int64
	Admin  bool
	Tree   *units.Tree
	Mem    []storage.Membership
}

// officerOf reports whether v is an officer of exactly unit.
func (v Viewer) officerOf(unit int64) bool {
	for _, m := range v.Mem {
		if m.UnitID == unit && m.Role == storage.RoleOfficer {
			return true
		}
	}
	return false
}

// actsFor: an officer acts for their unit and every unit below it.
func (v Viewer) actsFor(unit int64) bool {
	return v.Admin || v.Tree.ActsFor(v.Mem, unit)
}

// MayRead reports whether v may read report r at all: an admin, one of its
// reporters, or an officer acting for a unit it passed through (the
// officers of that unit and of the units above it, who see what happens
// below them). Anyone else is told the report does not exist, so that a
// guessed number teaches nothing.
func (v Viewer) MayRead(r Report) bool {
	return v.Oversees(r) || slices.Contains(r.Reporters, v.UserID)
}

// Oversees reports whether v reads r as an officer: an admin, or an
// officer acting for a unit it passed through. A reporter who is not reads
// only their own message.
func (v Viewer) Oversees(r Report) bool {
	if v.Admin {
		return true
	}
	return slices.ContainsFunc(r.Travelled, v.actsFor)
}

// MaySeeReporters reports whether v may learn who sent r: admins, and the
// officers of exactly the units it travelled through. An officer higher up
// sees the case when it is below them, but not the names, until it is
// escalated to them: a reporter trusts their own unit first.
func (v Viewer) MaySeeReporters(r Report) bool {
	if v.Admin {
		return true
	}
	return slices.ContainsFunc(r.Travelled, v.officerOf)
}

// MayAct reports whether v may take, escalate or close r: admins, and the
// officers acting for the unit the case is at now. An officer of the unit
// it left is not: it is no longer theirs to close.
func (v Viewer) MayAct(r Report) bool {
	return v.actsFor(r.UnitID)
}

// Escalation returns where case at unit goes when escalated: the nearest
// unit above it with an officer (hasOfficer tells), and every unit passed
// on the way, so that a ward without officers does not swallow it. ok is
// false at the top of the tree or when nobody above could receive it.
func Escalation(tree *units.Tree, unit int64, hasOfficer func(unit int64) bool) (to int64, passed []int64, ok bool) {
	path := tree.Path(unit) // root … unit
	for i := len(path) - 2; i >= 0; i-- {
		passed = append(passed, path[i].ID)
		if hasOfficer(path[i].ID) {
			return path[i].ID, passed, true
		}
	}
	return 0, nil, false
}
