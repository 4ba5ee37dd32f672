package sandbox

import (
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/loabot/loa/storage"
)

// Article is one item of the sandbox's own news feed.
type Article struct {
	Slug  string    `json:"slug"`
	Title string    `json:"title"`
	Date  time.Time `json:"date"`
	Body  string    `json:"body"` // paragraphs separated by blank lines
}

//go:embed articles.json
var articlesJSON []byte

// exampleArticles are the feed's first items: the article of 18/11/2021 on
// the coordination program, and two in the same style.
func exampleArticles() []Article {
	var a []Article
	if err := json.Unmarshal(articlesJSON, &a); err != nil {
		panic(fmt.Sprintf("sandbox: articles.json: %v", err)) // embedded: a broken file fails every test
	}
	return a
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	PubDate     string `xml:"pubDate"`
	Description string `xml:"description"`
}

// serveFeed writes the feed as RSS 2.0, newest first, as news sites do.
func serveFeed(w http.ResponseWriter, base string, arts []Article) {
	type channel struct {
		Title string    `xml:"title"`
		Link  string    `xml:"link"`
		Desc  string    `xml:"description"`
		Items []rssItem `xml:"item"`
	}
	type rss struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel channel  `xml:"channel"`
	}
	doc := rss{Version: "2.0", Channel: channel{Title: "Tin Móng Cái (sandbox)", Link: base + "/", Desc: "Bản tin mẫu của Loa sandbox"}}
	for i := len(arts) - 1; i >= 0; i-- {
		a := arts[i]
		link := base + "/articles/" + a.Slug
		first, _, _ := strings.Cut(a.Body, "\n")
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: a.Title, Link: link, GUID: link, PubDate: a.Date.Format(time.RFC1123Z), Description: first,
		})
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	_ = enc.Encode(doc)
}

var articlePage = template.Must(template.New("article").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><article><h1>{{.Title}}</h1><p><time>{{.Date.Format "02/01/2006 15:04"}}</time></p>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}</article></body></html>`))

// serveArticle writes an article as a news site's page, which the feed
// poller may read to summarise it.
func serveArticle(w http.ResponseWriter, a Article) {
	var paras []string
	for _, p := range strings.Split(a.Body, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = articlePage.Execute(w, struct {
		Article
		Paragraphs []string
	}{a, paras})
}

// slugify makes a URL path segment from a title: ASCII letters and digits.
func slugify(title string, now time.Time) string {
	var b strings.Builder
	for _, r := range storage.FoldName(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() > 60 {
			break
		}
	}
	return strings.Trim(b.String(), "-") + "-" + now.Format("150405")
}
