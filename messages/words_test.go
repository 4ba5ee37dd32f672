package messages

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Tất cả":                   "tat-ca",
		"TAT_CA":                   "tat-ca",
		"tất-cả":                   "tat-ca",
		"ta\u0302\u0301t ca\u0309": "tat-ca", // NFD, as some phone keyboards send
		"  Quá   hạn ":             "qua-han",
		"Đội":                      "doi",
		"cán bộ phụ trách":         "can-bo-phu-trach",
		"all":                      "all",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchArg(t *testing.T) {
	tasks := []Arg{ArgAll, ArgOverdue, ArgWeek}
	roles := []Arg{ArgMember, ArgOfficer}
	tests := []struct {
		in   string
		want []Arg
		arg  Arg
		n    int
	}{
		{"overdue", tasks, ArgOverdue, 1},
		{"qua-han", tasks, ArgOverdue, 1},
		{"Quá hạn", tasks, ArgOverdue, 2},
		{"QUA HAN", tasks, ArgOverdue, 2},
		{"tuan", tasks, ArgWeek, 1},
		{"Tuần", tasks, ArgWeek, 1},
		{"week", tasks, ArgWeek, 1},
		{"tất cả", tasks, ArgAll, 2},
		{"Tat-Ca", tasks, ArgAll, 1},
		{"ALL", tasks, ArgAll, 1},
		{"thành viên 10 7", roles, ArgMember, 2},
		{"thanh-vien", roles, ArgMember, 1},
		{"member", roles, ArgMember, 1},
		{"cán bộ 5", roles, ArgOfficer, 2},
		{"can-bo", roles, ArgOfficer, 1},
		{"cán bộ phụ trách 5", roles, ArgOfficer, 4},
		{"officer", roles, ArgOfficer, 1},
		{"quản trị viên", []Arg{ArgAdmin}, ArgAdmin, 3},
		{"quan-tri", []Arg{ArgAdmin}, ArgAdmin, 1},
		{"admin", []Arg{ArgAdmin}, ArgAdmin, 1},
		// Not keywords: unit codes, other words, a keyword not wanted here.
		{"dq-tra-co", tasks, "", 0},
		{"tat", tasks, "", 0},
		{"10 7", roles, "", 0},
		{"admin", roles, "", 0},
		{"", tasks, "", 0},
	}
	for _, tt := range tests {
		arg, n, ok := MatchArg(strings.Fields(tt.in), tt.want...)
		if arg != tt.arg || n != tt.n || ok != (tt.n > 0) {
			t.Errorf("MatchArg(%q) = %q, %d, %v; want %q, %d", tt.in, arg, n, ok, tt.arg, tt.n)
		}
	}
	if !IsArg("Quản trị", ArgAdmin) || IsArg("quan-tri dq-tra-co", ArgAdmin) {
		t.Error("IsArg must match the whole text, and only it")
	}
}

func TestDayDate(t *testing.T) {
	monday := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		lang Lang
		t    time.Time
		loc  *time.Location
		want string
	}{
		{Vietnamese, monday, time.UTC, "Thứ Hai, 07/12/2026"},
		{English, monday, time.UTC, "Monday, 07/12/2026"},
		{Vietnamese, monday.AddDate(0, 0, -1), time.UTC, "Chủ nhật, 06/12/2026"},
		{Vietnamese, monday.AddDate(0, 0, 5), time.UTC, "Thứ Bảy, 12/12/2026"},
		// 17:30 UTC on Sunday is already Monday in Vietnam.
		{Vietnamese, time.Date(2026, 12, 6, 17, 30, 0, 0, time.UTC), nil, "Thứ Hai, 07/12/2026"},
	} {
		if got := DayDate(tt.lang, tt.t, tt.loc); got != tt.want {
			t.Errorf("DayDate(%s, %v) = %q, want %q", tt.lang, tt.t, got, tt.want)
		}
	}
}

func TestCountHasThousandsSeparator(t *testing.T) {
	if got := T(Vietnamese, KeyArgsTooLong, Count(4096)); !strings.Contains(got, "tối đa 4.096 ký tự") {
		t.Errorf("vi: %q", got)
	}
	if got := T(English, KeyArgsTooLong, Count(4096)); !strings.Contains(got, "at most 4,096 characters") {
		t.Errorf("en: %q", got)
	}
	if got := Plain(Vietnamese, KeySlowDown, Count(1250)); !strings.Contains(got, "1.250 giây") {
		t.Errorf("Plain: %q", got)
	}
	// Identifiers a person types back stay plain.
	if got := T(Vietnamese, KeyBroadcastStarted, 12500, Count(12500)); !strings.Contains(got, "#12500 ") || !strings.Contains(got, "12.500 cuộc") {
		t.Errorf("ids and counts: %q", got)
	}
}

func TestFeedReason(t *testing.T) {
	for in, want := range map[string]Key{
		"unreachable: HTTP 502 Bad Gateway":                     KeyFeedErrUnreachable,
		"unreachable: dial tcp: lookup x: no such host":         KeyFeedErrUnreachable,
		"timed out: context deadline exceeded":                  KeyFeedErrTimeout,
		"too big: more than 5242880 bytes":                      KeyFeedErrTooBig,
		"not a news feed: XML syntax error on line 1":           KeyFeedErrNotFeed,
		"not an http(s) URL":                                    KeyFeedErrBadURL,
		"internal address refused: 127.0.0.1 (localhost)":       KeyFeedErrInternal,
		"fetch 3: unreachable: TLS handshake timed out too big": KeyFeedErrUnreachable, // the sentinel comes first
		"store items: pq: deadlock detected":                    KeyFeedErrOther,
		"":                                                      KeyFeedErrOther,
	} {
		if got := FeedReason(Vietnamese, in); got != T(Vietnamese, want) {
			t.Errorf("FeedReason(%q) = %q, want %s", in, got, want)
		}
	}
}

func TestDeliveryReason(t *testing.T) {
	// Telegram's descriptions, as the emulator and the real API give them.
	for in, want := range map[string]Key{
		"Forbidden: bot was blocked by the user":             KeyDeliveryErrBlocked,
		"Forbidden: user is deactivated":                     KeyDeliveryErrDeactivated,
		"Forbidden: bot was kicked from the supergroup chat": KeyDeliveryErrKicked,
		"Forbidden: bot is not a member of the channel chat": KeyDeliveryErrNotMember,
		"chat is kicked":                   KeyDeliveryErrLeft,
		"chat is left":                     KeyDeliveryErrLeft,
		"Bad Request: chat not found":      KeyDeliveryErrNotFound,
		"Bad Request: message is too long": KeyDeliveryErrTooLong,
		"Bad Request: can't parse entities: Unsupported start tag":      KeyDeliveryErrFormat,
		"Bad Request: group chat was upgraded to a supergroup chat":     KeyDeliveryErrUpgraded,
		"Too Many Requests: retry after 30":                             KeyDeliveryErrRateLimit,
		"gave up after 8 attempts in 2h0m0s: telegram 502: Bad Gateway": KeyDeliveryErrGaveUp,
		"Bad Request: something new":                                    KeyDeliveryErrOther,
	} {
		if got := DeliveryReason(Vietnamese, in); got != T(Vietnamese, want) {
			t.Errorf("DeliveryReason(%q) = %q, want %s", in, got, want)
		}
	}
}

// viText returns the Vietnamese catalogue's entries as words a person reads:
// without tags, the content of <code> (what is typed), commands, addresses
// and fmt verbs.
func viText() map[Key]string {
	drop := regexp.MustCompile(`<code>.*?</code>|<[^>]+>|/[a-z_]+|https?://\S+|%(\[\d+\])?[-+# 0]*\d*[a-z%]|&[a-z]+;`)
	out := map[Key]string{}
	for k, v := range catalogs[Vietnamese] {
		out[k] = drop.ReplaceAllString(v, " ")
	}
	return out
}

// englishDenied are English words that must not reach a Vietnamese reader:
// each has one Vietnamese word in the glossary (catalog_vi.go).
var englishDenied = []string{
	"id", "bot", "member", "members", "officer", "officers", "sending", "admin", "admins",
	"unit", "units", "broadcast", "broadcasts", "feed", "feeds", "chat", "group", "link",
	"invite", "task", "tasks", "source", "user", "reminder", "error", "done", "ok",
	"subscribe", "unsubscribe", "overdue", "week", "all", "role", "status", "url",
}

func TestCatalogNoEnglish(t *testing.T) {
	for k, v := range viText() {
		words := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, w := range words {
			if slices.Contains(englishDenied, w) {
				t.Errorf("%s: the English word %q in %q", k, w, catalogs[Vietnamese][k])
			}
		}
	}
}

// glossaryRejected are the synonyms the glossary rejects, with the word to
// use instead. Each entry is checked on lower-cased text.
var glossaryRejected = []struct{ re, use string }{
	{`đăng ký`, "theo dõi"},
	{`hủy theo dõi`, "bỏ theo dõi"},
	{`cán bộ(?:$|[^ ,]| [^p,]| p[^h])`, `"cán bộ phụ trách" for the role ("cán bộ" alone is any official)`},
	{`quản trị viên(?:$| [^nl]|[^ ])`, `"quản trị viên Loa" or "quản trị viên nhóm"`},
	{`quyền quản trị(?: |$)`, `"quản trị viên Loa"`},
	{`quản trị viên của nhóm`, `"quản trị viên nhóm"`},
	{`[«»]`, "“…”"},
	{`"`, "“…”"},
}

func TestCatalogGlossary(t *testing.T) {
	for k, v := range viText() {
		low := strings.ToLower(v)
		for _, g := range glossaryRejected {
			if regexp.MustCompile(g.re).MatchString(low) {
				t.Errorf("%s: %q matches %q; use %s", k, catalogs[Vietnamese][k], g.re, g.use)
			}
		}
	}
	// The one general use of "cán bộ": officials and militia.
	for k, v := range viText() {
		for _, m := range regexp.MustCompile(`cán bộ(.{0,12})`).FindAllStringSubmatch(strings.ToLower(v), -1) {
			if !strings.HasPrefix(m[1], " phụ trách") && !strings.HasPrefix(m[1], ", dân quân") {
				t.Errorf("%s: %q uses \"cán bộ\" alone", k, catalogs[Vietnamese][k])
			}
		}
	}
	if got := T(Vietnamese, KeyRoleOfficer); got != "cán bộ phụ trách" {
		t.Errorf("the officer role is %q", got)
	}
}

func TestDeliveryReasonLinesMergeWhatReadsTheSame(t *testing.T) {
	got := DeliveryReasonLines(Vietnamese, []ReasonCount{
		{"Forbidden: bot was kicked from the supergroup chat", 1200, ""},
		{"Forbidden: bot was blocked by the user", 30, ""},
		{"Forbidden: bot was kicked from the group chat", 5, ""},
	})
	want := []string{
		"• <i>Loa đã bị mời ra khỏi nhóm</i>: 1.205",
		"• <i>người nhận đã chặn Loa</i>: 30",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
