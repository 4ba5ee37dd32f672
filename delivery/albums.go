package delivery

import (
	"context"
	"fmt"

	"github.com/loabot/loa/storage"
)

// RememberAlbumPart records one item of an album a person sent, so that a
// /broadcast in reply to any item finds them all: Telegram delivers an
// album as separate messages and a reply names only one.
func (e *Engine) RememberAlbumPart(ctx context.Context, p storage.AlbumPart) error {
	if p.ReceivedAt.IsZero() {
		p.ReceivedAt = e.clock()
	}
	return e.store.SaveAlbumPart(ctx, p)
}

// Album returns the files of an album sent into a chat, in order, and the
// first caption among them (Telegram clients show one caption per album).
func (e *Engine) Album(ctx context.Context, chatID int64, groupID string) ([]Media, string, error) {
	parts, err := e.store.AlbumParts(ctx, chatID, groupID)
	if err != nil {
		return nil, "", fmt.Errorf("album: %w", err)
	}
	var media []Media
	caption := ""
	for _, p := range parts {
		media = append(media, Media{Kind: p.Kind, FileID: p.FileID})
		if caption == "" {
			caption = p.Caption
		}
	}
	return media, caption, nil
}
