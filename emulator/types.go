package emulator

import (
	"fmt"
	"time"
)

// User is a Telegram account: a person who writes to the bot, or the bot
// itself. Tests build them freely; the emulator learns a user the first time
// it appears in an injected update, AddUser or SetMember.
type User struct {
	ID           int64
	IsBot        bool
	FirstName    string
	LastName     string
	Username     string // without "@"
	LanguageCode string // IETF tag as Telegram sends it, e.g. "vi"
}

// The chat types of the Bot API.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
	ChatChannel    = "channel"
)

// Chat is a conversation the bot can be in. Its ID follows Telegram's
// conventions, which the emulator checks so that a test cannot build a chat
// Telegram would never produce: a private chat has the user's (positive) ID,
// a basic group a small negative ID, a supergroup or channel an ID of the
// form -100xxxxxxxxxx.
type Chat struct {
	ID        int64
	Type      string // ChatPrivate, ChatGroup, ChatSupergroup or ChatChannel
	Title     string // groups, supergroups and channels
	Username  string // public username without "@", if any
	FirstName string // private chats
	LastName  string // private chats
	IsForum   bool   // a supergroup with topics (Forum)
}

// PrivateChat returns the private chat between the bot and u; in the Bot API
// its ID is the user's ID.
func PrivateChat(u User) Chat {
	return Chat{ID: u.ID, Type: ChatPrivate, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

// Group returns a basic group. id must be negative and above -10^12.
func Group(id int64, title string) Chat {
	return Chat{ID: id, Type: ChatGroup, Title: title}
}

// Supergroup returns a supergroup. id must be of the form -100xxxxxxxxxx.
func Supergroup(id int64, title string) Chat {
	return Chat{ID: id, Type: ChatSupergroup, Title: title}
}

// validate reports a chat Telegram could not have produced.
func (c Chat) validate() error {
	switch c.Type {
	case ChatPrivate:
		if c.ID <= 0 {
			return fmt.Errorf("emulator: private chat %d: ID must be the user's positive ID", c.ID)
		}
	case ChatGroup:
		if c.ID >= 0 || c.ID <= -1_000_000_000_000 {
			return fmt.Errorf("emulator: group %d: ID must be negative and above -10^12 (supergroups use -100xxxxxxxxxx)", c.ID)
		}
	case ChatSupergroup, ChatChannel:
		if c.ID > -1_000_000_000_000 {
			return fmt.Errorf("emulator: %s %d: ID must be of the form -100xxxxxxxxxx", c.Type, c.ID)
		}
	default:
		return fmt.Errorf("emulator: chat %d: unknown type %q", c.ID, c.Type)
	}
	if c.IsForum && c.Type != ChatSupergroup {
		return fmt.Errorf("emulator: %s %d: only a supergroup can have topics", c.Type, c.ID)
	}
	return nil
}

// Entity is a MessageEntity: a formatted or detected span of a text, with
// offset and length in UTF-16 code units as in the Bot API.
type Entity struct {
	Type          string // "bold", "italic", "text_link", "bot_command", ...
	Offset        int
	Length        int
	URL           string // text_link
	User          *User  // text_mention
	Language      string // pre
	CustomEmojiID string // custom_emoji
}

// InlineKeyboardButton is one button of an inline keyboard as the emulator
// understood it. Kind is the field that gives the button its action
// ("url", "callback_data", "switch_inline_query", ...); Value is that
// field's value (for object-valued kinds such as login_url or web_app, the
// URL or text inside it).
type InlineKeyboardButton struct {
	Text  string
	Kind  string
	Value string
}

// CallbackData returns the button's callback_data, or "" for other kinds.
func (b InlineKeyboardButton) CallbackData() string {
	if b.Kind == "callback_data" {
		return b.Value
	}
	return ""
}

// URL returns the button's url, or "" for other kinds.
func (b InlineKeyboardButton) URL() string {
	if b.Kind == "url" {
		return b.Value
	}
	return ""
}

// Message is a message the bot sent, as it currently stands (after edits).
type Message struct {
	ChatID    int64
	MessageID int
	Date      time.Time
	EditDate  time.Time // zero until the first edit
	Edits     int       // successful editMessageText/editMessageReplyMarkup calls

	Text      string   // plain text after parsing: what the person reads
	HTML      string   // the text parameter as sent (with its markup)
	ParseMode string   // as sent: "", "HTML", "MarkdownV2", "Markdown"
	Entities  []Entity // formatting, offsets in UTF-16 units

	// InlineKeyboard is the message's inline keyboard, nil if none.
	InlineKeyboard [][]InlineKeyboardButton
	// ReplyMarkup is the reply_markup parameter as sent (any kind), "" if none.
	ReplyMarkup string

	DisableWebPagePreview bool // disable_web_page_preview or link_preview_options.is_disabled
	ReplyToMessageID      int
	MessageThreadID       int
	AllowPaidBroadcast    bool
	Silent                bool // disable_notification

	// Media is the kind of file the message carries ("" for a text; then
	// Text and HTML are its caption), File the file, MediaGroupID the album
	// it belongs to.
	Media        string
	File         File
	MediaGroupID string
}

// Button returns the first button whose callback_data is data.
func (m Message) Button(data string) (InlineKeyboardButton, bool) {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Kind == "callback_data" && b.Value == data {
				return b, true
			}
		}
	}
	return InlineKeyboardButton{}, false
}

// APIError is an error the emulator answered, kept so that a test can
// assert that the bot never caused, say, a 400.
type APIError struct {
	Method          string // canonical method name, e.g. "sendMessage"
	ChatID          int64  // 0 when the call named no chat
	Code            int
	Description     string
	RetryAfter      int
	MigrateToChatID int64
}

// String formats the error for a test failure message.
func (e APIError) String() string {
	return fmt.Sprintf("%s chat %d: %d %s", e.Method, e.ChatID, e.Code, e.Description)
}

// CallbackAnswer is a successful answerCallbackQuery call.
type CallbackAnswer struct {
	CallbackQueryID string
	ChatID          int64 // the chat of the message whose button was pressed
	MessageID       int
	From            User   // who pressed the button
	Data            string // the pressed button's callback_data
	Text            string
	ShowAlert       bool
	URL             string
	CacheTime       int
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CommandScope is a BotCommandScope: Type is "default",
// "all_private_chats", "all_group_chats", "all_chat_administrators",
// "chat", "chat_administrators" or "chat_member".
type CommandScope struct {
	Type   string
	ChatID int64 // chat, chat_administrators, chat_member
	UserID int64 // chat_member
}

// CommandSet is the command list stored for one scope and language.
type CommandSet struct {
	Scope        CommandScope
	LanguageCode string
	Commands     []BotCommand
}

// WebhookDelivery records one attempt to deliver an update to the bot's
// webhook.
type WebhookDelivery struct {
	UpdateID   int
	WebhookURL string // the URL the bot registered
	Target     string // where RouteWebhook sent it
	Secret     string // the X-Telegram-Bot-Api-Secret-Token header sent, "" if none
	StatusCode int    // 0 if the request failed
	Err        string // transport error or non-2xx status
	// ReplyMethod is the method the bot called in its response body (Bot API
	// "reply to webhook"), "" if none; ReplyError is that call's error.
	ReplyMethod string
	ReplyError  string
	At          time.Time
}
