package messages

import (
	"strings"
	"testing"
)

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		n := func(v int) string { return Number(lang, v) }
		return map[Key][]any{
			KeyDeliveryStatus:          {42, n(1240), n(4500), "▓▓▓░░░░░", 27},
			KeyDeliveryStatusDone:      {42, n(4500), n(4500), "▓▓▓▓▓▓▓▓", 100},
			KeyDeliveryStatusCancelled: {42, n(1240), n(4500), "▓▓▓░░░░░", 27},
			KeyDeliveryReport:          {42, n(4500), n(4011), n(450), n(39)},
			KeyDeliveryReportCancelled: {n(3260)},
			KeyDeliveryReportReason:    {DeliveryReason(lang, "Forbidden: bot was blocked by the user"), n(450)},
		}
	})
}

// TestDeliveryStatusReadsLikeTheIssue checks the status line against the
// example the issue gives (with the catalogue's grouping of thousands).
func TestDeliveryStatusReadsLikeTheIssue(t *testing.T) {
	got := T(Vietnamese, KeyDeliveryStatus, 42, Number(Vietnamese, 1240), Number(Vietnamese, 4500), "▓▓▓░░░░░", 27)
	if !strings.HasSuffix(got, "Đang gửi 1.240/4.500 ▓▓▓░░░░░ 27%") {
		t.Errorf("status %q", got)
	}
	// Telegram's reason is text from outside: escaped.
	if got := T(English, KeyDeliveryReportReason, "a <b> & c", "1"); !strings.Contains(got, "a &lt;b&gt; &amp; c") {
		t.Errorf("reason not escaped: %q", got)
	}
}
