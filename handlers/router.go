package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Store is what the router itself needs from storage: remembering who wrote
// from where, and the chat's life (blocked, left, migrated).
type Store interface {
	UpsertChat(ctx context.Context, c storage.Chat) error
	UpsertUser(ctx context.Context, u storage.User) error
	User(ctx context.Context, id int64) (storage.User, error)
	SetChatStatus(ctx context.Context, id int64, status string) error
	MigrateChat(ctx context.Context, oldID, newID int64, newType string) error
}

// Config is what a Router is built from in main.go.
type Config struct {
	Store          Store
	Directory      Directory      // units, people, invites; nil disables those commands
	Tasks          TaskStore      // the agreement's tasks (/tasks, /task, /done …); needs Directory; nil disables them
	Articles       Articles       // /latest, /article, /search, /sources; needs Directory; nil disables them
	Sources        SourceAdder    // /addsource (checks the feed); nil disables it
	Broadcasts     Broadcaster    // the delivery engine (/broadcast …); needs Directory; nil disables it
	Reports        ReportStore    // reports from the field (/baocao); needs Directory and ReportDelivery; nil disables them
	ReportDelivery ReportDelivery // the delivery engine, for reports to officers and answers to reporters
	ChatAdmins     ChatAdmins     // who administers a group, asked of Telegram
	Settings       SettingsStore  // each chat's settings (/caidat); nil disables it
	BotUsername    string         // without "@", to recognise "/cmd@loa_bot" and build invite links
	Lang           messages.Lang  // the default language (LOA_LANG)
	Location       *time.Location
	Clock          func() time.Time // now; injected so expiry can be tested
	Logger         *slog.Logger
}

// Access says who may run a command. It is checked here, on the server
// side, before the command runs: a button or a command list on the client
// is only a convenience.
type Access int

// The access levels, from everyone to admins only.
const (
	Everyone Access = iota
	// OfficerOrAdmin: officers of any unit and admins. Which unit they may
	// act for is checked again by the command itself.
	OfficerOrAdmin
	AdminOnly
)

// Context is one request as a command sees it: the request, the parsed
// command, the language to answer in and the asker as stored.
type Context struct {
	Req  Request
	Cmd  Command
	Lang messages.Lang
	User storage.User

	acc *access // loaded on first use by access()
}

// IsAdmin reports whether the asker is a Loa admin.
func (c *Context) IsAdmin() bool { return c.User.Role == storage.RoleAdmin }

// T renders a sentence in the asker's language.
func (c *Context) T(key messages.Key, args ...any) string { return messages.T(c.Lang, key, args...) }

// Reply is a response with one message into the request's chat.
func (c *Context) Reply(key messages.Key, args ...any) Response {
	return Response{Replies: []Reply{{Text: c.T(key, args...)}}}
}

type command struct {
	name     string
	desc     messages.Key
	access   Access
	pickable bool // takes one unit as its argument, so "which unit?" buttons can re-run it
	run      func(ctx context.Context, c *Context) (Response, error)
}

// Router dispatches requests to commands. It is safe for concurrent use:
// package bot calls Handle from several workers at once.
type Router struct {
	store    Store
	dir      Directory
	tasks    TaskStore
	articles Articles
	feeds    SourceAdder
	bc       Broadcaster
	reports  ReportStore
	rdeliver ReportDelivery
	admins   ChatAdmins
	settings SettingsStore
	loc      *time.Location
	now      func() time.Time
	bot      string
	lang     messages.Lang
	log      *slog.Logger
	commands []*command
	byName   map[string]*command
	flood    *floodGate
}

// NewRouter builds the router with every command Loa knows.
func NewRouter(cfg Config) *Router {
	r := &Router{
		store:    cfg.Store,
		dir:      cfg.Directory,
		tasks:    cfg.Tasks,
		articles: cfg.Articles,
		feeds:    cfg.Sources,
		bc:       cfg.Broadcasts,
		reports:  cfg.Reports,
		rdeliver: cfg.ReportDelivery,
		admins:   cfg.ChatAdmins,
		settings: cfg.Settings,
		loc:      cfg.Location,
		now:      cfg.Clock,
		bot:      strings.ToLower(strings.TrimPrefix(cfg.BotUsername, "@")),
		lang:     cfg.Lang,
		log:      cfg.Logger,
		byName:   map[string]*command{},
		flood:    newFloodGate(),
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.lang == "" {
		r.lang = messages.Vietnamese
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.loc == nil {
		r.loc = time.UTC
	}
	r.add(&command{name: "start", desc: messages.KeyCmdStart, run: r.start})
	r.add(&command{name: "help", desc: messages.KeyCmdHelp, run: r.help})
	if r.dir != nil {
		r.addDirectoryCommands()
	}
	if r.dir != nil && r.tasks != nil {
		r.addTaskCommands()
	}
	if r.dir != nil && r.articles != nil {
		r.addArticleCommands()
	}
	if r.dir != nil && r.bc != nil {
		r.addBroadcastCommands()
	}
	if r.dir != nil && r.reports != nil && r.rdeliver != nil {
		r.addReportCommands()
	}
	if r.settings != nil {
		r.addSettingsCommands()
	}
	return r
}

func (r *Router) add(c *command) {
	if _, dup := r.byName[c.name]; dup {
		panic("handlers: command registered twice: " + c.name)
	}
	r.commands = append(r.commands, c)
	r.byName[c.name] = c
}

// Commands is the list the bot registers with setMyCommands: the commands
// anyone may use (admins' commands are listed by /help for admins only).
func (r *Router) Commands() []messages.Command {
	var out []messages.Command
	for _, c := range r.commands {
		if c.access == Everyone {
			out = append(out, messages.Command{Name: c.name, Key: c.desc})
		}
	}
	return out
}

// Handle answers one request. It never panics and never returns an error:
// whatever goes wrong is logged for the operator with the update id, and the
// person gets a short apology instead of silence or a stack trace.
func (r *Router) Handle(ctx context.Context, req Request) (resp Response) {
	lang := r.langFor(req)
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("handler panicked", "update_id", req.UpdateID, "chat_id", req.Chat.ID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = r.apology(req, lang)
		}
	}()
	resp, err := r.handle(ctx, req, lang)
	if err != nil {
		r.log.Error("handle update", "update_id", req.UpdateID, "chat_id", req.Chat.ID, "err", err)
		return r.apology(req, lang)
	}
	return resp
}

func (r *Router) apology(req Request, lang messages.Lang) Response {
	text := messages.T(lang, messages.KeyApology)
	switch req.Kind {
	case KindCallback:
		return Response{CallbackText: messages.Plain(lang, messages.KeyApologyShort), CallbackAlert: true}
	case KindMessage:
		return Response{Replies: []Reply{{Text: text}}}
	}
	return Response{}
}

// langFor picks the language of the answer: the person's Telegram language
// in a private chat when Loa speaks it, the configured one in groups, where
// many people read the same answer.
func (r *Router) langFor(req Request) messages.Lang {
	if req.Chat.Type.IsGroup() {
		return r.lang
	}
	return messages.Pick(req.From.LanguageCode, r.lang)
}

func (r *Router) handle(ctx context.Context, req Request, lang messages.Lang) (Response, error) {
	switch req.Kind {
	case KindMembership:
		return r.membership(ctx, req, lang)
	case KindMigration:
		if err := r.store.MigrateChat(ctx, req.Chat.ID, req.MigrateTo, string(ChatSupergroup)); err != nil {
			return Response{}, fmt.Errorf("migrate chat %d to %d: %w", req.Chat.ID, req.MigrateTo, err)
		}
		r.log.Info("group became a supergroup", "chat_id", req.Chat.ID, "new_chat_id", req.MigrateTo)
		return Response{}, nil
	case KindEdited:
		// An edited command is not run again: its author already has the
		// answer to the original, and running "/broadcast" twice would send
		// twice.
		return Response{}, nil
	case KindMessage, KindCallback:
	default:
		return Response{}, nil
	}
	if req.From.IsBot || req.From.ID == 0 {
		// Other bots (and anonymous channel posts) do not give Loa orders.
		return Response{}, nil
	}
	// The flood limit comes before anything touches the database.
	if r.counts(req) {
		switch verdict, wait := r.flood.admit(req.From.ID, r.now()); verdict {
		case floodDrop:
			return Response{}, nil
		case floodWarn:
			r.log.Warn("flood limit reached", "user_id", req.From.ID, "chat_id", req.Chat.ID)
			secs := int((wait + time.Second - 1) / time.Second)
			if req.Kind == KindCallback {
				return Response{CallbackText: messages.Plain(lang, messages.KeySlowDown, secs), CallbackAlert: true}, nil
			}
			return Response{Replies: []Reply{{Text: messages.T(lang, messages.KeySlowDown, secs)}}}, nil
		}
	}
	user, err := r.remember(ctx, req)
	if err != nil {
		return Response{}, err
	}
	c := &Context{Req: req, Lang: lang, User: user}
	if req.Kind == KindCallback {
		return r.callback(ctx, c)
	}
	return r.message(ctx, c)
}

// counts says whether req counts toward its sender's flood limit: button
// presses, and messages the bot answers (anything in a private chat,
// commands for Loa in a group); talk among people in a group does not.
func (r *Router) counts(req Request) bool {
	if req.Kind == KindCallback || req.Chat.Type == ChatPrivate {
		return true
	}
	said, _ := req.Said()
	cmd, ok := ParseCommand(said)
	return ok && (cmd.Mention == "" || cmd.Mention == r.bot)
}

// remember records the chat and the person, so broadcasts know where to go
// and roles have someone to attach to.
func (r *Router) remember(ctx context.Context, req Request) (storage.User, error) {
	title := req.Chat.Title
	if title == "" && req.Chat.Type == ChatPrivate {
		title = req.From.Name()
	}
	if err := r.store.UpsertChat(ctx, storage.Chat{
		ID: req.Chat.ID, Type: string(req.Chat.Type), Title: title,
	}); err != nil {
		return storage.User{}, fmt.Errorf("remember chat %d: %w", req.Chat.ID, err)
	}
	if err := r.store.UpsertUser(ctx, storage.User{
		ID: req.From.ID, FirstName: req.From.FirstName, LastName: req.From.LastName,
		Username: req.From.Username, Language: req.From.LanguageCode,
	}); err != nil {
		return storage.User{}, fmt.Errorf("remember user %d: %w", req.From.ID, err)
	}
	u, err := r.store.User(ctx, req.From.ID)
	if err != nil {
		return storage.User{}, fmt.Errorf("load user %d: %w", req.From.ID, err)
	}
	return u, nil
}

func (r *Router) message(ctx context.Context, c *Context) (Response, error) {
	if err := r.rememberAlbumPart(ctx, c.Req); err != nil {
		return Response{}, err
	}
	said, _ := c.Req.Said()
	cmd, ok := ParseCommand(said)
	private := c.Req.Chat.Type == ChatPrivate
	if !ok && private && r.addedReports() {
		if resp, handled, err := r.reportFollowUp(ctx, c); handled {
			return resp, err
		}
	}
	if !ok {
		if private && c.Req.Text != "" {
			// A file, an album's parts or a location without a command
			// may be what a later /broadcast replies to: no hint for each.
			return c.Reply(messages.KeyPlainTextHint), nil
		}
		return Response{}, nil // people talk among themselves in groups
	}
	if cmd.Mention != "" && cmd.Mention != r.bot {
		return Response{}, nil // addressed to another bot in the group
	}
	c.Cmd = cmd
	h := r.byName[cmd.Name]
	if h == nil {
		if private || cmd.Mention == r.bot {
			return c.Reply(messages.KeyUnknownCommand, cmd.Name), nil
		}
		// "/foo" without a name in a group may be for another bot there.
		return Response{}, nil
	}
	if utf8.RuneCountInString(cmd.Args) > MaxArgsLength {
		return c.Reply(messages.KeyArgsTooLong, messages.Count(MaxArgsLength)), nil
	}
	if !r.allowed(ctx, c, h.access) {
		return c.Reply(messages.KeyNotAllowed), nil
	}
	return h.run(ctx, c)
}

// allowed is the first, coarse check of a command's access; commands that
// act for a unit check that unit again.
func (r *Router) allowed(ctx context.Context, c *Context, a Access) bool {
	switch a {
	case Everyone:
		return true
	case AdminOnly:
		return c.IsAdmin()
	case OfficerOrAdmin:
		if c.IsAdmin() {
			return true
		}
		if r.dir == nil {
			return false
		}
		acc, err := c.access(ctx, r.dir)
		if err != nil {
			r.log.Warn("load access", "user_id", c.User.ID, "err", err)
			return false
		}
		for _, role := range acc.roles {
			if role == storage.RoleOfficer {
				return true
			}
		}
	}
	return false
}

// callback answers a button press. Buttons carry "command:args" data; the
// command's access is checked again here, because anyone in a group can press
// a button under someone else's message.
func (r *Router) callback(ctx context.Context, c *Context) (Response, error) {
	kind, rest, _ := strings.Cut(c.Req.Data, ":")
	if kind == settingsCallback && r.settings != nil {
		return r.settingsButton(ctx, c, rest)
	}
	if r.dir != nil {
		switch kind {
		case "pick":
			return r.pick(ctx, c, rest)
		case "jr":
			return r.decideJoin(ctx, c, rest)
		case taskCallback:
			if r.tasks != nil {
				return r.taskButton(ctx, c, rest)
			}
		case "latest":
			if r.articles != nil {
				return r.latestMore(ctx, c, rest)
			}
		case "bc":
			if r.bc != nil {
				return r.decideBroadcast(ctx, c, rest)
			}
		case reportCallback:
			if r.addedReports() {
				return r.reportButton(ctx, c, rest)
			}
		case delivery.AnswerPrefix:
			if r.bc != nil {
				return r.answer(ctx, c, rest)
			}
		}
	}
	return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
}

// membership follows the bot's own membership: removed or blocked chats are
// marked so nothing more is sent there (their history is kept); a chat that
// takes the bot back is active again.
func (r *Router) membership(ctx context.Context, req Request, lang messages.Lang) (Response, error) {
	var status string
	switch req.NewStatus {
	case "left":
		status = storage.ChatLeft
	case "kicked":
		status = storage.ChatLeft
		if req.Chat.Type == ChatPrivate {
			status = storage.ChatBlocked
		}
	case "member", "administrator", "creator", "restricted":
		status = storage.ChatActive
	default:
		return Response{}, nil
	}
	if status != storage.ChatActive {
		err := r.store.SetChatStatus(ctx, req.Chat.ID, status)
		if errors.Is(err, storage.ErrNotFound) {
			err = r.store.UpsertChat(ctx, storage.Chat{ID: req.Chat.ID, Type: string(req.Chat.Type), Title: req.Chat.Title})
			if err == nil {
				err = r.store.SetChatStatus(ctx, req.Chat.ID, status)
			}
		}
		if err != nil {
			return Response{}, fmt.Errorf("mark chat %d %s: %w", req.Chat.ID, status, err)
		}
		r.log.Info("chat no longer reachable", "chat_id", req.Chat.ID, "status", status)
		return Response{}, nil
	}
	title := req.Chat.Title
	if title == "" {
		title = req.From.Name()
	}
	if err := r.store.UpsertChat(ctx, storage.Chat{ID: req.Chat.ID, Type: string(req.Chat.Type), Title: title}); err != nil {
		return Response{}, fmt.Errorf("activate chat %d: %w", req.Chat.ID, err)
	}
	wasIn := req.OldStatus == "member" || req.OldStatus == "administrator" || req.OldStatus == "creator" || req.OldStatus == "restricted"
	if req.Chat.Type.IsGroup() && !wasIn {
		return Response{Replies: []Reply{{Text: messages.T(lang, messages.KeyAddedToGroup, title)}}}, nil
	}
	return Response{}, nil
}

// start greets, or, with a payload from an invite link
// (https://t.me/<bot>?start=<code>), joins the unit the invite is for.
func (r *Router) start(ctx context.Context, c *Context) (Response, error) {
	if c.Cmd.Args != "" && r.dir != nil {
		return r.redeem(ctx, c, c.Cmd.Args)
	}
	return c.Reply(messages.KeyStartGreeting, c.Req.From.Addressed()), nil
}

// help lists the commands this asker may use, so nobody is shown a command
// that would only refuse them.
func (r *Router) help(ctx context.Context, c *Context) (Response, error) {
	var b strings.Builder
	b.WriteString(c.T(messages.KeyHelpHeader))
	for _, cmd := range r.commands {
		if !r.allowed(ctx, c, cmd.access) {
			continue
		}
		b.WriteString("\n")
		b.WriteString(c.T(messages.KeyHelpLine, cmd.name, messages.Describe(c.Lang, messages.Command{Name: cmd.name, Key: cmd.desc})))
	}
	b.WriteString("\n\n")
	b.WriteString(c.T(messages.KeyHelpFooter))
	return Response{Replies: []Reply{{Text: b.String()}}}, nil
}
