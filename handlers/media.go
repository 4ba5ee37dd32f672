package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// attached is what a /broadcast carries besides its own text: the file it
// is the caption of, or the file, album or text it replies to.
type attached struct {
	media []delivery.Media
	// body is the text of the message replied to (or its caption, or the
	// album's), as Telegram HTML: the bulletin when the command has none.
	body string
}

// attachment finds what the bulletin carries. A reply to one item of an
// album carries the whole album, as the bot saw its parts arrive; an album
// the bot did not see whole goes as the one item replied to.
func (r *Router) attachment(ctx context.Context, c *Context) (attached, error) {
	var a attached
	if m := c.Req.Media; m != nil {
		a.media = []delivery.Media{{Kind: m.Kind, FileID: m.FileID}}
		// The caption of one item of an album carries only that item: the
		// others arrive as their own updates, perhaps after this one. A
		// reply to the album is the way to send it whole.
		return a, nil
	}
	rep := c.Req.Replied
	if rep == nil {
		return a, nil
	}
	if rep.Media == nil {
		if rep.Text != "" && messages.Readable(rep.Text) {
			a.body = strings.TrimSpace(messages.TailToHTML(rep.Text, rep.Entities, 0))
		}
		return a, nil
	}
	a.media = []delivery.Media{{Kind: rep.Media.Kind, FileID: rep.Media.FileID}}
	if rep.Caption != "" && messages.Readable(rep.Caption) {
		a.body = strings.TrimSpace(messages.TailToHTML(rep.Caption, rep.CaptionEntities, 0))
	}
	if rep.MediaGroupID == "" {
		return a, nil
	}
	media, caption, err := r.bc.Album(ctx, c.Req.Chat.ID, rep.MediaGroupID)
	if err != nil {
		return a, fmt.Errorf("album %s: %w", rep.MediaGroupID, err)
	}
	if len(media) > 1 {
		a.media = media[:min(len(media), delivery.MaxAlbum)]
		if a.body == "" {
			a.body = caption
		}
	}
	return a, nil
}

// rememberAlbumPart keeps the file ids of an album's items as they arrive
// (a person sends an album, then replies to it with /broadcast).
func (r *Router) rememberAlbumPart(ctx context.Context, req Request) error {
	if r.bc == nil || req.MediaGroupID == "" || req.Media == nil || req.Media.Kind == MediaVoice {
		return nil
	}
	caption := ""
	if req.Caption != "" {
		caption = strings.TrimSpace(messages.TailToHTML(req.Caption, req.CaptionEntities, 0))
	}
	return r.bc.RememberAlbumPart(ctx, storage.AlbumPart{
		ChatID: req.Chat.ID, MediaGroupID: req.MediaGroupID, MessageID: req.MessageID,
		Kind: req.Media.Kind, FileID: req.Media.FileID, Caption: caption, ReceivedAt: r.now(),
	})
}

var mediaKeys = map[string]messages.Key{
	MediaPhoto: messages.KeyMediaPhoto, MediaDocument: messages.KeyMediaDocument, MediaVideo: messages.KeyMediaVideo,
	MediaAudio: messages.KeyMediaAudio, MediaVoice: messages.KeyMediaVoice,
}
