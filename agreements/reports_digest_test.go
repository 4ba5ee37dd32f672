package agreements_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/reports"
	"github.com/loabot/loa/storage"
)

// chatRecorder plays the engine's EnqueueToChats: what went to which chat,
// once per dedup key.
type chatRecorder struct {
	mu     sync.Mutex
	keys   map[string]bool
	byChat map[int64][]string
}

func (c *chatRecorder) EnqueueToChats(ctx context.Context, b delivery.Broadcast, chats []int64) (int64, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys[b.DedupKey] {
		return 1, 0, nil
	}
	c.keys[b.DedupKey] = true
	for _, id := range chats {
		c.byChat[id] = append(c.byChat[id], b.Text)
	}
	return 1, len(chats), nil
}

func fileReportAt(t *testing.T, db *storage.DB, user int64, code string, kind reports.Kind, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	if err := db.UpsertUser(ctx, storage.User{ID: user, FirstName: "Dân quân"}); err != nil {
		t.Fatal(err)
	}
	u, err := db.UnitByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.SaveReportDraft(ctx, storage.ReportDraft{UserID: user, ChatID: user, Text: "nội dung", Kind: string(kind), CreatedAt: at, ExpiresAt: at.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.FileReport(ctx, storage.NewReport{DraftID: d, UserID: user, Kind: string(kind), OriginUnitID: u.ID, UnitID: u.ID, Text: "nội dung", At: at})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestMondayDigestTellsOfficersTheirUnitsReports(t *testing.T) {
	db := newDB(t, false)
	ctx := context.Background()
	officer := func(id int64, code string) {
		u, err := db.UnitByCode(ctx, code)
		if err == nil {
			err = db.SetMembership(ctx, storage.SystemActor, id, u.ID, storage.RoleOfficer)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	officer(201, "dq-tra-co")
	officer(401, "p-tra-co")
	officer(202, "dq-hai-xuan")
	officer(203, "dq-hai-son") // nothing reported there
	fileReportAt(t, db, 301, "dq-tra-co", reports.KindOpinion, at("16/11/2021 09:00"))
	fileReportAt(t, db, 302, "dq-tra-co", reports.KindFalse, at("21/11/2021 23:30"))
	old := fileReportAt(t, db, 303, "dq-tra-co", reports.KindBorder, at("10/11/2021 09:00"))
	fileReportAt(t, db, 304, "dq-hai-xuan", reports.KindModel, at("18/11/2021 09:00"))
	fileReportAt(t, db, 305, "dq-tra-co", reports.KindOpinion, at("22/11/2021 06:00")) // this week: next Monday's

	now := at("22/11/2021 08:00") // a Monday
	pub := &chatRecorder{keys: map[string]bool{}, byChat: map[int64][]string{}}
	s := &agreements.Scheduler{
		Store: db, Publisher: newRecorder(db, func() time.Time { return now }), Clock: func() time.Time { return now },
		Location: hanoi, At: 7*time.Hour + 30*time.Minute, Lang: messages.Vietnamese,
		Reports: db, ReportPublisher: pub,
	}
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{201, 401} {
		got := pub.byChat[id]
		if len(got) != 1 {
			t.Fatalf("officer %d got %d digests", id, len(got))
		}
		for _, want := range []string{"(15/11/2021 – 21/11/2021)", "Dư luận xã hội: 1", "Thông tin sai trái, thù địch: 1",
			"Dân quân phường Trà Cổ: 2", "Chưa xử lý quá 3 ngày", "#" + itoa(old) + " · 10/11/2021"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("officer %d's digest lacks %q:\n%s", id, want, got[0])
			}
		}
		if strings.Contains(got[0], "Hải Xuân") || strings.Contains(got[0], "Điển hình") {
			t.Errorf("officer %d reads another ward's reports:\n%s", id, got[0])
		}
	}
	if got := pub.byChat[202]; len(got) != 1 || !strings.Contains(got[0], "Điển hình tiên tiến: 1") || strings.Contains(got[0], "Trà Cổ") {
		t.Errorf("Hải Xuân's officer got %q", got)
	}
	if got := pub.byChat[203]; len(got) != 0 {
		t.Errorf("an officer with nothing to read got %q", got)
	}
	// Later the same day: nothing again.
	now = now.Add(3 * time.Hour)
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(pub.byChat[201]); n != 1 {
		t.Errorf("a second tick sent %d digests", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
