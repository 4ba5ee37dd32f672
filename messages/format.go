package messages

import (
	"strconv"
	"time"
)

// vietnamTime is UTC+7, the time of Vietnam, which has had no daylight saving
// since 1975. It is the default when no location is given, and it is fixed
// rather than loaded so that dates are right even on a host without tzdata.
var vietnamTime = time.FixedZone("ICT", 7*60*60)

// Date formats the day of t in loc the way Vietnamese readers write it,
// dd/mm/yyyy (18/11/2021), in both languages: an English reader of a
// Vietnamese programme meets the same dates in its documents. A nil loc means
// Vietnam time. Convert to the reader's zone before formatting: 17:30 UTC is
// already the next day in Hà Nội.
func Date(t time.Time, loc *time.Location) string {
	return t.In(orVietnam(loc)).Format("02/01/2006")
}

// DateTime formats t in loc as dd/mm/yyyy hh:mm on a 24-hour clock
// (18/11/2021 16:44). A nil loc means Vietnam time.
func DateTime(t time.Time, loc *time.Location) string {
	return t.In(orVietnam(loc)).Format("02/01/2006 15:04")
}

func orVietnam(loc *time.Location) *time.Location {
	if loc == nil {
		return vietnamTime
	}
	return loc
}

// Number formats n with thousands grouped as each language groups them:
// 1240 is "1.240" in Vietnamese and "1,240" in English. An unknown language
// gets the Vietnamese form, as T does.
func Number(lang Lang, n int) string {
	sep := byte('.')
	if lang == English {
		sep = ','
	}
	// The magnitude as uint64 is right even for math.MinInt, whose negation
	// overflows int.
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	out := make([]byte, 0, len(digits)+len(digits)/3+1)
	if n < 0 {
		out = append(out, '-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, sep)
		}
		out = append(out, digits[i])
	}
	return string(out)
}

// weekdaysVI are the days of the week as Vietnamese writes them, Sunday first
// like time.Weekday.
var weekdaysVI = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// DayDate formats the day of t in loc with its weekday, for the dates a
// person plans by (a task's due date, a reminder): "Thứ Hai, 07/12/2026" in
// Vietnamese, "Monday, 07/12/2026" in English. A nil loc means Vietnam time.
func DayDate(lang Lang, t time.Time, loc *time.Location) string {
	t = t.In(orVietnam(loc))
	day := weekdaysVI[t.Weekday()]
	if lang == English {
		day = t.Weekday().String()
	}
	return day + ", " + t.Format("02/01/2006")
}
