-- The inbox: every accepted event, durable before the ingest API answers 202.
CREATE TABLE events (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source       text        NOT NULL,
  event_id     text        NOT NULL,
  type         text        NOT NULL,
  occurred_at  timestamptz NOT NULL,
  data         jsonb       NOT NULL,
  accepted_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  api_key_id   uuid,
  applied_at   timestamptz,
  batch_id     bigint,
  apply_error  text,
  CONSTRAINT events_idempotency UNIQUE (source, event_id)
);
-- The sweeper and the workers look for what is durable but not applied yet.
CREATE INDEX events_unapplied ON events (seq) WHERE applied_at IS NULL;
CREATE INDEX events_applied_at ON events (applied_at) WHERE applied_at IS NOT NULL;
CREATE INDEX events_batch ON events (batch_id);

-- One row per worker transaction; `aggregated` flips once its deltas reached Redis.
CREATE TABLE apply_batches (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  event_count  integer     NOT NULL,
  aggregated   boolean     NOT NULL DEFAULT false
);
CREATE INDEX apply_batches_pending ON apply_batches (id) WHERE NOT aggregated;

-- Master data.
CREATE TABLE items (
  sku           text PRIMARY KEY,
  name          text          NOT NULL,
  unit_cost     numeric(14,2) NOT NULL,
  unit_price    numeric(14,2) NOT NULL,
  safety_stock  integer       NOT NULL DEFAULT 0,
  updated_at    timestamptz   NOT NULL,
  event_seq     bigint        NOT NULL REFERENCES events (seq)
);

CREATE TABLE locations (
  location_id        text PRIMARY KEY,
  name               text        NOT NULL,
  kind               text        NOT NULL CHECK (kind IN ('dc', 'store', '3pl')),
  region             text        NOT NULL,
  ships_to_customers boolean     NOT NULL,
  priority           integer     NOT NULL,
  updated_at         timestamptz NOT NULL,
  event_seq          bigint      NOT NULL REFERENCES events (seq)
);

CREATE TABLE channels (
  channel          text PRIMARY KEY,
  name             text         NOT NULL,
  kind             text         NOT NULL CHECK (kind IN ('webstore', 'marketplace', 'edi', 'pos', 'phone')),
  priority         integer      NOT NULL,
  allocation_share numeric(5,4) NOT NULL DEFAULT 1,
  allow_split      boolean      NOT NULL,
  sla_hours        numeric(8,2) NOT NULL,
  updated_at       timestamptz  NOT NULL,
  event_seq        bigint       NOT NULL REFERENCES events (seq)
);

-- Orders: the header and lines as ordered. Reservation and fulfilment state arrive with the truth model.
CREATE TABLE orders (
  order_id          text PRIMARY KEY,
  channel           text          NOT NULL,
  status            text          NOT NULL,
  payment           text          NOT NULL,
  fraud_score       numeric(4,3),
  ship_to           jsonb         NOT NULL,
  promised_ship_by  timestamptz,
  created_at        timestamptz   NOT NULL,
  units             integer       NOT NULL,
  value             numeric       NOT NULL,
  event_seq         bigint        NOT NULL REFERENCES events (seq)
);
CREATE INDEX orders_created_at ON orders (created_at);

CREATE TABLE order_lines (
  order_id    text          NOT NULL REFERENCES orders (order_id),
  line_no     integer       NOT NULL,
  sku         text          NOT NULL,
  qty         integer       NOT NULL CHECK (qty > 0),
  unit_price  numeric(14,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- People and machines that may use the tower.
CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email          text        NOT NULL,
  password_hash  text        NOT NULL,
  role           text        NOT NULL CHECK (role IN ('viewer', 'operator', 'supervisor', 'admin')),
  disabled       boolean     NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text        NOT NULL,
  sources      text[]      NOT NULL,
  key_hash     text        NOT NULL UNIQUE,
  key_prefix   text        NOT NULL,
  created_by   uuid REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- Every state-changing request: who, what, when.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_kind  text        NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system')),
  actor_id    text,
  actor_label text,
  action      text        NOT NULL,
  target_kind text,
  target_id   text,
  details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  ip          text
);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);
