-- +goose Up

-- A chat the bot is in or was in: private chats, groups, supergroups, channels.
-- id is Telegram's chat id; status tells whether we may still send there
-- (Telegram answers 403 when the bot was blocked or removed).
CREATE TABLE chats (
    id         bigint PRIMARY KEY,
    type       text        NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
    title      text        NOT NULL DEFAULT '',
    language   text        NOT NULL DEFAULT '',
    status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'left')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A person who wrote to the bot. role is the bot-wide role only; membership of
-- units and officer roles get their own table, since one person can belong to
-- several units.
CREATE TABLE users (
    id         bigint PRIMARY KEY,
    first_name text        NOT NULL DEFAULT '',
    last_name  text        NOT NULL DEFAULT '',
    username   text        NOT NULL DEFAULT '',
    language   text        NOT NULL DEFAULT '',
    role       text        NOT NULL DEFAULT 'none' CHECK (role IN ('none', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Small named counters of the bot's own (today only 'poll_offset', the next
-- getUpdates offset). A key/value table, so the next singleton is a new key,
-- not a migration.
CREATE TABLE bot_state (
    key        text PRIMARY KEY,
    value      bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The durable inbox: every update Telegram gave us, stored before it is
-- confirmed to Telegram, handed to workers by ClaimUpdates, kept after
-- handling for deduplication until PruneUpdates removes it.
CREATE TABLE updates (
    update_id     bigint PRIMARY KEY,
    chat_id       bigint      NOT NULL, -- 0 when the update has no chat
    payload       jsonb       NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    claimed_by    text,
    claimed_until timestamptz,
    handled_at    timestamptz
);

-- The unhandled part of the inbox is small and is what every claim scans.
CREATE INDEX updates_unhandled_idx ON updates (update_id) WHERE handled_at IS NULL;
CREATE INDEX updates_unhandled_chat_idx ON updates (chat_id) WHERE handled_at IS NULL;
-- PruneUpdates deletes by age.
CREATE INDEX updates_received_at_idx ON updates (received_at) WHERE handled_at IS NOT NULL;

-- +goose Down
DROP TABLE updates;
DROP TABLE bot_state;
DROP TABLE users;
DROP TABLE chats;
