package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// File is a photo or document a person sent, as the bot receives it: a
// file_id it can send again and a file_unique_id that stays the same for the
// same content.
type File struct {
	FileID       string
	FileUniqueID string
	FileName     string // documents
	MimeType     string // documents
	Size         int
	Width        int // photos
	Height       int // photos
}

// fileIDs derives stable identifiers from the content, as Telegram's
// file_unique_id is stable for the same file. They have the look of real
// ones (URL-safe base64) so code that checks their shape accepts them.
func fileIDs(kind string, data []byte) (id, unique string) {
	sum := sha256.Sum256(data)
	enc := base64.RawURLEncoding.EncodeToString(sum[:])
	return kind + "-" + enc[:32], enc[:16]
}

// SendPhoto queues a message update: from sends a photo of the given size
// (data is only hashed: the emulator keeps no file contents) with an
// optional caption. Like Telegram it offers the photo in sizes; here one.
// It returns the update ID and the file as the bot sees it.
func (s *Server) SendPhoto(chat Chat, from User, data []byte, width, height int, caption string) (int, File) {
	id, unique := fileIDs("AgAC", data)
	f := File{FileID: id, FileUniqueID: unique, Size: len(data), Width: width, Height: height}
	var b []byte
	b = append(b, `"photo":[{`...)
	b = append(b, `"file_id":`...)
	b = appendString(b, f.FileID)
	b = appendStringField(b, "file_unique_id", f.FileUniqueID)
	b = appendIntField(b, "file_size", int64(f.Size))
	b = appendIntField(b, "width", int64(width))
	b = appendIntField(b, "height", int64(height))
	b = append(b, "}]"...)
	return s.sendMedia(chat, from, b, caption, "SendPhoto"), f
}

// SendDocument queues a message update: from sends a file (data is only
// hashed) with an optional caption. It returns the update ID and the file as
// the bot sees it.
func (s *Server) SendDocument(chat Chat, from User, data []byte, fileName, mimeType, caption string) (int, File) {
	id, unique := fileIDs("BQAC", data)
	f := File{FileID: id, FileUniqueID: unique, FileName: fileName, MimeType: mimeType, Size: len(data)}
	var b []byte
	b = append(b, `"document":{`...)
	b = append(b, `"file_id":`...)
	b = appendString(b, f.FileID)
	b = appendStringField(b, "file_unique_id", f.FileUniqueID)
	if fileName != "" {
		b = appendStringField(b, "file_name", fileName)
	}
	if mimeType != "" {
		b = appendStringField(b, "mime_type", mimeType)
	}
	b = appendIntField(b, "file_size", int64(f.Size))
	b = append(b, '}')
	return s.sendMedia(chat, from, b, caption, "SendDocument"), f
}

// sendMedia queues a message carrying media (the JSON fields in media,
// without a leading comma) and a caption with its detected commands, as
// sendUserMessage does for texts.
func (s *Server) sendMedia(chat Chat, from User, media []byte, caption, op string) int {
	if n := utf16Len(caption); n > 1024 {
		s.fatalf("emulator: %s: a caption has at most 1024 characters, got %d", op, n)
		return 0
	}
	s.learnFrom(from, op)
	cs := s.chatFor(chat, from, op)
	if cs == nil {
		return 0
	}
	now := s.now().Unix()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	wm := wireMessage{from: &from, chat: &cs.chat, date: now}
	wm.id = cs.nextID
	cs.nextID++
	if cs.userMsgs == nil {
		cs.userMsgs = map[int]*userMsg{}
	}
	cs.userMsgs[wm.id] = &userMsg{from: from, date: now}
	b := appendMessage(nil, &wm)
	b = append(b[:len(b)-1], ',')
	b = append(b, media...)
	if caption = strings.TrimSpace(caption); caption != "" {
		b = appendStringField(b, "caption", caption)
		if ents := findBotCommands(caption); len(ents) > 0 {
			b = appendEntities(appendKey(b, "caption_entities"), ents)
		}
	}
	b = append(b, '}')
	return s.pushUpdate(updMessage, b)
}

// String describes the file for a person: its name or its kind and size.
func (f File) String() string {
	if f.FileName != "" {
		return fmt.Sprintf("%s (%d B)", f.FileName, f.Size)
	}
	return fmt.Sprintf("photo %dx%d (%d B)", f.Width, f.Height, f.Size)
}
