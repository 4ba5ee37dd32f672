package faultsuite

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// pgProxy stands between loa and PostgreSQL on loopback. Outage drops every
// open connection and refuses new ones for a while: from loa's side exactly
// a server restart or outage (sessions end, advisory locks drop), without
// the test having to control the server process.
type pgProxy struct {
	addr string // 127.0.0.1:port, kept across outages
	dial func() (net.Conn, error)

	mu      sync.Mutex
	ln      net.Listener // nil during an outage
	conns   map[net.Conn]struct{}
	dropped int // connections an outage ended
	wg      sync.WaitGroup
}

// newPGProxy starts a proxy to the server of dbURL (a postgres:// URL whose
// host is a TCP address or, as pgtest's own server, a socket directory in
// the host parameter) and returns it with the URL to give loa.
func newPGProxy(t *testing.T, dbURL string) (*pgProxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("faultsuite: the proxy needs a postgres:// URL, got another form (%v)", err)
	}
	q := u.Query()
	port := q.Get("port")
	if port == "" {
		port = u.Port()
	}
	if port == "" {
		port = "5432"
	}
	p := &pgProxy{conns: map[net.Conn]struct{}{}}
	switch h := q.Get("host"); {
	case strings.HasPrefix(h, "/"):
		sock := h + "/.s.PGSQL." + port
		p.dial = func() (net.Conn, error) { return net.DialTimeout("unix", sock, 5*time.Second) }
	case h != "":
		target := net.JoinHostPort(h, port)
		p.dial = func() (net.Conn, error) { return net.DialTimeout("tcp", target, 5*time.Second) }
	case u.Hostname() != "":
		target := net.JoinHostPort(u.Hostname(), port)
		p.dial = func() (net.Conn, error) { return net.DialTimeout("tcp", target, 5*time.Second) }
	default:
		sock := "/var/run/postgresql/.s.PGSQL." + port
		p.dial = func() (net.Conn, error) { return net.DialTimeout("unix", sock, 5*time.Second) }
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.close)

	q.Del("host")
	q.Del("port")
	u.Host = p.addr
	u.RawQuery = q.Encode()
	return p, u.String()
}

func (p *pgProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed: an outage or the end
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.pipe(c)
			}()
		}
	}()
}

func (p *pgProxy) pipe(c net.Conn) {
	s, err := p.dial()
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // the outage began while we dialled
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go cp(s, c)
	go cp(c, s)
	<-done // either side ended: end both
	c.Close()
	s.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// Outage drops every connection, refuses new ones (the port is closed, so
// a connect gets ECONNREFUSED as from a stopped server) for d, then serves
// again on the same address.
func (p *pgProxy) Outage(d time.Duration) error {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	if ln != nil {
		ln.Close()
	}
	for c := range p.conns {
		c.Close()
	}
	p.dropped += len(p.conns) / 2 // two ends each
	p.mu.Unlock()
	time.Sleep(d)
	var err error
	for range 50 { // the port was ours a moment ago; retry a bind race briefly
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("proxy: listen again on %s: %w", p.addr, err)
}

// Dropped is the number of loa's connections the outages ended.
func (p *pgProxy) Dropped() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

func (p *pgProxy) close() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
