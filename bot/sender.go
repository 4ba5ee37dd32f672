package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/delivery"
)

// Sender sends the delivery engine's messages (it is a delivery.Sender) and
// tells it what Telegram's refusals mean, as *delivery.SendError.
type Sender struct {
	c    *Client
	paid bool
}

// NewSender returns a Sender that calls the Bot API through c's endpoint and
// token, on a connection pool sized for conns concurrent sends (the
// default HTTP transport keeps two idle connections per host, so a
// dispatcher with 16 senders would open a connection, and a TLS session, for
// most messages). With paidBroadcast, messages are sent with
// allow_paid_broadcast, which lets a bot send up to 1000 messages a second
// for a fee in Telegram Stars (LOA_RATE_LIMIT above 30).
func NewSender(c *Client, paidBroadcast bool, conns int) *Sender {
	cp := *c
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(100, 2*conns)
	tr.MaxIdleConnsPerHost = max(2, conns)
	cp.http = &http.Client{Timeout: c.http.Timeout, Transport: tr}
	cp.base.Client = cp.http
	return &Sender{c: &cp, paid: paidBroadcast}
}

// Send sends one message of a broadcast (text, a file with its caption,
// or an album) and returns the ids of the messages Telegram created.
func (s *Sender) Send(ctx context.Context, chatID int64, m delivery.Outgoing) ([]int, error) {
	method, params := outgoing(chatID, m)
	if s.paid {
		params["allow_paid_broadcast"] = "true"
	}
	raw, err := s.c.Call(ctx, method, params)
	if err != nil {
		return nil, classify(err)
	}
	// Telegram took the message: an answer we cannot read must not make
	// the engine send it again.
	type msg struct {
		MessageID int `json:"message_id"`
	}
	if len(m.Media) > 1 {
		var ms []msg
		_ = json.Unmarshal(raw, &ms)
		ids := make([]int, len(ms))
		for i, x := range ms {
			ids[i] = x.MessageID
		}
		return ids, nil
	}
	var x msg
	_ = json.Unmarshal(raw, &x)
	return []int{x.MessageID}, nil
}

// Edit replaces the text, or the caption, of one of the bot's messages.
// The same text again is not an error.
func (s *Sender) Edit(ctx context.Context, chatID int64, messageID int, html string, caption bool) error {
	return s.EditWithButtons(ctx, chatID, messageID, html, caption, nil)
}

// EditWithButtons is Edit keeping (or setting) buttons under the message:
// an edit without them removes the ones there were.
func (s *Sender) EditWithButtons(ctx context.Context, chatID int64, messageID int, html string, caption bool, buttons [][]delivery.Button) error {
	method, params := "editMessageText", textParams(chatID, html, true)
	if caption {
		method = "editMessageCaption"
		params = tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "caption": html, "parse_mode": "HTML"}
	}
	params["message_id"] = strconv.Itoa(messageID)
	if len(buttons) > 0 {
		params["reply_markup"] = broadcastKeyboard(buttons)
	}
	_, err := s.c.Call(ctx, method, params)
	var apiErr *APIError
	if errors.As(err, &apiErr) && strings.Contains(apiErr.Err.Message, "message is not modified") {
		return nil
	}
	if err != nil {
		return classify(err)
	}
	return nil
}

// Delete deletes one of the bot's messages.
func (s *Sender) Delete(ctx context.Context, chatID int64, messageID int) error {
	_, err := s.c.Call(ctx, "deleteMessage", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chatID, 10), "message_id": strconv.Itoa(messageID),
	})
	if err != nil {
		return classify(err)
	}
	return nil
}

// Pin pins one of the bot's messages, silently (the message itself made
// the sound).
func (s *Sender) Pin(ctx context.Context, chatID int64, messageID int) error {
	_, err := s.c.Call(ctx, "pinChatMessage", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chatID, 10), "message_id": strconv.Itoa(messageID),
		"disable_notification": "true",
	})
	if err != nil {
		return classify(err)
	}
	return nil
}

// classify turns a Call error into a *delivery.SendError. The reason is
// Telegram's description, or the transport error (the token is already
// removed from it).
func classify(err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		// NetError, a cancelled context: the message may or may not
		// have arrived; retry.
		return &delivery.SendError{Kind: delivery.Temporary, Reason: err.Error(), Err: err}
	}
	e := apiErr.Err
	se := &delivery.SendError{Reason: e.Message, Code: reasonCode(e.Message), Err: err}
	switch {
	case e.Code == http.StatusTooManyRequests:
		se.Kind, se.RetryAfter = delivery.RateLimited, apiErr.RetryAfter()
	case e.Code == http.StatusForbidden:
		se.Kind = delivery.Blocked
	case e.Code == http.StatusBadRequest && e.MigrateToChatID != 0:
		se.Kind, se.MigrateTo = delivery.Migrated, e.MigrateToChatID
	case e.Code >= 500, e.Code == http.StatusUnauthorized, e.Code == http.StatusNotFound:
		// 401 and 404 mean the token is wrong or revoked, not that the
		// chat is: deliveries wait (up to the retry bound) for the
		// operator to fix it rather than fail by the thousand.
		se.Kind = delivery.Temporary
	default:
		se.Kind = delivery.Permanent
	}
	return se
}

// reasonCodes are the pieces of Telegram's descriptions that say why it
// refused, most specific first, and the delivery engine's code for each.
// Telegram's words are stable but not documented, so matching is on
// lower-case fragments.
var reasonCodes = []struct {
	text, code string
}{
	{"bot was blocked", delivery.ReasonBlocked},
	{"user is deactivated", delivery.ReasonDeactivated},
	{"bot was kicked", delivery.ReasonKicked},
	{"bot is not a member", delivery.ReasonNotMember},
	{"chat not found", delivery.ReasonChatNotFound},
	{"message is too long", delivery.ReasonTooLong},
	{"caption is too long", delivery.ReasonCaptionTooLong},
	{"can't parse entities", delivery.ReasonFormat},
	{"wrong file identifier", delivery.ReasonBadFile},
	{"upgraded to a supergroup", delivery.ReasonUpgraded},
	{"too many requests", delivery.ReasonRateLimit},
	{"message can't be edited", delivery.ReasonCantEdit},
	{"message can't be deleted", delivery.ReasonCantDelete},
	{"not enough rights", delivery.ReasonCantPin},
	{"message thread not found", delivery.ReasonTopicGone},
}

// reasonCode is the code for Telegram's description, "" when none fits
// (the engine then picks one by the kind of error).
func reasonCode(desc string) string {
	low := strings.ToLower(desc)
	for _, r := range reasonCodes {
		if strings.Contains(low, r.text) {
			return r.code
		}
	}
	return ""
}
