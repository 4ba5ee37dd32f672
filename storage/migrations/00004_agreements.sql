-- +goose Up

-- A coordination program signed by units (the Propaganda Department and the
-- City Military Command), with the period it runs. It comes from a YAML plan
-- (loa import plan) and is matched by code on the next import.
CREATE TABLE agreements (
    id         bigserial PRIMARY KEY,
    code       text        NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    title      text        NOT NULL CHECK (title <> ''),
    signed_on  date        NOT NULL,
    starts_on  date        NOT NULL,
    ends_on    date        NOT NULL,
    -- the signing units, in the order of the file
    signer_ids bigint[]    NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_on <= ends_on)
);

-- One item of an agreement. Its occurrences are computed from recurrence
-- (package agreements) between starts_on and ends_on; only their status is
-- stored (task_occurrences), so changing a recurrence never leaves stale
-- rows behind. The id is what people type: /task 12.
CREATE TABLE tasks (
    id           bigserial PRIMARY KEY,
    agreement_id bigint      NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    key          text        NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,59}$'),
    title        text        NOT NULL CHECK (title <> ''),
    short_title  text        NOT NULL CHECK (short_title <> ''),
    description  text        NOT NULL DEFAULT '',
    lead_unit_id bigint      NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    -- supporting units, in the order of the file; no foreign key on array
    -- elements, the import checks them and units are never deleted.
    support_ids  bigint[]    NOT NULL DEFAULT '{}',
    -- canonical form written by agreements.Recurrence.String:
    -- "once 2021-12-30", "monthly 25", "quarterly 20", "yearly 12-22",
    -- "dates 2022-04-15 2022-10-15".
    recurrence   text        NOT NULL CHECK (recurrence <> ''),
    starts_on    date        NOT NULL,
    ends_on      date        NOT NULL,
    position     int         NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agreement_id, key),
    CHECK (starts_on <= ends_on)
);

-- The status of one occurrence of a task (the task due on due_on). No row
-- means not started. Overdue is never stored: it is a not-done occurrence
-- whose date has passed.
CREATE TABLE task_occurrences (
    task_id    bigint      NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    due_on     date        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done')),
    percent    int         NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint      NOT NULL,
    PRIMARY KEY (task_id, due_on)
);

-- Every report on an occurrence: who, when, what, the percentage and note.
CREATE TABLE task_updates (
    id       bigserial PRIMARY KEY,
    task_id  bigint      NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    due_on   date        NOT NULL,
    user_id  bigint      NOT NULL,
    at       timestamptz NOT NULL,
    action   text        NOT NULL CHECK (action IN ('done', 'progress', 'reopen')),
    percent  int         CHECK (percent BETWEEN 0 AND 100),
    note     text        NOT NULL DEFAULT ''
);

CREATE INDEX task_updates_task_idx ON task_updates (task_id, id);

-- A reminder handed to the delivery engine: one row per task occurrence,
-- kind and day, so a reminder is never sent twice, whatever restarts or
-- processes there are.
CREATE TABLE task_reminders (
    task_id      bigint      NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    due_on       date        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('week', 'tomorrow', 'today', 'overdue')),
    day          date        NOT NULL,
    broadcast_id bigint      NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, due_on, kind, day)
);

-- The Monday digest of one unit, once per unit and week (week_of is the
-- Monday).
CREATE TABLE unit_digests (
    unit_id      bigint      NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    week_of      date        NOT NULL,
    broadcast_id bigint      NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, week_of)
);

-- The last day the reminder scheduler completed: the next run knows from it
-- whether days were missed (one catch-up, not one per missed day).
CREATE TABLE reminder_runs (
    id       int  PRIMARY KEY CHECK (id = 1),
    last_day date NOT NULL
);

-- +goose Down
DROP TABLE reminder_runs;
DROP TABLE unit_digests;
DROP TABLE task_reminders;
DROP TABLE task_updates;
DROP TABLE task_occurrences;
DROP TABLE tasks;
DROP TABLE agreements;
