package feeds

import (
	"net/http"
	"testing"
)

// TestNoEnvironmentProxy: a proxy would make the connection on the
// fetcher's behalf, to an address the dialer's check never sees (it would
// check the proxy's), so HTTP_PROXY must not be honoured.
func TestNoEnvironmentProxy(t *testing.T) {
	for _, f := range []*Fetcher{NewFetcher(0, 0, 0), NewFetcher(0, 0, 0, AllowHosts("intranet.local"))} {
		tr, ok := f.client.Transport.(*http.Transport)
		if !ok {
			t.Fatalf("transport %T", f.client.Transport)
		}
		if tr.Proxy != nil {
			t.Error("the fetcher's transport uses a proxy")
		}
		if tr.DialContext == nil || tr.DialTLSContext != nil || tr.Dial != nil || tr.DialTLS != nil {
			t.Error("a connection can be made without the checking dialer")
		}
	}
}
