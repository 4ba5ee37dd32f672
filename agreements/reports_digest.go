package agreements

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/reports"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

// ReportDigestStore is what the reports section of the Monday digest needs
// from storage; *storage.DB satisfies it.
type ReportDigestStore interface {
	OfficerMemberships(ctx context.Context) ([]storage.Membership, error)
	Reports(ctx context.Context, f storage.ReportFilter) ([]storage.Report, error)
}

// ReportPublisher sends into chosen private chats; *delivery.Engine.
type ReportPublisher interface {
	EnqueueToChats(ctx context.Context, b delivery.Broadcast, chatIDs []int64) (int64, int, error)
}

// KindReportDigest marks the reports section of a Monday digest in Sent.
const KindReportDigest = "report-digest"

// reportDigests gives each officer, on the Monday of the week, the reports
// of their units (and the units below) of the week before: counts by kind
// and by unit, and every report still open after reports.StaleAfter.
//
// It goes to each officer's private chat, not with the task digest into
// the units' chats: what people report is for officers only. An officer
// with nothing to read gets nothing; a DedupKey per officer and week makes
// a repeated run (after a crash) send nothing twice.
func (s *Scheduler) reportDigests(ctx context.Context, tree *units.Tree, monday, day time.Time) ([]Sent, error) {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	to := time.Date(monday.Year(), monday.Month(), monday.Day(), 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -7)
	week, err := s.Reports.Reports(ctx, storage.ReportFilter{From: from, To: to})
	if err != nil {
		return nil, err
	}
	open, err := s.Reports.Reports(ctx, storage.ReportFilter{OpenOnly: true, To: s.Clock().Add(-reports.StaleAfter)})
	if err != nil {
		return nil, err
	}
	officers, err := s.Reports.OfficerMemberships(ctx)
	if err != nil {
		return nil, err
	}
	byUser := map[int64][]storage.Membership{}
	var users []int64
	for _, m := range officers {
		if _, ok := byUser[m.UserID]; !ok {
			users = append(users, m.UserID)
		}
		byUser[m.UserID] = append(byUser[m.UserID], m)
	}
	var sent []Sent
	var errs []error
	for _, u := range users {
		mine := func(r storage.Report) bool {
			return tree.ActsFor(byUser[u], r.UnitID) || tree.ActsFor(byUser[u], r.OriginUnitID)
		}
		text, ok := RenderReportDigest(s.Lang, tree, loc, from, to, filterReports(week, mine), filterReports(open, mine))
		if !ok {
			continue
		}
		key := fmt.Sprintf("report-digest:%d:%s", u, monday.Format("2006-01-02"))
		id, chats, err := s.ReportPublisher.EnqueueToChats(ctx, delivery.Broadcast{
			Kind: BroadcastKind, Lang: s.Lang, Text: text, NoPreview: true,
			Units: []int64{byUser[u][0].UnitID}, DedupKey: key,
		}, []int64{u})
		if err != nil {
			errs = append(errs, fmt.Errorf("enqueue %s: %w", key, err))
			continue
		}
		sent = append(sent, Sent{Kind: KindReportDigest, UnitID: byUser[u][0].UnitID, Day: day, BroadcastID: id, Chats: chats})
	}
	return sent, errors.Join(errs...)
}

func filterReports(list []storage.Report, keep func(storage.Report) bool) []storage.Report {
	var out []storage.Report
	for _, r := range list {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// RenderReportDigest writes the reports section of an officer's Monday
// digest: the week [from, to) counted by kind and by unit, then the
// reports open for more than reports.StaleAfter. ok is false when there is
// nothing to say.
func RenderReportDigest(lang messages.Lang, tree *units.Tree, loc *time.Location, from, to time.Time, week, stale []storage.Report) (string, bool) {
	if len(week) == 0 && len(stale) == 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteString(messages.T(lang, messages.KeyReportDigestTitle, messages.Date(from, loc), messages.Date(to.AddDate(0, 0, -1), loc)))
	if len(week) > 0 {
		b.WriteString("\n\n" + messages.T(lang, messages.KeyReportDigestByKind))
		for _, k := range reports.Kinds {
			n := 0
			for _, r := range week {
				if reports.Kind(r.Kind) == k {
					n++
				}
			}
			if n > 0 {
				b.WriteString("\n" + messages.T(lang, messages.KeyReportDigestCount, reports.KindName(lang, k), n))
			}
		}
		b.WriteString("\n\n" + messages.T(lang, messages.KeyReportDigestByUnit))
		count := map[int64]int{}
		var order []int64
		for _, r := range week {
			if count[r.OriginUnitID] == 0 {
				order = append(order, r.OriginUnitID)
			}
			count[r.OriginUnitID]++
		}
		slices.SortFunc(order, func(a, c int64) int {
			ua, _ := tree.Get(a)
			uc, _ := tree.Get(c)
			return ua.Position - uc.Position
		})
		for _, id := range order {
			u, _ := tree.Get(id)
			b.WriteString("\n" + messages.T(lang, messages.KeyReportDigestCount, u.Name, count[id]))
		}
	}
	if len(stale) > 0 {
		b.WriteString("\n\n" + messages.T(lang, messages.KeyReportDigestStale, int(reports.StaleAfter/(24*time.Hour))))
		for _, r := range stale {
			u, _ := tree.Get(r.UnitID)
			b.WriteString("\n" + messages.T(lang, messages.KeyReportListLine, r.ID, messages.Date(r.CreatedAt, loc), u.Name,
				reports.KindName(lang, reports.Kind(r.Kind)), messages.HTML(reports.StateName(lang, reports.State(r.State)))))
		}
	}
	return b.String(), true
}
