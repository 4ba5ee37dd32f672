package reports

import (
	"testing"

	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

func TestNormalizeLink(t *testing.T) {
	const post = "https://facebook.com/trang/posts/42"
	tests := []struct{ in, want string }{
		{"https://www.facebook.com/trang/posts/42", post},
		{"HTTPS://WWW.FACEBOOK.COM/trang/posts/42/", post},
		{"http://m.facebook.com/trang/posts/42?fbclid=IwAR0&utm_source=zalo", post},
		{"facebook.com/trang/posts/42#comments", post},
		{"https://facebook.com:443/trang/posts/42", post},
		{"https://facebook.com/trang/posts/42?UTM_Medium=x&mibextid=y", post},
		// The path keeps its case (it names the post); other parameters stay, sorted.
		{"https://www.youtube.com/watch?v=AbC&t=42s&si=x", "https://youtube.com/watch?v=AbC"},
		{"https://tiktok.com/@Kenh/video/1?b=2&a=1", "https://tiktok.com/@Kenh/video/1?a=1&b=2"},
		{"https://example.org:8080/x", "https://example.org:8080/x"},
		{"javascript:alert(1)", ""},
		{"ftp://example.org/x", ""},
		{"", ""},
		{"không phải đường dẫn", ""},
	}
	for _, tt := range tests {
		if got := NormalizeLink(tt.in); got != tt.want {
			t.Errorf("NormalizeLink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNormalizeLink(f *testing.F) {
	for _, s := range []string{"https://www.facebook.com/a/?utm_source=x", "facebook.com/a#b", "http://m.x.vn:80/?b=1&a=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeLink(s)
		if n != "" && NormalizeLink(n) != n {
			t.Errorf("not stable: %q → %q → %q", s, n, NormalizeLink(n))
		}
	})
}

func TestFindLink(t *testing.T) {
	// "Tin giả 😡 " is 11 UTF-16 units: the emoji counts two.
	text := "Tin giả 😡 fb.com/x/1 và trang khác"
	tests := []struct {
		name string
		ents []messages.Entity
		want string
	}{
		{"url entity in UTF-16 units", []messages.Entity{{Type: "url", Offset: 11, Length: 10}}, "fb.com/x/1"},
		{"text link", []messages.Entity{{Type: "bold", Offset: 0, Length: 3}, {Type: "text_link", Offset: 0, Length: 3, URL: "https://vnexpress.net/a"}}, "https://vnexpress.net/a"},
		{"typed without entities", nil, "fb.com/x/1"},
	}
	for _, tt := range tests {
		if got := FindLink(text, tt.ents); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := FindLink("Xem www.tinxau.vn/bai-viet.html.", nil); got != "www.tinxau.vn/bai-viet.html" {
		t.Errorf("trailing dot: %q", got)
	}
	if got := FindLink("Bà con phản ánh đường ngập", nil); got != "" {
		t.Errorf("no link: %q", got)
	}
}

// The tree: city 1 › ward 2 › militia 3; ward 4 › militia 5 beside it.
func testTree() *units.Tree {
	p := func(id int64) *int64 { return &id }
	return units.NewTree([]storage.Unit{
		{ID: 1, Code: "city", Name: "City"},
		{ID: 2, Code: "ward", Name: "Ward", ParentID: p(1)},
		{ID: 3, Code: "militia", Name: "Militia", ParentID: p(2)},
		{ID: 4, Code: "ward2", Name: "Ward 2", ParentID: p(1)},
		{ID: 5, Code: "militia2", Name: "Militia 2", ParentID: p(4)},
	})
}

func TestWhoMayReadAndAct(t *testing.T) {
	tree := testTree()
	officer := func(user, unit int64) Viewer {
		return Viewer{UserID: user, Tree: tree, Mem: []storage.Membership{{UserID: user, UnitID: unit, Role: storage.RoleOfficer}}}
	}
	r := Report{ID: 1, OriginUnitID: 3, UnitID: 3, Travelled: []int64{3}, Reporters: []int64{100}}
	tests := []struct {
		name             string
		v                Viewer
		read, names, act bool
	}{
		{"the militia's officer", officer(10, 3), true, true, true},
		{"the ward's officer above", officer(11, 2), true, false, true},
		{"the sibling ward's officer", officer(12, 4), false, false, false},
		{"the sibling militia's officer", officer(13, 5), false, false, false},
		{"a member of the militia", Viewer{UserID: 14, Tree: tree, Mem: []storage.Membership{{UserID: 14, UnitID: 3, Role: storage.RoleMember}}}, false, false, false},
		{"the reporter", Viewer{UserID: 100, Tree: tree, Mem: []storage.Membership{{UserID: 100, UnitID: 3, Role: storage.RoleMember}}}, true, false, false},
		{"an admin", Viewer{UserID: 1, Admin: true, Tree: tree}, true, true, true},
		{"a stranger", Viewer{UserID: 99, Tree: tree}, false, false, false},
	}
	for _, tt := range tests {
		if got := tt.v.MayRead(r); got != tt.read {
			t.Errorf("%s: MayRead = %v", tt.name, got)
		}
		if got := tt.v.MaySeeReporters(r); got != tt.names {
			t.Errorf("%s: MaySeeReporters = %v", tt.name, got)
		}
		if got := tt.v.MayAct(r); got != tt.act {
			t.Errorf("%s: MayAct = %v", tt.name, got)
		}
	}
	// Escalated to the ward: the militia's officer still reads it and sees
	// the names, but it is the ward's to act on now.
	up := Report{ID: 1, OriginUnitID: 3, UnitID: 2, Travelled: []int64{2, 3}, Reporters: []int64{100}}
	if v := officer(10, 3); !v.MayRead(up) || !v.MaySeeReporters(up) || v.MayAct(up) {
		t.Errorf("the militia's officer after escalation: read %v names %v act %v", v.MayRead(up), v.MaySeeReporters(up), v.MayAct(up))
	}
	if v := officer(11, 2); !v.MaySeeReporters(up) || !v.MayAct(up) {
		t.Errorf("the ward's officer after escalation")
	}
}

func TestEscalationSkipsUnitsWithoutOfficers(t *testing.T) {
	tree := testTree()
	has := map[int64]bool{1: true}
	to, passed, ok := Escalation(tree, 3, func(u int64) bool { return has[u] })
	if !ok || to != 1 || len(passed) != 2 || passed[0] != 2 || passed[1] != 1 {
		t.Fatalf("Escalation = %d %v %v", to, passed, ok)
	}
	if _, _, ok := Escalation(tree, 1, func(int64) bool { return true }); ok {
		t.Fatal("the root escalated")
	}
	if _, _, ok := Escalation(tree, 3, func(int64) bool { return false }); ok {
		t.Fatal("escalated to nobody")
	}
}
