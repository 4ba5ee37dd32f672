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
	Kind         string // MediaPhoto, MediaDocument, …
	FileID       string
	FileUniqueID string
	FileName     string // documents
	MimeType     string // documents
	Size         int
	Width        int    // photos and videos
	Height       int    // photos and videos
	Duration     int    // seconds: videos, audio, voice
	Title        string // audio
	Performer    string // audio
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
// optional caption. Like Telegram it offers the photo in sizes, a
// thumbnail first. It returns the update ID and the file as the bot sees
// it (the largest size).
func (s *Server) SendPhoto(chat Chat, from User, data []byte, width, height int, caption string) (int, File) {
	f := s.newFile(MediaPhoto, data)
	f.Width, f.Height = width, height
	return s.sendMedia(chat, from, &sentMedia{file: f}, caption, 0, "SendPhoto"), f
}

// SendDocument queues a message update: from sends a file (data is only
// hashed) with an optional caption. It returns the update ID and the file as
// the bot sees it.
func (s *Server) SendDocument(chat Chat, from User, data []byte, fileName, mimeType, caption string) (int, File) {
	f := s.newFile(MediaDocument, data)
	f.FileName, f.MimeType = fileName, mimeType
	return s.sendMedia(chat, from, &sentMedia{file: f}, caption, 0, "SendDocument"), f
}

// sendMedia queues a message carrying a file, and a caption with its
// detected commands, as sendUserMessage does for texts. The file becomes
// one the bot may send again by its file_id.
func (s *Server) sendMedia(chat Chat, from User, md *sentMedia, caption string, replyTo int, op string) int {
	if n := utf16Len(caption); n > MaxCaptionLength {
		s.fatalf("emulator: %s: a caption has at most 1024 characters, got %d", op, n)
		return 0
	}
	s.learnFrom(from, op)
	cs := s.chatFor(chat, from, op)
	if cs == nil {
		return 0
	}
	s.rememberFile(md.file)
	if md.file.Kind == MediaPhoto {
		thumb := md.file
		thumb.FileID += "-s"
		s.rememberFile(thumb)
	}
	now := s.now().Unix()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	caption = strings.TrimSpace(caption)
	var ents []Entity
	if caption != "" {
		ents = findBotCommands(caption)
	}
	wm := wireMessage{from: &from, chat: &cs.chat, date: now, text: caption, entities: ents, media: md}
	if replyTo != 0 {
		if wm.replyTo = s.wireForReplyLocked(cs, replyTo); wm.replyTo == nil {
			s.fatalf("emulator: %s: chat %d has no message %d to reply to", op, chat.ID, replyTo)
			return 0
		}
	}
	wm.id = cs.nextID
	cs.nextID++
	if cs.userMsgs == nil {
		cs.userMsgs = map[int]*userMsg{}
	}
	cs.userMsgs[wm.id] = &userMsg{from: from, text: caption, entities: ents, date: now, media: md}
	return s.pushUpdate(updMessage, appendMessage(nil, &wm))
}

// String describes the file for a person: its name or its kind and size.
func (f File) String() string {
	if f.FileName != "" {
		return fmt.Sprintf("%s (%d B)", f.FileName, f.Size)
	}
	if f.FileID == "" {
		return ""
	}
	if f.Kind != MediaPhoto && f.Kind != "" {
		return fmt.Sprintf("%s (%d B)", f.Kind, f.Size)
	}
	return fmt.Sprintf("photo %dx%d (%d B)", f.Width, f.Height, f.Size)
}
