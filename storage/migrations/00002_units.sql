-- +goose Up

-- A unit people belong to and bulletins are addressed to: the city, a
-- department, a ward, a militia platoon. Units form a tree through parent_id;
-- what is sent to a unit reaches the units below it too. They come from a
-- YAML file (loa import units) and are never deleted by it: a unit that
-- vanished from the file may still have members, subscriptions and history.
CREATE TABLE units (
    id          bigserial PRIMARY KEY,
    code        text        NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    name        text        NOT NULL CHECK (name <> ''),
    kind        text        NOT NULL CHECK (kind <> ''),
    -- public: anyone may follow it; restricted: members only.
    visibility  text        NOT NULL CHECK (visibility IN ('public', 'restricted')),
    parent_id   bigint      REFERENCES units (id) ON DELETE RESTRICT,
    -- Order in the file, for display; not unique (a unit missing from the
    -- file keeps its old position).
    position    int         NOT NULL,
    -- name lower-cased, without diacritics (đ → d), spaces collapsed: what
    -- a search typed on a phone without Vietnamese keyboard is matched with.
    name_folded text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id <> id)
);

-- Walking the tree downwards (ChatsReached) follows parent_id.
CREATE INDEX units_parent_id_idx ON units (parent_id);

-- A person's place in a unit. An officer acts for the unit and every unit
-- below it; a member only receives. The bot-wide admin role is users.role.
CREATE TABLE memberships (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit_id    bigint      NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    role       text        NOT NULL CHECK (role IN ('member', 'officer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint, -- the user who granted it, NULL when unknown
    PRIMARY KEY (user_id, unit_id)
);

CREATE INDEX memberships_unit_id_idx ON memberships (unit_id);

-- A chat that follows a unit: it receives what is sent to the unit or to any
-- unit above it. Moved with the chat by MigrateChat (chatRefs).
CREATE TABLE subscriptions (
    chat_id    bigint      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    unit_id    bigint      NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    PRIMARY KEY (chat_id, unit_id)
);

-- Fan-out goes from units to chats.
CREATE INDEX subscriptions_unit_id_idx ON subscriptions (unit_id);

-- An invitation into a unit, redeemed through a deep link
-- (t.me/<bot>?start=<code>): code is random (128 bits) and fits Telegram's
-- payload of at most 64 characters of A-Za-z0-9_-.
CREATE TABLE invites (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{22,64}$'),
    unit_id    bigint      NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    role       text        NOT NULL CHECK (role IN ('member', 'officer')),
    max_uses   int         NOT NULL CHECK (max_uses > 0),
    uses       int         NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_by bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX invites_unit_id_idx ON invites (unit_id);

-- A person asking to join a restricted unit, until an officer or an admin
-- decides. Decided requests stay as history.
CREATE TABLE join_requests (
    id         bigserial PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit_id    bigint      NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    status     text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_by bigint,
    decided_at timestamptz,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);

-- At most one open request per person and unit: asking twice finds the first.
CREATE UNIQUE INDEX join_requests_pending_idx ON join_requests (user_id, unit_id) WHERE status = 'pending';
CREATE INDEX join_requests_unit_pending_idx ON join_requests (unit_id) WHERE status = 'pending';

-- Who changed whose rights, membership or subscriptions, and when. No
-- foreign keys: the log outlives what it talks about.
CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        bigint      NOT NULL, -- 0 = the system (an import)
    action          text        NOT NULL,
    subject_user_id bigint,
    unit_id         bigint,
    chat_id         bigint,
    detail          text        NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE join_requests;
DROP TABLE invites;
DROP TABLE subscriptions;
DROP TABLE memberships;
DROP TABLE units;
