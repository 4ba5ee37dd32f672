package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/loabot/loa/feeds"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// Articles is what the reading commands need from storage; *storage.DB
// satisfies it. Every query takes the units the asker may see, so an
// article of a restricted unit never reaches someone outside it.
type Articles interface {
	LatestArticles(ctx context.Context, unitIDs []int64, limit, offset int) ([]storage.Article, error)
	ArticleByID(ctx context.Context, id int64) (storage.Article, error)
	SearchArticles(ctx context.Context, unitIDs []int64, query string, limit, offset int) ([]storage.Article, int, error)
	Sources(ctx context.Context) ([]storage.Source, error)
	RemoveSource(ctx context.Context, actorID, id int64) (storage.Source, error)
}

// SourceAdder checks a feed and starts watching it; *feeds.Watcher
// satisfies it.
type SourceAdder interface {
	AddSource(ctx context.Context, actorID int64, url, name string, unitIDs []int64) (feeds.Checked, error)
}

// Limits of /latest and /search.
const (
	DefaultLatest = 5
	MaxLatest     = 20
	searchResults = 10
	// listBudget leaves room under Telegram's 4096 for the header and the
	// button: a list that would not fit is shortened and "More" goes on.
	listBudget = messages.MaxMessageLength - 200
)

// addArticleCommands registers the reading commands, and the source
// commands for admins.
func (r *Router) addArticleCommands() {
	r.add(&command{name: "latest", desc: messages.KeyCmdLatest, run: r.latest})
	r.add(&command{name: "article", desc: messages.KeyCmdArticle, run: r.article})
	r.add(&command{name: "search", desc: messages.KeyCmdSearch, run: r.search})
	r.add(&command{name: "sources", desc: messages.KeyCmdSources, access: AdminOnly, run: r.sources})
	if r.feeds != nil {
		r.add(&command{name: "addsource", desc: messages.KeyCmdAddSource, access: AdminOnly, run: r.addSource})
	}
	r.add(&command{name: "removesource", desc: messages.KeyCmdRemoveSource, access: AdminOnly, run: r.removeSource})
}

// visibleUnits are the units whose sources the asker may read: public
// units, and restricted ones they belong to or act for.
func (r *Router) visibleUnits(ctx context.Context, c *Context) (*access, []int64, error) {
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	for _, u := range a.tree.Units() {
		if a.mayFollow(u) {
			ids = append(ids, u.ID)
		}
	}
	return a, ids, nil
}

// latest answers "/latest [n] [unit]".
func (r *Router) latest(ctx context.Context, c *Context) (Response, error) {
	n := DefaultLatest
	args := strings.Fields(c.Cmd.Args)
	if len(args) > 0 {
		if v, err := strconv.Atoi(args[0]); err == nil {
			if v < 1 || v > MaxLatest {
				return c.Reply(messages.KeyLatestUsage, MaxLatest), nil
			}
			n, args = v, args[1:]
		} else if strings.TrimLeft(args[0], "+-0123456789") == "" {
			return c.Reply(messages.KeyLatestUsage, MaxLatest), nil // "-", "--1", a number too big for int
		}
	}
	var unitID int64
	if len(args) > 0 {
		a, err := c.access(ctx, r.dir)
		if err != nil {
			return Response{}, err
		}
		u, resp := r.resolve(c, a, strings.Join(args, " "), "")
		if resp != nil {
			return *resp, nil
		}
		if !a.mayFollow(u) {
			return c.Reply(messages.KeySubscribeRestricted, u.Name, u.Code), nil
		}
		unitID = u.ID
	}
	return r.latestPage(ctx, c, n, unitID, 0, false)
}

// latestPage renders n articles from offset, for one unit (and those below
// it) or, with unitID 0, everything the asker may see.
func (r *Router) latestPage(ctx context.Context, c *Context, n int, unitID int64, offset int, edit bool) (Response, error) {
	a, visible, err := r.visibleUnits(ctx, c)
	if err != nil {
		return Response{}, err
	}
	if unitID != 0 {
		u, ok := a.tree.Get(unitID)
		if !ok || !a.mayFollow(u) {
			return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
		}
		visible = slices.DeleteFunc(a.tree.Descendants(unitID), func(id int64) bool { return !slices.Contains(visible, id) })
	}
	// One more than asked tells whether there is a next page.
	arts, err := r.articles.LatestArticles(ctx, visible, n+1, offset)
	if err != nil {
		return Response{}, fmt.Errorf("latest articles: %w", err)
	}
	if len(arts) == 0 {
		return c.Reply(messages.KeyLatestEmpty), nil
	}
	more := len(arts) > n
	arts = arts[:min(n, len(arts))]
	var header string
	if u, ok := a.tree.Get(unitID); ok {
		header = c.T(messages.KeyLatestHeaderUnit, len(arts), u.Name, u.Code)
	} else {
		header = c.T(messages.KeyLatestHeader, len(arts))
	}
	text, shown := r.articleList(c, header, arts)
	if shown < len(arts) {
		more = true
		// The header counted what was asked; say what is shown.
		if u, ok := a.tree.Get(unitID); ok {
			header = c.T(messages.KeyLatestHeaderUnit, shown, u.Name, u.Code)
		} else {
			header = c.T(messages.KeyLatestHeader, shown)
		}
		text, _ = r.articleList(c, header, arts[:shown])
	}
	reply := Reply{Text: text, NoPreview: true}
	if more {
		data := fmt.Sprintf("latest:%d:%d:%d", n, unitID, offset+shown)
		reply.Buttons = [][]Button{{{Text: messages.Plain(c.Lang, messages.KeyLatestMore), Data: data}}}
	}
	if edit {
		reply.EditMessageID = c.Req.MessageID
	}
	return Response{Replies: []Reply{reply}}, nil
}

// articleList renders header and as many of arts as fit in one message;
// it returns the text and how many were shown (at least one).
func (r *Router) articleList(c *Context, header string, arts []storage.Article) (string, int) {
	var b strings.Builder
	b.WriteString(header)
	shown := 0
	for _, a := range arts {
		item := "\n\n" + c.T(messages.KeyLatestItem, a.ID, a.Title, messages.DateTime(a.PublishedAt, r.loc), a.SourceName, a.Summary)
		if shown > 0 && messages.Length(b.String())+messages.Length(item) > listBudget {
			break
		}
		b.WriteString(item)
		shown++
	}
	return b.String(), shown
}

// latestMore answers the "More" button: "latest:<n>:<unit>:<offset>". The
// asker's rights are checked again; the list is edited in place.
func (r *Router) latestMore(ctx context.Context, c *Context, data string) (Response, error) {
	parts := strings.Split(data, ":")
	if len(parts) != 3 {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	n, err1 := strconv.Atoi(parts[0])
	unitID, err2 := strconv.ParseInt(parts[1], 10, 64)
	offset, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || n < 1 || n > MaxLatest || offset < 0 || offset > 100000 {
		return Response{CallbackText: messages.Plain(c.Lang, messages.KeyButtonExpired)}, nil
	}
	return r.latestPage(ctx, c, n, unitID, offset, true)
}

// article shows one article in full, split into several messages if long.
func (r *Router) article(ctx context.Context, c *Context) (Response, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(c.Cmd.Args), "#"), 10, 64)
	if err != nil || id <= 0 {
		return c.Reply(messages.KeyArticleUsage), nil
	}
	_, visible, err := r.visibleUnits(ctx, c)
	if err != nil {
		return Response{}, err
	}
	a, err := r.articles.ArticleByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !slices.ContainsFunc(a.UnitIDs, func(u int64) bool { return slices.Contains(visible, u) })) {
		// The same answer whether it does not exist or is not for the
		// asker: its existence is not theirs to know.
		return c.Reply(messages.KeyArticleNotFound, id), nil
	}
	if err != nil {
		return Response{}, err
	}
	body := a.Body
	if body == "" {
		body = a.Summary
	}
	link := messages.HTML("")
	if a.Link != "" {
		link = messages.Link(a.Link, messages.Plain(c.Lang, messages.KeyArticleReadMore))
	}
	text := c.T(messages.KeyArticleFull, a.Title, messages.DateTime(a.PublishedAt, r.loc), a.SourceName, body, link)
	var resp Response
	for _, part := range messages.Split(strings.TrimSpace(text), 0) {
		resp.Replies = append(resp.Replies, Reply{Text: part, NoPreview: true})
	}
	return resp, nil
}

// search answers "/search <words>", diacritics optional: how many of the
// articles the asker may see matched, then the best searchResults of them,
// the best first (storage.SearchArticles says what best is).
func (r *Router) search(ctx context.Context, c *Context) (Response, error) {
	q := strings.TrimSpace(c.Cmd.Args)
	if len(storage.SearchTerms(q)) == 0 || len(strings.Fields(q)) > 10 {
		return c.Reply(messages.KeySearchUsage), nil
	}
	_, visible, err := r.visibleUnits(ctx, c)
	if err != nil {
		return Response{}, err
	}
	arts, total, err := r.articles.SearchArticles(ctx, visible, q, searchResults, 0)
	if err != nil {
		return Response{}, err
	}
	if len(arts) == 0 {
		return c.Reply(messages.KeySearchEmpty, truncate(q, 60)), nil
	}
	header := func(shown int) string {
		if shown == total {
			return c.T(messages.KeySearchHeader, total, truncate(q, 60))
		}
		return c.T(messages.KeySearchHeaderTop, messages.Number(c.Lang, total), truncate(q, 60), shown)
	}
	text, shown := r.articleList(c, header(len(arts)), arts)
	if shown < len(arts) {
		text, _ = r.articleList(c, header(shown), arts[:shown])
	}
	return Response{Replies: []Reply{{Text: text, NoPreview: true}}}, nil
}

// sources lists the sources with their units and health (admins).
func (r *Router) sources(ctx context.Context, c *Context) (Response, error) {
	srcs, err := r.articles.Sources(ctx)
	if err != nil {
		return Response{}, err
	}
	if len(srcs) == 0 {
		return c.Reply(messages.KeySourcesEmpty), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	var b strings.Builder
	b.WriteString(c.T(messages.KeySourcesHeader))
	for _, s := range srcs {
		var names []string
		for _, id := range s.UnitIDs {
			if u, ok := a.tree.Get(id); ok {
				names = append(names, u.Name)
			}
		}
		state := messages.HTML(c.T(messages.KeySourceOK))
		if s.Failures > 0 {
			// The admin reads why in words; the raw error is in the log.
			state = messages.HTML(c.T(messages.KeySourceFailing, messages.Count(s.Failures), messages.FeedReason(c.Lang, s.LastError)))
		}
		b.WriteString("\n\n")
		b.WriteString(c.T(messages.KeySourcesLine, s.ID, s.Name, s.URL, strings.Join(names, ", "), state))
	}
	var resp Response
	for _, part := range messages.Split(b.String(), 0) {
		resp.Replies = append(resp.Replies, Reply{Text: part, NoPreview: true})
	}
	return resp, nil
}

// addSource answers "/addsource <url> <unit…>" (admins): the feed is
// fetched once and its title and item count reported, or why it cannot be
// used.
func (r *Router) addSource(ctx context.Context, c *Context) (Response, error) {
	args := strings.Fields(c.Cmd.Args)
	if len(args) < 2 {
		return c.Reply(messages.KeyAddSourceUsage), nil
	}
	a, err := c.access(ctx, r.dir)
	if err != nil {
		return Response{}, err
	}
	var ids []int64
	var names []string
	for _, code := range args[1:] {
		u, resp := r.resolve(c, a, code, "")
		if resp != nil {
			return *resp, nil
		}
		if !slices.Contains(ids, u.ID) {
			ids = append(ids, u.ID)
			names = append(names, u.Name)
		}
	}
	url := args[0]
	got, err := r.feeds.AddSource(ctx, c.User.ID, url, "", ids)
	if err != nil {
		if key := feeds.Reason(err); key != "" {
			r.log.Info("source not added", "url", url, "err", err)
			return c.Reply(key, truncate(url, 200)), nil
		}
		return Response{}, err
	}
	return Response{Replies: []Reply{{NoPreview: true,
		Text: c.T(messages.KeySourceAdded, got.Source.ID, got.Source.Name, messages.Count(got.Items), strings.Join(names, ", "))}}}, nil
}

// removeSource answers "/removesource <id>" (admins).
func (r *Router) removeSource(ctx context.Context, c *Context) (Response, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(c.Cmd.Args), 10, 64)
	if err != nil || id <= 0 {
		return c.Reply(messages.KeyRemoveSourceUsage), nil
	}
	s, err := r.articles.RemoveSource(ctx, c.User.ID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Reply(messages.KeySourceNotFound, id), nil
	}
	if err != nil {
		return Response{}, err
	}
	return c.Reply(messages.KeySourceRemoved, s.ID, s.Name), nil
}
