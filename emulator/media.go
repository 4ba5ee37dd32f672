package emulator

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// media.go: the files a bot sends again by file_id (sendPhoto, sendDocument,
// sendVideo, sendAudio, sendVoice, sendMediaGroup), their captions
// (editMessageCaption), pinning (pinChatMessage) and the files and albums
// people send.

// The kinds of media, Telegram's names.
const (
	MediaPhoto    = "photo"
	MediaDocument = "document"
	MediaVideo    = "video"
	MediaAudio    = "audio"
	MediaVoice    = "voice"
)

// MaxCaptionLength is Telegram's limit for a caption, in UTF-16 units
// after entity parsing.
const MaxCaptionLength = 1024

var (
	errWrongFile      = badRequest("wrong file identifier/HTTP URL specified")
	errCaptionTooLong = badRequest("message caption is too long")
	errCantPin        = badRequest("not enough rights to manage pinned messages in the chat")
	errCantEdit       = badRequest("message can't be edited")
	errNoCaption      = badRequest("there is no caption in the message to edit")
	errNoText         = badRequest("there is no text in the message to edit")
)

// sentMedia is the file a message carries.
type sentMedia struct {
	file    File
	groupID string // media_group_id of an album's items
}

// fileRegistry is every file_id the emulator gave out, as Telegram knows
// the files it stores: sending any other id fails.
type fileRegistry struct {
	mu    sync.RWMutex
	files map[string]File
}

func (s *Server) rememberFile(f File) {
	r := &s.files
	r.mu.Lock()
	if r.files == nil {
		r.files = map[string]File{}
	}
	r.files[f.FileID] = f
	r.mu.Unlock()
}

// knownFile returns the file behind a file_id sent as kind. Telegram
// refuses an id it never gave out (or a URL it cannot fetch: the emulator
// fetches none), and a file of another kind, except that any file may be
// sent as a document.
func (s *Server) knownFile(id, kind string) (File, *apiError) {
	r := &s.files
	r.mu.RLock()
	f, ok := r.files[strings.TrimSpace(id)]
	r.mu.RUnlock()
	if !ok {
		return File{}, errWrongFile
	}
	if f.Kind != kind && kind != MediaDocument {
		return File{}, badRequest("wrong file identifier/HTTP URL specified: can't use file of type " + f.Kind + " as " + kind)
	}
	return f, nil
}

// ---- the bot sends ----

// sendFile is sendPhoto, sendDocument, sendVideo, sendAudio and sendVoice:
// the file by its file_id, with a caption and buttons.
func (s *Server) sendFile(kind string, rq *request, rp *reply) {
	if strings.TrimSpace(rq.get(kind)) == "" {
		rp.fail(badRequest("there is no " + kind + " in the request"))
		return
	}
	f, err := s.knownFile(rq.get(kind), kind)
	if err != nil {
		rp.fail(err)
		return
	}
	caption, mode, ents, err := s.caption(rq.get("caption"), rq.get("parse_mode"), rq.get("caption_entities"))
	if err != nil {
		rp.fail(err)
		return
	}
	markup, keyboard, err := s.replyMarkup(rq.get("reply_markup"))
	if err != nil {
		rp.fail(err)
		return
	}
	replyTo, allowMissing, err := replyParams(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	cs, chatID, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = chatID
	if err != nil {
		rp.fail(err)
		return
	}
	f.Kind = kind // a photo sent as a document is a document
	m := botMsg{
		parseMode: parseModeIndex(mode), text: caption, entities: ents,
		keyboard: keyboard, markup: markup, thread: int32(rq.int("message_thread_id")),
		media: &sentMedia{file: f},
	}
	if raw := rq.get("caption"); raw != caption {
		m.html = raw
	}
	s.addBotMessages(rq, rp, cs, []botMsg{m}, replyTo, allowMissing, false)
}

// caption parses a caption as sendMessage parses a text, with the
// caption's limit.
func (s *Server) caption(raw, parseMode, entities string) (string, string, []Entity, *apiError) {
	mode, err := parseModeParam(parseMode)
	if err != nil {
		return "", "", nil, err
	}
	if raw == "" {
		return "", mode, nil, nil
	}
	var given []Entity
	if mode == "" {
		if given, err = s.parseEntitiesParam(entities); err != nil {
			return "", "", nil, err
		}
	}
	text, ents, terr := parseAndClean(raw, mode, given, s.pedantic)
	if terr != nil {
		if errors.Is(terr, errTextEmpty) {
			return "", mode, nil, nil // a caption of only spaces is no caption
		}
		var te *TextError
		if errors.As(terr, &te) {
			return "", "", nil, &apiError{code: 400, desc: te.Description}
		}
		return "", "", nil, badRequest(terr.Error())
	}
	if utf16Len(text) > MaxCaptionLength {
		return "", "", nil, errCaptionTooLong
	}
	return text, mode, ents, nil
}

// addBotMessages stores the bot's new messages (one, or an album's items)
// in a chat after the checks every send makes, and answers with them: one
// message, or an array for an album.
func (s *Server) addBotMessages(rq *request, rp *reply, cs *chatState, ms []botMsg, replyTo int, allowMissing, album bool) {
	paid := rq.bool("allow_paid_broadcast")
	now := s.now()
	cs.mu.Lock()
	if err := s.checkWritableLocked(cs); err != nil {
		cs.mu.Unlock()
		rp.fail(err)
		return
	}
	var replyWire *wireMessage
	if replyTo > 0 {
		replyWire = s.wireForReplyLocked(cs, replyTo)
		if replyWire == nil && !allowMissing {
			cs.mu.Unlock()
			rp.fail(errReplyMissing)
			return
		}
	}
	// An album is one send for the flood limits: its items arrive
	// together, as a person's album does.
	if err := s.floodLocked(cs, paid, now); err != nil {
		cs.mu.Unlock()
		rp.fail(err)
		return
	}
	if album {
		rp.buf = append(rp.buf, '[')
	}
	for i := range ms {
		m := ms[i]
		if replyWire != nil {
			m.replyTo = int32(replyTo)
		}
		if paid {
			m.flags |= flagPaid
		}
		if rq.bool("disable_notification") {
			m.flags |= flagSilent
		}
		m.id = int32(cs.nextID)
		cs.nextID++
		m.date = now.Unix()
		m.seq = s.msgSeq.Add(1)
		cs.msgs = append(cs.msgs, m)
		wm := s.wireBotLocked(cs, &cs.msgs[len(cs.msgs)-1])
		wm.replyTo = replyWire
		if i > 0 {
			rp.buf = append(rp.buf, ',')
		}
		rp.buf = appendMessage(rp.buf, &wm)
	}
	if album {
		rp.buf = append(rp.buf, ']')
	}
	if cs.notify != nil {
		close(cs.notify)
		cs.notify = nil
	}
	cs.mu.Unlock()
	for range ms {
		s.messageAdded()
	}
}

// inputMedia is one item of sendMediaGroup's media parameter.
type inputMedia struct {
	Type            string          `json:"type"`
	Media           string          `json:"media"`
	Caption         string          `json:"caption"`
	ParseMode       string          `json:"parse_mode"`
	CaptionEntities json.RawMessage `json:"caption_entities"`
}

// albumGroup says which kinds may share an album: photos and videos
// together, documents only with documents, audio only with audio.
func albumGroup(kind string) string {
	if kind == MediaPhoto || kind == MediaVideo {
		return "visual"
	}
	return kind
}

// sendMediaGroup sends an album: 2–10 photos and videos, documents, or
// audio files, each with its own caption (a client shows the first).
func (s *Server) sendMediaGroup(rq *request, rp *reply) {
	var items []inputMedia
	if err := json.Unmarshal([]byte(rq.get("media")), &items); err != nil {
		rp.fail(badRequest("can't parse media JSON object"))
		return
	}
	switch {
	case len(items) < 2:
		rp.fail(badRequest("wrong number of media in the message"))
		return
	case len(items) > 10:
		rp.fail(badRequest("too many messages to send as an album"))
		return
	}
	groupID := strconv.FormatUint(s.msgSeq.Add(1)+1_000_000_000_000, 10)
	ms := make([]botMsg, len(items))
	for i, it := range items {
		switch it.Type {
		case MediaPhoto, MediaVideo, MediaDocument, MediaAudio:
		default:
			rp.fail(badRequest("unsupported media type \"" + it.Type + "\" in the album"))
			return
		}
		if g := albumGroup(it.Type); g != albumGroup(items[0].Type) {
			k := it.Type
			if albumGroup(items[0].Type) != "visual" {
				k = items[0].Type
			}
			rp.fail(badRequest(k + " can't be mixed with other media types"))
			return
		}
		f, err := s.knownFile(it.Media, it.Type)
		if err != nil {
			rp.fail(err)
			return
		}
		f.Kind = it.Type
		caption, mode, ents, err := s.caption(it.Caption, it.ParseMode, string(it.CaptionEntities))
		if err != nil {
			rp.fail(err)
			return
		}
		ms[i] = botMsg{parseMode: parseModeIndex(mode), text: caption, entities: ents, media: &sentMedia{file: f, groupID: groupID}}
		if it.Caption != caption {
			ms[i].html = it.Caption
		}
	}
	replyTo, allowMissing, err := replyParams(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	cs, chatID, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = chatID
	if err != nil {
		rp.fail(err)
		return
	}
	s.addBotMessages(rq, rp, cs, ms, replyTo, allowMissing, true)
}

// editMessageCaption changes the caption (and buttons) of the bot's
// message with a file.
func (s *Server) editMessageCaption(rq *request, rp *reply) {
	caption, mode, ents, err := s.caption(rq.get("caption"), rq.get("parse_mode"), rq.get("caption_entities"))
	if err != nil {
		rp.fail(err)
		return
	}
	markup, keyboard, err := s.replyMarkup(rq.get("reply_markup"))
	if err != nil {
		rp.fail(err)
		return
	}
	cs, id, ok := s.editTarget(rq, rp)
	if !ok {
		return
	}
	now := s.now()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	m, err := s.lookupEditLocked(cs, id)
	if err != nil {
		rp.fail(err)
		return
	}
	if m.media == nil {
		rp.fail(errNoCaption)
		return
	}
	if m.text == caption && entitiesEqual(m.entities, ents) && keyboardsEqual(m.keyboard, keyboard) {
		rp.fail(errNotModified)
		return
	}
	if err := s.floodLocked(cs, false, now); err != nil {
		rp.fail(err)
		return
	}
	m.text, m.entities, m.parseMode, m.html = caption, ents, parseModeIndex(mode), ""
	if raw := rq.get("caption"); raw != caption {
		m.html = raw
	}
	m.keyboard, m.markup = keyboard, markup
	m.edits++
	m.editDate = now.Unix()
	wm := s.wireBotLocked(cs, m)
	rp.buf = appendMessage(rp.buf, &wm)
}

// pinChatMessage pins a message: in a private chat always, in a group or
// supergroup only when the bot is an administrator allowed to pin
// (SetBotRights), in a channel when it is an administrator.
func (s *Server) pinChatMessage(rq *request, rp *reply) {
	cs, chatID, err := s.resolveChat(rq.get("chat_id"))
	rp.chatID = chatID
	if err != nil {
		rp.fail(err)
		return
	}
	id := int(rq.int("message_id"))
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if err := s.checkWritableLocked(cs); err != nil {
		rp.fail(err)
		return
	}
	switch cs.chat.Type {
	case ChatGroup, ChatSupergroup:
		st := cs.members[s.bot.ID]
		if st != StatusCreator && !(st == StatusAdministrator && cs.canPin) {
			rp.fail(errCantPin)
			return
		}
	}
	if cs.findBotLocked(id) == nil && cs.userMsgs[id] == nil {
		rp.fail(badRequest("message to pin not found"))
		return
	}
	cs.pinned = id
	rp.buf = append(rp.buf, "true"...)
}

// SetBotRights makes the bot an administrator of a group, supergroup or
// channel (admin) or a plain member, and says whether it may pin messages
// there: Telegram lets a bot pin in a group only with can_pin_messages.
func (s *Server) SetBotRights(chatID int64, admin, canPin bool) {
	cs := s.mustChat(chatID, "SetBotRights")
	if cs == nil {
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if admin {
		cs.members[s.bot.ID] = StatusAdministrator
	} else {
		cs.members[s.bot.ID] = StatusMember
	}
	cs.canPin = admin && canPin
}

// Pinned is the id of the chat's pinned message, 0 when none.
func (s *Server) Pinned(chatID int64) int {
	cs := s.chat(chatID)
	if cs == nil {
		return 0
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.pinned
}

// ---- people send ----

// newFile derives a file's ids from its content and kind and registers it.
func (s *Server) newFile(kind string, data []byte) File {
	prefix := map[string]string{MediaPhoto: "AgAC", MediaDocument: "BQAC", MediaVideo: "BAAC", MediaAudio: "CQAC", MediaVoice: "AwAC"}[kind]
	id, unique := fileIDs(prefix, data)
	return File{Kind: kind, FileID: id, FileUniqueID: unique, Size: len(data)}
}

// SendVideo queues a message update: from sends a video (data is only
// hashed) with an optional caption.
func (s *Server) SendVideo(chat Chat, from User, data []byte, width, height, seconds int, caption string) (int, File) {
	f := s.newFile(MediaVideo, data)
	f.Width, f.Height, f.Duration, f.MimeType = width, height, seconds, "video/mp4"
	return s.sendMedia(chat, from, &sentMedia{file: f}, caption, 0, "SendVideo"), f
}

// SendAudio queues a message update: from sends a music file.
func (s *Server) SendAudio(chat Chat, from User, data []byte, title, performer string, seconds int, caption string) (int, File) {
	f := s.newFile(MediaAudio, data)
	f.Title, f.Performer, f.Duration, f.MimeType = title, performer, seconds, "audio/mpeg"
	return s.sendMedia(chat, from, &sentMedia{file: f}, caption, 0, "SendAudio"), f
}

// SendVoice queues a message update: from sends a voice message.
func (s *Server) SendVoice(chat Chat, from User, data []byte, seconds int, caption string) (int, File) {
	f := s.newFile(MediaVoice, data)
	f.Duration, f.MimeType = seconds, "audio/ogg"
	return s.sendMedia(chat, from, &sentMedia{file: f}, caption, 0, "SendVoice"), f
}

// AlbumItem is one file of an album a person sends.
type AlbumItem struct {
	Kind     string // MediaPhoto, MediaVideo, MediaDocument or MediaAudio
	Data     []byte // only hashed
	FileName string // documents and audio
	Caption  string
}

// SendAlbum queues what Telegram sends for an album: one message update
// per item, in order, sharing a media_group_id. It returns the update ids,
// the message ids and the files as the bot sees them.
func (s *Server) SendAlbum(chat Chat, from User, items []AlbumItem) (updateIDs, messageIDs []int, files []File) {
	if len(items) < 2 || len(items) > 10 {
		s.fatalf("emulator: SendAlbum: an album has 2–10 items, got %d", len(items))
		return nil, nil, nil
	}
	group := strconv.FormatUint(s.msgSeq.Add(1)+2_000_000_000_000, 10)
	for _, it := range items {
		if albumGroup(it.Kind) != albumGroup(items[0].Kind) || it.Kind == MediaVoice {
			s.fatalf("emulator: SendAlbum: %s cannot share an album with %s", it.Kind, items[0].Kind)
			return nil, nil, nil
		}
		f := s.newFile(it.Kind, it.Data)
		switch it.Kind {
		case MediaPhoto:
			f.Width, f.Height = 1280, 960
		case MediaVideo:
			f.Width, f.Height, f.Duration, f.MimeType = 1280, 720, 10, "video/mp4"
		case MediaDocument:
			f.FileName, f.MimeType = it.FileName, mimeOf(it.FileName)
		case MediaAudio:
			f.FileName, f.MimeType, f.Duration = it.FileName, "audio/mpeg", 60
		}
		upd := s.sendMedia(chat, from, &sentMedia{file: f, groupID: group}, it.Caption, 0, "SendAlbum")
		if upd == 0 {
			return nil, nil, nil
		}
		updateIDs = append(updateIDs, upd)
		files = append(files, f)
	}
	cs := s.chat(chat.ID)
	cs.mu.Lock()
	last := cs.nextID - 1
	cs.mu.Unlock()
	for i := range items {
		messageIDs = append(messageIDs, last-len(items)+1+i)
	}
	return updateIDs, messageIDs, files
}

// ReplyWithDocument queues a message update: from sends a file with a
// caption in reply to message replyTo (Telegram lets a file reply, too).
func (s *Server) ReplyWithDocument(chat Chat, from User, data []byte, fileName, caption string, replyTo int) (int, File) {
	f := s.newFile(MediaDocument, data)
	f.FileName, f.MimeType = fileName, mimeOf(fileName)
	return s.sendMedia(chat, from, &sentMedia{file: f}, caption, replyTo, "ReplyWithDocument"), f
}

// mimeOf guesses a document's type from its name, as clients do.
func mimeOf(name string) string {
	switch i := strings.LastIndexByte(name, '.'); strings.ToLower(name[i+1:]) {
	case "pdf":
		return "application/pdf"
	case "docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "txt":
		return "text/plain"
	}
	return "application/octet-stream"
}

// appendMediaFields writes a message's file as Telegram does: a photo in
// two sizes (a thumbnail, then the full one), other kinds as one object.
func appendMediaFields(b []byte, md *sentMedia) []byte {
	f := &md.file
	if md.groupID != "" {
		b = appendStringField(b, "media_group_id", md.groupID)
	}
	b = appendKey(b, f.Kind)
	if f.Kind == MediaPhoto {
		b = append(b, '[')
		b = append(b, `{"file_id":`...)
		b = appendString(b, f.FileID+"-s")
		b = appendStringField(b, "file_unique_id", f.FileUniqueID+"s")
		b = appendIntField(b, "file_size", int64(f.Size/20+1))
		b = appendIntField(b, "width", int64(max(1, f.Width/14)))
		b = appendIntField(b, "height", int64(max(1, f.Height/14)))
		b = append(b, "},"...)
	}
	b = append(b, `{"file_id":`...)
	b = appendString(b, f.FileID)
	b = appendStringField(b, "file_unique_id", f.FileUniqueID)
	if f.FileName != "" {
		b = appendStringField(b, "file_name", f.FileName)
	}
	if f.MimeType != "" {
		b = appendStringField(b, "mime_type", f.MimeType)
	}
	b = appendIntField(b, "file_size", int64(f.Size))
	if f.Width != 0 {
		b = appendIntField(b, "width", int64(f.Width))
		b = appendIntField(b, "height", int64(f.Height))
	}
	if f.Duration != 0 {
		b = appendIntField(b, "duration", int64(f.Duration))
	}
	if f.Title != "" {
		b = appendStringField(b, "title", f.Title)
	}
	if f.Performer != "" {
		b = appendStringField(b, "performer", f.Performer)
	}
	b = append(b, '}')
	if f.Kind == MediaPhoto {
		b = append(b, ']')
	}
	return b
}
