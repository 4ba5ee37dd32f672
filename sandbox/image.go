package sandbox

import (
	"bytes"
	"image"
	_ "image/gif" // decoders for the photos people attach
	_ "image/jpeg"
	_ "image/png"
)

type size struct{ w, h int }

// imageSize reads a photo's dimensions, which Telegram reports with it.
func imageSize(data []byte) (size, bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return size{}, false
	}
	return size{cfg.Width, cfg.Height}, true
}
