package messages

// catalogVI is the Vietnamese catalogue, the reference language: every key
// has an entry here, and T falls back to it when another language lacks one.
// Values are Telegram HTML (escape literal <, > and & as &lt; &gt; &amp;),
// NFC, and address the reader as "đồng chí".
var catalogVI = map[Key]string{
	// Greetings.
	KeyStartGreeting: "Chào đồng chí %s!\n\n" +
		"<b>Loa</b> là bot gửi đến cán bộ, dân quân theo từng đơn vị các bản tin, bài viết mới, " +
		"thông báo và nhắc việc của chương trình phối hợp công tác giữa Ban Tuyên giáo Thành ủy " +
		"và Ban Chỉ huy Quân sự thành phố.\n\n" +
		"Để tham gia đơn vị, đồng chí mở liên kết mời do cán bộ đơn vị gửi, " +
		"hoặc gõ /units để xem danh sách đơn vị rồi gõ /join &lt;mã đơn vị&gt;.",
	KeyAddedToGroup: "Chào các đồng chí trong nhóm %s!\n\n" +
		"<b>Loa</b> gửi bản tin, bài viết mới, thông báo và nhắc việc của chương trình phối hợp công tác " +
		"đến cán bộ, dân quân theo từng đơn vị. Gõ /help để xem các lệnh dùng được trong nhóm.",

	// Help.
	KeyHelpHeader: "Các lệnh đồng chí có thể dùng:",
	KeyHelpLine:   "/%s — %s",
	KeyHelpFooter: "Chạm vào một lệnh để dùng ngay. Cần hỗ trợ, đồng chí liên hệ cán bộ đơn vị.",

	// Command descriptions.
	KeyCmdStart:       "Giới thiệu Loa và cách tham gia đơn vị",
	KeyCmdHelp:        "Xem các lệnh có thể dùng",
	KeyCmdMe:          "Xem thông tin của đồng chí và các đơn vị đã tham gia",
	KeyCmdUnits:       "Xem danh sách đơn vị",
	KeyCmdJoin:        "Tham gia đơn vị theo mã đơn vị",
	KeyCmdSubscribe:   "Đăng ký nhận bản tin và bài viết mới",
	KeyCmdUnsubscribe: "Hủy đăng ký nhận bản tin",
	KeyCmdLatest:      "Xem các bài viết mới nhất",
	KeyCmdTasks:       "Xem nhiệm vụ sắp đến hạn",
	KeyCmdInvite:      "Tạo liên kết mời vào đơn vị",
	KeyCmdMembers:     "Xem danh sách thành viên đơn vị",
	KeyCmdPromote:     "Giao quyền cán bộ đơn vị cho một thành viên",
	KeyCmdDemote:      "Thu hồi quyền cán bộ đơn vị",
	KeyCmdBroadcast:   "Gửi thông báo đến đơn vị",

	// Guidance.
	KeyUnknownCommand: "Không hiểu lệnh /%s. Gõ /help để xem các lệnh.",
	KeyPlainTextHint:  "Loa chỉ làm việc qua các lệnh. Gõ /help để xem các lệnh đồng chí có thể dùng.",

	// Toasts (plain text).
	KeyApologyShort:  "Xin lỗi, hệ thống đang gặp sự cố. Đồng chí vui lòng thử lại sau.",
	KeyButtonExpired: "Nút này không còn dùng được. Đồng chí vui lòng gõ lại lệnh.",

	// Refusals and errors.
	KeyApology:     "Xin lỗi, hệ thống đang gặp sự cố. Lỗi đã được ghi lại, đồng chí vui lòng thử lại sau.",
	KeyNotAllowed:  "Đồng chí không có quyền dùng lệnh này.",
	KeyArgsTooLong: "Nội dung quá dài: tối đa %d ký tự.",
	KeyArgsInvalid: "Lệnh chưa đúng. Cách dùng: %s",
	KeyPrivateOnly: "Lệnh /%s chỉ dùng trong tin nhắn riêng với Loa.",
	KeyGroupOnly:   "Lệnh /%s chỉ dùng trong nhóm của đơn vị.",
	KeySlowDown:    "Đồng chí đã gửi quá nhiều lệnh. Vui lòng thử lại sau %d giây.",
}
