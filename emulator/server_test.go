package emulator

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestGetMe(t *testing.T) {
	s := NewT(t, WithBotUsername("loa_test_bot"))
	bot := newBot(t, s)
	if bot.Self.ID != 123456789 || !bot.Self.IsBot || bot.Self.UserName != "loa_test_bot" || !bot.Self.CanJoinGroups {
		t.Errorf("getMe = %+v", bot.Self)
	}
	r := postForm(t, s, "getMe", nil)
	want := `{"ok":true,"result":{"id":123456789,"is_bot":true,"first_name":"Loa","username":"loa_test_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false,"can_connect_to_business":false,"has_main_web_app":false}}`
	if r.Status != 200 || r.Body != want {
		t.Errorf("getMe = %d %s\nwant %s", r.Status, r.Body, want)
	}
}

func TestBotIDFollowsToken(t *testing.T) {
	s := NewT(t, WithToken("987654321:AAbbccddeeffgghhiijjkkllmmnnooppqqr"))
	if s.BotID() != 987654321 {
		t.Errorf("BotID = %d", s.BotID())
	}
	if newBot(t, s).Self.ID != 987654321 {
		t.Error("getMe disagrees with the token")
	}
}

func TestUnauthorizedAndNotFound(t *testing.T) {
	s := NewT(t)
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/bot123456789:wrong/getMe", 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`},
		{"/bot" + s.Token() + "/noSuchMethod", 404, `{"ok":false,"error_code":404,"description":"Not Found"}`},
		{"/bot" + s.Token() + "/", 404, `{"ok":false,"error_code":404,"description":"Not Found"}`},
		{"/", 404, `{"ok":false,"error_code":404,"description":"Not Found"}`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+tt.path, nil)
		r := doRaw(t, s, req)
		if r.Status != tt.status || r.Body != tt.body {
			t.Errorf("GET %s = %d %s, want %d %s", tt.path, r.Status, r.Body, tt.status, tt.body)
		}
	}
	_, err := tgbotapi.NewBotAPIWithClient("123456789:wrong", s.Endpoint(), s.Client())
	wantAPIError(t, err, 401, "Unauthorized")
	if got := s.Calls("noSuchMethod"); got != 1 {
		t.Errorf("Calls(noSuchMethod) = %d", got)
	}
}

func TestMethodNamesIgnoreCase(t *testing.T) {
	s := NewT(t)
	s.AddChat(PrivateChat(lan))
	for _, m := range []string{"getMe", "getme", "GETME"} {
		if r := postForm(t, s, m, nil); r.Status != 200 {
			t.Errorf("%s: %d %s", m, r.Status, r.Body)
		}
	}
	if r := postForm(t, s, "SENDMESSAGE", url.Values{"chat_id": {"1001"}, "text": {"x"}}); r.Status != 200 {
		t.Errorf("SENDMESSAGE: %d %s", r.Status, r.Body)
	}
	if s.Calls("getMe") != 3 || s.Calls("sendmessage") != 1 {
		t.Errorf("Calls = %d, %d", s.Calls("getMe"), s.Calls("sendmessage"))
	}
}

// TestParameterEncodings: the Bot API takes parameters from the query
// string, a form, a JSON body or a multipart form.
func TestParameterEncodings(t *testing.T) {
	s := NewT(t)
	s.AddChat(PrivateChat(lan))
	base := s.URL() + "/bot" + s.Token() + "/sendMessage"
	markup := `{"inline_keyboard":[[{"text":"Xem","callback_data":"see:1"}]]}`

	query, _ := http.NewRequest(http.MethodGet, base+"?chat_id=1001&text=query&reply_markup="+url.QueryEscape(markup), nil)
	form, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(url.Values{"chat_id": {"1001"}, "text": {"form"}, "reply_markup": {markup}}.Encode()))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	js, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(`{"chat_id":1001,"text":"json","reply_markup":`+markup+`,"disable_web_page_preview":true}`))
	js.Header.Set("Content-Type", "application/json")
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	_ = w.WriteField("chat_id", "1001")
	_ = w.WriteField("text", "multipart")
	_ = w.WriteField("reply_markup", markup)
	_ = w.Close()
	multi, _ := http.NewRequest(http.MethodPost, base, &mp)
	multi.Header.Set("Content-Type", w.FormDataContentType())

	for _, req := range []*http.Request{query, form, js, multi} {
		if r := doRaw(t, s, req); r.Status != 200 {
			t.Fatalf("%s %s: %d %s", req.Method, req.Header.Get("Content-Type"), r.Status, r.Body)
		}
	}
	msgs := s.Messages(1001)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
		if b, ok := m.Button("see:1"); !ok || b.Text != "Xem" {
			t.Errorf("%q: keyboard %+v", m.Text, m.InlineKeyboard)
		}
	}
	if strings.Join(texts, ",") != "query,form,json,multipart" {
		t.Errorf("texts = %v", texts)
	}
	if !msgs[2].DisableWebPagePreview {
		t.Error("JSON boolean disable_web_page_preview was lost")
	}
}

func TestSendMessage(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	html := "<b>Bản tin</b> số 😀 <a href=\"https://vnexpress.net/x\">đọc</a>"
	m := tgbotapi.NewMessage(lan.ID, html)
	m.ParseMode = "HTML"
	m.DisableWebPagePreview = true
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Đã đọc", "read:1"),
		tgbotapi.NewInlineKeyboardButtonURL("Mở", "https://vnexpress.net"),
	))
	got, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageID != 1 || got.From.ID != s.BotID() || got.Chat.ID != lan.ID || got.Chat.Type != "private" || got.Text != "Bản tin số 😀 đọc" {
		t.Errorf("answer = %+v", got)
	}
	wantEnts := []tgbotapi.MessageEntity{{Type: "bold", Offset: 0, Length: 7}, {Type: "text_link", Offset: 14, Length: 3, URL: "https://vnexpress.net/x"}}
	if len(got.Entities) != 2 || got.Entities[0] != wantEnts[0] || got.Entities[1].URL != wantEnts[1].URL || got.Entities[1].Offset != 14 {
		t.Errorf("entities = %+v, want %+v", got.Entities, wantEnts)
	}
	if got.ReplyMarkup == nil || *got.ReplyMarkup.InlineKeyboard[0][1].URL != "https://vnexpress.net/" {
		t.Errorf("reply_markup = %+v", got.ReplyMarkup)
	}
	second, err := bot.Send(tgbotapi.NewMessage(lan.ID, "hai"))
	if err != nil || second.MessageID != 2 {
		t.Fatalf("second message: %v %d", err, second.MessageID)
	}

	msgs := s.Messages(lan.ID)
	if len(msgs) != 2 {
		t.Fatalf("stored %d messages", len(msgs))
	}
	first := msgs[0]
	if first.HTML != html || first.Text != got.Text || first.ParseMode != "HTML" || !first.DisableWebPagePreview || len(first.Entities) != 2 {
		t.Errorf("stored %+v", first)
	}
	if b, ok := first.Button("read:1"); !ok || b.Text != "Đã đọc" || first.InlineKeyboard[0][1].URL() != "https://vnexpress.net/" {
		t.Errorf("stored keyboard %+v", first.InlineKeyboard)
	}
	if msgs[1].HTML != "hai" || msgs[1].ParseMode != "" {
		t.Errorf("plain message stored as %+v", msgs[1])
	}
	if s.MessageCount() != 2 || len(s.AllMessages()) != 2 || s.AllMessages()[1].MessageID != 2 {
		t.Errorf("MessageCount = %d", s.MessageCount())
	}
}

func TestSendMessageNewParameters(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(Supergroup(-1001234567890, "Đơn vị"))
	_, err := bot.MakeRequest("sendMessage", tgbotapi.Params{
		"chat_id":              "-1001234567890",
		"text":                 "tin",
		"link_preview_options": `{"is_disabled":true}`,
		"message_thread_id":    "7",
		"allow_paid_broadcast": "true",
	})
	if err != nil {
		t.Fatal(err)
	}
	m := s.Messages(-1001234567890)[0]
	if !m.DisableWebPagePreview || m.MessageThreadID != 7 || !m.AllowPaidBroadcast {
		t.Errorf("stored %+v", m)
	}
	_, err = bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "-1001234567890", "text": "x", "link_preview_options": "{"})
	wantAPIError(t, err, 400, "Bad Request: can't parse link preview options JSON object")
}

func TestSendMessageRejects(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	s.AddChat(Chat{ID: -1001000000055, Type: ChatSupergroup, Title: "Công khai", Username: "loa_congkhai"})
	long := strings.Repeat("😀", 2048)
	button := func(b string) string { return `{"inline_keyboard":[[` + b + `]]}` }
	tests := []struct {
		name   string
		params tgbotapi.Params
		code   int
		desc   string
	}{
		{"unknown chat", tgbotapi.Params{"chat_id": "777", "text": "x"}, 400, "Bad Request: chat not found"},
		{"unknown username", tgbotapi.Params{"chat_id": "@nobody", "text": "x"}, 400, "Bad Request: chat not found"},
		{"no chat", tgbotapi.Params{"text": "x"}, 400, "Bad Request: chat_id is empty"},
		{"no text", tgbotapi.Params{"chat_id": "1001"}, 400, "Bad Request: message text is empty"},
		{"blank text", tgbotapi.Params{"chat_id": "1001", "text": " \n "}, 400, "Bad Request: message text is empty"},
		{"too long", tgbotapi.Params{"chat_id": "1001", "text": long + "!"}, 400, "Bad Request: message is too long"},
		{"unknown tag", tgbotapi.Params{"chat_id": "1001", "text": "a<br>b", "parse_mode": "HTML"}, 400, `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`},
		{"unclosed tag", tgbotapi.Params{"chat_id": "1001", "text": "<b>x", "parse_mode": "html"}, 400, `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"stray <", tgbotapi.Params{"chat_id": "1001", "text": "1 < 2", "parse_mode": "HTML"}, 400, `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"unsupported parse mode", tgbotapi.Params{"chat_id": "1001", "text": "x", "parse_mode": "XML"}, 400, "Bad Request: unsupported parse_mode"},
		{"markup not JSON", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": "{"}, 400, "Bad Request: can't parse reply keyboard markup JSON object"},
		{"markup not an object", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": "[]"}, 400, "Bad Request: object expected as reply markup"},
		{"keyboard not rows", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": `{"inline_keyboard":[{"text":"a"}]}`}, 400, `Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays`},
		{"button without action", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": button(`{"text":"a"}`)}, 400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"button without text", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": button(`{"callback_data":"a"}`)}, 400, `Bad Request: can't parse inline keyboard button: Can't find field "text"`},
		{"callback data over 64 bytes", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": button(`{"text":"a","callback_data":"` + strings.Repeat("đ", 33) + `"}`)}, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"empty callback data", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": button(`{"text":"a","callback_data":""}`)}, 400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"bad button URL", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": button(`{"text":"a","url":"ftp://x.vn"}`)}, 400, "Bad Request: inline keyboard button URL 'ftp://x.vn' is invalid: Unsupported URL protocol"},
		{"localhost URL", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": button(`{"text":"a","url":"http://localhost:8080"}`)}, 400, "Bad Request: inline keyboard button URL 'http://localhost:8080' is invalid: Wrong HTTP URL"},
		{"reply to a missing message", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_to_message_id": "99"}, 400, "Bad Request: message to be replied not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.MakeRequest("sendMessage", tt.params)
			if !strings.HasPrefix(tt.desc, "Bad Request: ") {
				t.Fatal("bad test")
			}
			wantAPIError(t, err, tt.code, tt.desc)
		})
	}
	if n := len(s.Messages(lan.ID)); n != 0 {
		t.Errorf("%d messages stored despite the errors", n)
	}
	// Stricter than Telegram, by default:
	for name, b := range map[string]string{
		"empty button text": `{"text":"","callback_data":"a"}`,
		"two actions":       `{"text":"a","callback_data":"a","url":"https://x.vn"}`,
	} {
		_, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": button(b)})
		if e := asAPIError(t, err); e.Code != 400 || !strings.Contains(e.Message, "emulator:") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The errors are on record, with the chat.
	errs := s.Errors()
	if len(errs) != len(tests)+2 || errs[0] != (APIError{Method: "sendMessage", ChatID: 777, Code: 400, Description: "Bad Request: chat not found"}) {
		t.Errorf("Errors()[0] = %+v (of %d)", errs[0], len(errs))
	}
	// A public username works.
	if _, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "@LOA_congkhai", "text": "x"}); err != nil {
		t.Errorf("send to @username: %v", err)
	}
}

func TestLenientButtons(t *testing.T) {
	s := NewT(t, WithTelegramLeniency())
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	_, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "1001", "text": "AT&T", "parse_mode": "HTML",
		"reply_markup": `{"inline_keyboard":[[{"text":"","callback_data":"gone"},{"text":"a","url":"https://x.vn","callback_data":"ignored"}]]}`})
	if err != nil {
		t.Fatal(err)
	}
	m := s.Messages(lan.ID)[0]
	if m.Text != "AT&T" || len(m.InlineKeyboard) != 1 || len(m.InlineKeyboard[0]) != 1 || m.InlineKeyboard[0][0].Kind != "url" {
		t.Errorf("stored %+v", m)
	}
}

func TestForbidden(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	s.AddChat(PrivateChat(minh))
	s.AddChat(unit)
	sg := Supergroup(-1001500000001, "Dân quân")
	s.AddChat(sg)

	s.Block(lan.ID)
	_, err := send(bot, lan.ID, "x")
	wantAPIError(t, err, 403, "Forbidden: bot was blocked by the user")
	s.Unblock(lan.ID)
	if _, err := send(bot, lan.ID, "x"); err != nil {
		t.Errorf("after Unblock: %v", err)
	}

	s.Kick(unit.ID)
	_, err = send(bot, unit.ID, "x")
	wantAPIError(t, err, 403, "Forbidden: bot was kicked from the group chat")
	s.Kick(sg.ID)
	_, err = send(bot, sg.ID, "x")
	wantAPIError(t, err, 403, "Forbidden: bot was kicked from the supergroup chat")

	s.Deactivate(minh.ID)
	_, err = send(bot, minh.ID, "x")
	wantAPIError(t, err, 403, "Forbidden: user is deactivated")

	// BotBlocked queues the update and blocks.
	s.BotBlocked(lan)
	_, err = send(bot, lan.ID, "x")
	wantAPIError(t, err, 403, "Forbidden: bot was blocked by the user")
	s.BotUnblocked(lan)
	if _, err := send(bot, lan.ID, "x"); err != nil {
		t.Errorf("after BotUnblocked: %v", err)
	}
}

func TestMigrate(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	admin := User{ID: 3003, FirstName: "Hùng", LanguageCode: "vi"}
	s.AddChat(unit)
	s.SetMember(unit.ID, admin.ID, StatusCreator)
	const super = -1001113717682
	s.Migrate(unit.ID, super)

	_, err := send(bot, unit.ID, "x")
	e := wantAPIError(t, err, 400, "Bad Request: group chat was upgraded to a supergroup chat")
	if e.ResponseParameters.MigrateToChatID != super {
		t.Errorf("migrate_to_chat_id = %d", e.ResponseParameters.MigrateToChatID)
	}
	r := postForm(t, s, "sendMessage", url.Values{"chat_id": {strconv.Itoa(int(unit.ID))}, "text": {"x"}})
	if want := `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001113717682}}`; r.Body != want || r.Status != 400 {
		t.Errorf("raw answer %d %s", r.Status, r.Body)
	}
	if m, err := send(bot, super, "x"); err != nil || m.Chat.Type != "supergroup" || m.Chat.Title != unit.Title {
		t.Errorf("send to the supergroup: %v %+v", err, m.Chat)
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 3 {
		t.Fatalf("updates %v %d", err, len(ups))
	}
	mcm, to, from := ups[0].MyChatMember, ups[1].Message, ups[2].Message
	if mcm == nil || mcm.Chat.ID != super || mcm.OldChatMember.Status != "left" || mcm.NewChatMember.Status != "member" {
		t.Errorf("my_chat_member = %+v", mcm)
	}
	if to == nil || to.Chat.ID != unit.ID || to.MigrateToChatID != super || to.From.ID != admin.ID {
		t.Errorf("migrate_to message = %+v", to)
	}
	if from == nil || from.Chat.ID != super || from.MigrateFromChatID != unit.ID || from.From.UserName != "GroupAnonymousBot" || from.SenderChat == nil || from.MessageID != 1 {
		t.Errorf("migrate_from message = %+v", from)
	}
	if st, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: super, UserID: admin.ID}}); err != nil || st.Status != "creator" {
		t.Errorf("members did not move: %v %+v", err, st)
	}
}

func TestEditMessage(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Xong", "done:5")))
	m := tgbotapi.NewMessage(lan.ID, "<b>Nhiệm vụ 5</b>")
	m.ParseMode = "HTML"
	m.ReplyMarkup = kb
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}

	_, err = bot.Send(tgbotapi.NewEditMessageText(lan.ID, 99, "x"))
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")

	same := tgbotapi.NewEditMessageTextAndMarkup(lan.ID, sent.MessageID, "<strong>Nhiệm vụ 5</strong>", kb)
	same.ParseMode = "HTML"
	_, err = bot.Send(same)
	wantAPIError(t, err, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

	// Editing the text without reply_markup removes the keyboard, as at Telegram.
	edit := tgbotapi.NewEditMessageText(lan.ID, sent.MessageID, "<b>Nhiệm vụ 5</b> ✅")
	edit.ParseMode = "HTML"
	got, err := bot.Send(edit)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "Nhiệm vụ 5 ✅" || got.EditDate == 0 || got.ReplyMarkup != nil {
		t.Errorf("edit answer %+v", got)
	}
	stored, _ := s.Message(lan.ID, sent.MessageID)
	if stored.Edits != 1 || stored.InlineKeyboard != nil || stored.EditDate.IsZero() || stored.HTML != "<b>Nhiệm vụ 5</b> ✅" {
		t.Errorf("stored %+v", stored)
	}

	_, err = bot.Send(tgbotapi.NewEditMessageReplyMarkup(lan.ID, sent.MessageID, kb))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageReplyMarkup(lan.ID, sent.MessageID, kb))
	wantAPIError(t, err, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	if stored, _ := s.Message(lan.ID, sent.MessageID); stored.Edits != 2 || len(stored.InlineKeyboard) != 1 {
		t.Errorf("after editMessageReplyMarkup: %+v", stored)
	}

	// A person's message is not the bot's to edit.
	s.SendText(PrivateChat(lan), lan, "chào")
	_, err = bot.Send(tgbotapi.NewEditMessageText(lan.ID, 2, "x"))
	wantAPIError(t, err, 400, "Bad Request: message can't be edited")

	bad := tgbotapi.NewEditMessageText(lan.ID, sent.MessageID, "<b>x")
	bad.ParseMode = "HTML"
	_, err = bot.Send(bad)
	if e := asAPIError(t, err); !strings.HasPrefix(e.Message, "Bad Request: can't parse entities: ") {
		t.Errorf("bad HTML in an edit: %v", err)
	}
}

func TestCallbackQuery(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	m := tgbotapi.NewMessage(lan.ID, "Chọn")
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Có", "yes")))
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	updID, cbID := s.PressButton(PrivateChat(lan), lan, sent.MessageID, "yes")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].UpdateID != updID {
		t.Fatalf("updates: %v %+v", err, ups)
	}
	cq := ups[0].CallbackQuery
	if cq == nil || cq.ID != cbID || cq.Data != "yes" || cq.From.ID != lan.ID || cq.Message.MessageID != sent.MessageID ||
		cq.Message.From.ID != s.BotID() || cq.Message.ReplyMarkup == nil || cq.ChatInstance == "" {
		t.Fatalf("callback_query = %+v", cq)
	}

	_, err = bot.Request(tgbotapi.NewCallback(cbID, strings.Repeat("a", 201)))
	wantAPIError(t, err, 400, "Bad Request: MESSAGE_TOO_LONG")
	if _, err := bot.Request(tgbotapi.NewCallbackWithAlert(cbID, "Đã ghi nhận")); err != nil {
		t.Fatalf("answer: %v", err)
	}
	_, err = bot.Request(tgbotapi.NewCallback(cbID, ""))
	wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	_, err = bot.Request(tgbotapi.NewCallback("12345", ""))
	wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")

	answers := s.CallbackAnswers()
	if len(answers) != 1 || answers[0] != (CallbackAnswer{CallbackQueryID: cbID, ChatID: lan.ID, MessageID: sent.MessageID, From: lan, Data: "yes", Text: "Đã ghi nhận", ShowAlert: true}) {
		t.Errorf("answers = %+v", answers)
	}
	if _, _, err := s.TryPressButton(PrivateChat(lan), lan, sent.MessageID, "no"); err == nil {
		t.Error("pressing a button that does not exist succeeded")
	}
	if _, _, err := s.TryPressButton(PrivateChat(lan), lan, 42, "yes"); err == nil {
		t.Error("pressing a button under a message that does not exist succeeded")
	}
}

func TestCommands(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(unit)
	cmds := []tgbotapi.BotCommand{{Command: "/latest", Description: " Tin mới nhất "}, {Command: "tasks", Description: "Việc cần làm"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeChat(unit.ID), "en", tgbotapi.BotCommand{Command: "latest", Description: "Latest news"})); err != nil {
		t.Fatal(err)
	}
	got, err := bot.GetMyCommands()
	if err != nil || len(got) != 2 || got[0] != (tgbotapi.BotCommand{Command: "latest", Description: "Tin mới nhất"}) {
		t.Errorf("getMyCommands = %v %+v", err, got)
	}
	if en := s.CommandsFor(CommandScope{Type: "chat", ChatID: unit.ID}, "en"); len(en) != 1 || en[0].Description != "Latest news" {
		t.Errorf("scoped commands = %+v", en)
	}
	if all := s.Commands(); len(all) != 2 || all[0].Scope.Type != "chat" || all[1].Scope.Type != "default" {
		t.Errorf("Commands() = %+v", all)
	}

	tests := []struct {
		cmd  tgbotapi.BotCommand
		desc string
	}{
		{tgbotapi.BotCommand{Command: "Latest", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: "tin-moi", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: "tin_mới", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: strings.Repeat("a", 33), Description: "x"}, "Bad Request: command length must not exceed 32"},
		{tgbotapi.BotCommand{Command: " / ", Description: "x"}, "Bad Request: command must be non-empty"},
		{tgbotapi.BotCommand{Command: "a", Description: "  "}, "Bad Request: command description must be non-empty"},
		{tgbotapi.BotCommand{Command: "a", Description: strings.Repeat("ệ", 257)}, "Bad Request: command description length must not exceed 256"},
	}
	for _, tt := range tests {
		_, err := bot.Request(tgbotapi.NewSetMyCommands(tt.cmd))
		wantAPIError(t, err, 400, tt.desc)
	}
	many := make([]tgbotapi.BotCommand, 101)
	for i := range many {
		many[i] = tgbotapi.BotCommand{Command: "c" + strconv.Itoa(i), Description: "x"}
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(many...))
	wantAPIError(t, err, 400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
	_, err = bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "vie", cmds[1]))
	wantAPIError(t, err, 400, "Bad Request: invalid language code specified")
	// go-telegram-bot-api sends "null" for an empty list, which Telegram refuses.
	_, err = bot.Request(tgbotapi.NewSetMyCommands())
	wantAPIError(t, err, 400, "Bad Request: expected an Array of BotCommand")

	if _, err := bot.Request(tgbotapi.NewDeleteMyCommands()); err != nil {
		t.Fatal(err)
	}
	if got, _ := bot.GetMyCommands(); len(got) != 0 {
		t.Errorf("after deleteMyCommands: %+v", got)
	}
}

func TestChatQueries(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	s.AddChat(unit)
	s.AddUser(minh)
	s.SetMember(unit.ID, lan.ID, StatusCreator)
	s.SetMember(unit.ID, minh.ID, StatusAdministrator)
	s.SetMember(unit.ID, s.BotID(), StatusAdministrator)

	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: unit.ID}})
	if err != nil || chat.Title != unit.Title || chat.Type != "group" {
		t.Errorf("getChat = %v %+v", err, chat)
	}
	member := func(chatID, userID int64) (tgbotapi.ChatMember, error) {
		return bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: userID}})
	}
	for _, tt := range []struct {
		chat, user int64
		status     string
	}{
		{unit.ID, lan.ID, "creator"}, {unit.ID, minh.ID, "administrator"}, {unit.ID, s.BotID(), "administrator"},
		{lan.ID, lan.ID, "member"}, {lan.ID, s.BotID(), "member"},
	} {
		m, err := member(tt.chat, tt.user)
		if err != nil || m.Status != tt.status || m.User.ID != tt.user {
			t.Errorf("getChatMember(%d, %d) = %v %+v, want %s", tt.chat, tt.user, err, m, tt.status)
		}
	}
	s.SetMember(unit.ID, minh.ID, StatusLeft)
	if m, _ := member(unit.ID, minh.ID); m.Status != "left" {
		t.Errorf("left member = %+v", m)
	}
	_, err = member(-999, lan.ID)
	wantAPIError(t, err, 400, "Bad Request: chat not found")
	_, err = member(unit.ID, 5555)
	wantAPIError(t, err, 400, "Bad Request: user not found")

	admins, err := bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: unit.ID}})
	if err != nil || len(admins) != 2 || admins[0].Status != "creator" || admins[1].User.ID != s.BotID() {
		t.Errorf("getChatAdministrators = %v %+v", err, admins)
	}
	_, err = bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: lan.ID}})
	wantAPIError(t, err, 400, "Bad Request: there are no administrators in the private chat")
}

func TestWaitMessages(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	go func() {
		for i := range 3 {
			time.Sleep(5 * time.Millisecond)
			_, _ = send(bot, lan.ID, "tin "+strconv.Itoa(i))
		}
	}()
	msgs, err := s.WaitMessages(ctxT(t, 5*time.Second), lan.ID, 3)
	if err != nil || len(msgs) != 3 || msgs[2].Text != "tin 2" {
		t.Fatalf("WaitMessages = %v %+v", err, msgs)
	}
	if err := s.WaitMessageCount(ctxT(t, time.Second), 3); err != nil {
		t.Error(err)
	}
	got, err := s.WaitMessages(ctxT(t, 20*time.Millisecond), lan.ID, 4)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || len(got) != 3 {
		t.Errorf("WaitMessages past the deadline = %v, %d messages", err, len(got))
	}
	if err := s.WaitMessageCount(ctxT(t, 20*time.Millisecond), 4); err == nil {
		t.Error("WaitMessageCount did not time out")
	}
	if _, err := s.WaitMessages(ctxT(t, time.Second), 777, 1); err == nil {
		t.Error("waiting on an unknown chat did not fail")
	}
}

func TestMembershipRights(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	channel := Chat{ID: -1001999000111, Type: ChatChannel, Title: "Loa Móng Cái", Username: "loa_mongcai"}
	s.AddChat(channel)
	s.AddChat(unit)
	if _, err := send(bot, channel.ID, "tin"); err != nil {
		t.Errorf("channel admin: %v", err)
	}
	s.SetMember(channel.ID, s.BotID(), StatusMember)
	_, err := send(bot, channel.ID, "tin")
	wantAPIError(t, err, 400, "Bad Request: need administrator rights in the channel chat")
	s.SetMember(unit.ID, s.BotID(), StatusRestricted)
	_, err = send(bot, unit.ID, "tin")
	wantAPIError(t, err, 400, "Bad Request: not enough rights to send text messages to the chat")
	s.SetMember(unit.ID, s.BotID(), StatusLeft)
	_, err = send(bot, unit.ID, "tin")
	wantAPIError(t, err, 403, "Forbidden: bot is not a member of the group chat")
	s.BotAdded(unit, minh)
	if _, err := send(bot, unit.ID, "tin"); err != nil {
		t.Errorf("after BotAdded: %v", err)
	}
}

// TestMarkupPaths: the typed fast path and the generic path agree on
// well-formed keyboards.
func TestMarkupPaths(t *testing.T) {
	for _, raw := range []string{
		`{"inline_keyboard":[[{"text":"a","callback_data":"x"},{"text":"b","url":"vnexpress.net"}],[{"text":"c","switch_inline_query":""}]]}`,
		`{"inline_keyboard":[[{"text":"a","login_url":{"url":"https://x.vn/login"}},{"text":"p","pay":true},{"text":"g","callback_game":{}}]]}`,
		`{"inline_keyboard":[[{"text":"w","web_app":{"url":"https://x.vn/app"}},{"text":"c","copy_text":{"text":"123"}}]]}`,
		`{"inline_keyboard":[]}`,
		`{"keyboard":[["a"]],"resize_keyboard":true}`,
		`{"remove_keyboard":true}`,
		`{"inline_keyboard":[[{"text":"a","callback_data":"x","url":"https://x.vn"}]]}`,
		`{"inline_keyboard":[[{"text":"","callback_data":"x"}]]}`,
		`{"inline_keyboard":[[{"text":"a","callback_data":"` + strings.Repeat("x", 65) + `"}]]}`,
	} {
		for _, pedantic := range []bool{true, false} {
			fastKB, fastErr := parseReplyMarkup(raw, pedantic)
			slowKB, slowErr := parseReplyMarkupSlow(raw, pedantic)
			if !keyboardsEqual(fastKB, slowKB) || (fastErr == nil) != (slowErr == nil) || (fastErr != nil && *fastErr != *slowErr) {
				t.Errorf("%s (pedantic %v):\nfast %+v %v\nslow %+v %v", raw, pedantic, fastKB, fastErr, slowKB, slowErr)
			}
		}
	}
}

func TestMessagesAreCopies(t *testing.T) {
	s := NewT(t)
	bot := newBot(t, s)
	s.AddChat(PrivateChat(lan))
	m := tgbotapi.NewMessage(lan.ID, "x")
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("A", "a")))
	if _, err := bot.Send(m); err != nil {
		t.Fatal(err)
	}
	got := s.Messages(lan.ID)
	got[0].InlineKeyboard[0][0].Value = "changed"
	if b, ok := s.Messages(lan.ID)[0].Button("a"); !ok || b.Text != "A" {
		t.Error("a caller changed the stored keyboard")
	}
}
