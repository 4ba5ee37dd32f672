package messages

func init() {
	extend(Vietnamese, map[Key]string{
		KeyCmdSettings:            "Chọn giờ yên lặng, bản tổng hợp và bộ lọc bài viết",
		KeySettingsHeader:         "⚙️ <b>Cài đặt của %s</b>",
		KeySettingsQuietOn:        "🌙 Giờ yên lặng: %s (bài viết, thông báo thường đến không kèm chuông; thông báo khẩn và nhắc việc đến hạn trong ngày vẫn đổ chuông)",
		KeySettingsQuietOff:       "🌙 Giờ yên lặng: tắt",
		KeySettingsArticlesNow:    "📰 Bài viết: gửi ngay khi có",
		KeySettingsArticlesDigest: "📰 Bài viết: gộp thành một bản tổng hợp mỗi ngày lúc %s",
		KeySettingsOnly:           "🔎 Chỉ nhận bài viết có một trong các từ khóa: %s",
		KeySettingsOnlyAll:        "🔎 Nhận mọi bài viết",
		KeySettingsNone:           "🚫 Không nhận bài viết có từ khóa: %s",
		KeySettingsMuted:          "🔇 Nguồn tin đã tắt: %s",
		KeySettingsTopics:         "🗂 Chủ đề nhận tin:\n%s",
		KeySettingsTopicLine:      "• %s → chủ đề số %d",
		KeySettingsBulletinsNote:  "Thông báo của cán bộ phụ trách và quản trị viên Loa luôn đến đủ, không qua bộ lọc.",
		KeySettingsUsage: "Đổi bằng lệnh:\n" +
			"<code>/caidat yen-lang 22:00-06:00</code> hoặc <code>/caidat yen-lang tat</code>\n" +
			"<code>/caidat tom-tat 18:00</code> hoặc <code>/caidat tom-tat tat</code>\n" +
			"<code>/caidat chi an ninh, biên giới</code> · <code>/caidat tru quảng cáo</code> (<code>tat</code> để bỏ)\n" +
			"<code>/caidat tat-nguon &lt;số nguồn&gt;</code> · <code>/caidat bat-nguon &lt;số nguồn&gt;</code>\n" +
			"Trong một chủ đề của nhóm: <code>/caidat chu-de &lt;mã đơn vị&gt;</code>, <code>bai-viet</code>, <code>ban-tin</code> hoặc <code>nhac-viec</code>",
		KeySettingsGroupAdminOnly: "Chỉ quản trị viên nhóm mới đổi được cài đặt của nhóm.",
		KeySettingsBadQuiet:       "Giờ yên lặng ghi dạng <code>22:00-06:00</code>, hoặc <code>tat</code> để tắt.",
		KeySettingsBadTime:        "Giờ gửi bản tổng hợp ghi dạng <code>18:00</code>, hoặc <code>tat</code> để nhận bài ngay khi có.",
		KeySettingsTooMany:        "Mỗi bộ lọc có tối đa %d từ khóa.",
		KeySettingsSaved:          "Đã lưu",
		KeySettingsPreview:        "Với bộ lọc này, %d trong %d bài viết của 7 ngày qua sẽ được gửi.",
		KeySettingsNoSource:       "Không có nguồn tin số %d trong các nguồn cuộc trò chuyện này nhận.",
		KeySettingsTopicNotForum:  "Lệnh này gõ trong một chủ đề của nhóm có chủ đề.",
		KeySettingsTopicUsage:     "Cách dùng, trong chủ đề muốn nhận tin: <code>/caidat chu-de &lt;mã đơn vị&gt;</code>, <code>/caidat chu-de bai-viet</code>, <code>ban-tin</code> hoặc <code>nhac-viec</code>; <code>/caidat chu-de tat</code> để bỏ.",
		KeySettingsTopicSet:       "Từ nay %s gửi vào chủ đề này (số %d).",
		KeySettingsKindArticles:   "bài viết",
		KeySettingsKindBulletins:  "thông báo",
		KeySettingsKindReminders:  "nhắc việc",
		KeySettingsBtnQuietOff:    "🔔 Tắt giờ yên lặng",
		KeySettingsBtnQuietOn:     "🌙 Bật giờ yên lặng %s",
		KeySettingsBtnDigestOn:    "📰 Tổng hợp mỗi ngày lúc %s",
		KeySettingsBtnDigestOff:   "📰 Gửi bài ngay khi có",
		KeySettingsBtnFiltersOff:  "🔎 Bỏ bộ lọc từ khóa",
		KeySettingsBtnMute:        "🔇 Tắt %s",
		KeySettingsBtnUnmute:      "🔊 Bật %s",

		KeyDigestHeader:   "📰 <b>Bản tổng hợp bài viết ngày %s</b> (%d bài)",
		KeyDigestSource:   "<b>%s</b>",
		KeyDigestItemLink: "• %s — %s",
		KeyDigestItem:     "• %s — %s",
		KeyDigestMore:     "… và %d bài viết khác, xem bằng /latest.",

		KeyTopicGone: "⚠️ Quản trị viên nhóm lưu ý: chủ đề số %d mà Loa gửi tin vào đã bị xóa. Từ nay tin gửi vào chủ đề chung; gõ <code>/caidat chu-de …</code> trong một chủ đề để chọn lại.",
	})
	extend(English, map[Key]string{
		KeyCmdSettings:            "Quiet hours, daily digest and article filters",
		KeySettingsHeader:         "⚙️ <b>Settings of %s</b>",
		KeySettingsQuietOn:        "🌙 Quiet hours: %s (articles and ordinary announcements arrive silently; urgent announcements and reminders due that day still ring)",
		KeySettingsQuietOff:       "🌙 Quiet hours: off",
		KeySettingsArticlesNow:    "📰 Articles: as they come",
		KeySettingsArticlesDigest: "📰 Articles: one daily digest at %s",
		KeySettingsOnly:           "🔎 Only articles with any of: %s",
		KeySettingsOnlyAll:        "🔎 All articles",
		KeySettingsNone:           "🚫 No articles with: %s",
		KeySettingsMuted:          "🔇 Muted sources: %s",
		KeySettingsTopics:         "🗂 Topics:\n%s",
		KeySettingsTopicLine:      "• %s → topic %d",
		KeySettingsBulletinsNote:  "Announcements from officers and Loa admins always arrive in full, never filtered.",
		KeySettingsUsage: "Change with:\n" +
			"<code>/settings quiet 22:00-06:00</code> or <code>/settings quiet off</code>\n" +
			"<code>/settings digest 18:00</code> or <code>/settings digest off</code>\n" +
			"<code>/settings only security, border</code> · <code>/settings except advertising</code> (<code>off</code> to clear)\n" +
			"<code>/settings mute &lt;source number&gt;</code> · <code>/settings unmute &lt;source number&gt;</code>\n" +
			"Inside a group's topic: <code>/settings topic &lt;unit code&gt;</code>, <code>articles</code>, <code>bulletins</code> or <code>reminders</code>",
		KeySettingsGroupAdminOnly: "Only the group's admins can change the group's settings.",
		KeySettingsBadQuiet:       "Write quiet hours as <code>22:00-06:00</code>, or <code>off</code>.",
		KeySettingsBadTime:        "Write the digest time as <code>18:00</code>, or <code>off</code> to get articles as they come.",
		KeySettingsTooMany:        "A filter holds at most %d keywords.",
		KeySettingsSaved:          "Saved",
		KeySettingsPreview:        "With this filter, %d of the last 7 days' %d articles would have been sent.",
		KeySettingsNoSource:       "No source number %d among the sources this chat receives.",
		KeySettingsTopicNotForum:  "Type this inside a topic of a group with topics.",
		KeySettingsTopicUsage:     "Usage, inside the topic that should receive them: <code>/settings topic &lt;unit code&gt;</code>, <code>/settings topic articles</code>, <code>bulletins</code> or <code>reminders</code>; <code>/settings topic off</code> to remove.",
		KeySettingsTopicSet:       "From now on %s go to this topic (number %d).",
		KeySettingsKindArticles:   "articles",
		KeySettingsKindBulletins:  "announcements",
		KeySettingsKindReminders:  "reminders",
		KeySettingsBtnQuietOff:    "🔔 Quiet hours off",
		KeySettingsBtnQuietOn:     "🌙 Quiet hours %s",
		KeySettingsBtnDigestOn:    "📰 Daily digest at %s",
		KeySettingsBtnDigestOff:   "📰 Articles as they come",
		KeySettingsBtnFiltersOff:  "🔎 Clear keyword filters",
		KeySettingsBtnMute:        "🔇 Mute %s",
		KeySettingsBtnUnmute:      "🔊 Unmute %s",

		KeyDigestHeader:   "📰 <b>Articles of %s</b> (%d)",
		KeyDigestSource:   "<b>%s</b>",
		KeyDigestItemLink: "• %s — %s",
		KeyDigestItem:     "• %s — %s",
		KeyDigestMore:     "… and %d more articles, see /latest.",

		KeyTopicGone: "⚠️ For the group's admins: topic %d, where Loa sent messages, was deleted. Messages now go to the general topic; type <code>/settings topic …</code> inside a topic to choose again.",
	})
}
