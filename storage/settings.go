package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LockDigests is the advisory lock of the one digest loop. It sits apart
// from the list in lock.go only so that branches adding keys there merge
// cleanly; no other job uses it.
const LockDigests int64 = 7_010

// Audit actions of a chat's settings.
const (
	AuditSettingsQuiet  = "settings.quiet"
	AuditSettingsDigest = "settings.digest"
	AuditSettingsFilter = "settings.filter"
	AuditSettingsMute   = "settings.mute"
	AuditSettingsTopic  = "settings.topic"
)

// Topic kinds: what a forum topic may receive apart from a unit's messages.
const (
	TopicArticles  = "articles"
	TopicBulletins = "bulletins"
	TopicReminders = "reminders"
)

// ChatSettings is a chat's stored choices (chat_settings). Found is false
// for a chat that never changed anything: the column defaults are then
// what the migration says, and the domain package applies its defaults.
type ChatSettings struct {
	ChatID       int64          `db:"chat_id"`
	QuietFrom    int            `db:"quiet_from"` // minutes after local midnight
	QuietTo      int            `db:"quiet_to"`   // equal to QuietFrom: no quiet hours
	DigestAt     *int           `db:"digest_at"`  // nil: articles as they come
	DigestLastAt *time.Time     `db:"digest_last_at"`
	OnlyWords    pq.StringArray `db:"only_words"`
	NoneWords    pq.StringArray `db:"none_words"`
	Found        bool           `db:"found"`
}

// ChatSettings returns chatID's settings, with Found false (and the
// migration's defaults) when it has no row.
func (db *DB) ChatSettings(ctx context.Context, chatID int64) (ChatSettings, error) {
	var s ChatSettings
	err := db.x.GetContext(ctx, &s, `
		SELECT $1::bigint AS chat_id, coalesce(s.quiet_from, 1320) AS quiet_from, coalesce(s.quiet_to, 360) AS quiet_to,
			s.digest_at, s.digest_last_at, coalesce(s.only_words, '{}') AS only_words,
			coalesce(s.none_words, '{}') AS none_words, s.chat_id IS NOT NULL AS found
		FROM (SELECT 1) AS one LEFT JOIN chat_settings AS s ON s.chat_id = $1`, chatID)
	if err != nil {
		return ChatSettings{}, fmt.Errorf("load settings of chat %d: %w", chatID, err)
	}
	return s, nil
}

// KeywordKey is how a keyword filter is stored for matching: its key
// syllables as /search takes them from a query (SearchTerms, then the
// common syllables left out unless nothing else remains), separated by
// spaces. "" means the keyword has no letter or digit to match.
func KeywordKey(word string) string {
	return strings.Join(keyTerms(SearchTerms(word)), " ")
}

func keywordKeys(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if k := KeywordKey(w); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// SettingsChange is one change a person made to a chat's settings, as
// recorded in the audit log with the whole new state.
type SettingsChange struct {
	ActorID int64
	Action  string // an AuditSettings* action
	Detail  string // what changed, for the audit log
}

// SaveChatSettings writes s (its OnlyWords and NoneWords folded into keys
// here) and records ch in the audit log, in one transaction.
func (db *DB) SaveChatSettings(ctx context.Context, s ChatSettings, ch SettingsChange, now time.Time) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO chat_settings AS c (chat_id, quiet_from, quiet_to, digest_at, only_words, only_keys,
				none_words, none_keys, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (chat_id) DO UPDATE SET quiet_from = $2, quiet_to = $3, digest_at = $4,
				only_words = $5, only_keys = $6, none_words = $7, none_keys = $8, updated_at = $9, updated_by = $10`,
			s.ChatID, s.QuietFrom, s.QuietTo, s.DigestAt,
			pq.Array(nonNilStrings(s.OnlyWords)), pq.Array(keywordKeys(s.OnlyWords)),
			pq.Array(nonNilStrings(s.NoneWords)), pq.Array(keywordKeys(s.NoneWords)), now, ch.ActorID); err != nil {
			return foreignKeyNotFound(err)
		}
		return writeAudit(ctx, tx, audit{actor: ch.ActorID, action: ch.Action, chat: s.ChatID, detail: ch.Detail})
	})
	if err != nil {
		return fmt.Errorf("save settings of chat %d: %w", s.ChatID, err)
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MutedSource is a source a chat receives through its units, and whether
// the chat muted it.
type MutedSource struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Muted bool   `db:"muted"`
}

// reachingUnits is the units whose broadcasts reach chat $1: those it
// follows and every unit above them (a broadcast reaches the units below
// its own).
const reachingUnits = `
	WITH RECURSIVE up (id) AS (
		SELECT s.unit_id FROM subscriptions AS s WHERE s.chat_id = $1
		UNION
		SELECT u.parent_id FROM units AS u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL
	)`

// ChatSources lists the sources whose articles reach chatID, by name, each
// with whether the chat muted it.
func (db *DB) ChatSources(ctx context.Context, chatID int64) ([]MutedSource, error) {
	var out []MutedSource
	err := db.x.SelectContext(ctx, &out, reachingUnits+`
		SELECT s.id, s.name, EXISTS (SELECT 1 FROM chat_muted_sources AS m WHERE m.chat_id = $1 AND m.source_id = s.id) AS muted
		FROM sources AS s
		WHERE s.id IN (SELECT su.source_id FROM source_units AS su WHERE su.unit_id IN (SELECT id FROM up))
		ORDER BY s.name, s.id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("sources of chat %d: %w", chatID, err)
	}
	return out, nil
}

// SetSourceMuted mutes (or unmutes) sourceID for chatID, with an audit
// entry. An unknown chat or source is ErrNotFound.
func (db *DB) SetSourceMuted(ctx context.Context, chatID, sourceID int64, muted bool, actorID int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		q := `DELETE FROM chat_muted_sources WHERE chat_id = $1 AND source_id = $2`
		if muted {
			q = `INSERT INTO chat_muted_sources (chat_id, source_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
		}
		if _, err := tx.ExecContext(ctx, q, chatID, sourceID); err != nil {
			return foreignKeyNotFound(err)
		}
		return writeAudit(ctx, tx, audit{actor: actorID, action: AuditSettingsMute, chat: chatID,
			detail: fmt.Sprintf("source %d muted=%t", sourceID, muted)})
	})
	if err != nil {
		return fmt.Errorf("mute source %d for chat %d: %w", sourceID, chatID, err)
	}
	return nil
}

// Topic is where a forum group receives a unit's messages (UnitID) or a
// kind of message (Kind).
type Topic struct {
	UnitID   *int64  `db:"unit_id"`
	UnitName *string `db:"unit_name"`
	Kind     *string `db:"kind"`
	ThreadID int     `db:"thread_id"`
}

// ChatTopics lists chatID's routes, units first.
func (db *DB) ChatTopics(ctx context.Context, chatID int64) ([]Topic, error) {
	var out []Topic
	err := db.x.SelectContext(ctx, &out, `
		SELECT t.unit_id, u.name AS unit_name, t.kind, t.thread_id FROM chat_topics AS t
		LEFT JOIN units AS u ON u.id = t.unit_id
		WHERE t.chat_id = $1 ORDER BY t.unit_id NULLS LAST, t.kind`, chatID)
	if err != nil {
		return nil, fmt.Errorf("topics of chat %d: %w", chatID, err)
	}
	return out, nil
}

// SetTopic routes unitID (when non-zero) or kind to threadID in chatID;
// threadID 0 removes the route. Recorded in the audit log.
func (db *DB) SetTopic(ctx context.Context, chatID, unitID int64, kind string, threadID int, actorID int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var unit *int64
		var k *string
		if unitID != 0 {
			unit = &unitID
		} else {
			k = &kind
		}
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM chat_topics WHERE chat_id = $1 AND unit_id IS NOT DISTINCT FROM $2 AND kind IS NOT DISTINCT FROM $3`,
			chatID, unit, k); err != nil {
			return err
		}
		if threadID != 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO chat_topics (chat_id, unit_id, kind, thread_id) VALUES ($1, $2, $3, $4)`,
				chatID, unit, k, threadID); err != nil {
				return foreignKeyNotFound(err)
			}
		}
		return writeAudit(ctx, tx, audit{actor: actorID, action: AuditSettingsTopic, chat: chatID, unit: unitID,
			detail: fmt.Sprintf("kind=%q thread=%d", kind, threadID)})
	})
	if err != nil {
		return fmt.Errorf("set topic of chat %d: %w", chatID, err)
	}
	return nil
}

// ForgetTopic removes every route of chatID to threadID (Telegram said the
// topic is gone) and sends the deliveries still pending there to the
// general topic. It returns how many routes it removed.
func (db *DB) ForgetTopic(ctx context.Context, chatID int64, threadID int) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM chat_topics WHERE chat_id = $1 AND thread_id = $2`, chatID, threadID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET thread_id = 0 WHERE chat_id = $1 AND thread_id = $2 AND state = 'pending'`,
			chatID, threadID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, audit{action: AuditSettingsTopic, chat: chatID, detail: fmt.Sprintf("thread %d gone", threadID)})
	})
	if err != nil {
		return 0, fmt.Errorf("forget topic %d of chat %d: %w", threadID, chatID, err)
	}
	return int(n), nil
}

// passesFilter is the SQL test of the keyword filters: %[1]s is an
// article's search_vector, %[2]s and %[3]s the only and none keys (text[]).
// plainto_tsquery over folded syllables and search_vector are exactly what
// /search matches with (SearchArticles), so a filter and a search agree.
const passesFilter = `((cardinality(%[2]s) = 0 OR EXISTS (SELECT 1 FROM unnest(%[2]s) AS k WHERE %[1]s @@ plainto_tsquery('loa_search', k)))
	AND NOT EXISTS (SELECT 1 FROM unnest(%[3]s) AS k WHERE %[1]s @@ plainto_tsquery('loa_search', k)))`

var (
	// refuseArticleSQL starts from the few chats that muted the source or
	// have a keyword filter, not from the article's (maybe 100,000)
	// deliveries: the filter is tested once per such chat.
	refuseArticleSQL = `
		WITH a AS (SELECT id, source_id, search_vector FROM articles WHERE id = $2),
		refused AS (
			SELECT m.chat_id FROM chat_muted_sources AS m, a WHERE m.source_id = a.source_id
			UNION
			SELECT s.chat_id FROM chat_settings AS s, a
			WHERE (cardinality(s.only_keys) > 0 OR cardinality(s.none_keys) > 0) AND NOT ` +
		fmt.Sprintf(passesFilter, "a.search_vector", "s.only_keys", "s.none_keys") + `
		)
		DELETE FROM deliveries AS d USING refused
		WHERE d.broadcast_id = $1 AND d.chat_id = refused.chat_id`
	previewFilterSQL = reachingUnits + `
		SELECT count(*) FILTER (WHERE ` + fmt.Sprintf(passesFilter, "a.search_vector", "$3::text[]", "$4::text[]") + `
			AND NOT EXISTS (SELECT 1 FROM chat_muted_sources AS m WHERE m.chat_id = $1 AND m.source_id = a.source_id)) AS passed,
			count(*) AS total
		FROM articles AS a
		WHERE a.source_id IN (SELECT su.source_id FROM source_units AS su WHERE su.unit_id IN (SELECT id FROM up))
		  AND a.created_at >= $2`
	articlesPassingSQL = `SELECT a.id FROM articles AS a WHERE a.id = ANY($1::bigint[]) AND ` +
		fmt.Sprintf(passesFilter, "a.search_vector", "$2::text[]", "$3::text[]") + ` ORDER BY a.id`
)

// FilterPreview counts the articles chatID received since since (the
// chat's sources, not muted) and how many of them the keyword filters
// only and none would have let through.
func (db *DB) FilterPreview(ctx context.Context, chatID int64, since time.Time, only, none []string) (passed, total int, err error) {
	var row struct {
		Passed int `db:"passed"`
		Total  int `db:"total"`
	}
	if err := db.x.GetContext(ctx, &row, previewFilterSQL, chatID, since,
		pq.Array(keywordKeys(only)), pq.Array(keywordKeys(none))); err != nil {
		return 0, 0, fmt.Errorf("preview filters of chat %d: %w", chatID, err)
	}
	return row.Passed, row.Total, nil
}

// ArticlesPassing returns those of articleIDs that the keyword filters
// only and none let through, by the test the fan-out makes.
func (db *DB) ArticlesPassing(ctx context.Context, articleIDs []int64, only, none []string) ([]int64, error) {
	var out []int64
	if err := db.x.SelectContext(ctx, &out, articlesPassingSQL, pq.Array(articleIDs),
		pq.Array(keywordKeys(only)), pq.Array(keywordKeys(none))); err != nil {
		return nil, fmt.Errorf("filter articles: %w", err)
	}
	return out, nil
}

// setBroadcastAudience stores what the fan-out of broadcast id needs to
// know beyond 00005/00008 (NewBroadcast.ArticleID, Rings).
func setBroadcastAudience(ctx context.Context, tx *sqlx.Tx, id int64, b NewBroadcast) error {
	if b.ArticleID == 0 && !b.Rings {
		return nil
	}
	var article *int64
	if b.ArticleID != 0 {
		article = &b.ArticleID
	}
	_, err := tx.ExecContext(ctx, `UPDATE broadcasts SET article_id = $2, rings = $3 WHERE id = $1`, id, article, b.Rings)
	return err
}

// topicKind is the topic kind a broadcast kind goes to.
func topicKind(kind string) string {
	switch kind {
	case "article", "digest":
		return TopicArticles
	case "reminder":
		return TopicReminders
	default:
		return TopicBulletins
	}
}

// applyChatSettings is the fan-out's part of the chats' settings, run in
// the transaction that created broadcast id's deliveries (due at due), so
// that what a chat gets is decided once, with the deliveries, and a crash
// can neither lose nor repeat it:
//
//   - an article's delivery is dropped for a chat that muted its source or
//     whose keyword filters refuse it; for a chat in digest mode it becomes
//     a digest item instead. Other broadcasts (bulletins from officers and
//     admins, reminders) are never filtered nor digested.
//   - a forum group's delivery is routed to the topic of the unit it comes
//     from, or of its kind.
//
// It returns how many deliveries it dropped. How loudly a delivery rings
// depends on when it is sent, and is decided then (ClaimDeliveries returns
// the chat's quiet hours).
func applyChatSettings(ctx context.Context, tx *sqlx.Tx, id int64, due time.Time) (int, error) {
	var b struct {
		Kind      string        `db:"kind"`
		ArticleID *int64        `db:"article_id"`
		Units     pq.Int64Array `db:"unit_ids"`
	}
	if err := tx.GetContext(ctx, &b, `SELECT kind, article_id, unit_ids FROM broadcasts WHERE id = $1`, id); err != nil {
		return 0, fmt.Errorf("load broadcast %d: %w", id, err)
	}
	dropped := 0
	if b.ArticleID != nil {
		res, err := tx.ExecContext(ctx, refuseArticleSQL, id, *b.ArticleID)
		if err != nil {
			return 0, fmt.Errorf("filter article %d: %w", *b.ArticleID, err)
		}
		n, _ := res.RowsAffected()
		var moved int
		if err := tx.GetContext(ctx, &moved, `
			WITH moved AS (
				DELETE FROM deliveries AS d USING chat_settings AS s
				WHERE d.broadcast_id = $1 AND s.chat_id = d.chat_id AND s.digest_at IS NOT NULL
				RETURNING d.chat_id
			), held AS (
				INSERT INTO digest_items (chat_id, article_id, created_at) SELECT chat_id, $2, $3 FROM moved
				ON CONFLICT DO NOTHING
			)
			SELECT count(*) FROM moved`, id, *b.ArticleID, due); err != nil {
			return 0, fmt.Errorf("hold article %d for digests: %w", *b.ArticleID, err)
		}
		dropped = int(n) + moved
	}
	if _, err := tx.ExecContext(ctx, `
		WITH RECURSIVE reached (id) AS (
			SELECT id FROM units WHERE id = ANY($2::bigint[])
			UNION
			SELECT u.id FROM units AS u JOIN reached AS r ON u.parent_id = r.id
		), route AS (
			SELECT DISTINCT ON (t.chat_id) t.chat_id, t.thread_id FROM chat_topics AS t
			WHERE t.chat_id IN (SELECT d.chat_id FROM deliveries AS d WHERE d.broadcast_id = $1)
			  AND (t.unit_id IN (SELECT id FROM reached) OR t.kind = $3)
			ORDER BY t.chat_id, t.unit_id IS NULL, t.unit_id
		)
		UPDATE deliveries AS d SET thread_id = route.thread_id FROM route
		WHERE d.broadcast_id = $1 AND d.chat_id = route.chat_id`, id, pq.Array(nonNil(b.Units)), topicKind(b.Kind)); err != nil {
		return 0, fmt.Errorf("route broadcast %d to topics: %w", id, err)
	}
	return dropped, nil
}

// DigestChat is a chat with articles held for its digest.
type DigestChat struct {
	ChatID   int64     `db:"chat_id"`
	DigestAt *int      `db:"digest_at"` // nil: the chat left digest mode; send what is held now
	Oldest   time.Time `db:"oldest"`    // when the oldest held article came
}

// HeldDigests lists the chats with articles held for a digest.
func (db *DB) HeldDigests(ctx context.Context) ([]DigestChat, error) {
	var out []DigestChat
	err := db.x.SelectContext(ctx, &out, `
		SELECT i.chat_id, s.digest_at, min(i.created_at) AS oldest
		FROM digest_items AS i LEFT JOIN chat_settings AS s ON s.chat_id = i.chat_id
		JOIN chats AS c ON c.id = i.chat_id AND c.status = 'active'
		GROUP BY i.chat_id, s.digest_at ORDER BY i.chat_id`)
	if err != nil {
		return nil, fmt.Errorf("held digests: %w", err)
	}
	return out, nil
}

// HeldArticles returns the articles held for chatID's digest, grouped by
// source (by name), oldest first within one.
func (db *DB) HeldArticles(ctx context.Context, chatID int64) ([]Article, error) {
	var out []Article
	err := db.x.SelectContext(ctx, &out, `SELECT `+articleColumns+`
		FROM digest_items AS i JOIN articles AS a ON a.id = i.article_id JOIN sources AS s ON s.id = a.source_id
		WHERE i.chat_id = $1 ORDER BY s.name, s.id, a.published_at, a.id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("held articles of chat %d: %w", chatID, err)
	}
	return out, nil
}

// ChatMessage is a message for one chat, sent through the outbox like any
// broadcast (a digest, a notice to a group's admins).
type ChatMessage struct {
	ChatID    int64
	Kind      string // "digest", "notice"
	Lang      string
	Text      string // Telegram HTML; split by the engine when long
	NoPreview bool
	DedupKey  string
	// Articles are the digest's articles: released from digest_items in
	// the same transaction, so each is in exactly one digest.
	Articles []int64
}

// EnqueueChatMessage creates m as a broadcast being sent with one delivery
// to its chat, due at now: a digest to the chat's topic for articles, a
// notice to the general topic (where a group's admins look); for a
// digest, the articles it carries leave digest_items and the chat's
// digest_last_at becomes now, in the same transaction. A DedupKey used
// before creates nothing and returns false.
func (db *DB) EnqueueChatMessage(ctx context.Context, m ChatMessage, now time.Time) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var dedup *string
		if m.DedupKey != "" {
			dedup = &m.DedupKey
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO broadcasts (kind, lang, text, no_preview, unit_ids, dedup_key, state, created_at, started_at, n_total)
			VALUES ($1, $2, $3, $4, '{}', $5, 'sending', $6, $6, 1)
			ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING RETURNING id`,
			m.Kind, m.Lang, m.Text, m.NoPreview, dedup, now)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO deliveries (broadcast_id, chat_id, due_at, thread_id)
			VALUES ($1, $2, $3, coalesce((SELECT thread_id FROM chat_topics WHERE chat_id = $2 AND kind = $4 AND $5), 0))`,
			id, m.ChatID, now, topicKind(m.Kind), m.Kind == "digest"); err != nil {
			return err
		}
		if len(m.Articles) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM digest_items WHERE chat_id = $1 AND article_id = ANY($2::bigint[])`,
				m.ChatID, pq.Array(m.Articles)); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE chat_settings SET digest_last_at = $2 WHERE chat_id = $1`, m.ChatID, now)
			return err
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("enqueue %s for chat %d: %w", m.Kind, m.ChatID, err)
	}
	return created, nil
}

// claimSettingsColumns are what ClaimDeliveries returns of the chat's
// settings with each delivery, so that the dispatcher decides how loudly
// it rings when it sends it, without a query per delivery.
const claimSettingsColumns = `d.thread_id, b.rings,
	(SELECT s.quiet_from FROM chat_settings AS s WHERE s.chat_id = d.chat_id) AS quiet_from,
	(SELECT s.quiet_to FROM chat_settings AS s WHERE s.chat_id = d.chat_id) AS quiet_to`
