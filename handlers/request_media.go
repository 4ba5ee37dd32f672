package handlers

import "time"

// Media is a file a message carries, by the file_id Telegram gave the bot:
// the bot can send it again without an upload.
type Media struct {
	Kind   string // photo, document, voice, video, audio
	FileID string
}

// Location is a point a person shared.
type Location struct {
	Latitude, Longitude float64
}

// ForwardOrigin is where a forwarded message came from, as far as Telegram
// tells (forward_origin): a person, a person hiding behind a name, a group
// or a channel. Username and MessageID make a public channel's post
// addressable (https://t.me/<username>/<id>).
type ForwardOrigin struct {
	Type      string // user, hidden_user, chat, channel
	Name      string // the person's name, or the chat's title
	Username  string
	ChatID    int64
	MessageID int
	Date      time.Time
}
