-- +goose Up

-- Trigram indexes make /search fast on any part of a word ("tuyen giao"
-- inside a long text). pg_trgm is a trusted extension since PostgreSQL 13, so
-- the database owner may create it without being a superuser. Diacritics are
-- not removed by unaccent (not IMMUTABLE, so not indexable) but by Go when the
-- row is written (articles.search_folded, as units.name_folded).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A news feed Loa watches (RSS, Atom or JSON Feed), bound to the units whose
-- chats receive its new articles. The fetch state lives on the row: the
-- validators of the last answer for conditional GET, and the failure count
-- that drives the back-off and the admins' alert.
CREATE TABLE sources (
    id            bigserial PRIMARY KEY,
    url           text        NOT NULL UNIQUE CHECK (url ~ '^https?://'),
    name          text        NOT NULL CHECK (name <> ''),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    bigint, -- NULL for the command line
    etag          text        NOT NULL DEFAULT '',
    last_modified text        NOT NULL DEFAULT '',
    -- NULL until the first successful fetch: that fetch only records what
    -- is already in the feed, so adding a source never floods the chats.
    fetched_at    timestamptz,
    next_fetch_at timestamptz NOT NULL DEFAULT now(),
    failures      int         NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_error    text        NOT NULL DEFAULT '',
    -- the admins were told the source is failing; they hear once more when
    -- it recovers.
    alerted       boolean     NOT NULL DEFAULT false
);

CREATE TABLE source_units (
    source_id bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    unit_id   bigint NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    PRIMARY KEY (source_id, unit_id)
);

CREATE INDEX source_units_unit_id_idx ON source_units (unit_id);

-- One article of a source. Stored once: the three unique indexes are the
-- three ways a portal shows the same article again (same guid; a new guid
-- with the same link; a new guid and link with the same title on the same
-- day, content_hash). Inserts use ON CONFLICT DO NOTHING, which honours all
-- of them at once. Removing a source removes its articles.
CREATE TABLE articles (
    id            bigserial PRIMARY KEY,
    source_id     bigint      NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid          text        NOT NULL DEFAULT '',
    link          text        NOT NULL DEFAULT '',
    title         text        NOT NULL,
    summary       text        NOT NULL DEFAULT '',
    body          text        NOT NULL DEFAULT '',
    published_at  timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    content_hash  text        NOT NULL,
    -- title and text lower-cased and without diacritics, for /search.
    search_folded text        NOT NULL,
    -- false until the article has been handed to the delivery engine (or
    -- was recorded by a source's first fetch and is never pushed).
    pushed        boolean     NOT NULL DEFAULT false
);

CREATE UNIQUE INDEX articles_guid_idx ON articles (source_id, guid) WHERE guid <> '';
CREATE UNIQUE INDEX articles_link_idx ON articles (source_id, link) WHERE link <> '';
CREATE UNIQUE INDEX articles_hash_idx ON articles (source_id, content_hash);
-- /latest walks this index newest first and stops after one page.
CREATE INDEX articles_latest_idx ON articles (published_at DESC, id DESC);
CREATE INDEX articles_unpushed_idx ON articles (source_id) WHERE NOT pushed;
CREATE INDEX articles_search_idx ON articles USING gin (search_folded gin_trgm_ops);

-- +goose Down
DROP TABLE articles;
DROP TABLE source_units;
DROP TABLE sources;
