package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// buttonKinds are the action fields of an InlineKeyboardButton, in the
// order the Bot API looks for them: the first non-empty one wins.
var buttonKinds = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"callback_game", "pay", "copy_text",
}

// markupCacheMax bounds the cache of parsed reply_markup parameters: a
// broadcast sends one keyboard thousands of times.
const markupCacheMax = 4096

type markupResult struct {
	raw      string
	keyboard [][]InlineKeyboardButton
	err      *apiError
}

// replyMarkup is parseReplyMarkup behind the Server's cache. Keyboards are
// never modified once parsed, so messages may share them, and the cached
// copy of raw is returned so that a broadcast stores its markup once.
func (s *Server) replyMarkup(raw string) (string, [][]InlineKeyboardButton, *apiError) {
	if raw == "" {
		return "", nil, nil
	}
	if r, ok := s.markupCache.Load(raw); ok {
		mr := r.(*markupResult)
		return mr.raw, mr.keyboard, mr.err
	}
	kb, err := parseReplyMarkup(raw, s.pedantic)
	if s.markupCacheN.Add(1) <= markupCacheMax {
		s.markupCache.Store(raw, &markupResult{raw, kb, err})
	}
	return raw, kb, err
}

// buttonJSON is an InlineKeyboardButton for the fast, typed decoding.
type buttonJSON struct {
	Text         *string `json:"text"`
	URL          *string `json:"url"`
	CallbackData *string `json:"callback_data"`
	WebApp       *struct {
		URL string `json:"url"`
	} `json:"web_app"`
	LoginURL *struct {
		URL string `json:"url"`
	} `json:"login_url"`
	SwitchInlineQuery            *string `json:"switch_inline_query"`
	SwitchInlineQueryCurrentChat *string `json:"switch_inline_query_current_chat"`
	SwitchInlineQueryChosenChat  *struct {
		Query string `json:"query"`
	} `json:"switch_inline_query_chosen_chat"`
	CallbackGame *json.RawMessage `json:"callback_game"`
	Pay          *bool            `json:"pay"`
	CopyText     *struct {
		Text string `json:"text"`
	} `json:"copy_text"`
}

// actions lists the button's usable action fields in buttonKinds order.
func (b *buttonJSON) actions() []kindValue {
	var out []kindValue
	add := func(kind, v string) { out = append(out, kindValue{kind, v}) }
	if b.URL != nil && *b.URL != "" {
		add("url", *b.URL)
	}
	if b.CallbackData != nil && *b.CallbackData != "" {
		add("callback_data", *b.CallbackData)
	}
	if b.WebApp != nil {
		add("web_app", b.WebApp.URL)
	}
	if b.LoginURL != nil {
		add("login_url", b.LoginURL.URL)
	}
	if b.SwitchInlineQuery != nil {
		add("switch_inline_query", *b.SwitchInlineQuery)
	}
	if b.SwitchInlineQueryCurrentChat != nil {
		add("switch_inline_query_current_chat", *b.SwitchInlineQueryCurrentChat)
	}
	if b.SwitchInlineQueryChosenChat != nil {
		add("switch_inline_query_chosen_chat", b.SwitchInlineQueryChosenChat.Query)
	}
	if b.CallbackGame != nil {
		add("callback_game", "")
	}
	if b.Pay != nil && *b.Pay {
		add("pay", "")
	}
	if b.CopyText != nil {
		add("copy_text", b.CopyText.Text)
	}
	return out
}

type kindValue struct{ kind, value string }

// parseReplyMarkup validates a reply_markup parameter as the Bot API does
// and returns the inline keyboard (nil for none or for reply keyboards).
// The errors are Telegram's; the pedantic ones say they are the emulator's.
// Well-typed input takes a fast path; anything odd goes through generic
// decoding, which knows the exact error to answer. (The fast path inherits
// encoding/json's case-insensitive field names, so it would accept "Text"
// for "text"; no client library sends that.)
func parseReplyMarkup(raw string, pedantic bool) ([][]InlineKeyboardButton, *apiError) {
	if raw == "" {
		return nil, nil
	}
	if !json.Valid([]byte(raw)) {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var fast struct {
		InlineKeyboard [][]buttonJSON `json:"inline_keyboard"`
	}
	if json.Unmarshal([]byte(raw), &fast) == nil && bytes.HasPrefix(bytes.TrimSpace([]byte(raw)), []byte("{")) {
		var keyboard [][]InlineKeyboardButton
		for _, cells := range fast.InlineKeyboard {
			var row []InlineKeyboardButton
			for i := range cells {
				if cells[i].Text == nil {
					return nil, buttonErr(`Can't find field "text"`)
				}
				b, skip, err := finishButton(*cells[i].Text, cells[i].actions(), pedantic)
				if err != nil {
					return nil, err
				}
				if !skip {
					row = append(row, b)
				}
			}
			if len(row) > 0 {
				keyboard = append(keyboard, row)
			}
		}
		return keyboard, nil
	}
	return parseReplyMarkupSlow(raw, pedantic)
}

func parseReplyMarkupSlow(raw string, pedantic bool) ([][]InlineKeyboardButton, *apiError) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &top); err != nil {
		return nil, badRequest("object expected as reply markup")
	}
	ik, ok := top["inline_keyboard"]
	if !ok {
		return nil, nil // a reply keyboard, remove_keyboard or force_reply: not echoed in messages
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(ik, &rows); err != nil {
		return nil, badRequest(`field "inline_keyboard" of the InlineKeyboardMarkup must be an Array`)
	}
	var keyboard [][]InlineKeyboardButton
	for _, rawRow := range rows {
		var cells []json.RawMessage
		if err := json.Unmarshal(rawRow, &cells); err != nil {
			return nil, badRequest(`field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays`)
		}
		var row []InlineKeyboardButton
		for _, cell := range cells {
			b, skip, err := parseInlineButton(cell, pedantic)
			if err != nil {
				return nil, err
			}
			if !skip {
				row = append(row, b)
			}
		}
		if len(row) > 0 {
			keyboard = append(keyboard, row)
		}
	}
	return keyboard, nil
}

func buttonErr(detail string) *apiError {
	return badRequest("can't parse inline keyboard button: " + detail)
}

// parseInlineButton parses one button. skip reports a button Telegram drops
// silently (empty text) in lenient mode.
func parseInlineButton(raw json.RawMessage, pedantic bool) (b InlineKeyboardButton, skip bool, err *apiError) {
	var obj map[string]json.RawMessage
	if e := json.Unmarshal(raw, &obj); e != nil || obj == nil {
		return b, false, buttonErr("InlineKeyboardButton must be an Object")
	}
	text, present, ok := jsonStringField(obj, "text")
	if !present {
		return b, false, buttonErr(`Can't find field "text"`)
	}
	if !ok {
		return b, false, buttonErr(`Field "text" must be of type String`)
	}
	var actions []kindValue
	for _, kind := range buttonKinds {
		v, present := obj[kind]
		if !present {
			continue
		}
		value, usable, e := buttonValue(kind, v)
		if e != nil {
			return b, false, e
		}
		if usable {
			actions = append(actions, kindValue{kind, value})
		}
	}
	return finishButton(text, actions, pedantic)
}

// finishButton checks a button once its text and usable action fields are
// known: the first action wins, as in the Bot API.
func finishButton(text string, actions []kindValue, pedantic bool) (b InlineKeyboardButton, skip bool, err *apiError) {
	if len(actions) == 0 {
		return b, false, buttonErr("Text buttons are unallowed in the inline keyboard")
	}
	b = InlineKeyboardButton{Text: text, Kind: actions[0].kind, Value: actions[0].value}
	if pedantic && len(actions) > 1 {
		kinds := make([]string, len(actions))
		for i, a := range actions {
			kinds[i] = a.kind
		}
		return b, false, buttonErr(fmt.Sprintf("exactly one of the optional fields must be used, found %q (emulator: Telegram would use %q and ignore the rest)", kinds, kinds[0]))
	}
	if b.Text == "" {
		if pedantic {
			return b, false, buttonErr("button text must be non-empty (emulator: Telegram would drop the button silently)")
		}
		return b, true, nil
	}
	switch b.Kind {
	case "url":
		if _, ok := linkUserID(b.Value); ok {
			break
		}
		norm, reason, ok := checkLink(b.Value)
		if !ok {
			return b, false, badRequest(fmt.Sprintf("inline keyboard button URL '%s' is invalid: %s", b.Value, reason))
		}
		b.Value = norm
	case "callback_data":
		if len(b.Value) > 64 {
			return b, false, badRequest("BUTTON_DATA_INVALID")
		}
	}
	return b, false, nil
}

// buttonValue extracts the value of an action field; usable is false for a
// field the Bot API treats as absent (an empty url or callback_data).
func buttonValue(kind string, v json.RawMessage) (value string, usable bool, err *apiError) {
	switch kind {
	case "callback_game":
		return "", true, nil
	case "pay":
		var on bool
		if json.Unmarshal(v, &on) != nil {
			return "", false, buttonErr(`Field "pay" must be of type Boolean`)
		}
		return "", on, nil
	case "login_url", "web_app", "copy_text", "switch_inline_query_chosen_chat":
		var obj map[string]json.RawMessage
		if json.Unmarshal(v, &obj) != nil || obj == nil {
			return "", false, buttonErr(fmt.Sprintf("Field %q must be of type Object", kind))
		}
		inner := "url"
		if kind == "copy_text" {
			inner = "text"
		}
		if kind == "switch_inline_query_chosen_chat" {
			inner = "query"
		}
		s, _, _ := jsonStringField(obj, inner)
		return s, true, nil
	}
	s, _, ok := jsonStringField(map[string]json.RawMessage{kind: v}, kind)
	if !ok {
		return "", false, buttonErr(fmt.Sprintf("Field %q must be of type String", kind))
	}
	switch kind {
	case "url", "callback_data":
		return s, s != "", nil
	}
	return s, true, nil // switch_inline_query may be empty
}

// jsonStringField reads a string field the way the Bot API does: a JSON
// number is accepted and used as its text.
func jsonStringField(obj map[string]json.RawMessage, key string) (value string, present, ok bool) {
	raw, present := obj[key]
	if !present {
		return "", false, false
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if json.Unmarshal(raw, &value) != nil {
			return "", true, false
		}
		return value, true, true
	}
	var num json.Number
	if json.Unmarshal(raw, &num) == nil {
		return num.String(), true, true
	}
	return "", true, false
}

func keyboardsEqual(a, b [][]InlineKeyboardButton) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}
