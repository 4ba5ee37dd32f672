package messages

import "testing"

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		return map[Key][]any{
			KeySettingsHeader:         {"Dân quân phường Trà Cổ"},
			KeySettingsQuietOn:        {"22:00–06:00"},
			KeySettingsArticlesDigest: {"18:00"},
			KeySettingsOnly:           {"an ninh, biên giới"},
			KeySettingsNone:           {"quảng cáo"},
			KeySettingsMuted:          {"Báo Quảng Ninh (3)"},
			KeySettingsTopics:         {HTML("• Phường Trà Cổ → 12")},
			KeySettingsTopicLine:      {"Phường Trà Cổ", 12},
			KeySettingsTooMany:        {20},
			KeySettingsPreview:        {Count(12), Count(40)},
			KeySettingsNoSource:       {7},
			KeySettingsTopicSet:       {"Phường Trà Cổ", 12},
			KeySettingsBtnQuietOn:     {"22:00–06:00"},
			KeySettingsBtnDigestOn:    {"18:00"},
			KeySettingsBtnMute:        {"Báo Quảng Ninh"},
			KeySettingsBtnUnmute:      {"Báo Quảng Ninh"},
			KeyDigestHeader:           {"01/12/2026", Count(5)},
			KeyDigestSource:           {"Báo Quảng Ninh"},
			KeyDigestItemLink:         {Link("https://baoquangninh.vn/a", "Diễn tập phòng thủ"), "Sáng nay, dân quân các phường ven biển diễn tập."},
			KeyDigestItem:             {"Diễn tập phòng thủ", "Sáng nay, dân quân các phường ven biển diễn tập."},
			KeyDigestMore:             {Count(12)},
			KeyTopicGone:              {12},
		}
	})
}

func TestSettingsArgs(t *testing.T) {
	for in, want := range map[string]Arg{
		"yên lặng": ArgQuiet, "YEN-LANG": ArgQuiet, "tóm tắt": ArgDigest, "chủ đề": ArgTopic, "tắt": ArgOff,
		"bài viết": ArgArticles, "nhắc việc": ArgReminders, "quiet": ArgQuiet, "trừ": ArgExcept,
	} {
		if !IsArg(in, want) {
			t.Errorf("%q is not %s", in, want)
		}
	}
}
