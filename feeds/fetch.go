// Package feeds watches the news portals' feeds: it fetches them politely
// (conditional GET, a timeout, a size cap, a few connections per host),
// parses RSS, Atom and JSON Feed with gofeed, cleans the text the portals
// send (HTML, NFD, non-breaking spaces, captions, bylines), deduplicates and
// stores articles, summarises them (package feeds/summary) and hands each
// new one to the delivery engine as a card for the units that follow its
// source.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Why a feed cannot be used. Errors of Fetch and Check wrap one of these, so
// handlers can tell a person the reason in their language and operators see
// the cause in the log.
var (
	ErrUnreachable = errors.New("unreachable")     // DNS, connection, TLS, HTTP error status
	ErrTimeout     = errors.New("timed out")       // no complete answer within the timeout
	ErrTooBig      = errors.New("too big")         // more than MaxBytes
	ErrNotFeed     = errors.New("not a news feed") // not RSS, Atom or JSON Feed
	ErrBadURL      = errors.New("not an http(s) URL")
)

// UserAgent names Loa, so a portal's operator who sees the requests knows
// who asks and why.
const UserAgent = "Loa/1.0 (Telegram news bot; +https://github.com/loabot/loa)"

// Defaults of a Fetcher.
const (
	DefaultTimeout  = 20 * time.Second
	DefaultMaxBytes = 4 << 20 // 4 MiB: a portal's feed of 50 items is about 60 KB
	DefaultPerHost  = 2
)

// Fetcher fetches feeds and article pages. The zero value is not usable;
// use NewFetcher. It is safe for concurrent use.
type Fetcher struct {
	client   *http.Client
	maxBytes int64
	perHost  int

	mu    sync.Mutex
	hosts map[string]chan struct{} // one semaphore per host
}

// NewFetcher returns a Fetcher whose every request ends within timeout,
// reads at most maxBytes and keeps at most perHost requests open to one
// host: a slow or huge portal must never hold up the poller, and several
// sources on one portal must not look like an attack to it. Zero values take
// the defaults.
func NewFetcher(timeout time.Duration, maxBytes int64, perHost int) *Fetcher {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if perHost <= 0 {
		perHost = DefaultPerHost
	}
	return &Fetcher{
		client:   &http.Client{Timeout: timeout},
		maxBytes: maxBytes,
		perHost:  perHost,
		hosts:    map[string]chan struct{}{},
	}
}

// Page is a fetched document.
type Page struct {
	Body         []byte
	ETag         string
	LastModified string
	NotModified  bool // 304: the validators matched, Body is empty
}

// Fetch GETs rawURL, sending etag and lastModified (either may be empty) as
// validators. A 304 answer is a Page with NotModified set.
func (f *Fetcher) Fetch(ctx context.Context, rawURL, etag, lastModified string) (Page, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Page{}, ErrBadURL
	}
	release, err := f.acquire(ctx, u.Host)
	if err != nil {
		return Page{}, fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	defer release()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Page{}, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return Page{}, classify(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return Page{NotModified: true, ETag: etag, LastModified: lastModified}, nil
	case resp.StatusCode != http.StatusOK:
		return Page{}, fmt.Errorf("%w: HTTP %s", ErrUnreachable, resp.Status)
	case resp.ContentLength > f.maxBytes:
		return Page{}, fmt.Errorf("%w: %d bytes announced, at most %d", ErrTooBig, resp.ContentLength, f.maxBytes)
	}
	// One byte more than allowed tells "exactly the cap" from "over it".
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return Page{}, classify(err)
	}
	if int64(len(body)) > f.maxBytes {
		return Page{}, fmt.Errorf("%w: more than %d bytes", ErrTooBig, f.maxBytes)
	}
	return Page{Body: body, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
}

func classify(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return fmt.Errorf("%w: %v", ErrUnreachable, err)
}

// acquire takes one of the host's slots, waiting while they are all used.
func (f *Fetcher) acquire(ctx context.Context, host string) (func(), error) {
	f.mu.Lock()
	sem := f.hosts[host]
	if sem == nil {
		sem = make(chan struct{}, f.perHost)
		f.hosts[host] = sem
	}
	f.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
