-- +goose Up

-- Bulletins a command post can rely on (issue 11).
--
-- priority: 0 routine, 1 urgent. Urgent deliveries are claimed before
-- routine ones; a later issue (quiet hours) reads it to decide what may
-- make a sound at night.
--
-- content: what the broadcast carries besides its text, as data (never
-- Telegram JSON): {"media": [{"kind": "photo", "file_id": "…"}],
-- "buttons": [[{"text": …, "callback_data": …, "url": …}]]}. Only package
-- bot turns it into Telegram's wire format. The button field names are
-- Telegram's so that reply_markup stored before this migration converts
-- as is.
ALTER TABLE broadcasts
    ADD COLUMN priority     smallint NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)),
    ADD COLUMN content      jsonb    NOT NULL DEFAULT '{}',
    -- when a scheduled broadcast goes out: its deliveries are created at
    -- Send, due at this time, so the promise survives restarts and a cancel
    -- before it stops them all. NULL: at once.
    ADD COLUMN scheduled_at timestamptz;

UPDATE broadcasts SET content = jsonb_build_object('buttons', reply_markup::jsonb -> 'inline_keyboard')
WHERE reply_markup <> '';

-- The dispatcher's fair claim walks the broadcasts being sent, urgent first,
-- and takes a share of each one's due deliveries.
CREATE INDEX broadcasts_sending_idx ON broadcasts (priority DESC, id) WHERE state = 'sending';
CREATE INDEX deliveries_broadcast_due_idx ON deliveries (broadcast_id, due_at) WHERE state = 'pending';

-- Why a delivery was blocked or failed, as a code the report renders in
-- the reader's language (messages.DeliveryReasonCode); reason keeps
-- Telegram's words for the operator.
ALTER TABLE deliveries ADD COLUMN reason_code text NOT NULL DEFAULT '';

-- Every message Telegram created for a delivery (each part of a long text,
-- each item of an album), recorded with the delivery's outcome in the same
-- transaction: /edit and /recall reach every copy through these rows.
-- kind says how to edit it: 'text' (editMessageText), 'caption'
-- (editMessageCaption), 'media' (an album item without caption: nothing to
-- edit, but deleted on recall).
CREATE TABLE delivery_messages (
    broadcast_id bigint      NOT NULL,
    chat_id      bigint      NOT NULL, -- follows the delivery when a group migrates
    message_id   int         NOT NULL,
    part         int         NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('text', 'caption', 'media')),
    sent_at      timestamptz NOT NULL,
    -- what the last /edit or /recall did to it: '' untouched, 'edited',
    -- 'deleted', or a refusal code.
    outcome      text        NOT NULL DEFAULT '',
    PRIMARY KEY (broadcast_id, chat_id, message_id),
    FOREIGN KEY (broadcast_id, chat_id) REFERENCES deliveries (broadcast_id, chat_id) ON DELETE CASCADE ON UPDATE CASCADE
);

-- +goose Down
DROP TABLE delivery_messages;
ALTER TABLE deliveries DROP COLUMN reason_code;
DROP INDEX deliveries_broadcast_due_idx;
DROP INDEX broadcasts_sending_idx;
ALTER TABLE broadcasts DROP COLUMN scheduled_at, DROP COLUMN content, DROP COLUMN priority;
