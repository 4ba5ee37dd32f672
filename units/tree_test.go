package units_test

import (
	"slices"
	"testing"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/units"
)

func TestFold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Trà Cổ", "tra co"},
		{"TRÀ CỔ", "tra co"},
		{"tra co", "tra co"},
		{"Tra\u0300 Co\u0302\u0309", "tra co"}, // NFD: every mark a rune of its own
		{"Tra\u0300 Cô\u0309", "tra co"},       // half composed
		{"  Dân   quân\tphường\u00a0Trà Cổ  ", "dan quan phuong tra co"},
		{"Đông Hải đảo", "dong hai dao"},
		{"Ban Tuyên giáo Thành ủy", "ban tuyen giao thanh uy"},
		{"Quảng Nghĩa, Vĩnh Thực", "quang nghia, vinh thuc"},
		{"Ư ơ Ă â Ê", "u o a a e"},
		{"Trà\u200bCổ", "traco"}, // a zero-width space is not a space
		{"", ""},
		{"   ", ""},
	} {
		if got := units.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%+q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// testTree is
//
//	1 mongcai   Thành phố Móng Cái
//	├ 2 chqs        Ban Chỉ huy Quân sự thành phố
//	│ └ 3 dq-co-dong  Trung đội dân quân cơ động thành phố
//	├ 4 p-tra-co    Phường Trà Cổ
//	│ └ 5 dq-tra-co   Dân quân phường Trà Cổ
//	└ 6 p-tran-phu  Phường Trần Phú
//	7 other (a second root)
//
// given out of order, to show that NewTree sorts by position.
func testTree() *units.Tree {
	p := func(id int64) *int64 { return &id }
	return units.NewTree([]storage.Unit{
		{ID: 5, Code: "dq-tra-co", Name: "Dân quân phường Trà Cổ", ParentID: p(4), Position: 5},
		{ID: 1, Code: "mongcai", Name: "Thành phố Móng Cái", Position: 1},
		{ID: 2, Code: "chqs", Name: "Ban Chỉ huy Quân sự thành phố", ParentID: p(1), Position: 2},
		{ID: 3, Code: "dq-co-dong", Name: "Trung đội dân quân cơ động thành phố", ParentID: p(2), Position: 3},
		{ID: 4, Code: "p-tra-co", Name: "Phường Trà Cổ", ParentID: p(1), Position: 4},
		{ID: 6, Code: "p-tran-phu", Name: "Phường Trần Phú", ParentID: p(1), Position: 6},
		{ID: 7, Code: "other", Name: "Khác", Position: 7},
	})
}

func ids(us []storage.Unit) []int64 {
	out := []int64{}
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func TestTree(t *testing.T) {
	t.Parallel()
	tr := testTree()
	for _, tc := range []struct {
		id   int64
		want []int64
	}{{1, []int64{1, 2, 3, 4, 5, 6}}, {2, []int64{2, 3}}, {4, []int64{4, 5}}, {5, []int64{5}}, {7, []int64{7}}, {99, nil}} {
		if got := tr.Descendants(tc.id); !slices.Equal(got, tc.want) {
			t.Errorf("Descendants(%d) = %v, want %v", tc.id, got, tc.want)
		}
	}
	for _, tc := range []struct {
		unit, ancestor int64
		want           bool
	}{
		{5, 4, true}, {5, 1, true}, {5, 5, true}, {3, 1, true},
		{4, 5, false}, {5, 2, false}, {7, 1, false}, {1, 7, false}, {99, 99, false}, {1, 99, false},
	} {
		if got := tr.IsUnder(tc.unit, tc.ancestor); got != tc.want {
			t.Errorf("IsUnder(%d, %d) = %v, want %v", tc.unit, tc.ancestor, got, tc.want)
		}
	}
	for id, want := range map[int64]int{1: 0, 2: 1, 3: 2, 5: 2, 7: 0, 99: -1} {
		if got := tr.Depth(id); got != want {
			t.Errorf("Depth(%d) = %d, want %d", id, got, want)
		}
	}
	if got := ids(tr.Roots()); !slices.Equal(got, []int64{1, 7}) {
		t.Errorf("Roots = %v", got)
	}
	if got := ids(tr.Children(1)); !slices.Equal(got, []int64{2, 4, 6}) {
		t.Errorf("Children(1) = %v", got)
	}
	if got := ids(tr.Path(5)); !slices.Equal(got, []int64{1, 4, 5}) {
		t.Errorf("Path(5) = %v", got)
	}
	var walked []int64
	var depths []int
	tr.Walk(func(u storage.Unit, depth int) { walked, depths = append(walked, u.ID), append(depths, depth) })
	if !slices.Equal(walked, []int64{1, 2, 3, 4, 5, 6, 7}) || !slices.Equal(depths, []int{0, 1, 2, 1, 2, 1, 0}) {
		t.Errorf("Walk = %v depths %v", walked, depths)
	}
	if u, ok := tr.ByCode(" DQ-Tra-Co "); !ok || u.ID != 5 {
		t.Errorf("ByCode = %+v, %v", u, ok)
	}
	if u, ok := tr.Get(4); !ok || u.NameFolded != "phuong tra co" {
		t.Errorf("Get(4) = %+v, %v; want NameFolded filled in", u, ok)
	}
}

func TestTreeSurvivesACycle(t *testing.T) {
	t.Parallel()
	p := func(id int64) *int64 { return &id }
	// Only a hand edit of the database can do this; the tree must not hang.
	tr := units.NewTree([]storage.Unit{
		{ID: 1, Code: "a", Name: "A", ParentID: p(2), Position: 1},
		{ID: 2, Code: "b", Name: "B", ParentID: p(1), Position: 2},
	})
	if got := tr.Descendants(1); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("Descendants = %v", got)
	}
	if tr.IsUnder(1, 3) {
		t.Error("IsUnder(1, 3) = true")
	}
	_ = tr.Depth(1)
}

func TestActsFor(t *testing.T) {
	t.Parallel()
	tr := testTree()
	ms := []storage.Membership{{UnitID: 2, Role: storage.RoleOfficer}, {UnitID: 4, Role: storage.RoleMember}}
	for unit, want := range map[int64]bool{2: true, 3: true, 1: false, 4: false, 5: false} {
		if got := tr.ActsFor(ms, unit); got != want {
			t.Errorf("ActsFor(%d) = %v, want %v", unit, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tr := testTree()
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"chqs", []int64{2}},
		{"CHQS", []int64{2}},
		{" dq-tra-co ", []int64{5}},
		{"Phường Trà Cổ", []int64{4}},                               // exact name wins over the militia that contains it
		{"PHUONG TRA CO", []int64{4}},                               // folded
		{"Phu\u031bo\u031b\u0300ng Tra\u0300 Cô\u0309", []int64{4}}, // NFD
		{"tra co", []int64{4, 5}},                                   // ambiguous: both, in display order
		{"TRA CO", []int64{4, 5}},
		{"trà cổ dân quân", []int64{5}},
		{"dân quân", []int64{3, 5}},
		{"thanh pho", []int64{1, 2, 3}},
		{"tran", []int64{6}},
		{"hai phong", nil},
		{"", nil},
		{"   ", nil},
	} {
		if got := ids(tr.Match(tc.query)); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("Match(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}
