// Package bot is Loa's Telegram transport: it receives updates (long
// polling or a webhook), stores them durably, hands them to the handlers in
// order within each chat, and turns the handlers' responses into Bot API
// calls.
//
// It is built on go-telegram-bot-api v5 but avoids the parts of it that lose
// or leak: GetUpdatesChan (confirms updates before they are handled),
// ListenForWebhook (default mux, no secret) and its logging (the token is in
// every URL). See DESIGN.md § Telegram facts.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/config"
)

// Client calls the Bot API with a context and never lets the token out in an
// error. It is safe for concurrent use.
type Client struct {
	base  tgbotapi.BotAPI
	http  *http.Client
	token string
	self  tgbotapi.User
}

// NewClient prepares a client for the Bot API at endpoint (for example
// "https://api.telegram.org", or a local Bot API server, or the emulator in
// tests). timeout bounds every HTTP request: the library's own client has
// none, and a request that hangs forever would stall a worker forever. It
// must be longer than the long-poll timeout of the client used for polling.
// Nothing is sent until Connect.
func NewClient(endpoint, token string, timeout time.Duration) *Client {
	hc := &http.Client{Timeout: timeout}
	c := &Client{http: hc, token: token}
	c.base = tgbotapi.BotAPI{Token: token, Client: hc}
	// The library formats the endpoint with Sprintf: a "%" in the
	// configured URL must not be taken for a verb.
	c.base.SetAPIEndpoint(strings.ReplaceAll(strings.TrimRight(endpoint, "/"), "%", "%%") + "/bot%s/%s")
	return c
}

// WithTimeout returns a client for the same bot whose requests time out
// after d; the poller uses one whose timeout exceeds the long-poll wait.
func (c *Client) WithTimeout(d time.Duration) *Client {
	cp := *c
	cp.http = &http.Client{Timeout: d, Transport: c.http.Transport}
	cp.base.Client = cp.http
	return &cp
}

// Connect calls getMe, so a wrong token or an unreachable API is known at
// start rather than at the first message.
func (c *Client) Connect(ctx context.Context) (tgbotapi.User, error) {
	raw, err := c.Call(ctx, "getMe", nil)
	if err != nil {
		return tgbotapi.User{}, err
	}
	var u tgbotapi.User
	if err := json.Unmarshal(raw, &u); err != nil {
		return tgbotapi.User{}, fmt.Errorf("getMe: decode: %w", err)
	}
	c.self = u
	return u, nil
}

// Username is the bot's @username without the "@", known after Connect.
func (c *Client) Username() string { return c.self.UserName }

// ctxDoer binds one call's context to the library's HTTP client, which has
// no context of its own: cancelling the context aborts the request.
type ctxDoer struct {
	ctx context.Context
	c   *http.Client
}

func (d ctxDoer) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r.WithContext(d.ctx)) }

// Call performs one Bot API method and returns its result. Errors Telegram
// answered come back as *tgbotapi.Error (match with errors.As on a
// pointer); transport errors come back as *NetError with the token removed.
func (c *Client) Call(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	api := c.base // a shallow copy per call, to carry this call's context
	api.Client = ctxDoer{ctx: ctx, c: c.http}
	resp, err := api.MakeRequest(method, params)
	if err != nil {
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) {
			return nil, &APIError{Method: method, Err: apiErr}
		}
		return nil, &NetError{Method: method, msg: config.Redact(err.Error(), c.token), timeout: isTimeout(err)}
	}
	return resp.Result, nil
}

// Redact removes the token from s (see config.Redact).
func (c *Client) Redact(s string) string { return config.Redact(s, c.token) }

// APIError is an error answered by Telegram (4xx/5xx with ok=false).
type APIError struct {
	Method string
	Err    *tgbotapi.Error
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: telegram %d: %s", e.Method, e.Err.Code, e.Err.Message)
}

// Unwrap lets errors.As find the library's *tgbotapi.Error.
func (e *APIError) Unwrap() error { return e.Err }

// RetryAfter is how long Telegram asked us to wait (429), or zero.
func (e *APIError) RetryAfter() time.Duration {
	return time.Duration(e.Err.RetryAfter) * time.Second
}

// NetError is a failure to reach the Bot API (refused, reset, timeout, a
// proxy's HTML page). Its text never contains the token: Go's *url.Error
// quotes the request URL, and the Bot API URL contains the token.
type NetError struct {
	Method  string
	msg     string
	timeout bool
}

func (e *NetError) Error() string { return e.Method + ": " + e.msg }

// Timeout reports whether the request ran out of time.
func (e *NetError) Timeout() bool { return e.timeout }

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// IsChatAdmin asks Telegram whether a person administers a group; only
// Telegram knows, and a group's admins change without telling the bot.
func (c *Client) IsChatAdmin(ctx context.Context, chatID, userID int64) (bool, error) {
	raw, err := c.Call(ctx, "getChatMember", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chatID, 10),
		"user_id": strconv.FormatInt(userID, 10),
	})
	if err != nil {
		return false, err
	}
	var m struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return false, fmt.Errorf("getChatMember: decode: %w", err)
	}
	return m.Status == "creator" || m.Status == "administrator", nil
}
