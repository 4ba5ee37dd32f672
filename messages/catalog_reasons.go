package messages

func init() {
	extend(Vietnamese, map[Key]string{
		KeyFeedErrUnreachable: "không kết nối được tới trang tin",
		KeyFeedErrTimeout:     "trang tin phản hồi quá chậm",
		KeyFeedErrTooBig:      "nội dung quá lớn",
		KeyFeedErrNotFeed:     "địa chỉ này không phải nguồn tin",
		KeyFeedErrBadURL:      "địa chỉ không hợp lệ",
		KeyFeedErrInternal:    "địa chỉ nội bộ, Loa không đọc tin từ đó",
		KeyFeedErrOther:       "lỗi khác, xem nhật ký hệ thống",

		KeyDeliveryErrBlocked:     "người nhận đã chặn Loa",
		KeyDeliveryErrDeactivated: "tài khoản Telegram đã bị xóa",
		KeyDeliveryErrKicked:      "Loa đã bị mời ra khỏi nhóm",
		KeyDeliveryErrNotMember:   "Loa không còn ở trong nhóm",
		KeyDeliveryErrLeft:        "Loa đã rời hoặc bị mời ra khỏi cuộc trò chuyện",
		KeyDeliveryErrNotFound:    "cuộc trò chuyện không còn tồn tại",
		KeyDeliveryErrTooLong:     "tin nhắn quá dài",
		KeyDeliveryErrFormat:      "Telegram không đọc được định dạng tin nhắn",
		KeyDeliveryErrUpgraded:    "nhóm đã được nâng cấp, cần gửi lại",
		KeyDeliveryErrRateLimit:   "Telegram yêu cầu gửi chậm lại",
		KeyDeliveryErrGaveUp:      "đã thử gửi nhiều lần không được",
		KeyDeliveryErrOther:       "lỗi khác, xem nhật ký hệ thống",

		KeyDeliveryErrCaptionTooLong: "chú thích kèm tệp quá dài",
		KeyDeliveryErrBadFile:        "Telegram không nhận ra tệp đính kèm",
		KeyDeliveryErrCantEdit:       "tin nhắn không còn sửa được",
		KeyDeliveryErrCantDelete:     "tin nhắn đã quá 48 giờ, không thu hồi được",
		KeyDeliveryErrCantPin:        "Loa không có quyền ghim tin trong nhóm",
	})
	extend(English, map[Key]string{
		KeyFeedErrUnreachable: "cannot reach the site",
		KeyFeedErrTimeout:     "the site answers too slowly",
		KeyFeedErrTooBig:      "what it serves is too big",
		KeyFeedErrNotFeed:     "the address is not a news feed",
		KeyFeedErrBadURL:      "the address is not valid",
		KeyFeedErrInternal:    "an internal address, which Loa does not read news from",
		KeyFeedErrOther:       "another error, see the system log",

		KeyDeliveryErrBlocked:     "the person blocked Loa",
		KeyDeliveryErrDeactivated: "the Telegram account was deleted",
		KeyDeliveryErrKicked:      "Loa was removed from the group",
		KeyDeliveryErrNotMember:   "Loa is no longer in the group",
		KeyDeliveryErrLeft:        "Loa left or was removed from the chat",
		KeyDeliveryErrNotFound:    "the chat no longer exists",
		KeyDeliveryErrTooLong:     "the message is too long",
		KeyDeliveryErrFormat:      "Telegram could not read the message's formatting",
		KeyDeliveryErrUpgraded:    "the group was upgraded; send again",
		KeyDeliveryErrRateLimit:   "Telegram asked to send more slowly",
		KeyDeliveryErrGaveUp:      "several attempts failed",
		KeyDeliveryErrOther:       "another error, see the system log",

		KeyDeliveryErrCaptionTooLong: "the caption of the file is too long",
		KeyDeliveryErrBadFile:        "Telegram does not recognise the attached file",
		KeyDeliveryErrCantEdit:       "the message can no longer be edited",
		KeyDeliveryErrCantDelete:     "the message is over 48 hours old and cannot be recalled",
		KeyDeliveryErrCantPin:        "Loa may not pin messages in the group",
	})
}
