package messages

// Glossary: one Vietnamese word for each thing, everywhere in this catalogue
// and its feature files (catalog_*.go). TestCatalogGlossary rejects the
// synonyms on the right.
//
//	unit                 → đơn vị            (code: mã đơn vị)
//	follow / subscribe   → theo dõi          (not "đăng ký", "hủy đăng ký")
//	unfollow             → bỏ theo dõi       (not "hủy theo dõi")
//	member (role)        → thành viên
//	officer (role)       → cán bộ phụ trách  ("cán bộ" alone means any official)
//	Loa admin            → quản trị viên Loa (not "quản trị viên" alone)
//	Telegram group admin → quản trị viên nhóm
//	announcement         → thông báo         (the /broadcast command keeps its name)
//	chat                 → cuộc trò chuyện   (a group: nhóm)
//	invite link          → liên kết mời
//	join request         → đề nghị tham gia
//	news source (feed)   → nguồn tin
//	article / bulletin   → bài viết / bản tin
//	task                 → nhiệm vụ          (lead: chủ trì, supporting: phối hợp, due: hạn)
//	reminder             → nhắc việc
//	Telegram id          → mã số Telegram    (not "id")
//	the bot              → Loa               (not "bot")
//
// Command arguments have Vietnamese forms beside the English ones (words.go):
// tat-ca, qua-han, tuan, thanh-vien, can-bo, quan-tri; usage lines show them.

// catalogVI is the Vietnamese catalogue, the reference language: every key
// has an entry here, and T falls back to it when another language lacks one.
// Values are Telegram HTML (escape literal <, > and & as &lt; &gt; &amp;),
// NFC, and address the reader as "đồng chí".
var catalogVI = map[Key]string{
	// Greetings.
	KeyStartGreeting: "Chào đồng chí %s!\n\n" +
		"<b>Loa</b> gửi đến cán bộ, dân quân của từng đơn vị các bản tin, bài viết mới, " +
		"thông báo và nhắc việc của chương trình phối hợp công tác giữa Ban Tuyên giáo Thành ủy " +
		"và Ban Chỉ huy Quân sự thành phố.\n\n" +
		"Để tham gia đơn vị, đồng chí mở liên kết mời do cán bộ phụ trách đơn vị gửi, " +
		"hoặc gõ /units để xem danh sách đơn vị rồi gõ /join &lt;mã đơn vị&gt;.",
	KeyAddedToGroup: "Chào các đồng chí trong nhóm %s!\n\n" +
		"<b>Loa</b> gửi bản tin, bài viết mới, thông báo và nhắc việc của chương trình phối hợp công tác " +
		"đến cán bộ, dân quân của từng đơn vị. Gõ /help để xem các lệnh dùng được trong nhóm.",

	// Help.
	KeyHelpHeader: "Các lệnh đồng chí có thể dùng:",
	KeyHelpLine:   "/%s — %s",
	KeyHelpFooter: "Chạm vào một lệnh để dùng ngay. Cần hỗ trợ, đồng chí liên hệ cán bộ phụ trách đơn vị.",

	// Command descriptions.
	KeyCmdStart:       "Giới thiệu Loa và cách tham gia đơn vị",
	KeyCmdHelp:        "Xem các lệnh có thể dùng",
	KeyCmdMe:          "Xem thông tin của đồng chí và các đơn vị đã tham gia",
	KeyCmdUnits:       "Xem danh sách đơn vị",
	KeyCmdJoin:        "Xin tham gia một đơn vị (gõ mã đơn vị)",
	KeyCmdSubscribe:   "Theo dõi một đơn vị để nhận bản tin, bài viết mới",
	KeyCmdUnsubscribe: "Bỏ theo dõi một đơn vị",
	KeyCmdLatest:      "Xem các bài viết mới nhất",
	KeyCmdTasks:       "Xem nhiệm vụ sắp đến hạn; thêm qua-han, tuan hoặc tat-ca",
	KeyCmdInvite:      "Tạo liên kết mời vào đơn vị (thanh-vien hoặc can-bo)",
	KeyCmdMembers:     "Xem danh sách thành viên đơn vị",
	KeyCmdPromote:     "Giao vai trò cán bộ phụ trách đơn vị (hoặc quản trị viên Loa: quan-tri)",
	KeyCmdDemote:      "Thu hồi vai trò cán bộ phụ trách (hoặc quản trị viên Loa: quan-tri)",
	KeyCmdBroadcast:   "Gửi thông báo đến đơn vị, hoặc tat-ca; kèm tệp, ảnh; hỏi từng người: ? Có mặt | Vắng mặt ?",

	// Guidance.
	KeyUnknownCommand: "Không hiểu lệnh /%s. Gõ /help để xem các lệnh.",
	KeyPlainTextHint:  "Loa chỉ hiểu các lệnh. Gõ /help để xem các lệnh đồng chí dùng được.",

	// Toasts (plain text).
	KeyApologyShort:  "Xin lỗi, hệ thống đang gặp sự cố. Đồng chí vui lòng thử lại sau.",
	KeyButtonExpired: "Nút này không còn dùng được. Đồng chí vui lòng gõ lại lệnh.",

	// Refusals and errors.
	KeyApology:     "Xin lỗi, hệ thống đang gặp sự cố. Lỗi đã được ghi lại, đồng chí vui lòng thử lại sau.",
	KeyNotAllowed:  "Đồng chí không có quyền dùng lệnh này.",
	KeyArgsTooLong: "Nội dung quá dài: tối đa %d ký tự.",
	KeyArgsInvalid: "Lệnh chưa đúng. Cách dùng: %s",
	KeyPrivateOnly: "Lệnh /%s chỉ dùng khi nhắn riêng với Loa.",
	KeyGroupOnly:   "Lệnh /%s chỉ dùng trong nhóm của đơn vị.",
	KeySlowDown:    "Đồng chí gửi lệnh quá nhanh. Vui lòng thử lại sau %d giây.",
}
