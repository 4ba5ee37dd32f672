package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/delivery"
	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
	"github.com/loabot/loa/storage"
)

// process takes updates from the inbox and runs them chat by chat: each
// chat with claimed updates has its own queue, worked through in order by
// one goroutine, so updates of one chat are handled one after another
// while different chats proceed in parallel. (The inbox hands a chat's
// updates to one process at a time and its next ones only after these are
// marked handled, which keeps the order across processes too.)
//
// Handling needs one of Workers slots, which bounds the concurrent handling
// work. A handler that waits for a chat's pace gives its slot back while
// it waits (see callResult): a chat held back by Telegram's per-chat limit
// must not keep another chat's answer waiting.
//
// Claiming is bounded by maxClaimed updates, not by the slots: a flooding
// chat's backlog waits for its pace in memory, and a chat that writes
// meanwhile is claimed at the next look at the inbox. (With a tight bound,
// every handled update freed room for one more, which went to the chat
// with the oldest waiting update: always a flooding one.)
//
// process stops claiming when ctx is done; the updates being handled then
// finish (handling runs under work, which outlives ctx by the grace
// period), and queued ones not yet begun stay claimed and are handled
// again after the lease, by this process or another, in order. It returns
// when no update is being handled.
func (b *Bot) process(ctx, work context.Context) {
	capacity := max(maxClaimed, b.o.Workers*4) // updates claimed and not yet handled
	var (
		mu      sync.Mutex
		pending int
		queues  = map[int64][]storage.InboxUpdate{}
		wg      sync.WaitGroup
	)
	slots := make(chan struct{}, b.o.Workers)
	// run works through one chat's queue and ends when it is empty.
	run := func(chatID int64) {
		defer wg.Done()
		for {
			mu.Lock()
			q := queues[chatID]
			if len(q) == 0 || ctx.Err() != nil {
				pending -= len(q)
				delete(queues, chatID)
				mu.Unlock()
				return
			}
			u := q[0]
			queues[chatID] = q[1:]
			mu.Unlock()

			s := &slot{c: slots}
			if s.acquire(work) {
				b.handle(withSlot(work, s), u)
				s.release()
			}
			// Without a slot work is over (the grace period ran out): the
			// update stays claimed and is handled again after the lease.
			mu.Lock()
			full := pending == capacity
			pending--
			mu.Unlock()
			if full {
				b.notify() // room to claim more
			}
		}
	}
	keepAlive, stopKeepAlive := context.WithCancel(work)
	go b.extendClaims(keepAlive)

	idle := time.NewTicker(b.o.IdleClaim)
	defer idle.Stop()
	for ctx.Err() == nil {
		mu.Lock()
		free := min(capacity-pending, claimBatch)
		mu.Unlock()
		if free > 0 {
			ups, err := b.o.Store.ClaimUpdates(ctx, b.owner, free, b.o.Lease)
			if err != nil && ctx.Err() == nil {
				b.log.Warn("claim updates", "err", err)
			}
			mu.Lock()
			pending += len(ups)
			for _, u := range ups {
				q, running := queues[u.ChatID]
				queues[u.ChatID] = append(q, u)
				if !running {
					wg.Add(1)
					go run(u.ChatID)
				}
			}
			mu.Unlock()
			if len(ups) == free {
				continue // there may be more waiting
			}
		}
		select {
		case <-ctx.Done():
		case <-b.wake:
		case <-idle.C:
		}
	}
	wg.Wait()
	stopKeepAlive()
}

const (
	// maxClaimed bounds the updates a process holds claimed (in memory,
	// a few kilobytes each) and not yet handled.
	maxClaimed = 1000
	// claimBatch is the most updates one look at the inbox claims.
	claimBatch = 100
)

// slot is a handling slot held by one update's handling. It is given back
// while the handler waits for a chat's pace and taken again after.
type slot struct {
	c    chan struct{}
	held bool
}

func (s *slot) acquire(ctx context.Context) bool {
	select {
	case s.c <- struct{}{}:
		s.held = true
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *slot) release() {
	if s.held {
		<-s.c
		s.held = false
	}
}

type slotKey struct{}

func withSlot(ctx context.Context, s *slot) context.Context {
	return context.WithValue(ctx, slotKey{}, s)
}

// unpaced gives the handling slot in ctx back until the returned function
// is called, which takes it again. A paced call runs in between: the wait
// for a chat's pace and the send right after it (the Pacer's slot must be
// used at once), so that chats not held back are handled meanwhile.
func unpaced(ctx context.Context) (retake func()) {
	s, _ := ctx.Value(slotKey{}).(*slot)
	if s == nil {
		return func() {}
	}
	s.release()
	return func() { s.acquire(ctx) }
}

// extendClaims keeps our claims alive while handlers run, so a slow handler
// is not mistaken for a dead process and its update handled twice.
func (b *Bot) extendClaims(ctx context.Context) {
	t := time.NewTicker(b.o.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := b.o.Store.ExtendClaims(ctx, b.owner, b.o.Lease); err != nil && ctx.Err() == nil {
				b.log.Warn("extend claims", "err", err)
			}
		}
	}
}

// handle answers one update and marks it handled. Whatever happens, the
// update is marked: a panic or a failed send is logged, not retried, so one
// poisoned update cannot block its chat forever.
func (b *Bot) handle(ctx context.Context, u storage.InboxUpdate) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while handling update", "update_id", u.UpdateID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
		if err := b.markHandled(ctx, u.UpdateID); err != nil {
			b.log.Error("mark update handled; it may be handled again", "update_id", u.UpdateID, "err", err)
		}
	}()
	if !json.Valid(u.Payload) {
		b.log.Error("stored update cannot be decoded", "update_id", u.UpdateID)
		return
	}
	req, ok := toRequest(u.Payload)
	if !ok {
		return
	}
	inTopic(&req, u.Payload)
	resp := b.o.Handler.Handle(ctx, req)
	b.respond(ctx, req, resp)
}

func (b *Bot) markHandled(ctx context.Context, id int64) error {
	var err error
	for i := range 3 {
		if err = b.o.Store.MarkHandled(ctx, id); err == nil {
			return nil
		}
		sleep(ctx, time.Duration(i+1)*200*time.Millisecond)
	}
	return err
}

// respond performs a response: its messages in order, then the answer to a
// button press (always sent, so the person's client stops its spinner).
func (b *Bot) respond(ctx context.Context, req handlers.Request, resp handlers.Response) {
	for _, r := range resp.Replies {
		chatID := r.ChatID
		if chatID == 0 {
			chatID = req.Chat.ID
		}
		if chatID == req.Chat.ID && r.ThreadID == 0 {
			r.ThreadID = req.ThreadID // answer in the topic asked from
		}
		var err error
		if r.EditMessageID != 0 {
			err = b.edit(ctx, chatID, r)
		} else {
			_, err = b.Send(ctx, chatID, r)
		}
		if err != nil {
			b.log.Error("send reply", "update_id", req.UpdateID, "chat_id", chatID, "err", err)
			if chatID == req.Chat.ID {
				break // later replies here would arrive out of context
			}
			// A notification to someone else (an officer who never
			// opened a chat with the bot) must not stop the others.
		}
	}
	if req.Kind == handlers.KindCallback && req.CallbackID != "" {
		params := tgbotapi.Params{"callback_query_id": req.CallbackID}
		if resp.CallbackText != "" {
			params["text"] = resp.CallbackText
			if resp.CallbackAlert {
				params["show_alert"] = "true"
			}
		}
		if err := b.call(ctx, "answerCallbackQuery", params); err != nil {
			b.log.Warn("answer button press", "update_id", req.UpdateID, "err", err)
		}
	}
}

// Send sends one reply into a chat, split into parts when it is longer than
// Telegram allows, with the buttons under the last part. It returns the id
// of the last message sent.
func (b *Bot) Send(ctx context.Context, chatID int64, r handlers.Reply) (int, error) {
	last := 0
	if len(r.Files) > 0 {
		out := delivery.Outgoing{}
		for _, f := range r.Files {
			out.Media = append(out.Media, delivery.Media{Kind: f.Kind, FileID: f.FileID})
		}
		method, params := outgoing(chatID, out)
		if _, err := b.callResult(ctx, method, params); err != nil {
			return 0, fmt.Errorf("send the files: %w", err)
		}
	}
	parts := messages.Split(r.Text, messages.MaxMessageLength)
	for i, part := range parts {
		params := textParams(chatID, part, r.NoPreview)
		if r.ThreadID != 0 {
			params["message_thread_id"] = strconv.Itoa(r.ThreadID)
		}
		if i == len(parts)-1 && len(r.Buttons) > 0 {
			params["reply_markup"] = keyboard(r.Buttons)
		}
		raw, err := b.callResult(ctx, "sendMessage", params)
		if err != nil {
			return last, fmt.Errorf("send part %d/%d: %w", i+1, len(parts), err)
		}
		var m struct {
			MessageID int `json:"message_id"`
		}
		_ = json.Unmarshal(raw, &m)
		last = m.MessageID
	}
	return last, nil
}

// edit replaces the text of one of the bot's messages. An edit cannot grow
// into several messages, so an over-long text keeps only its first part.
func (b *Bot) edit(ctx context.Context, chatID int64, r handlers.Reply) error {
	parts := messages.Split(r.Text, messages.MaxMessageLength)
	if len(parts) == 0 {
		return errors.New("edit with empty text")
	}
	params := textParams(chatID, parts[0], r.NoPreview)
	params["message_id"] = strconv.Itoa(r.EditMessageID)
	if len(r.Buttons) > 0 {
		params["reply_markup"] = keyboard(r.Buttons)
	}
	err := b.call(ctx, "editMessageText", params)
	var apiErr *APIError
	if errors.As(err, &apiErr) && strings.Contains(apiErr.Err.Message, "message is not modified") {
		return nil // the same text again (a double press) is not a failure
	}
	return err
}

func textParams(chatID int64, text string, noPreview bool) tgbotapi.Params {
	p := tgbotapi.Params{
		"chat_id":    strconv.FormatInt(chatID, 10),
		"text":       text,
		"parse_mode": "HTML",
	}
	if noPreview {
		p["link_preview_options"] = `{"is_disabled":true}`
	}
	return p
}

func (b *Bot) call(ctx context.Context, method string, params tgbotapi.Params) error {
	_, err := b.callResult(ctx, method, params)
	return err
}

// callResult calls the API for a reply. Messages (sendMessage,
// editMessageText) first wait for the Pacer. When Telegram asks to slow
// down (429) it waits exactly retry_after (through the Pacer, which then
// holds back everything else for that chat too) and tries again, a few
// times: a reply that arrives late beats one that never arrives.
func (b *Bot) callResult(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	paced := b.o.Pacer != nil && (method == "sendMessage" || method == "editMessageText" ||
		method == "sendMediaGroup" || slices.Contains(mediaMethods, method))
	chatID, _ := strconv.ParseInt(params["chat_id"], 10, 64)
	if paced {
		defer unpaced(ctx)()
	}
	for attempt := 0; ; attempt++ {
		if paced {
			if err := b.o.Pacer.Wait(ctx, chatID); err != nil {
				return nil, err
			}
		}
		raw, err := b.o.Client.Call(ctx, method, params)
		var apiErr *APIError
		if attempt < 3 && errors.As(err, &apiErr) && apiErr.Err.Code == http.StatusTooManyRequests {
			wait := max(apiErr.RetryAfter(), time.Second)
			if paced {
				b.o.Pacer.Backoff(chatID, wait)
				continue
			}
			if !sleep(ctx, wait) {
				return nil, err
			}
			continue
		}
		return raw, err
	}
}

// registerCommands publishes the command list shown by Telegram clients,
// once per language Loa speaks (the first one also as the default).
func (b *Bot) registerCommands(ctx context.Context) error {
	if len(b.o.Commands) == 0 {
		return nil
	}
	for i, lang := range b.o.Langs {
		type cmd struct {
			Command     string `json:"command"`
			Description string `json:"description"`
		}
		list := make([]cmd, 0, len(b.o.Commands))
		for _, c := range b.o.Commands {
			list = append(list, cmd{Command: c.Name, Description: messages.Describe(lang, c)})
		}
		raw, _ := json.Marshal(list)
		params := tgbotapi.Params{"commands": string(raw), "language_code": string(lang)}
		if err := b.call(ctx, "setMyCommands", params); err != nil {
			return err
		}
		if i == 0 {
			delete(params, "language_code")
			if err := b.call(ctx, "setMyCommands", params); err != nil {
				return err
			}
		}
	}
	return nil
}
