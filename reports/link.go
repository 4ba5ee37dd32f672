package reports

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/loabot/loa/messages"
)

// trackingParams are query parameters that say who shared a link, not what
// it points to: two people sharing one post from two apps get two URLs
// that differ only in these, and must make one case.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "igshid": true, "mibextid": true, "si": true,
	"ref": true, "ref_src": true, "ref_url": true, "s": true, "t": true, "__cft__[0]": true, "__tn__": true,
}

// NormalizeLink returns the form of a link that makes reports of the same
// post one case: scheme and host in lower case, "www." and "m." (mobile)
// prefixes, default ports, the fragment, tracking parameters (utm_*,
// fbclid, …) and a trailing slash dropped, the remaining parameters sorted.
// It returns "" for something that is not an http(s) link.
func NormalizeLink(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimPrefix(host, "www.")
	host = strings.TrimPrefix(host, "m.")
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return ""
	}
	if port := u.Port(); port != "" && port != "80" && port != "443" {
		host += ":" + port
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			q.Del(k)
		}
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	// Both schemes make one case: the same post is the same post.
	out := "https://" + host + path
	if len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for i, k := range keys {
			for j, v := range q[k] {
				if i+j > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
			}
		}
		out += "?" + b.String()
	}
	return out
}

// urlInText finds links people type or paste, with or without a scheme.
var urlInText = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|vn|net|org|me|be|ly|info|tv)(?:/[^\s<>"']*)?`)

// FindLink returns the first link of a message: a text link's target or a
// url entity (offsets in UTF-16 code units, as Telegram counts), else the
// first thing in the text that looks like a link. It returns "" when there
// is none.
func FindLink(text string, entities []messages.Entity) string {
	var units []uint16
	for _, e := range entities {
		switch e.Type {
		case "text_link":
			if e.URL != "" {
				return e.URL
			}
		case "url":
			if units == nil {
				units = utf16.Encode([]rune(text))
			}
			if e.Offset >= 0 && e.Length > 0 && e.Offset+e.Length <= len(units) {
				return string(utf16.Decode(units[e.Offset : e.Offset+e.Length]))
			}
		}
	}
	m := urlInText.FindString(text)
	return strings.TrimRight(m, ".,;:!?)»”")
}
