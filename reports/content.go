package reports

import (
	"encoding/json"
	"time"
)

// Content is what a reporter's message carries besides its text, stored as
// data (report_entries.content, report_drafts.content), never as Telegram
// JSON: media by the file_id Telegram gave the bot (sent on to officers
// without an upload), a location, and where a forwarded message came from.
type Content struct {
	Media    []Media   `json:"media,omitempty"`
	Location *Location `json:"location,omitempty"`
	Forward  *Forward  `json:"forward,omitempty"`
	// Link is the link as the reporter gave it (the case keeps it
	// normalised); shown to officers as it was sent.
	Link string `json:"link,omitempty"`
}

// Media is one file of a report.
type Media struct {
	Kind   string `json:"kind"` // photo, document, voice, video, audio
	FileID string `json:"file_id"`
}

// Location is a point on the map.
type Location struct {
	Latitude  float64 `json:"lat"`
	Longitude float64 `json:"lon"`
}

// Forward is the origin of a forwarded message, as far as Telegram tells
// it (forward_origin): a person (who may hide behind a name), a group or a
// channel, with the channel's public name and the message's number there.
type Forward struct {
	Type      string    `json:"type"` // user, hidden_user, chat, channel
	Name      string    `json:"name,omitempty"`
	Username  string    `json:"username,omitempty"`
	ChatID    int64     `json:"chat_id,omitempty"`
	MessageID int       `json:"message_id,omitempty"`
	Date      time.Time `json:"date,omitzero"`
}

// Link returns the public address of the forwarded post, when Telegram
// gives enough to build one (a public channel and its message number).
func (f *Forward) Link() string {
	if f == nil || f.Username == "" || f.MessageID == 0 {
		return ""
	}
	return "https://t.me/" + f.Username + "/" + itoa(f.MessageID)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Empty reports whether c carries nothing.
func (c Content) Empty() bool {
	return len(c.Media) == 0 && c.Location == nil && c.Forward == nil && c.Link == ""
}

// JSON encodes c for storage.
func (c Content) JSON() []byte {
	raw, _ := json.Marshal(c)
	return raw
}

// ParseContent decodes what JSON stored; an empty value is no content.
func ParseContent(raw []byte) (Content, error) {
	var c Content
	if len(raw) == 0 {
		return c, nil
	}
	err := json.Unmarshal(raw, &c)
	return c, err
}
