-- +goose Up

-- Something Loa pushes to units: an announcement now, articles and
-- reminders later. A draft has no deliveries yet (its preview is a count);
-- starting it creates them all in one transaction. The n_* counts are
-- frozen when the final report has been made (reported_at); until then they
-- are counted from deliveries.
CREATE TABLE broadcasts (
    id                bigserial PRIMARY KEY,
    kind              text        NOT NULL CHECK (kind <> ''),
    author_id         bigint      NOT NULL DEFAULT 0, -- 0 = the system
    author_chat_id    bigint      NOT NULL DEFAULT 0, -- status and report go there; 0 = nowhere
    lang              text        NOT NULL DEFAULT '',
    text              text        NOT NULL CHECK (text <> ''), -- Telegram HTML
    no_preview        boolean     NOT NULL DEFAULT false,
    -- Telegram reply_markup (inline buttons) under the last part, '' for none.
    reply_markup      text        NOT NULL DEFAULT '',
    unit_ids          bigint[]    NOT NULL,
    -- feeds and reminders enqueue idempotently: a second broadcast with the
    -- same key is never created.
    dedup_key         text,
    state             text        NOT NULL CHECK (state IN ('draft', 'sending', 'done', 'cancelled')),
    created_at        timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    cancelled_by      bigint,
    status_message_id int         NOT NULL DEFAULT 0, -- the author's status message, edited in place
    reported_at       timestamptz,
    n_total           int         NOT NULL DEFAULT 0,
    n_sent            int         NOT NULL DEFAULT 0,
    n_blocked         int         NOT NULL DEFAULT 0,
    n_failed          int         NOT NULL DEFAULT 0,
    n_cancelled       int         NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX broadcasts_dedup_key_idx ON broadcasts (dedup_key) WHERE dedup_key IS NOT NULL;
-- The dispatcher's status loop looks at these every few seconds.
CREATE INDEX broadcasts_unreported_idx ON broadcasts (id) WHERE state <> 'draft' AND reported_at IS NULL;

-- One broadcast to one chat: the durable outbox. Unique per (broadcast,
-- chat), so enqueuing twice creates nothing new. A pending row is due at
-- due_at; claimed_at marks it as taken by the dispatcher, which also sets
-- due_at to infinity so it is not claimed again (and is out of the way at
-- the end of the index) until its outcome is recorded or a new dispatcher
-- frees every claim of a dead one. parts_sent records how far a text split
-- into several messages got, so a crash resumes after the last part sent.
-- Moved with the chat by MigrateChat (chatRefs).
CREATE TABLE deliveries (
    broadcast_id bigint      NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id      bigint      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    state        text        NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'sent', 'blocked', 'failed', 'cancelled')),
    due_at       timestamptz NOT NULL,
    claimed_at   timestamptz,
    attempts     int         NOT NULL DEFAULT 0, -- failed attempts; a 429 is not one
    retry_since  timestamptz, -- first temporary failure: the retry bound counts from here
    parts_sent   int         NOT NULL DEFAULT 0,
    message_id   int,         -- of the last part, once sent
    reason       text        NOT NULL DEFAULT '', -- why blocked or failed (Telegram's words), or the last error
    done_at      timestamptz,
    PRIMARY KEY (broadcast_id, chat_id)
);

-- The queue: only pending rows, in the order they fall due. Also what the
-- queue-depth gauge counts.
CREATE INDEX deliveries_pending_idx ON deliveries (due_at) WHERE state = 'pending';
-- MigrateChat moves a chat's rows; deleting a chat checks them.
CREATE INDEX deliveries_chat_id_idx ON deliveries (chat_id);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE broadcasts;
