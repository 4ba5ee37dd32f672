package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/bot"
	"github.com/loabot/loa/config"
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
	w := feeds.NewWatcher(feeds.Options{Store: db, Interval: cfg.FeedInterval, Lang: messages.Lang(cfg.Lang), Location: cfg.Location})
	got, err := w.AddSource(ctx, storage.SystemActor, args[1], "", ids)
	if err != nil {
		fmt.Fprintln(stderr, "loa sources add:", err)
		return 1
	}
	fmt.Fprintf(stdout, "added source %d: %q, %d items (recorded; new ones will be pushed by loa run)\n", got.Source.ID, got.Title, got.Items)
	return 0
}

// adminNotifier tells Loa's admins, in their private chats, what the feed
// poller wants them to know (a source failing, a source back).
type adminNotifier struct {
	db     *storage.DB
	client *bot.Client
}

func (n adminNotifier) NotifyAdmins(ctx context.Context, text string) error {
	admins, err := n.db.Admins(ctx)
	if err != nil {
		return err
	}
	for _, a := range admins {
		if _, err := n.client.Call(ctx, "sendMessage", tgbotapi.Params{
			"chat_id": strconv.FormatInt(a.ID, 10), "text": text, "parse_mode": "HTML",
		}); err != nil {
			return fmt.Errorf("notify admin %d: %w", a.ID, err)
		}
	}
	return nil
}
