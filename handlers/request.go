// Package handlers turns what people do in a chat (commands, button presses,
// the bot being added to or removed from a group) into replies.
//
// It knows nothing of Telegram's wire types: package bot translates updates
// into a Request and a Response back into Bot API calls, so every rule about
// who may do what lives here, on the server side, and is tested without a
// network.
package handlers

import "github.com/loabot/loa/messages"

// ChatType says what kind of conversation a request came from. The values are
// Telegram's, because they are also what people see in the Bot API docs.
type ChatType string

// The chat types Telegram knows.
const (
	ChatPrivate    ChatType = "private"
	ChatGroup      ChatType = "group"
	ChatSupergroup ChatType = "supergroup"
	ChatChannel    ChatType = "channel"
)

// IsGroup reports whether the chat is shared by several people, where
// commands carry the bot's name and replies are seen by everyone.
func (t ChatType) IsGroup() bool { return t == ChatGroup || t == ChatSupergroup }

// Chat is the conversation a request came from.
type Chat struct {
	ID    int64
	Type  ChatType
	Title string // group title, or the person's name in a private chat
	// IsForum: a supergroup with topics (settings route messages to them).
	IsForum bool
}

// User is the person who acted.
type User struct {
	ID           int64
	IsBot        bool
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string // Telegram's IETF tag from the client, e.g. "vi", "en-US"
}

// Addressed is the name a greeting uses: Telegram's first name, which is
// the given name in the usual Vietnamese profile (first name "Nam", last
// name "Lê Văn"), so that Loa says "đồng chí Nam", as people are addressed,
// and never "Nam Lê Văn"; a person who wrote the whole name in the first
// name is greeted by the whole name.
func (u User) Addressed() string {
	if u.FirstName == "" {
		return u.LastName
	}
	return u.FirstName
}

// Name is the person's name as Telegram shows it in lists: first name, then
// last name.
func (u User) Name() string {
	if u.LastName == "" {
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Kind says what happened.
type Kind int

// The kinds of request.
const (
	// KindMessage is a new text message (a command or plain text).
	KindMessage Kind = iota + 1
	// KindEdited is a message edited after it was sent. Commands are never
	// re-run from an edit: the person already got the answer to the original.
	KindEdited
	// KindCallback is a press on an inline button.
	KindCallback
	// KindMembership is a change of the bot's own membership in a chat
	// (added, removed, blocked, unblocked).
	KindMembership
	// KindMigration is a group that became a supergroup with a new chat id.
	KindMigration
)

// Request is one thing that happened in a chat, stripped of Telegram types.
type Request struct {
	UpdateID  int64
	Kind      Kind
	Chat      Chat
	From      User
	MessageID int

	// Text and Entities of a message (KindMessage, KindEdited).
	Text     string
	Entities []messages.Entity

	// Caption and CaptionEntities of a message that carries a file: the
	// text a person typed under a photo, document, video, audio or voice.
	Caption         string
	CaptionEntities []messages.Entity

	// Media is the file the message carries (at most one; a photo is given
	// by its largest size), nil for a text message.
	Media *Media
	// MediaGroupID is set on each message of an album: Telegram delivers an
	// album as separate updates sharing this id.
	MediaGroupID string
	// Location is a shared location (a live location's first position).
	Location *Location
	// ForwardedFrom is where a forwarded message came from, nil otherwise.
	ForwardedFrom *ForwardOrigin

	// ReplyTo is the author of the message this one answers, if any.
	ReplyTo *User
	// Replied is the message this one answers, with its text or caption
	// and media, nil when it answers none (or Telegram did not include it).
	Replied *Message

	// CallbackID and Data of a button press (KindCallback); MessageID is then
	// the message that carries the button.
	CallbackID string
	Data       string

	// OldStatus and NewStatus of the bot in the chat (KindMembership), with
	// Telegram's words: creator, administrator, member, restricted, left, kicked.
	OldStatus string
	NewStatus string

	// MigrateTo is the new id of a group that became a supergroup (KindMigration).
	MigrateTo int64

	// ThreadID is the forum topic the message was written in (0 outside
	// one); replies into the request's chat go to the same topic.
	ThreadID int
}

// The kinds of Media, Telegram's names.
const (
	MediaPhoto    = "photo"
	MediaDocument = "document"
	MediaVideo    = "video"
	MediaAudio    = "audio"
	MediaVoice    = "voice"
)

// Media is one file of a message. FileID is what the bot sends the file
// again by (no download, no upload); FileUniqueID is the same for the same
// file across bots and time, so it is what to compare.
type Media struct {
	Kind         string // MediaPhoto, MediaDocument, …
	FileID       string
	FileUniqueID string
	FileName     string // documents, videos and audio, when the sender's client gave one
	MimeType     string // documents, videos, audio and voice
	FileSize     int64  // bytes, 0 when unknown
	Width        int    // photos and videos
	Height       int
	Duration     int    // seconds: videos, audio and voice
	Title        string // audio
	Performer    string // audio
}

// Location is a point on the map a person shared.
type Location struct {
	Latitude  float64
	Longitude float64
	// Accuracy is the radius of uncertainty in metres, 0 when unknown.
	Accuracy float64
}

// The kinds of ForwardOrigin, Telegram's names (MessageOrigin).
const (
	OriginUser       = "user"        // a person whose account may be shown: User
	OriginHiddenUser = "hidden_user" // a person who hides their account: SenderName only
	OriginChat       = "chat"        // anonymously on behalf of a group: Chat
	OriginChannel    = "channel"     // a channel post: Chat and MessageID
)

// ForwardOrigin says where a forwarded message was first sent.
type ForwardOrigin struct {
	Kind string // OriginUser, OriginHiddenUser, OriginChat, OriginChannel
	// Date is when the original was sent, Unix seconds.
	Date int64
	// User is the original sender (OriginUser).
	User *User
	// SenderName is the name of a person who hides their account
	// (OriginHiddenUser).
	SenderName string
	// Chat is the group or channel (OriginChat, OriginChannel); its
	// Username is in ChatUsername, so a link to the post can be made.
	Chat         *Chat
	ChatUsername string
	// MessageID is the post's id in its channel (OriginChannel).
	MessageID int
	// AuthorSignature is the post author's signature, when the chat shows it.
	AuthorSignature string
}

// Message is another message a request refers to: the one it replies to.
type Message struct {
	MessageID       int
	From            *User // nil for a channel post
	Text            string
	Entities        []messages.Entity
	Caption         string
	CaptionEntities []messages.Entity
	Media           *Media
	MediaGroupID    string
	Location        *Location
	ForwardedFrom   *ForwardOrigin
}

// Said is what the person wrote: the text of a message, or the caption of
// a file, where a command such as /broadcast may also be typed.
func (r Request) Said() (string, []messages.Entity) {
	if r.Text == "" && r.Media != nil {
		return r.Caption, r.CaptionEntities
	}
	return r.Text, r.Entities
}

// Button is an inline button under a reply. Data is at most 64 bytes, as
// Telegram requires.
type Button struct {
	Text string
	Data string
	URL  string // a link button instead of a callback, when set
}

// Reply is one message the bot sends (or edits) in answer.
type Reply struct {
	// ChatID is where the reply goes; zero means the chat of the request.
	ChatID int64
	// Text is Telegram HTML, already escaped and rendered by package messages.
	// The sender splits it when it is longer than Telegram allows.
	Text string
	// Buttons are rows of inline buttons under the (last part of the) message.
	Buttons [][]Button
	// EditMessageID, when set, edits that message of the bot instead of
	// sending a new one.
	EditMessageID int
	// NoPreview disables the link preview.
	NoPreview bool
	// ThreadID is the forum topic it goes to; zero means the request's
	// topic for a reply into the request's chat, else the general one.
	ThreadID int
	// Files go before the text, by file id, without caption: a bulletin's
	// preview shows the file or album that will go out. Not for edits.
	Files []Media
}

// Response is everything the bot does in answer to one request.
type Response struct {
	Replies []Reply
	// CallbackText, for a button press, is shown to the presser as a toast;
	// every press is answered, with this text or an empty one.
	CallbackText string
	// CallbackAlert shows CallbackText as an alert that must be dismissed.
	CallbackAlert bool
}
