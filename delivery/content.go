package delivery

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/loabot/loa/messages"
)

// Content is what a broadcast carries besides its text, stored as data in
// the broadcast (broadcasts.content) and never as Telegram JSON: only
// package bot turns it into Telegram's wire format, so a change there (or a
// second transport) touches one place.
type Content struct {
	Media   []Media    `json:"media,omitempty"`
	Buttons [][]Button `json:"buttons,omitempty"`
	// Answers are the buttons each person answers with (at most
	// MaxAnswers): "Đã nhận" for a confirmation, or the author's own.
	// They go under every copy, before Buttons.
	Answers []string `json:"answers,omitempty"`
	// Pin: pin the bulletin in the groups it reaches (urgent ones).
	Pin bool `json:"pin,omitempty"`
	// RemindAfter, in minutes: remind those who have not answered this
	// long after the bulletin went out; 0 for never.
	RemindAfter int `json:"remind_after,omitempty"`
}

// MaxAnswers is the most answers a bulletin may offer: four buttons still
// fit a phone's screen with their words.
const MaxAnswers = 4

// AnswerPrefix starts the callback data of an answer button:
// "ans:<broadcast>:<answer>".
const AnswerPrefix = "ans"

// AnswerData is the callback data of answer i to broadcast id.
func AnswerData(id int64, i int) string {
	return AnswerPrefix + ":" + strconv.FormatInt(id, 10) + ":" + strconv.Itoa(i)
}

// answerRows lays the answer buttons out two to a row.
func answerRows(id int64, answers []string) [][]Button {
	var rows [][]Button
	for i, a := range answers {
		if i%2 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], Button{Text: a, Data: AnswerData(id, i)})
	}
	return rows
}

// json encodes c for the broadcast row. Its shape is fixed by the
// migration (00008) that converted the reply_markup stored before.
func (c Content) json() []byte {
	raw, _ := json.Marshal(c)
	return raw
}

// Button is an inline button: a callback (Data, at most 64 bytes) or a link.
// The JSON names are Telegram's only so that buttons stored as reply_markup
// before 00008 read back unchanged.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// The kinds of media a bulletin may carry, Telegram's names.
const (
	MediaPhoto    = "photo"
	MediaDocument = "document"
	MediaVideo    = "video"
	MediaAudio    = "audio"
	MediaVoice    = "voice"
)

// Media is one file of a bulletin, sent again by the file_id Telegram gave
// the bot when a person sent it (no upload).
type Media struct {
	Kind   string `json:"kind"`
	FileID string `json:"file_id"`
}

// Limits of what one message can carry (DESIGN.md § Telegram facts).
const (
	// MaxCaptionLength is the longest caption, counted as messages.Length
	// counts; a longer text goes as its own message after the media.
	MaxCaptionLength = 1024
	// MaxAlbum is the most items of an album (sendMediaGroup: 2–10).
	MaxAlbum = 10
)

// Priorities of a broadcast (broadcasts.priority).
const (
	PriorityRoutine = 0
	PriorityUrgent  = 1
)

// Outgoing is one message (or one album) as the engine hands it to a
// Sender.
type Outgoing struct {
	// Text is Telegram HTML: the message, or the caption of Media (on the
	// first item of an album).
	Text string
	// Media: none for a text message, one for a photo, document, …, 2–10
	// for an album.
	Media     []Media
	Buttons   [][]Button // under the message; not for albums
	NoPreview bool
	// Silent delivers without a sound (disable_notification). Urgent
	// bulletins never are.
	Silent bool
	// ReplyTo makes the message a reply to that message of the chat.
	ReplyTo int
	// ThreadID is the forum topic it goes to (message_thread_id); 0 the
	// general one.
	ThreadID int
}

// Sender is how the engine talks to Telegram; bot.Sender is the production
// one. Its errors should be *SendError.
type Sender interface {
	// Send sends m into a chat and returns the ids of the messages
	// Telegram created (several for an album), in order.
	Send(ctx context.Context, chatID int64, m Outgoing) ([]int, error)
	// Edit replaces the text (or, with caption, the caption) of one of the
	// bot's messages. The same text again is not an error.
	Edit(ctx context.Context, chatID int64, messageID int, html string, caption bool) error
	// Delete deletes one of the bot's messages.
	Delete(ctx context.Context, chatID int64, messageID int) error
	// Pin pins one of the bot's messages in its chat, without a
	// notification of its own (the bulletin made one).
	Pin(ctx context.Context, chatID int64, messageID int) error
}

// How a part's messages are edited later (delivery_messages.kind).
const (
	partText    = "text"
	partCaption = "caption"
	partMedia   = "media"
)

// part is one send of a delivery: a text message, a media with its
// caption, or an album. kinds says what each message it creates is.
type part struct {
	out   Outgoing
	kinds func(n int) []string
}

// parts cuts a broadcast into what is sent, in order: the media first
// (with the text as caption when it fits, and no buttons are needed under
// an album), then the text in parts of at most 4096 characters, the buttons
// under the last one.
//
// Whether a part makes a sound, and its forum topic, depend on the chat
// and the moment it is sent: the dispatcher sets Silent and ThreadID on
// each send (delivery/settings.go).
func parts(text string, noPreview bool, c Content) []part {
	var out []part
	textKinds := func(n int) []string { return repeat(partText, n) }
	if len(c.Media) > 0 {
		album := len(c.Media) > 1
		captioned := text != "" && messages.Length(text) <= MaxCaptionLength && !(album && len(c.Buttons) > 0)
		o := Outgoing{Media: c.Media}
		if captioned {
			o.Text = text
			if !album {
				o.Buttons = c.Buttons
			}
			text = ""
		} else if !album && text == "" {
			o.Buttons = c.Buttons
		}
		first := partMedia
		if captioned {
			first = partCaption
		}
		out = append(out, part{out: o, kinds: func(n int) []string {
			k := repeat(partMedia, n)
			if n > 0 {
				k[0] = first
			}
			return k
		}})
		if text == "" && (!album || len(c.Buttons) == 0) {
			return out
		}
		if text == "" {
			// An album cannot carry buttons: they go under a message of
			// their own that points up at it.
			text = "⬆️"
		}
	}
	split := messages.Split(text, messages.MaxMessageLength)
	for i, t := range split {
		o := Outgoing{Text: t, NoPreview: noPreview}
		if i == len(split)-1 {
			o.Buttons = c.Buttons
		}
		out = append(out, part{out: o, kinds: textKinds})
	}
	return out
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
