package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

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

// Send sends one message of Telegram HTML and returns its id.
func (s *Sender) Send(ctx context.Context, chatID int64, html string, noPreview bool) (int, error) {
	return s.SendMarkup(ctx, chatID, html, noPreview, "")
}

// SendMarkup is Send with inline buttons (Telegram's reply_markup JSON,
// "" for none) under the message.
func (s *Sender) SendMarkup(ctx context.Context, chatID int64, html string, noPreview bool, replyMarkup string) (int, error) {
	params := textParams(chatID, html, noPreview)
	if replyMarkup != "" {
		params["reply_markup"] = replyMarkup
	}
	if s.paid {
		params["allow_paid_broadcast"] = "true"
	}
	raw, err := s.c.Call(ctx, "sendMessage", params)
	if err != nil {
		return 0, classify(err)
	}
	var m struct {
		MessageID int `json:"message_id"`
	}
	// Telegram took the message: an answer we cannot read must not make
	// the engine send it again.
	_ = json.Unmarshal(raw, &m)
	return m.MessageID, nil
}

// Edit replaces the text of one of the bot's messages. The same text again
// is not an error.
func (s *Sender) Edit(ctx context.Context, chatID int64, messageID int, html string) error {
	params := textParams(chatID, html, true)
	params["message_id"] = strconv.Itoa(messageID)
	_, err := s.c.Call(ctx, "editMessageText", params)
	var apiErr *APIError
	if errors.As(err, &apiErr) && strings.Contains(apiErr.Err.Message, "message is not modified") {
		return nil
	}
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
	se := &delivery.SendError{Reason: e.Message, Err: err}
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
