package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/loabot/loa/agreements"
	"github.com/loabot/loa/reports"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
	"github.com/loabot/loa/units"
)

// fileTestReport stores a report as the bot would: a draft, then filed.
func fileTestReport(t *testing.T, db *storage.DB, userID int64, first, code string, kind reports.Kind, text, link string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	if err := db.UpsertUser(ctx, storage.User{ID: userID, FirstName: first, LastName: "Nguyễn Thị"}); err != nil {
		t.Fatal(err)
	}
	u, err := db.UnitByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.SaveReportDraft(ctx, storage.ReportDraft{UserID: userID, ChatID: userID, Text: text,
		Content: reports.Content{Link: link}.JSON(), Kind: string(kind), CreatedAt: at, ExpiresAt: at.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.FileReport(ctx, storage.NewReport{DraftID: d, UserID: userID, Kind: string(kind), OriginUnitID: u.ID,
		UnitID: u.ID, Link: reports.NormalizeLink(link), Text: text, Content: reports.Content{Link: link}.JSON(), At: at})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestExportReportsAndTasks(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := units.Import(ctx, db, "examples/mongcai/units.yaml", storage.SystemActor); err != nil {
		t.Fatal(err)
	}
	if _, err := agreements.Import(ctx, db, "examples/mongcai/plan-2021-2025.yaml"); err != nil {
		t.Fatal(err)
	}
	ict := time.FixedZone("ICT", 7*3600)
	day := func(d, h int) time.Time { return time.Date(2021, 11, d, h, 0, 0, 0, ict) }
	opinion := fileTestReport(t, db, 7001, "Lan", "dq-tra-co", reports.KindOpinion, "Bà con thôn Đông phấn khởi vì đường mới", "", day(18, 9))
	hostile := fileTestReport(t, db, 7002, "Hằng", "dq-tra-co", reports.KindFalse, "Bài xuyên tạc về đồn Biên phòng", "https://www.facebook.com/x/posts/1?utm_source=a", day(20, 23))
	fileTestReport(t, db, 7003, "Mai", "dq-tra-co", reports.KindFalse, "Cũng bài đó", "https://facebook.com/x/posts/1/", day(21, 8))
	fileTestReport(t, db, 7004, "Nga", "dq-hai-xuan", reports.KindOpinion, "Hải Xuân: hỏi lịch tiêm", "", day(19, 9))
	fileTestReport(t, db, 7005, "Đào", "dq-tra-co", reports.KindOpinion, "Ngoài kỳ", "", day(25, 9))
	if err := db.ChangeReport(ctx, storage.ReportChange{ID: hostile, ActorID: 7001, Action: "handled", State: "handled",
		UnitID: mustUnit(t, db, "dq-tra-co"), Note: "Đã gỡ", At: day(22, 10)}, mustUnit(t, db, "dq-tra-co")); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "báo cáo.xlsx")
	vars := map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": url, "LOA_TIMEZONE": "Asia/Ho_Chi_Minh"}
	code, out, errOut := runLoa(t, ctx, vars, "export", "reports", "--from", "18/11/2021", "--to", "21/11/2021", "--unit", "p-tra-co", path)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != len(reports.Kinds) || sheets[0] != "Dư luận xã hội" || sheets[1] != "Thông tin sai trái, thù địch" {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows("Dư luận xã hội")
	if err != nil {
		t.Fatal(err)
	}
	// One opinion in the period and under p-tra-co: not Hải Xuân's, not the 25th.
	if len(rows) != 2 || rows[0][0] != "Số" || rows[1][0] != itoa(opinion) || rows[1][1] != "18/11/2021" ||
		rows[1][2] != "Dân quân phường Trà Cổ" || rows[1][6] != "Bà con thôn Đông phấn khởi vì đường mới" || rows[1][5] != "Lan Nguyễn Thị" {
		t.Fatalf("opinion sheet %q", rows)
	}
	rows, _ = f.GetRows("Thông tin sai trái, thù địch")
	// 23:00 on the 20th in Vietnam is still the 20th; two people, one case; handled on the 22nd.
	if len(rows) != 2 || rows[1][1] != "20/11/2021" || rows[1][3] != "đã xử lý" || rows[1][4] != "2" ||
		rows[1][7] != "https://www.facebook.com/x/posts/1?utm_source=a" || rows[1][8] != "22/11/2021" ||
		!strings.Contains(rows[1][6], "Cũng bài đó") {
		t.Fatalf("false-content sheet %q", rows)
	}

	tasksPath := filepath.Join(t.TempDir(), "nhiem-vu.xlsx")
	code, out, errOut = runLoa(t, ctx, vars, "export", "tasks", "--from", "01/01/2022", "--to", "31/12/2022", tasksPath)
	if code != 0 {
		t.Fatalf("tasks: exit %d: %s %s", code, out, errOut)
	}
	tf, err := excelize.OpenFile(tasksPath)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	trows, err := tf.GetRows("Nhiệm vụ")
	if err != nil || len(trows) < 2 {
		t.Fatalf("tasks sheet %q %v", trows, err)
	}
	for _, r := range trows[1:] {
		if len(r) < 5 || !strings.HasSuffix(r[3], "/2022") || r[1] == "" || r[2] == "" {
			t.Fatalf("task row %q", r)
		}
	}
	if code, _, _ := runLoa(t, ctx, vars, "export", "reports", "--from", "21/11/2021", "--to", "18/11/2021", path); code != 2 {
		t.Errorf("a period backwards: exit %d", code)
	}
}

func mustUnit(t *testing.T, db *storage.DB, code string) int64 {
	t.Helper()
	u, err := db.UnitByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
