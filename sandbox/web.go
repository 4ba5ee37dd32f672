package sandbox

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
)

//go:embed web
var webFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"render": Render,
	// imageURL lets through the data: URLs the sandbox made of a photo
	// (html/template refuses data: URLs it cannot vouch for).
	"imageURL": func(s string) template.URL {
		for _, t := range []string{"png", "jpeg", "gif"} {
			if strings.HasPrefix(s, "data:image/"+t+";base64,") {
				return template.URL(s)
			}
		}
		return ""
	},
	"initial": func(s string) string {
		for _, r := range s {
			return string(r)
		}
		return "?"
	},
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
}).ParseFS(webFS, "web/*.html"))

// maxUpload is the largest file a person may attach (Telegram's bots
// receive files up to 20 MB; the sandbox keeps its state small).
const maxUpload = 5 << 20

// Handler serves the web chat, the sandbox's news feed and its articles.
// Every request must name a loopback host and, if it has an Origin, a
// loopback origin: a page on another site cannot drive a person's sandbox,
// and a DNS name rebound to 127.0.0.1 is refused too.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /chat", s.chatView)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /stats", s.stats)
	mux.HandleFunc("POST /send", s.send)
	mux.HandleFunc("POST /press", s.press)
	mux.HandleFunc("POST /upload", s.upload)
	mux.HandleFunc("POST /person", s.addPerson)
	mux.HandleFunc("POST /group", s.addGroup)
	mux.HandleFunc("POST /publish", s.publish)
	mux.HandleFunc("GET /feed.xml", s.feed)
	mux.HandleFunc("GET /articles/{slug}", s.article)
	return guard(mux)
}

// guard refuses requests from anywhere but the sandbox's own page.
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "forbidden: the sandbox answers only on loopback", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			// Only the page itself: another local web app (another port)
			// is a foreign origin too.
			if err != nil || u.Scheme != "http" || !strings.EqualFold(u.Host, r.Host) {
				http.Error(w, "forbidden: cross-origin request", http.StatusForbidden)
				return
			}
		}
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			http.Error(w, "forbidden: cross-site request", http.StatusForbidden)
			return
		}
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header (or URL host) names this
// machine: localhost or a loopback address, any port.
func loopbackHost(h string) bool {
	host := h
	if hh, _, err := net.SplitHostPort(h); err == nil {
		host = hh
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "vi" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "en" || c.Value == "vi") {
		return c.Value
	}
	return "vi"
}

func (s *Sandbox) index(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	if q := r.URL.Query().Get("lang"); q != "" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", SameSite: http.SameSiteStrictMode, MaxAge: 365 * 86400})
	}
	s.mu.Lock()
	type personView struct {
		Person
		Groups []GroupChat
	}
	var people []personView
	for _, p := range s.st.People {
		people = append(people, personView{p, s.groupsOfLocked(p.ID)})
	}
	groups := append([]GroupChat(nil), s.st.Groups...)
	s.mu.Unlock()
	s.execute(w, "index.html", map[string]any{"L": labels[lang], "Lang": lang, "People": people, "Groups": groups})
}

// message is one line of a chat as the page shows it.
type message struct {
	ID       int
	FromBot  bool
	From     string
	Body     template.HTML
	Keyboard [][]emulator.InlineKeyboardButton
	Edited   bool
	Time     string
	// Attachments: the file, or an album's files (its items are shown
	// as one message, as Telegram clients do).
	Attachments []Attachment
	Album       bool
	// ReplyTo quotes the start of the message this one answers.
	ReplyTo string
	Silent  bool // arrived without a sound (a chat's quiet hours)

	groupID string
	replyTo int
}

func (s *Sandbox) chatView(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	as, _ := strconv.ParseInt(r.URL.Query().Get("as"), 10, 64)
	chatID, _ := strconv.ParseInt(r.URL.Query().Get("chat"), 10, 64)
	s.mu.Lock()
	p, chat, err := s.chatOfLocked(as, chatID)
	groups := s.groupsOfLocked(as)
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	msgs := s.messages(chat.ID, lang)
	title := labels[lang]["private"]
	if chat.Type != emulator.ChatPrivate {
		title = chat.Title
	}
	s.execute(w, "chat.html", map[string]any{
		"L": labels[lang], "Person": p, "ChatID": chat.ID, "Title": title, "Groups": groups, "Messages": msgs,
	})
}

// messages merges the bot's messages and the people's, in message_id order
// (one sequence per chat, as at Telegram).
func (s *Sandbox) messages(chatID int64, lang string) []message {
	loc := time.FixedZone("ICT", 7*3600)
	var out []message
	s.mu.Lock()
	// The photos the bot sends again are the people's: shown from what
	// they uploaded, by file id.
	shown := map[string]string{}
	for _, a := range s.st.Attachments {
		if a.DataURL != "" {
			shown[a.File.FileID] = a.DataURL
		}
	}
	s.mu.Unlock()
	texts := map[int]string{}
	for _, m := range s.o.Emulator.Messages(chatID) {
		texts[m.MessageID] = m.Text
		msg := message{
			ID: m.MessageID, FromBot: true, From: "Loa", Body: Render(m.Text, m.Entities),
			Keyboard: m.InlineKeyboard, Edited: m.Edits > 0 && !m.EditDate.IsZero(), Time: m.Date.In(loc).Format("15:04"),
			Silent: m.Silent,
		}
		if m.Media != "" {
			a := Attachment{Kind: m.Media, File: m.File, DataURL: shown[m.File.FileID]}
			if n := len(out); m.MediaGroupID != "" && n > 0 && out[n-1].FromBot && out[n-1].Album && out[n-1].groupID == m.MediaGroupID {
				out[n-1].Attachments = append(out[n-1].Attachments, a)
				if out[n-1].Body == "" {
					out[n-1].Body = msg.Body
				}
				continue
			}
			msg.Attachments, msg.Album, msg.groupID = []Attachment{a}, m.MediaGroupID != "", m.MediaGroupID
		}
		if m.ReplyToMessageID != 0 {
			msg.replyTo = m.ReplyToMessageID
		}
		out = append(out, msg)
	}
	s.mu.Lock()
	for _, m := range s.o.Emulator.PersonMessages(chatID) {
		texts[m.MessageID] = m.Text
		msg := message{ID: m.MessageID, From: strings.TrimSpace(m.From.LastName + " " + m.From.FirstName),
			Body: Render(m.Text, m.Entities), Time: time.Unix(m.Date, 0).In(loc).Format("15:04")}
		if a, ok := s.st.Attachments[attachmentKey(chatID, m.MessageID)]; ok {
			msg.Attachments = []Attachment{a}
			msg.Body = template.HTML(template.HTMLEscapeString(a.Caption))
		} else if m.Media != "" && m.File != nil {
			// A file sent outside the page (an album from a test).
			msg.Attachments = []Attachment{{Kind: m.Media, File: *m.File}}
		}
		out = append(out, msg)
	}
	s.mu.Unlock()
	for i := range out {
		if out[i].replyTo != 0 {
			q := []rune(texts[out[i].replyTo])
			if len(q) > 60 {
				q = append(q[:60], '…')
			}
			out[i].ReplyTo = string(q)
			if out[i].ReplyTo == "" {
				out[i].ReplyTo = "…"
			}
		}
	}
	sortMessages(out)
	return out
}

func sortMessages(ms []message) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].ID < ms[j-1].ID; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

func attachmentKey(chatID int64, messageID int) string {
	return strconv.FormatInt(chatID, 10) + "/" + strconv.Itoa(messageID)
}

func (s *Sandbox) execute(w http.ResponseWriter, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("sandbox: render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// events streams "change" when a chat may have changed and the counters
// every second (server-sent events).
func (s *Sandbox) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	last := ""
	for n := 0; ; n++ {
		if fp := s.fingerprint(); fp != last {
			last = fp
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", strings.ReplaceAll(fp, " ", "-"))
		}
		if n%5 == 0 {
			b, _ := json.Marshal(s.Stats())
			fmt.Fprintf(w, "event: stats\ndata: %s\n\n", b)
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Sandbox) stats(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.Stats())
}

// badRequest answers a person's mistake with a sentence the page shows.
func badRequest(w http.ResponseWriter, format string, args ...any) {
	http.Error(w, fmt.Sprintf(format, args...), http.StatusBadRequest)
}

func formInt(r *http.Request, key string) int64 {
	n, _ := strconv.ParseInt(r.FormValue(key), 10, 64)
	return n
}

// cleanText checks what a person typed: Telegram delivers no empty text,
// nothing over 4096 characters and only valid UTF-8.
func cleanText(text string) (string, error) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return "", fmt.Errorf("empty message")
	}
	if n := len([]rune(text)); n > 4096 {
		return "", fmt.Errorf("message too long: %d characters, Telegram allows 4096", n)
	}
	return text, nil
}

func (s *Sandbox) send(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	text, err := cleanText(r.FormValue("text"))
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, chat, err := s.chatOfLocked(formInt(r, "as"), formInt(r, "chat"))
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	plain, ents := Compose(text)
	if strings.TrimSpace(plain) == "" {
		badRequest(w, "empty message")
		return
	}
	s.o.Emulator.SendTextWithEntities(chat, p.User(), plain, ents)
	s.actions++
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) press(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, chat, err := s.chatOfLocked(formInt(r, "as"), formInt(r, "chat"))
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	if _, _, err := s.o.Emulator.TryPressButton(chat, p.User(), int(formInt(r, "msg")), r.FormValue("data")); err != nil {
		badRequest(w, "%v", err)
		return
	}
	s.actions++
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) upload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+64<<10)
	if err := r.ParseMultipartForm(maxUpload); err != nil {
		badRequest(w, "file too large or unreadable (at most %d MB)", maxUpload>>20)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		badRequest(w, "no file")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil || len(data) == 0 || len(data) > maxUpload {
		badRequest(w, "empty, unreadable or too large file")
		return
	}
	caption := strings.TrimSpace(strings.ToValidUTF8(r.FormValue("caption"), "\uFFFD"))
	if utf8.RuneCountInString(caption) > 1024 {
		badRequest(w, "caption too long: Telegram allows 1024 characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, chat, err := s.chatOfLocked(formInt(r, "as"), formInt(r, "chat"))
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	mime := http.DetectContentType(data)
	var att Attachment
	if cfg, ok := imageSize(data); ok && strings.HasPrefix(mime, "image/") {
		_, file := s.o.Emulator.SendPhoto(chat, p.User(), data, cfg.w, cfg.h, caption)
		att = Attachment{Kind: "photo", File: file, Caption: caption}
		if len(data) <= 256<<10 {
			att.DataURL = "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data)
		}
	} else {
		name := strings.ToValidUTF8(hdr.Filename, "_")
		_, file := s.o.Emulator.SendDocument(chat, p.User(), data, name, mime, caption)
		att = Attachment{Kind: "document", File: file, Caption: caption}
	}
	msgs := s.o.Emulator.PersonMessages(chat.ID)
	if len(msgs) > 0 {
		s.st.Attachments[attachmentKey(chat.ID, msgs[len(msgs)-1].MessageID)] = att
	}
	s.actions++
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) addPerson(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(strings.ToValidUTF8(r.FormValue("name"), ""))
	if name == "" || utf8.RuneCountInString(name) > 64 {
		badRequest(w, "a name of 1 to 64 characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := int64(firstAddedID)
	for _, p := range s.st.People {
		id = max(id, p.ID+1)
	}
	title := strings.TrimSpace(strings.ToValidUTF8(r.FormValue("title"), ""))
	if utf8.RuneCountInString(title) > 80 {
		badRequest(w, "a title of at most 80 characters")
		return
	}
	p := Person{ID: id, FirstName: name, Title: title, Lang: "vi"}
	groupID := formInt(r, "group")
	gi := -1
	for i := range s.st.Groups {
		if s.st.Groups[i].ID == groupID {
			gi = i
		}
	}
	if groupID != 0 && gi < 0 {
		badRequest(w, "unknown group %d", groupID)
		return
	}
	s.o.Emulator.AddUser(p.User())
	s.st.People = append(s.st.People, p)
	if gi >= 0 {
		s.st.Groups[gi].Members = append(s.st.Groups[gi].Members, id)
		s.o.Emulator.SetMember(groupID, id, emulator.StatusMember)
	}
	s.actions++
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]int64{"id": id})
}

func (s *Sandbox) addGroup(w http.ResponseWriter, r *http.Request) {
	title := strings.TrimSpace(strings.ToValidUTF8(r.FormValue("title"), ""))
	if title == "" || utf8.RuneCountInString(title) > 128 {
		badRequest(w, "a title of 1 to 128 characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.personLocked(formInt(r, "as"))
	if !ok {
		badRequest(w, "pick who adds the bot to the group")
		return
	}
	id := int64(firstGroupID)
	for _, g := range s.st.Groups {
		id = min(id, g.ID-1)
	}
	g := GroupChat{ID: id, Title: title, Members: []int64{p.ID}}
	s.st.Groups = append(s.st.Groups, g)
	s.o.Emulator.AddChat(g.Chat())
	s.o.Emulator.SetMember(g.ID, p.ID, emulator.StatusCreator)
	s.o.Emulator.BotAdded(g.Chat(), p.User())
	s.actions++
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]int64{"id": id})
}

// publish adds an article to the sandbox's feed and makes the feed due at
// once, so that the poller reads it within its next tick.
func (s *Sandbox) publish(w http.ResponseWriter, r *http.Request) {
	title := strings.TrimSpace(strings.ToValidUTF8(r.FormValue("title"), ""))
	body := strings.TrimSpace(strings.ToValidUTF8(r.FormValue("body"), ""))
	if title == "" || utf8.RuneCountInString(title) > 300 || utf8.RuneCountInString(body) > 20000 {
		badRequest(w, "a title of 1 to 300 characters and a text of at most 20000")
		return
	}
	if body == "" {
		body = title
	}
	now := s.o.Clock()
	s.mu.Lock()
	a := Article{Slug: slugify(title, now), Title: title, Date: now, Body: body}
	s.st.Articles = append(s.st.Articles, a)
	src := s.st.SourceID
	s.actions++
	err := s.saveLocked()
	s.mu.Unlock()
	if err != nil {
		s.log.Error("sandbox: save state", "err", err)
	}
	if s.o.Store != nil && src != 0 {
		if err := s.makeDue(r.Context(), src, now); err != nil {
			s.log.Error("sandbox: make the feed due", "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) makeDue(ctx context.Context, id int64, now time.Time) error {
	src, err := s.o.Store.Source(ctx, id)
	if err != nil {
		return err
	}
	st := src.SourceState
	st.NextFetchAt = now
	st.ETag, st.LastModified = "", ""
	return s.o.Store.SetSourceState(ctx, id, st)
}

func (s *Sandbox) feed(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	arts := append([]Article(nil), s.st.Articles...)
	s.mu.Unlock()
	serveFeed(w, "http://"+r.Host, arts)
}

func (s *Sandbox) article(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.st.Articles {
		if a.Slug == slug {
			serveArticle(w, a)
			return
		}
	}
	http.NotFound(w, r)
}

// Ensure *storage.DB keeps satisfying Store.
var _ Store = (*storage.DB)(nil)
