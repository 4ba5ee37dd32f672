-- +goose Up

-- Bulletins with files, albums and answers (issue 11, second part).

-- A bulletin may be only a file: its text is then empty.
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_text_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_text_check CHECK (text <> '' OR jsonb_typeof(content -> 'media') = 'array');

-- The parts of the albums people send the bot. Telegram delivers an album
-- as one message per item sharing media_group_id, and a reply names only
-- one of them: "/broadcast" in reply to an album finds the others here.
-- Kept a day (pruned as parts arrive); only file ids, never files.
CREATE TABLE album_parts (
    chat_id        bigint      NOT NULL,
    media_group_id text        NOT NULL,
    message_id     int         NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('photo', 'document', 'video', 'audio')),
    file_id        text        NOT NULL CHECK (file_id <> ''),
    caption        text        NOT NULL DEFAULT '', -- Telegram HTML
    received_at    timestamptz NOT NULL,
    PRIMARY KEY (chat_id, media_group_id, message_id)
);
CREATE INDEX album_parts_received_idx ON album_parts (received_at);

-- +goose Down
DROP TABLE album_parts;
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_text_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_text_check CHECK (text <> '');
