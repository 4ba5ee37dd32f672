package sandbox

// labels are the page's own words (not the bot's: those come from the
// messages package through the bot). Vietnamese first; English for visitors.
var labels = map[string]map[string]string{
	"vi": {
		"title": "Loa — Telegram tập dượt", "cast": "Nhân vật", "groups": "Nhóm", "you": "Bạn đang là",
		"private": "Trò chuyện với Loa", "send": "Gửi", "attach": "Đính kèm ảnh hoặc tệp", "placeholder": "Nhập tin nhắn hoặc lệnh, ví dụ /start",
		"addPerson": "Thêm người", "addGroup": "Thêm nhóm", "name": "Tên", "role": "Chức vụ, đơn vị (không bắt buộc)", "noGroup": "Không vào nhóm nào", "groupTitle": "Tên nhóm", "add": "Thêm",
		"publish": "Đăng bài mới lên trang tin", "articleTitle": "Tiêu đề", "articleBody": "Nội dung", "publishBtn": "Đăng bài",
		"stats": "Bộ đếm của Telegram giả lập", "perSecond": "tin/giây", "tooMany": "lỗi 429", "apiErrors": "lỗi API", "queue": "hàng đợi gửi",
		"edited": "đã sửa", "empty": "Chưa có tin nhắn.", "pick": "Chọn một nhân vật bên trái.", "other": "English",
		"otherLang": "en", "hint": "Định dạng: **đậm**, __nghiêng__, ~~gạch~~, ||ẩn||, `mã`", "photo": "Ảnh", "document": "Tệp",
		"caption": "Chú thích (không bắt buộc)", "error": "Lỗi", "published": "Đã đăng. Loa sẽ đọc trang tin trong vài giây.",
	},
	"en": {
		"title": "Loa — practice Telegram", "cast": "People", "groups": "Groups", "you": "You are",
		"private": "Chat with Loa", "send": "Send", "attach": "Attach a photo or a file", "placeholder": "Type a message or a command, e.g. /start",
		"addPerson": "Add a person", "addGroup": "Add a group", "name": "Name", "role": "Role, unit (optional)", "noGroup": "In no group", "groupTitle": "Group title", "add": "Add",
		"publish": "Publish a new article on the news site", "articleTitle": "Title", "articleBody": "Text", "publishBtn": "Publish",
		"stats": "What the practice Telegram counts", "perSecond": "msg/s", "tooMany": "429 errors", "apiErrors": "API errors", "queue": "outbox queue",
		"edited": "edited", "empty": "No messages yet.", "pick": "Pick a person on the left.", "other": "Tiếng Việt",
		"otherLang": "vi", "hint": "Formatting: **bold**, __italic__, ~~strike~~, ||spoiler||, `code`", "photo": "Photo", "document": "File",
		"caption": "Caption (optional)", "error": "Error", "published": "Published. Loa reads the news site within seconds.",
	},
}
