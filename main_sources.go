package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"log/slog"

	"github.com/loabot/loa/config"
	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/feeds"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// sourcesArgsOK checks "loa sources add URL UNIT…", "list", "remove ID".
func sourcesArgsOK(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "list":
		return len(args) == 1
	case "remove":
		return len(args) == 2
	case "add":
		return len(args) >= 3
	}
	return false
}

// runSources is "loa sources …": the command-line twin of /sources,
// /addsource and /removesource, for the operator.
func runSources(ctx context.Context, cfg config.Config, db *storage.DB, args []string, stdout, stderr io.Writer) int {
	switch args[0] {
	case "list":
		srcs, err := db.Sources(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "loa sources list:", err)
			return 1
		}
		for _, s := range srcs {
			state := "ok"
			if s.Failures > 0 {
				state = fmt.Sprintf("failing %d× (%s)", s.Failures, s.LastError)
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\tunits %v\t%s\n", s.ID, s.Name, s.URL, []int64(s.UnitIDs), state)
		}
		return 0
	case "remove":
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "loa sources remove: %q is not a source id\n", args[1])
			return 2
		}
		s, err := db.RemoveSource(ctx, storage.SystemActor, id)
		if err != nil {
			fmt.Fprintln(stderr, "loa sources remove:", err)
			return 1
		}
		fmt.Fprintf(stdout, "removed source %d (%s) and its articles\n", s.ID, s.Name)
		return 0
	}
	var ids []int64
	for _, code := range args[2:] {
		u, err := db.UnitByCode(ctx, strings.ToLower(code))
		if err != nil {
			fmt.Fprintf(stderr, "loa sources add: unknown unit %q (see loa import units)\n", code)
			return 1
		}
		ids = append(ids, u.ID)
	}
	w := feeds.NewWatcher(feeds.Options{Store: db, Fetcher: feedFetcher(cfg), Interval: cfg.FeedInterval, Lang: messages.Lang(cfg.Lang), Location: cfg.Location})
	got, err := w.AddSource(ctx, storage.SystemActor, args[1], "", ids)
	if err != nil {
		fmt.Fprintln(stderr, "loa sources add:", err)
		return 1
	}
	fmt.Fprintf(stdout, "added source %d: %q, %d items (recorded; new ones will be pushed by loa run)\n", got.Source.ID, got.Title, got.Items)
	return 0
}

// feedFetcher is the fetcher of the poller and of "loa sources add": it
// refuses internal addresses except on the hosts LOA_FEED_ALLOW_HOSTS names.
func feedFetcher(cfg config.Config) *feeds.Fetcher {
	return feeds.NewFetcher(0, 0, 0, feeds.AllowHosts(cfg.FeedAllowHosts...))
}

// newFeedWatcher is the feed poller loa run starts: it pushes article cards,
// and its alerts to the admins, through the delivery engine's outbox.
func newFeedWatcher(cfg config.Config, db *storage.DB, engine *delivery.Engine, log *slog.Logger) *feeds.Watcher {
	return feeds.NewWatcher(feeds.Options{
		Store: db, Fetcher: feedFetcher(cfg), Interval: cfg.FeedInterval, Lang: messages.Lang(cfg.Lang),
		Location: cfg.Location, Logger: log, Publisher: engine,
	})
}
