package bot

import (
	"encoding/json"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
)

// wireCarried is what a message carries besides its text, read from the
// raw update: tgbotapi (2021) knows nothing of forward_origin (Bot API
// 7.0, which replaced forward_from and forward_from_chat).
type wireCarried struct {
	Message *struct {
		Caption         string `json:"caption"`
		CaptionEntities []struct {
			Type   string `json:"type"`
			Offset int    `json:"offset"`
			Length int    `json:"length"`
			URL    string `json:"url"`
		} `json:"caption_entities"`
		Photo []struct {
			FileID string `json:"file_id"`
			Width  int    `json:"width"`
		} `json:"photo"`
		Document *wireFile `json:"document"`
		Voice    *wireFile `json:"voice"`
		Video    *wireFile `json:"video"`
		Audio    *wireFile `json:"audio"`
		Location *struct {
			Latitude  float64 `json:"latitude"`
			Longitude float64 `json:"longitude"`
		} `json:"location"`
		ForwardOrigin *struct {
			Type       string `json:"type"`
			Date       int64  `json:"date"`
			SenderUser *struct {
				FirstName string `json:"first_name"`
				LastName  string `json:"last_name"`
				Username  string `json:"username"`
				ID        int64  `json:"id"`
			} `json:"sender_user"`
			SenderUserName string    `json:"sender_user_name"`
			SenderChat     *wireChat `json:"sender_chat"`
			Chat           *wireChat `json:"chat"`
			MessageID      int       `json:"message_id"`
		} `json:"forward_origin"`
	} `json:"message"`
}

type wireFile struct {
	FileID string `json:"file_id"`
}

type wireChat struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Username string `json:"username"`
}

// toRequestWithMedia is toRequest for a stored update: it adds what a new
// message carries (media by file_id, the caption as Text, a location, a
// forwarded message's origin), so that a photo with "/baocao" as its
// caption, a shared location or a forwarded post reach the handlers, which
// toRequest alone drops for having no text.
func toRequestWithMedia(u *tgbotapi.Update, raw json.RawMessage) (handlers.Request, bool) {
	req, ok := toRequest(u)
	m := u.Message
	if m == nil || m.Chat == nil || m.From == nil || m.MigrateToChatID != 0 {
		return req, ok
	}
	var w wireCarried
	if err := json.Unmarshal(raw, &w); err != nil || w.Message == nil {
		return req, ok
	}
	wm := w.Message
	if !ok && m.Chat.Type != "private" {
		// A photo without a caption in a group is people talking among
		// themselves, as before.
		return req, ok
	}
	if !ok {
		// No text: only a message carrying something becomes a request.
		req = handlers.Request{UpdateID: int64(u.UpdateID), Kind: handlers.KindMessage, Chat: chat(m.Chat), MessageID: m.MessageID}
		fillMessage(&req, m)
	}
	if req.Text == "" && wm.Caption != "" {
		req.Text = wm.Caption
		req.Entities = nil
		for _, e := range wm.CaptionEntities {
			req.Entities = append(req.Entities, messages.Entity{Type: e.Type, Offset: e.Offset, Length: e.Length, URL: e.URL})
		}
	}
	if n := len(wm.Photo); n > 0 {
		// Telegram lists the sizes smallest first; the largest is the one
		// to pass on.
		best := wm.Photo[0]
		for _, p := range wm.Photo[1:] {
			if p.Width >= best.Width {
				best = p
			}
		}
		req.Media = append(req.Media, handlers.Media{Kind: "photo", FileID: best.FileID})
	}
	for _, f := range []struct {
		kind string
		f    *wireFile
	}{{"document", wm.Document}, {"voice", wm.Voice}, {"video", wm.Video}, {"audio", wm.Audio}} {
		if f.f != nil && f.f.FileID != "" {
			req.Media = append(req.Media, handlers.Media{Kind: f.kind, FileID: f.f.FileID})
		}
	}
	if l := wm.Location; l != nil {
		req.Location = &handlers.Location{Latitude: l.Latitude, Longitude: l.Longitude}
	}
	if o := wm.ForwardOrigin; o != nil {
		f := &handlers.ForwardOrigin{Type: o.Type, MessageID: o.MessageID}
		if o.Date > 0 {
			f.Date = time.Unix(o.Date, 0).UTC()
		}
		switch {
		case o.SenderUser != nil:
			f.Name, f.Username, f.ChatID = joinName(o.SenderUser.FirstName, o.SenderUser.LastName), o.SenderUser.Username, o.SenderUser.ID
		case o.SenderUserName != "":
			f.Name = o.SenderUserName
		case o.Chat != nil:
			f.Name, f.Username, f.ChatID = o.Chat.Title, o.Chat.Username, o.Chat.ID
		case o.SenderChat != nil:
			f.Name, f.Username, f.ChatID = o.SenderChat.Title, o.SenderChat.Username, o.SenderChat.ID
		}
		req.Forward = f
	}
	if req.Text == "" && len(req.Media) == 0 && req.Location == nil && req.Forward == nil {
		return req, false
	}
	return req, true
}

func joinName(first, last string) string {
	if last == "" {
		return first
	}
	return first + " " + last
}
