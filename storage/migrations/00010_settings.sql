-- +goose Up

-- Each chat chooses what it hears and when (issue 14).
--
-- A chat without a row has the defaults (settings.Defaults): quiet hours
-- 22:00–06:00 in LOA_TIMEZONE, articles as they come, no keyword filter.
-- Times are minutes after local midnight; quiet_from = quiet_to means no
-- quiet hours.
--
-- only_words / none_words are the keywords as the person typed them (shown
-- back by /caidat); only_keys / none_keys are the same keywords folded by
-- storage.SearchTerms into the key syllables search matches, separated by
-- spaces: an article passes when its search_vector matches
-- plainto_tsquery('loa_search', key) for any only_key (or there is none)
-- and for no none_key, the very test /search makes.
CREATE TABLE chat_settings (
    chat_id        bigint      PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
    quiet_from     smallint    NOT NULL DEFAULT 1320 CHECK (quiet_from BETWEEN 0 AND 1439),
    quiet_to       smallint    NOT NULL DEFAULT 360 CHECK (quiet_to BETWEEN 0 AND 1439),
    -- NULL: articles as they come; else the local time of the daily digest.
    digest_at      smallint    CHECK (digest_at BETWEEN 0 AND 1439),
    digest_last_at timestamptz, -- when the last digest was created
    only_words     text[]      NOT NULL DEFAULT '{}',
    only_keys      text[]      NOT NULL DEFAULT '{}',
    none_words     text[]      NOT NULL DEFAULT '{}',
    none_keys      text[]      NOT NULL DEFAULT '{}',
    updated_at     timestamptz NOT NULL,
    updated_by     bigint      NOT NULL DEFAULT 0
);

-- A source this chat does not want, though it stays in the unit.
CREATE TABLE chat_muted_sources (
    chat_id   bigint NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    source_id bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, source_id)
);

-- Where a forum supergroup wants what: each followed unit (unit_id) or
-- each kind ('articles', 'bulletins', 'reminders') to one topic. A route
-- for a unit wins over a route for a kind.
CREATE TABLE chat_topics (
    chat_id   bigint NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    unit_id   bigint REFERENCES units (id) ON DELETE CASCADE,
    kind      text CHECK (kind IN ('articles', 'bulletins', 'reminders')),
    thread_id int    NOT NULL CHECK (thread_id > 0),
    CHECK ((unit_id IS NULL) <> (kind IS NULL))
);
CREATE UNIQUE INDEX chat_topics_unit_idx ON chat_topics (chat_id, unit_id) WHERE unit_id IS NOT NULL;
CREATE UNIQUE INDEX chat_topics_kind_idx ON chat_topics (chat_id, kind) WHERE kind IS NOT NULL;

-- Articles held for a chat's next digest instead of a card: written by the
-- fan-out in the same transaction that would have created the delivery,
-- deleted in the transaction that creates the digest. So each article is in
-- exactly one digest, across crashes.
CREATE TABLE digest_items (
    chat_id    bigint      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    article_id bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (chat_id, article_id)
);

-- What the fan-out needs to know of a broadcast beyond 00005/00008: the
-- article it carries (filters, mutes and digests apply only to those), and
-- whether it rings through quiet hours although routine (a reminder of a
-- task due that day).
ALTER TABLE broadcasts
    ADD COLUMN article_id bigint REFERENCES articles (id) ON DELETE SET NULL,
    ADD COLUMN rings      boolean NOT NULL DEFAULT false;

-- The forum topic a delivery goes to, chosen at the fan-out; 0 the general one.
ALTER TABLE deliveries ADD COLUMN thread_id int NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN thread_id;
ALTER TABLE broadcasts DROP COLUMN rings, DROP COLUMN article_id;
DROP TABLE digest_items;
DROP TABLE chat_topics;
DROP TABLE chat_muted_sources;
DROP TABLE chat_settings;
