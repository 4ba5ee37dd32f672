package messages

func init() {
	extend(Vietnamese, map[Key]string{
		KeyDeliveryStatus:          "📣 Thông báo #%d\nĐang gửi %s/%s %s %d%%",
		KeyDeliveryStatusDone:      "📣 Thông báo #%d\nĐã gửi xong %s/%s %s %d%%",
		KeyDeliveryStatusCancelled: "📣 Thông báo #%d\nĐã dừng ở %s/%s %s %d%%",
		KeyDeliveryReport:          "<b>Kết quả thông báo #%d</b> (%s cuộc trò chuyện)\n✅ Đã gửi: %s\n🚫 Bị chặn hoặc đã rời nhóm: %s\n⚠️ Lỗi: %s",
		KeyDeliveryReportCancelled: "⏹ Không gửi vì đã dừng: %s",
		KeyDeliveryReportReasons:   "<b>Lý do:</b>",
		KeyDeliveryReportReason:    "• <i>%s</i>: %s",
	})
	extend(English, map[Key]string{
		KeyDeliveryStatus:          "📣 Announcement #%d\nSending %s/%s %s %d%%",
		KeyDeliveryStatusDone:      "📣 Announcement #%d\nSent %s/%s %s %d%%",
		KeyDeliveryStatusCancelled: "📣 Announcement #%d\nStopped at %s/%s %s %d%%",
		KeyDeliveryReport:          "<b>Announcement #%d: results</b> (%s chats)\n✅ Sent: %s\n🚫 Blocked or removed: %s\n⚠️ Failed: %s",
		KeyDeliveryReportCancelled: "⏹ Not sent, stopped: %s",
		KeyDeliveryReportReasons:   "<b>Reasons:</b>",
		KeyDeliveryReportReason:    "• <i>%s</i>: %s",
	})
}
