package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"
	"golang.org/x/text/unicode/norm"
)

// NewArticle is an item of a feed, cleaned by package feeds, as it is stored.
type NewArticle struct {
	GUID        string // "" when the feed gives none
	Link        string // canonical link, "" when none
	Title       string
	Summary     string // a few sentences, plain text
	Body        string // the article's text, plain text, "" when unknown
	PublishedAt time.Time
}

// Article is a stored article with the name of its source.
type Article struct {
	ID          int64         `db:"id"`
	SourceID    int64         `db:"source_id"`
	SourceName  string        `db:"source_name"`
	UnitIDs     pq.Int64Array `db:"unit_ids"` // the units of its source
	GUID        string        `db:"guid"`
	Link        string        `db:"link"`
	Title       string        `db:"title"`
	Summary     string        `db:"summary"`
	Body        string        `db:"body"`
	PublishedAt time.Time     `db:"published_at"`
	CreatedAt   time.Time     `db:"created_at"`
}

// vietnamDay is the zone whose calendar day enters ContentHash: the portals
// Loa reads publish in Vietnam time.
var vietnamDay = time.FixedZone("ICT", 7*60*60)

// ContentHash is the third key articles are deduplicated by: the folded
// title and the day of publication. Portals re-publish an article under a
// new guid and sometimes a new URL, but keep its title and day; two
// different articles with the same title on the same day are rare enough.
func ContentHash(title string, published time.Time) string {
	sum := sha256.Sum256([]byte(FoldName(title) + "|" + published.In(vietnamDay).Format("2006-01-02")))
	return hex.EncodeToString(sum[:16])
}

// maxFolded bounds the text indexed for search: the title and the first
// paragraphs find an article; the rest only grows the index.
const maxFolded = 4000

func searchFolded(a NewArticle) string {
	return FoldName(indexedText(a))
}

// indexedText is the title and the first maxFolded bytes of the summary
// and the text that follow it.
func indexedText(a NewArticle) string {
	s := a.Title + " " + a.Summary + " " + a.Body
	if len(s) > maxFolded {
		cut := maxFolded
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// searchVector is articles.search_vector of a, as a tsvector literal: the
// title's syllables weighted A, so that a title that says it ranks above a
// passing mention, then those of the summary and of the text, within
// maxFolded bytes (vectorBuilder). Each part starts a new clause: a summary
// cut short does not make a phrase with the text after it.
func searchVector(a NewArticle) string {
	var v vectorBuilder
	v.add(a.Title, "A")
	budget := maxFolded
	for _, part := range []string{a.Summary, a.Body} {
		if len(part) > budget {
			cut := budget
			for cut > 0 && !utf8.RuneStart(part[cut]) {
				cut--
			}
			part = part[:cut]
		}
		budget -= len(part)
		v.add(part, "")
	}
	return v.String()
}

// InsertArticles stores the items of sourceID that are not stored yet, in
// one statement, and returns how many were new. Items the source already has
// (same guid, same link, or same title on the same day) and duplicates
// inside items are skipped. Text is stored NFC. pushed marks them as already
// handled, for the first fetch of a source, which only records what is there.
func (db *DB) InsertArticles(ctx context.Context, sourceID int64, items []NewArticle, pushed bool) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	n := len(items)
	guids, links, titles, summaries, bodies := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	hashes, folded := make([]string, n), make([]string, n)
	vectors := make([]string, n)
	published := make([]string, n)
	for i, a := range items {
		guids[i], links[i] = a.GUID, a.Link
		titles[i], summaries[i], bodies[i] = norm.NFC.String(a.Title), norm.NFC.String(a.Summary), norm.NFC.String(a.Body)
		hashes[i] = ContentHash(a.Title, a.PublishedAt)
		folded[i] = searchFolded(a)
		vectors[i] = searchVector(a)
		published[i] = a.PublishedAt.UTC().Format(time.RFC3339Nano)
	}
	res, err := db.x.ExecContext(ctx, `
		INSERT INTO articles (source_id, guid, link, title, summary, body, published_at, content_hash, search_folded, search_vector, pushed)
		SELECT $1, g, l, t, s, b, p::timestamptz, h, f, v::tsvector, $10
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $11::text[])
			AS x (g, l, t, s, b, p, h, f, v)
		ON CONFLICT DO NOTHING`,
		sourceID, pq.Array(guids), pq.Array(links), pq.Array(titles), pq.Array(summaries), pq.Array(bodies),
		pq.Array(published), pq.Array(hashes), pq.Array(folded), pushed, pq.Array(vectors))
	if err != nil {
		return 0, fmt.Errorf("store articles of source %d: %w", sourceID, foreignKeyNotFound(err))
	}
	added, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store articles of source %d: %w", sourceID, err)
	}
	return int(added), nil
}

const articleColumns = `a.id, a.source_id, s.name AS source_name,
	ARRAY(SELECT su.unit_id FROM source_units AS su WHERE su.source_id = a.source_id ORDER BY su.unit_id) AS unit_ids,
	a.guid, a.link, a.title, a.summary, a.body, a.published_at, a.created_at`

// Unpushed returns the articles of sourceID not yet handed to the delivery
// engine, oldest first, at most limit.
func (db *DB) Unpushed(ctx context.Context, sourceID int64, limit int) ([]Article, error) {
	var out []Article
	err := db.x.SelectContext(ctx, &out, `
		SELECT `+articleColumns+` FROM articles AS a JOIN sources AS s ON s.id = a.source_id
		WHERE a.source_id = $1 AND NOT a.pushed ORDER BY a.published_at, a.id LIMIT $2`, sourceID, limit)
	if err != nil {
		return nil, fmt.Errorf("load unpushed articles of source %d: %w", sourceID, err)
	}
	return out, nil
}

// MarkPushed records that the article was handed to the delivery engine.
func (db *DB) MarkPushed(ctx context.Context, id int64) error {
	if _, err := db.x.ExecContext(ctx, `UPDATE articles SET pushed = true WHERE id = $1`, id); err != nil {
		return fmt.Errorf("mark article %d pushed: %w", id, err)
	}
	return nil
}

// visibleSources restricts articles to the sources bound to one of $1: the
// units the reader may see. Sources are few, so the set is computed once
// and the newest-first index does the rest.
const visibleSources = `a.source_id = ANY (ARRAY(SELECT su.source_id FROM source_units AS su WHERE su.unit_id = ANY ($1::bigint[])))`

// LatestArticles returns the newest articles of the sources bound to any of
// unitIDs, newest first, skipping offset and returning at most limit.
func (db *DB) LatestArticles(ctx context.Context, unitIDs []int64, limit, offset int) ([]Article, error) {
	var out []Article
	err := db.x.SelectContext(ctx, &out, `
		SELECT `+articleColumns+` FROM articles AS a JOIN sources AS s ON s.id = a.source_id
		WHERE `+visibleSources+`
		ORDER BY a.published_at DESC, a.id DESC LIMIT $2 OFFSET $3`, pq.Array(unitIDs), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("load latest articles: %w", err)
	}
	return out, nil
}

// ArticleByID returns one article, or ErrNotFound. Whether the reader may
// see it (its UnitIDs) is for the caller to decide.
func (db *DB) ArticleByID(ctx context.Context, id int64) (Article, error) {
	var a Article
	err := db.x.GetContext(ctx, &a, `
		SELECT `+articleColumns+` FROM articles AS a JOIN sources AS s ON s.id = a.source_id WHERE a.id = $1`, id)
	if err != nil {
		return Article{}, fmt.Errorf("load article %d: %w", id, notFound(err))
	}
	return a, nil
}

// SearchArticles finds the articles of the sources bound to any of unitIDs
// that contain the words of query as whole syllables, by the rules of
// SearchTerms (diacritics, case, NFD and the y/i spellings ignored: "an
// ninh" finds "An ninh", never "bình an" alone or the letters of "toàn").
// It returns the best limit after skipping offset, and how many matched in
// all.
//
// An article matches when it has every key term of the query: every term
// but the common syllables of commonTerms ("của", "các", "và" …), or every
// term when the query has nothing else. Matches are ordered by
//
//  1. phrase: the article has the query's terms, common ones included, one
//     right after the other in one clause (tsquery t1 <-> t2 <-> …; the
//     stored positions skip one at punctuation), first; then those that
//     have the key terms so ("các dân quân": "dân quân");
//  2. ts_rank_cd(search_vector, key terms AND-ed), normalization 0, with
//     the title weighted 1.0 and the text 0.1: cover density, which is
//     higher the shorter the stretches of text holding all key terms (all
//     words near each other rank above all words far apart) and the more
//     such stretches, ten times higher in the title;
//  3. newest first, then the higher id: recency breaks ties.
//
// Only candidates are ranked (rankedCandidates): the newest articles with
// every key term and the newest with the phrase, which the index finds by
// its pairs of neighbouring syllables (phraseLexemes). The total counts
// every match.
func (db *DB) SearchArticles(ctx context.Context, unitIDs []int64, query string, limit, offset int) ([]Article, int, error) {
	terms := SearchTerms(query)
	if len(terms) == 0 {
		return nil, 0, nil
	}
	keys := keyTerms(terms)
	phrase := phraseLexemes(keys)
	if phrase == "" {
		phrase = phraseLexemes(terms)
	}
	// The total and the ranked page are two queries run at once, on two
	// connections: counting every match of a common word is a scan of its
	// own (about 15 ms for 27,000 matches among 100,000 articles), and so
	// is picking the newest candidates, so side by side they take the time
	// of the slower, not of both.
	var total int
	countDone := make(chan error, 1)
	go func() {
		countDone <- db.x.GetContext(ctx, &total, `
			SELECT count(*) FROM articles AS a
			WHERE `+visibleSources+` AND a.search_vector @@ plainto_tsquery('loa_search', $2)`,
			pq.Array(unitIDs), strings.Join(keys, " "))
	}()
	// Candidates: the newest rankedCandidates articles with every key term,
	// and the newest rankedCandidates with the phrase (found by its pairs
	// of syllables in the index, whatever their age).
	args := []any{pq.Array(unitIDs), limit, offset, strings.Join(keys, " "), strings.Join(terms, " ")}
	phraseCand := ""
	if phrase != "" {
		args = append(args, phrase)
		phraseCand = `UNION SELECT * FROM (SELECT a.id FROM articles AS a WHERE ` + visibleSources + ` AND a.search_vector @@ $6::tsquery
			ORDER BY a.published_at DESC, a.id DESC LIMIT ` + strconv.Itoa(rankedCandidates) + `) AS ph`
	}
	var out []Article
	err := db.x.SelectContext(ctx, &out, `
		WITH q AS (SELECT plainto_tsquery('loa_search', $4) AS k, phraseto_tsquery('loa_search', $4) AS pk,
			phraseto_tsquery('loa_search', $5) AS p),
		c AS (
			SELECT * FROM (SELECT a.id FROM articles AS a, q
				WHERE `+visibleSources+` AND a.search_vector @@ q.k
				ORDER BY a.published_at DESC, a.id DESC LIMIT `+strconv.Itoa(rankedCandidates)+`) AS kc
			`+phraseCand+`)
		SELECT `+articleColumns+`
		FROM c JOIN articles AS a ON a.id = c.id JOIN sources AS s ON s.id = a.source_id, q
		ORDER BY a.search_vector @@ q.p DESC, a.search_vector @@ q.pk DESC,
			ts_rank_cd('{0.1, 0.1, 0.1, 1.0}', a.search_vector, q.k, 0) DESC,
			a.published_at DESC, a.id DESC
		LIMIT $2 OFFSET $3`, args...)
	cerr := <-countDone
	if err != nil {
		return nil, 0, fmt.Errorf("search articles for %q: %w", query, err)
	}
	if cerr != nil {
		return nil, 0, fmt.Errorf("count articles for %q: %w", query, cerr)
	}
	return out, total, nil
}

// rankedCandidates bounds the articles SearchArticles ranks: the newest
// that have every key term, and the newest that have the phrase. Ranking
// reads each candidate's tsvector, so ranking every match of a common word
// among 100,000 articles would take hundreds of milliseconds; an older
// article that only has the words apart is found by more words.
const rankedCandidates = 100

// SetArticleText replaces an article's text and summary, once its page has
// been read (the feed carried a teaser only).
func (db *DB) SetArticleText(ctx context.Context, id int64, summary, body string) error {
	var a Article
	if err := db.x.GetContext(ctx, &a, `SELECT title FROM articles WHERE id = $1`, id); err != nil {
		return fmt.Errorf("load article %d: %w", id, notFound(err))
	}
	summary, body = norm.NFC.String(summary), norm.NFC.String(body)
	na := NewArticle{Title: a.Title, Summary: summary, Body: body}
	if _, err := db.x.ExecContext(ctx, `UPDATE articles SET summary = $2, body = $3, search_folded = $4,
		search_vector = $5::tsvector WHERE id = $1`,
		id, summary, body, searchFolded(na), searchVector(na)); err != nil {
		return fmt.Errorf("save text of article %d: %w", id, err)
	}
	return nil
}
