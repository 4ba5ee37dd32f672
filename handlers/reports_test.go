package handlers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/reports"
	"github.com/loabot/loa/storage"
)

// People of the report tests, besides the directory fixture's: wardA leads
// the ward above Trà Cổ's militia (where escalations go), wardB the ward
// next to it, memberB belongs to Hải Xuân's militia.
var (
	wardA   = User{ID: 401, FirstName: "Phường", LastName: "Trà Cổ", LanguageCode: "vi"}
	wardB   = User{ID: 402, FirstName: "Phường", LastName: "Hải Xuân", LanguageCode: "vi"}
	memberB = User{ID: 302, FirstName: "Dân quân", LastName: "B", LanguageCode: "vi"}
)

// newReportFixture is the directory fixture with reports on, the real
// delivery engine's outbox behind them (nothing dispatched), and the people
// above.
func newReportFixture(t *testing.T) *dirFixture {
	t.Helper()
	f := newDirFixture(t)
	f.r = f.reportRouter()
	for _, u := range []User{wardA, wardB, memberB} {
		f.say(dm(u), u, "/help")
	}
	f.setRole(wardA, "p-tra-co", storage.RoleOfficer)
	f.setRole(wardB, "p-hai-xuan", storage.RoleOfficer)
	f.setRole(memberB, "dq-hai-xuan", storage.RoleMember)
	return f
}

// reportRouter builds a router as main does, on the fixture's database:
// building a second one is what a restart of Loa is to a draft.
func (f *dirFixture) reportRouter() *Router {
	eng, err := delivery.New(delivery.Config{Store: f.db, Clock: func() time.Time { return f.now }})
	if err != nil {
		f.t.Fatal(err)
	}
	return NewRouter(Config{
		Store: f.db, Directory: f.db, Broadcasts: eng, Reports: f.db, ReportDelivery: eng,
		ChatAdmins: f.admins, BotUsername: "loa_bot", Lang: messages.Vietnamese,
		Clock: func() time.Time { return f.now }, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
}

var reportNumber = regexp.MustCompile(`(?:Báo cáo số|báo cáo số) (\d+)`)

// fileReport sends text as u's report, chooses kind, and returns the
// report's number.
func (f *dirFixture) fileReport(u User, text string, kind reports.Kind) int64 {
	f.t.Helper()
	resp := f.say(dm(u), u, text)
	data := kindData(f.t, resp, kind)
	resp = f.press(dm(u), u, data)
	if len(resp.Replies) != 1 {
		f.t.Fatalf("after the kind: %+v", resp)
	}
	m := reportNumber.FindStringSubmatch(resp.Replies[0].Text)
	if m == nil {
		f.t.Fatalf("no report number in %q", resp.Replies[0].Text)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func kindData(t *testing.T, resp Response, kind reports.Kind) string {
	t.Helper()
	if len(resp.Replies) != 1 {
		t.Fatalf("no kind question: %+v", resp)
	}
	for _, row := range resp.Replies[0].Buttons {
		for _, b := range row {
			if strings.HasSuffix(b.Data, ":"+string(kind)) {
				return b.Data
			}
		}
	}
	t.Fatalf("no %s button in %+v", kind, resp.Replies[0])
	return ""
}

func (f *dirFixture) report(id int64) storage.Report {
	f.t.Helper()
	r, err := f.db.Report(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *dirFixture) history(id int64) []storage.ReportEvent {
	f.t.Helper()
	h, err := f.db.ReportHistory(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func TestReportNobodyOutsideCanReadOrAct(t *testing.T) {
	f := newReportFixture(t)
	id := f.fileReport(member, "/baocao Trang này đăng tin bịa đặt về đồn biên phòng https://www.facebook.com/tin.gia/posts/1?fbclid=abc", reports.KindFalse)
	rep := f.report(id)
	if rep.State != "new" || rep.Link != "https://facebook.com/tin.gia/posts/1" || len(rep.ReporterIDs) != 1 {
		t.Fatalf("filed: %+v", rep)
	}
	s := strconv.FormatInt(id, 10)
	notFound := vi(messages.KeyReportNotFound, id)
	unknown := f.say(dm(stranger), stranger, "/baocao 999999")
	wantReply(t, unknown, vi(messages.KeyReportNotFound, 999999))
	for _, u := range []User{stranger, memberB, officerB, wardB} {
		wantReply(t, f.say(dm(u), u, "/baocao "+s), notFound)
		for _, op := range []string{"t", "e", "h", "l", "b"} {
			resp := f.press(dm(u), u, "rp:"+op+":"+s)
			if resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyReportNotFoundToast) || len(resp.Replies) != 0 {
				t.Errorf("%s pressed %s: %+v", u.LastName, op, resp)
			}
		}
		// A forged note: nothing awaited, so an ordinary message.
		if resp := f.say(dm(u), u, "Đã xử lý xong"); strings.Contains(fmt.Sprint(resp), s) {
			t.Errorf("%s's plain message touched the report: %+v", u.LastName, resp)
		}
	}
	// The reporter cannot act on their own report either.
	if resp := f.press(dm(member), member, "rp:h:"+s); len(resp.Replies) != 0 {
		t.Errorf("the reporter closed their report: %+v", resp)
	}
	if got := f.report(id); got.State != "new" || got.UnitID != f.unit("dq-tra-co").ID || len(f.history(id)) != 1 {
		t.Fatalf("after the refused presses: %+v %+v", got, f.history(id))
	}

	// Who reported: the unit's officer sees it; the ward's officer above
	// sees the case but not the name, until it is escalated to them.
	name := "Dân quân A"
	if resp := f.say(dm(officerA), officerA, "/baocao "+s); !strings.Contains(resp.Replies[0].Text, name) {
		t.Fatalf("the unit's officer does not see who reported: %q", resp.Replies[0].Text)
	}
	if resp := f.say(dm(wardA), wardA, "/baocao "+s); strings.Contains(resp.Replies[0].Text, name) || !strings.Contains(resp.Replies[0].Text, "bịa đặt") {
		t.Fatalf("the ward's officer before escalation: %q", resp.Replies[0].Text)
	}
	// A forged draft button: someone else's draft, or a kind that is not one.
	resp := f.say(dm(member), member, "/baocao Bà con phấn khởi")
	data := kindData(t, resp, reports.KindOpinion)
	if resp := f.press(dm(stranger), stranger, data); len(resp.Replies) != 0 {
		t.Fatalf("a stranger filed someone's draft: %+v", resp)
	}
	if resp := f.press(dm(member), member, strings.Replace(data, "opinion", "secret", 1)); len(resp.Replies) != 0 {
		t.Fatalf("a forged kind was filed: %+v", resp)
	}
	// Someone in two units chooses which; a forged unit they are not in is refused.
	both := User{ID: 303, FirstName: "Dân quân", LastName: "Hai nơi", LanguageCode: "vi"}
	f.say(dm(both), both, "/help")
	f.setRole(both, "dq-tra-co", storage.RoleMember)
	f.setRole(both, "dq-hai-son", storage.RoleMember)
	resp = f.press(dm(both), both, kindData(t, f.say(dm(both), both, "/baocao Bà con hỏi lịch tập"), reports.KindOpinion))
	if len(resp.Replies) != 1 || len(resp.Replies[0].Buttons) != 2 {
		t.Fatalf("no unit question: %+v", resp)
	}
	pick := resp.Replies[0].Buttons[1][0].Data
	forged := pick[:strings.LastIndex(pick, ":")+1] + strconv.FormatInt(f.unit("dq-hai-xuan").ID, 10)
	if resp := f.press(dm(both), both, forged); len(resp.Replies) != 0 || !resp.CallbackAlert {
		t.Fatalf("a report went to a unit its sender is not in: %+v", resp)
	}
	if resp := f.press(dm(both), both, pick); len(resp.Replies) != 1 || !strings.Contains(resp.Replies[0].Text, "Dân quân xã Hải Sơn") {
		t.Fatalf("the chosen unit: %+v", resp)
	}

	// Escalation: the officer presses Chuyển lên, types the note; the case
	// moves to the ward, whose officer now sees the name and may act.
	if resp := f.press(dm(officerA), officerA, "rp:e:"+s); len(resp.Replies) != 1 || !strings.Contains(resp.Replies[0].Text, "Phường Trà Cổ") {
		t.Fatalf("escalate: %+v", resp)
	}
	wantReply(t, f.say(dm(officerA), officerA, "Đề nghị phường xử lý"), vi(messages.KeyReportEscalated, id, "Phường Trà Cổ"))
	if got := f.report(id); got.State != "escalated" || got.UnitID != f.unit("p-tra-co").ID {
		t.Fatalf("after escalation: %+v", got)
	}
	if resp := f.say(dm(wardA), wardA, "/baocao "+s); !strings.Contains(resp.Replies[0].Text, name) || !strings.Contains(resp.Replies[0].Text, "Đề nghị phường xử lý") {
		t.Fatalf("the ward's officer after escalation: %q", resp.Replies[0].Text)
	}
	// The militia's officer no longer closes it; the sibling ward still sees nothing.
	if resp := f.press(dm(officerA), officerA, "rp:h:"+s); len(resp.Replies) != 0 {
		t.Fatalf("the officer below closed an escalated report: %+v", resp)
	}
	wantReply(t, f.say(dm(wardB), wardB, "/baocao "+s), notFound)
	f.press(dm(wardA), wardA, "rp:h:"+s)
	wantReply(t, f.say(dm(wardA), wardA, "Đã báo công an phường"), vi(messages.KeyReportHandled, id))
	if got := f.report(id); got.State != "handled" {
		t.Fatalf("after handling: %+v", got)
	}
	h := f.history(id)
	if len(h) != 3 || h[1].Action != "escalated" || h[2].Action != "handled" || h[2].Note != "Đã báo công an phường" {
		t.Fatalf("history: %+v", h)
	}
	// The reporter reads what became of it, and their own words.
	if resp := f.say(dm(member), member, "/baocao "+s); !strings.Contains(resp.Replies[0].Text, "đã xử lý") || len(resp.Replies[0].Buttons) != 0 {
		t.Fatalf("the reporter's view: %+v", resp)
	}
}

func TestReportOfTenPeopleOfOneLinkIsOneCase(t *testing.T) {
	f := newReportFixture(t)
	links := []string{
		"https://www.facebook.com/trang.xau/posts/42",
		"https://facebook.com/trang.xau/posts/42/",
		"HTTPS://WWW.FACEBOOK.COM/trang.xau/posts/42?utm_source=zalo&utm_medium=share",
		"http://m.facebook.com/trang.xau/posts/42?fbclid=IwAR0xyz",
		"facebook.com/trang.xau/posts/42",
		"https://www.facebook.com/trang.xau/posts/42#comments",
		"https://www.facebook.com/trang.xau/posts/42?mibextid=Zxz2cZ",
		"https://www.facebook.com:443/trang.xau/posts/42",
		"https://www.facebook.com/trang.xau/posts/42?utm_campaign=x&fbclid=y",
		"www.facebook.com/trang.xau/posts/42/",
	}
	var ids []int64
	for i, l := range links {
		u := User{ID: int64(5000 + i), FirstName: "Dân quân", LastName: strconv.Itoa(i), LanguageCode: "vi"}
		f.say(dm(u), u, "/help")
		f.setRole(u, "dq-tra-co", storage.RoleMember)
		ids = append(ids, f.fileReport(u, "/baocao Bài xuyên tạc "+l, reports.KindFalse))
	}
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("the same link made several cases: %v", ids)
		}
	}
	if r := f.report(ids[0]); r.Reporters != 10 || len(r.ReporterIDs) != 10 {
		t.Fatalf("reporters = %d %v", r.Reporters, r.ReporterIDs)
	}
	list := f.say(dm(officerA), officerA, "/baocao")
	if !strings.Contains(list.Replies[0].Text, "10 người báo cáo") || !strings.Contains(list.Replies[0].Text, "(1)") {
		t.Fatalf("the officer's list: %q", list.Replies[0].Text)
	}
}

func TestReportDraftSurvivesARestartAndExpires(t *testing.T) {
	f := newReportFixture(t)
	resp := f.say(dm(member), member, "/baocao Đoàn khách lạ đi qua mốc 1350 lúc 5 giờ sáng")
	data := kindData(t, resp, reports.KindBorder)
	f.r = f.reportRouter() // Loa restarts between the text and the kind
	resp = f.press(dm(member), member, data)
	if len(resp.Replies) != 1 || !strings.Contains(resp.Replies[0].Text, "Cảm ơn") {
		t.Fatalf("after the restart: %+v", resp)
	}
	id, _ := strconv.ParseInt(reportNumber.FindStringSubmatch(resp.Replies[0].Text)[1], 10, 64)
	entries, err := f.db.ReportEntries(context.Background(), id)
	if err != nil || len(entries) != 1 || entries[0].Text != "Đoàn khách lạ đi qua mốc 1350 lúc 5 giờ sáng" || f.report(id).Kind != "border" {
		t.Fatalf("entries %+v %v", entries, err)
	}
	// A second press files nothing more.
	if resp := f.press(dm(member), member, data); len(resp.Replies) != 0 {
		t.Fatalf("a second press: %+v", resp)
	}
	// A draft left for more than a day is gone.
	resp = f.say(dm(member), member, "/baocao Bà con phấn khởi")
	data = kindData(t, resp, reports.KindOpinion)
	f.now = f.now.Add(reports.DraftTTL + time.Minute)
	if resp := f.press(dm(member), member, data); len(resp.Replies) != 0 || resp.CallbackText != messages.Plain(messages.Vietnamese, messages.KeyReportDraftGone) {
		t.Fatalf("an expired draft: %+v", resp)
	}
}

func TestReportFromNobodysMemberAndWithoutLink(t *testing.T) {
	f := newReportFixture(t)
	wantReply(t, f.say(dm(stranger), stranger, "/baocao Có tin đồn"), vi(messages.KeyReportNoUnit))
	wantReply(t, f.say(dm(member), member, "/baocao"), vi(messages.KeyReportAskContent))
	// The next message is the report.
	resp := f.send(Request{Kind: KindMessage, Chat: dm(member), From: member, Text: "Bà con hỏi về lịch tập huấn"})
	kindData(t, resp, reports.KindOpinion)
	// False content without a link asks for one.
	resp = f.say(dm(member), member, "/baocao Có bài nói xấu chính quyền")
	resp = f.press(dm(member), member, kindData(t, resp, reports.KindFalse))
	if len(resp.Replies) != 1 || resp.Replies[0].Text != vi(messages.KeyReportNeedLink) {
		t.Fatalf("false content without a link: %+v", resp)
	}
	// A group is no place for a report.
	wantReply(t, f.say(Chat{ID: -5, Type: ChatGroup}, member, "/baocao@loa_bot Có tin đồn"), vi(messages.KeyPrivateOnly, "baocao"))
}

// An exemplary-model report becomes a bulletin with one button: the usual
// broadcast preview to the unit it came from, with Send and Cancel; only
// an officer who may act on the report gets it.
func TestReportOfAModelBecomesABulletin(t *testing.T) {
	f := newReportFixture(t)
	f.say(dm(member), member, "/subscribe dq-tra-co") // someone to reach
	id := f.fileReport(member, "/baocao Ông Sáu hiến 200 m² đất làm đường liên thôn", reports.KindModel)
	s := strconv.FormatInt(id, 10)
	if resp := f.press(dm(officerB), officerB, "rp:b:"+s); len(resp.Replies) != 0 {
		t.Fatalf("another unit's officer made a bulletin: %+v", resp)
	}
	resp := f.press(dm(officerA), officerA, "rp:b:"+s)
	if len(resp.Replies) != 1 || !strings.Contains(resp.Replies[0].Text, "Ông Sáu hiến 200 m² đất") ||
		!strings.Contains(resp.Replies[0].Text, "Xem trước") || len(resp.Replies[0].Buttons) != 1 {
		t.Fatalf("the preview: %+v", resp)
	}
	send := resp.Replies[0].Buttons[0][0].Data
	if !strings.HasPrefix(send, "bc:") || !strings.HasSuffix(send, ":send") {
		t.Fatalf("the send button: %q", send)
	}
	if resp := f.press(dm(officerA), officerA, send); !strings.Contains(fmt.Sprint(resp), "đang được gửi") {
		t.Fatalf("send: %+v", resp)
	}
	// An opinion is not a model: no bulletin from it.
	op := f.fileReport(member, "/baocao Bà con hỏi", reports.KindOpinion)
	if resp := f.press(dm(officerA), officerA, "rp:b:"+strconv.FormatInt(op, 10)); len(resp.Replies) != 0 {
		t.Fatalf("a bulletin from an opinion: %+v", resp)
	}
}

// A forwarded post is a member's report on its own; an officer, whose
// forwarded post may be for a later /broadcast, reports it by answering it
// with /baocao. Either way the post's origin and address are kept.
func TestReportOfAForwardedPost(t *testing.T) {
	f := newReportFixture(t)
	origin := &ForwardOrigin{Kind: OriginChannel, Chat: &Chat{ID: -100777, Title: "Tin nóng 24h", Type: ChatChannel},
		ChatUsername: "tinnong24h", MessageID: 777, Date: f.now.Add(-time.Hour).Unix()}
	resp := f.send(Request{Kind: KindMessage, Chat: dm(member), From: member, Text: "Dân quân đánh người?!", ForwardedFrom: origin})
	resp = f.press(dm(member), member, kindData(t, resp, reports.KindFalse))
	id, _ := strconv.ParseInt(reportNumber.FindStringSubmatch(resp.Replies[0].Text)[1], 10, 64)
	if got := f.report(id); got.Link != "https://t.me/tinnong24h/777" {
		t.Fatalf("the forwarded post's link: %+v", got)
	}
	view := f.say(dm(officerA), officerA, "/baocao "+strconv.FormatInt(id, 10)).Replies[0].Text
	if !strings.Contains(view, `Chuyển tiếp từ: <a href="https://t.me/tinnong24h/777">Tin nóng 24h</a>`) {
		t.Fatalf("the officer's view: %q", view)
	}
	// The officer forwards it: nothing happens (no kind question) …
	if resp := f.send(Request{Kind: KindMessage, Chat: dm(officerA), From: officerA, Text: "Bài này", ForwardedFrom: origin}); strings.Contains(fmt.Sprint(resp), "rp:k:") {
		t.Fatalf("an officer's forward became a report: %+v", resp)
	}
	// … until they answer it with /baocao.
	resp = f.send(Request{Kind: KindMessage, Chat: dm(officerA), From: officerA, Text: "/baocao",
		Replied: &Message{MessageID: 5, Text: "Bài này", ForwardedFrom: origin}})
	kindData(t, resp, reports.KindFalse)
}
