package messages

func init() {
	extend(Vietnamese, map[Key]string{
		KeyBroadcastUsage:        "Cách dùng: <code>/broadcast &lt;mã đơn vị…|all&gt; &lt;nội dung&gt;</code>, ví dụ <code>/broadcast dq-tra-co dq-hai-xuan Họp giao ban 7h30 thứ Hai.</code> Nhiều đơn vị cách nhau bằng dấu cách hoặc dấu phẩy.",
		KeyBroadcastPreview:      "<b>Xem trước thông báo</b> — sẽ gửi đến %d cuộc trò chuyện của: %s\n\n%s",
		KeyBroadcastNobody:       "Chưa có cuộc trò chuyện nào theo dõi %s; thông báo không được gửi.",
		KeyBroadcastSendButton:   "📣 Gửi",
		KeyBroadcastCancelButton: "Hủy",
		KeyBroadcastStarted:      "Thông báo #%d đang được gửi đến %d cuộc trò chuyện.",
		KeyBroadcastDropped:      "Đã hủy, thông báo không được gửi.",
		KeyBroadcastNotYours:     "Chỉ người soạn thông báo mới gửi hoặc hủy được.",
		KeyBroadcastTooLong:      "Thông báo quá dài: tối đa %d ký tự.",
		KeyBroadcastsHeader:      "<b>Thông báo gần đây</b>",
		KeyBroadcastsLine:        "#%d · %s · %s · đã gửi %d/%d, chặn %d, lỗi %d\n    %s",
		KeyBroadcastsEmpty:       "Chưa có thông báo nào.",
		KeyBroadcastCancelled:    "Đã dừng thông báo #%d; %d tin chưa gửi sẽ không được gửi.",
		KeyBroadcastUnknown:      "Không có thông báo #%s mà đồng chí được dừng.",
		KeyCancelUsage:           "Cách dùng: <code>/cancel &lt;số thông báo&gt;</code>, xem số trong /broadcasts.",
		KeyCmdBroadcasts:         "Xem các thông báo gần đây",
		KeyCmdCancel:             "Dừng một thông báo đang gửi",
	})
	extend(English, map[Key]string{
		KeyBroadcastUsage:        "Usage: <code>/broadcast &lt;unit code…|all&gt; &lt;text&gt;</code>, e.g. <code>/broadcast dq-tra-co dq-hai-xuan Briefing at 7:30 on Monday.</code> Separate units with spaces or commas.",
		KeyBroadcastPreview:      "<b>Preview</b> — will be sent to %d chats of: %s\n\n%s",
		KeyBroadcastNobody:       "No chat follows %s yet; nothing was sent.",
		KeyBroadcastSendButton:   "📣 Send",
		KeyBroadcastCancelButton: "Cancel",
		KeyBroadcastStarted:      "Announcement #%d is being sent to %d chats.",
		KeyBroadcastDropped:      "Cancelled; nothing was sent.",
		KeyBroadcastNotYours:     "Only the author can send or cancel this.",
		KeyBroadcastTooLong:      "The announcement is too long: at most %d characters.",
		KeyBroadcastsHeader:      "<b>Recent announcements</b>",
		KeyBroadcastsLine:        "#%d · %s · %s · sent %d/%d, blocked %d, failed %d\n    %s",
		KeyBroadcastsEmpty:       "There are no announcements yet.",
		KeyBroadcastCancelled:    "Announcement #%d stopped; %d messages not yet sent will not be sent.",
		KeyBroadcastUnknown:      "There is no announcement #%s that you may stop.",
		KeyCancelUsage:           "Usage: <code>/cancel &lt;announcement number&gt;</code>; see /broadcasts for numbers.",
		KeyCmdBroadcasts:         "Recent announcements",
		KeyCmdCancel:             "Stop an announcement being sent",
	})
}
