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

-- Answers to a bulletin that asks for them ("Đã nhận", or up to four of
-- the author's own): one row per person, changed in place. The answer is
-- the index into broadcasts.content -> 'answers'; changes counts how often
-- the person changed their mind.
CREATE TABLE bulletin_answers (
    broadcast_id bigint      NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id      bigint      NOT NULL,
    answer       smallint    NOT NULL CHECK (answer BETWEEN 0 AND 3),
    changes      int         NOT NULL DEFAULT 0,
    chat_id      bigint      NOT NULL, -- where the button was pressed
    answered_at  timestamptz NOT NULL,
    PRIMARY KEY (broadcast_id, user_id)
);

-- "Nhắc lại" reaches each person once: the row is claimed before sending.
-- message_id is the reminder in the person's private chat, whose answer
-- buttons count like those under a copy.
CREATE TABLE bulletin_reminders (
    broadcast_id bigint      NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id      bigint      NOT NULL,
    sent_at      timestamptz NOT NULL,
    message_id   int         NOT NULL DEFAULT 0,
    PRIMARY KEY (broadcast_id, user_id)
);

-- The author's status message shows the answers, edited at most every few
-- seconds however fast people press: a press stamps answers_changed_at,
-- the status loop shows the board and stamps answers_shown_at with the
-- time it read. auto_reminded_at: the automatic reminder went (once).
ALTER TABLE broadcasts
    ADD COLUMN answers_changed_at timestamptz,
    ADD COLUMN answers_shown_at   timestamptz,
    ADD COLUMN auto_reminded_at   timestamptz;
CREATE INDEX broadcasts_answers_dirty_idx ON broadcasts (id)
    WHERE answers_changed_at IS NOT NULL AND (answers_shown_at IS NULL OR answers_shown_at < answers_changed_at);

-- +goose Down
ALTER TABLE broadcasts DROP COLUMN answers_changed_at, DROP COLUMN answers_shown_at, DROP COLUMN auto_reminded_at;
DROP TABLE bulletin_reminders;
DROP TABLE bulletin_answers;
DROP TABLE album_parts;
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_text_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_text_check CHECK (text <> '');
