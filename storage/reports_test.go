package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// Ten people reporting the same link at the same moment make one case
// with ten reporters: the open case's row is the lock, not a read before
// the insert.
func TestFileReportSameLinkAtOnceIsOneCase(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if _, err := db.ApplyUnits(ctx, []storage.UnitSpec{{Code: "city", Name: "Thành phố", Kind: "city", Visibility: storage.Public, Line: 1}}, storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	unit, err := db.UnitByCode(ctx, "city")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2021, 11, 18, 9, 0, 0, 0, time.UTC)
	drafts := make([]int64, 10)
	for i := range drafts {
		if drafts[i], err = db.SaveReportDraft(ctx, storage.ReportDraft{UserID: int64(100 + i), ChatID: int64(100 + i),
			Text: "bài xấu", Kind: "false", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]int64, 10)
	var wg sync.WaitGroup
	for i := range drafts {
		wg.Go(func() {
			r, err := db.FileReport(ctx, storage.NewReport{DraftID: drafts[i], UserID: int64(100 + i), Kind: "false",
				OriginUnitID: unit.ID, UnitID: unit.ID, Link: "https://facebook.com/x/1", Text: "bài xấu", At: now})
			if err != nil {
				t.Error(err)
			}
			ids[i] = r.ID
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("ten reports of one link made cases %v", ids)
		}
	}
	r, err := db.Report(ctx, ids[0])
	if err != nil || r.Reporters != 10 || len(r.ReporterIDs) != 10 {
		t.Fatalf("the case: %+v %v", r, err)
	}
	h, _ := db.ReportHistory(ctx, ids[0])
	created := 0
	for _, e := range h {
		if e.Action == "created" {
			created++
		}
	}
	if len(h) != 10 || created != 1 {
		t.Fatalf("history: %+v", h)
	}
	// A draft is filed once.
	if _, err := db.FileReport(ctx, storage.NewReport{DraftID: drafts[0], UserID: 100, Kind: "false", OriginUnitID: unit.ID,
		UnitID: unit.ID, At: now}); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a draft filed twice: %v", err)
	}
	// Closed, the link reported again opens a new case.
	if err := db.ChangeReport(ctx, storage.ReportChange{ID: ids[0], ActorID: 1, Action: "handled", State: "handled", UnitID: unit.ID, At: now}, unit.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.ChangeReport(ctx, storage.ReportChange{ID: ids[0], ActorID: 2, Action: "handled", State: "handled", UnitID: unit.ID, At: now}, unit.ID); !errors.Is(err, storage.ErrReportClosed) {
		t.Fatalf("closed twice: %v", err)
	}
	d, _ := db.SaveReportDraft(ctx, storage.ReportDraft{UserID: 200, ChatID: 200, Kind: "false", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	again, err := db.FileReport(ctx, storage.NewReport{DraftID: d, UserID: 200, Kind: "false", OriginUnitID: unit.ID, UnitID: unit.ID,
		Link: "https://facebook.com/x/1", At: now})
	if err != nil || again.ID == ids[0] || !again.Created {
		t.Fatalf("after closing: %+v %v", again, err)
	}
}
