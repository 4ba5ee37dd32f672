package bot

import (
	"encoding/json"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/handlers"
)

// wire.go is the one place that writes Telegram's wire format for what
// Loa sends: inline keyboards (of replies and of broadcasts), media and the
// options of a message. handlers and delivery keep these as data.

// wireButton is a button of an inline keyboard, as Telegram reads it.
type wireButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// inlineKeyboard renders rows of buttons as Telegram's reply_markup JSON.
func inlineKeyboard(rows [][]wireButton) string {
	kb := struct {
		InlineKeyboard [][]wireButton `json:"inline_keyboard"`
	}{InlineKeyboard: make([][]wireButton, 0, len(rows))}
	for _, row := range rows {
		kb.InlineKeyboard = append(kb.InlineKeyboard, append(make([]wireButton, 0, len(row)), row...))
	}
	raw, _ := json.Marshal(kb)
	return string(raw)
}

// keyboard renders a reply's buttons.
func keyboard(rows [][]handlers.Button) string {
	out := make([][]wireButton, len(rows))
	for i, row := range rows {
		for _, b := range row {
			out[i] = append(out[i], wireButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
	}
	return inlineKeyboard(out)
}

// broadcastKeyboard renders a broadcast's buttons.
func broadcastKeyboard(rows [][]delivery.Button) string {
	out := make([][]wireButton, len(rows))
	for i, row := range rows {
		for _, b := range row {
			out[i] = append(out[i], wireButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
	}
	return inlineKeyboard(out)
}

// sendMethods are the Bot API methods that send one file of each kind;
// the file_id goes in the parameter of the kind's name.
var sendMethods = map[string]string{
	delivery.MediaPhoto:    "sendPhoto",
	delivery.MediaDocument: "sendDocument",
	delivery.MediaVideo:    "sendVideo",
	delivery.MediaAudio:    "sendAudio",
	delivery.MediaVoice:    "sendVoice",
}

// mediaMethods are sendMethods' values: the sends of one file.
var mediaMethods = []string{"sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice"}

// outgoing turns a broadcast's message into a Bot API method and its
// parameters.
func outgoing(chatID int64, m delivery.Outgoing) (method string, p tgbotapi.Params) {
	p = tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10)}
	switch len(m.Media) {
	case 0:
		method = "sendMessage"
		p["text"], p["parse_mode"] = m.Text, "HTML"
		if m.NoPreview {
			p["link_preview_options"] = `{"is_disabled":true}`
		}
	case 1:
		method = sendMethods[m.Media[0].Kind]
		if method == "" {
			method = "sendDocument"
		}
		kind := m.Media[0].Kind
		if _, ok := sendMethods[kind]; !ok {
			kind = delivery.MediaDocument
		}
		p[kind] = m.Media[0].FileID
		if m.Text != "" {
			p["caption"], p["parse_mode"] = m.Text, "HTML"
		}
	default:
		method = "sendMediaGroup"
		type item struct {
			Type      string `json:"type"`
			Media     string `json:"media"`
			Caption   string `json:"caption,omitempty"`
			ParseMode string `json:"parse_mode,omitempty"`
		}
		items := make([]item, len(m.Media))
		for i, md := range m.Media {
			items[i] = item{Type: md.Kind, Media: md.FileID}
		}
		if m.Text != "" {
			items[0].Caption, items[0].ParseMode = m.Text, "HTML"
		}
		raw, _ := json.Marshal(items)
		p["media"] = string(raw)
	}
	if len(m.Buttons) > 0 && len(m.Media) <= 1 {
		p["reply_markup"] = broadcastKeyboard(m.Buttons)
	}
	if m.Silent {
		p["disable_notification"] = "true"
	}
	if m.ThreadID != 0 {
		p["message_thread_id"] = strconv.Itoa(m.ThreadID)
	}
	if m.ReplyTo != 0 {
		p["reply_parameters"] = `{"message_id":` + strconv.Itoa(m.ReplyTo) + `,"allow_sending_without_reply":true}`
	}
	return method, p
}
