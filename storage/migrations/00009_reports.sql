-- +goose Up

-- Reports from the field (issue 13): members tell their unit what people
-- say, officers take, escalate and close them.
--
-- A report is a case: the first person's message and every later one about
-- the same link in the same unit (report_entries), so that officers see how
-- far a post has spread. unit_id is where the case is now (it moves up when
-- escalated); origin_unit_id where it was sent; report_units every unit it
-- passed through, whose officers may see who reported.
CREATE TABLE reports (
    id             bigserial PRIMARY KEY,
    kind           text        NOT NULL CHECK (kind IN ('opinion', 'false', 'model', 'border', 'other')),
    origin_unit_id bigint      NOT NULL REFERENCES units (id),
    unit_id        bigint      NOT NULL REFERENCES units (id),
    state          text        NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'taken', 'escalated', 'handled')),
    -- the normalised link of false or hostile content ('' for none): the
    -- key that makes several people's reports one case.
    link           text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
-- One open case per link and unit: a second report of the link joins it.
-- A handled case is closed; the link reported again opens a new one.
CREATE UNIQUE INDEX reports_open_link_idx ON reports (origin_unit_id, link) WHERE link <> '' AND state <> 'handled';
CREATE INDEX reports_unit_idx ON reports (unit_id, state);
CREATE INDEX reports_created_idx ON reports (created_at);

-- What each reporter sent: the text (Telegram HTML), media by file_id, a
-- location, the origin of a forwarded message (as data, never Telegram JSON).
CREATE TABLE report_entries (
    id         bigserial PRIMARY KEY,
    report_id  bigint      NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    user_id    bigint      NOT NULL REFERENCES users (id),
    text       text        NOT NULL DEFAULT '',
    content    jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL
);
CREATE INDEX report_entries_report_idx ON report_entries (report_id);

CREATE TABLE report_units (
    report_id bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    unit_id   bigint NOT NULL REFERENCES units (id),
    PRIMARY KEY (report_id, unit_id)
);

-- Every change of a case, in order: created, joined, taken, escalated,
-- handled; who did it (NULL for a reporter's own join is never needed:
-- actor is always a person) and their note.
CREATE TABLE report_history (
    id        bigserial PRIMARY KEY,
    report_id bigint      NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    actor_id  bigint      NOT NULL,
    action    text        NOT NULL CHECK (action IN ('created', 'joined', 'taken', 'escalated', 'handled')),
    unit_id   bigint      NOT NULL REFERENCES units (id),
    note      text        NOT NULL DEFAULT ''
);
CREATE INDEX report_history_report_idx ON report_history (report_id, id);

-- A report being written: stored so that a restart between the person's
-- message and their choice of kind and unit loses nothing. One per person
-- (a new /baocao replaces an unfinished one); expires_at bounds how long a
-- forgotten one lingers.
CREATE TABLE report_drafts (
    id         bigserial PRIMARY KEY,
    user_id    bigint      NOT NULL UNIQUE REFERENCES users (id),
    chat_id    bigint      NOT NULL,
    text       text        NOT NULL DEFAULT '',
    content    jsonb       NOT NULL DEFAULT '{}',
    kind       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

-- An officer's note being awaited: after "Chuyển lên" or "Đã xử lý" the
-- officer's next message in the private chat is the note. One per officer.
CREATE TABLE report_pending_notes (
    user_id    bigint      PRIMARY KEY REFERENCES users (id),
    report_id  bigint      NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    action     text        NOT NULL CHECK (action IN ('escalated', 'handled')),
    expires_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE report_pending_notes;
DROP TABLE report_drafts;
DROP TABLE report_history;
DROP TABLE report_units;
DROP TABLE report_entries;
DROP TABLE reports;
