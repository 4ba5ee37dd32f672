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
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
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
	// ErrInternal: the address is loopback, private, link-local, the
	// cloud's metadata service or otherwise not on the public internet.
	ErrInternal = errors.New("internal address refused")
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
//
// A feed is written by a stranger, and its links lead the fetcher wherever
// they point; what it fetches is pushed to every follower. So by default it
// never connects to an address that is not on the public internet
// (InternalAddr), whatever the URL says: the check runs on the address
// being connected to, for the feed, the article page and every redirect,
// so a name that resolves to 127.0.0.1 or a DNS answer that changes
// between two lookups gets nowhere. No environment proxy is used, since
// one would connect on the fetcher's behalf unchecked.
type Fetcher struct {
	client   *http.Client
	maxBytes int64
	perHost  int

	allowHosts    map[string]bool // host names exempt from the address check
	allowInternal bool            // every address allowed (tests)

	mu    sync.Mutex
	hosts map[string]chan struct{} // one semaphore per host
}

// FetchOption changes a Fetcher made by NewFetcher.
type FetchOption func(*Fetcher)

// AllowHosts exempts the named hosts (exact, case-insensitive names as
// written in URLs, no port) from the internal-address check: an operator's
// intranet portal (LOA_FEED_ALLOW_HOSTS). A redirect elsewhere is checked.
func AllowHosts(names ...string) FetchOption {
	return func(f *Fetcher) {
		for _, n := range names {
			if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
				f.allowHosts[n] = true
			}
		}
	}
}

// AllowInternal turns the internal-address check off entirely. It exists
// for tests, whose feeds are served by httptest on 127.0.0.1; nothing in
// production sets it.
func AllowInternal() FetchOption { return func(f *Fetcher) { f.allowInternal = true } }

// maxRedirects bounds a chain of redirects; each hop is checked.
const maxRedirects = 5

// NewFetcher returns a Fetcher whose every request ends within timeout,
// reads at most maxBytes and keeps at most perHost requests open to one
// host: a slow or huge portal must never hold up the poller, and several
// sources on one portal must not look like an attack to it. Zero values take
// the defaults.
func NewFetcher(timeout time.Duration, maxBytes int64, perHost int, opts ...FetchOption) *Fetcher {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if perHost <= 0 {
		perHost = DefaultPerHost
	}
	f := &Fetcher{
		maxBytes:   maxBytes,
		perHost:    perHost,
		allowHosts: map[string]bool{},
		hosts:      map[string]chan struct{}{},
	}
	for _, o := range opts {
		o(f)
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would connect for us, unchecked
		DialContext:           f.dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	f.client = &http.Client{
		Timeout:   timeout,
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrUnreachable, maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: redirect to %s", ErrBadURL, req.URL.Scheme)
			}
			return nil // the address is checked when the dialer connects
		},
	}
	return f
}

// dial connects to addr ("host:port" as the URL names it), refusing
// internal addresses unless the host is one the operator allowed. The check
// is the dialer's Control, which sees the address actually connected to,
// after DNS, for every attempt.
func (f *Fetcher) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if !f.allowInternal && !f.allowHosts[strings.ToLower(host)] {
		d.Control = refuseInternal(host)
	}
	return d.DialContext(ctx, network, addr)
}

// refuseInternal is a net.Dialer Control that refuses internal addresses.
func refuseInternal(host string) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || InternalAddr(ap.Addr()) {
			return internalError{host: host, addr: address}
		}
		return nil
	}
}

// internalError is the dialer's refusal; it is ErrInternal, and says which
// name led to which address, which is what the operator needs to decide.
type internalError struct{ host, addr string }

func (e internalError) Error() string {
	return e.host + " is " + e.addr + ", not a public address"
}

func (e internalError) Is(target error) bool { return target == ErrInternal }

// internalPrefixes are the ranges netip's predicates do not name: shared
// address space (CGNAT), "this network", IETF protocol assignments,
// benchmarking, documentation, reserved space and broadcast, deprecated
// IPv6 site-local, and the cloud metadata services by name though their
// ranges already cover them.
var internalPrefixes = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
		"169.254.169.254/32", "fd00:ec2::254/128", "fec0::/10", "2001:db8::/32", "100::/64",
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// embedding are IPv6 ranges whose last 32 bits are an IPv4 address that a
// host may reach through them: IPv4-compatible (::/96, deprecated) and
// NAT64's well-known prefix. IPv4-mapped (::ffff:0:0/96) is unmapped first.
var embedding = []netip.Prefix{netip.MustParsePrefix("::/96"), netip.MustParsePrefix("64:ff9b::/96")}

// InternalAddr reports whether a is an address a feed must not make Loa
// connect to: loopback, private (RFC 1918, fc00::/7), link-local
// (169.254/16, fe80::/10, the cloud metadata service among them), CGNAT
// 100.64/10, unspecified, multicast, broadcast and reserved space, and the
// IPv4-mapped, IPv4-compatible, 6to4 and NAT64 forms of all of these.
func InternalAddr(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.Unmap().WithZone("")
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified() ||
		a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range internalPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	if a.Is6() {
		b := a.As16()
		for _, p := range embedding {
			if p.Contains(a) {
				return InternalAddr(netip.AddrFrom4([4]byte(b[12:16])))
			}
		}
		if b[0] == 0x20 && b[1] == 0x02 { // 6to4 2002::/16 carries an IPv4 address in bits 16–47
			return InternalAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return false
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
	for _, kind := range []error{ErrInternal, ErrBadURL, ErrUnreachable} {
		if errors.Is(err, kind) { // refused by the dialer or a redirect check
			return fmt.Errorf("%w: %v", kind, err)
		}
	}
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
