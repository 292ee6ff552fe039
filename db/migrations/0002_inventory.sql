-- The truth model: buckets per SKU × location, changed only through the append-only ledger.
CREATE TABLE inventory (
  sku              text    NOT NULL,
  location_id      text    NOT NULL,
  on_hand          integer NOT NULL DEFAULT 0,
  reserved         integer NOT NULL DEFAULT 0,
  in_transit       integer NOT NULL DEFAULT 0,
  returns_pending  integer NOT NULL DEFAULT 0,
  damaged          integer NOT NULL DEFAULT 0,
  PRIMARY KEY (sku, location_id)
);

CREATE TABLE inventory_ledger (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_seq    bigint      NOT NULL REFERENCES events (seq),
  sku          text        NOT NULL,
  location_id  text        NOT NULL,
  bucket       text        NOT NULL CHECK (bucket IN ('onHand', 'reserved', 'inTransit', 'returnsPending', 'damaged')),
  delta        integer     NOT NULL CHECK (delta <> 0),
  reason       text        NOT NULL,
  order_id     text,
  recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX inventory_ledger_sku_location ON inventory_ledger (sku, location_id, id);
CREATE INDEX inventory_ledger_event ON inventory_ledger (event_seq);

-- What is reserved where, per order line.
CREATE TABLE reservations (
  order_id     text    NOT NULL,
  line_no      integer NOT NULL,
  location_id  text    NOT NULL,
  sku          text    NOT NULL,
  qty          integer NOT NULL CHECK (qty > 0),
  PRIMARY KEY (order_id, line_no, location_id)
);
CREATE INDEX reservations_sku ON reservations (sku, location_id);

ALTER TABLE order_lines
  ADD COLUMN backordered integer NOT NULL DEFAULT 0 CHECK (backordered >= 0),
  ADD COLUMN shipped     integer NOT NULL DEFAULT 0 CHECK (shipped >= 0),
  ADD COLUMN cancelled   integer NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
  ADD COLUMN returned    integer NOT NULL DEFAULT 0 CHECK (returned >= 0);
CREATE INDEX order_lines_backordered ON order_lines (sku) WHERE backordered > 0;

ALTER TABLE orders
  ADD COLUMN held       boolean NOT NULL DEFAULT false,
  ADD COLUMN picking    boolean NOT NULL DEFAULT false,
  ADD COLUMN delivered  boolean NOT NULL DEFAULT false,
  ADD COLUMN first_shipped_at timestamptz,
  ADD COLUMN last_shipped_at  timestamptz,
  ADD COLUMN updated_at timestamptz;

CREATE TABLE shipments (
  order_id     text        NOT NULL,
  shipment_id  text        NOT NULL,
  location_id  text        NOT NULL,
  shipped_at   timestamptz NOT NULL,
  units        integer     NOT NULL,
  event_seq    bigint      NOT NULL REFERENCES events (seq),
  PRIMARY KEY (order_id, shipment_id)
);

CREATE TABLE transfers (
  transfer_id       text PRIMARY KEY,
  from_location_id  text        NOT NULL,
  to_location_id    text        NOT NULL,
  shipped_at        timestamptz NOT NULL,
  lines             jsonb       NOT NULL,
  received          jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE returns (
  return_id     text PRIMARY KEY,
  order_id      text        NOT NULL,
  location_id   text        NOT NULL,
  received_at   timestamptz NOT NULL,
  lines         jsonb       NOT NULL,
  inspected     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  inspected_at  timestamptz
);

CREATE TABLE return_dispositions (
  event_seq    bigint      NOT NULL REFERENCES events (seq),
  return_id    text        NOT NULL,
  sku          text        NOT NULL,
  qty          integer     NOT NULL,
  disposition  text        NOT NULL CHECK (disposition IN ('restock', 'refurbish', 'liquidate', 'write_off')),
  unit_cost    numeric(14,2) NOT NULL,
  inspected_at timestamptz NOT NULL
);

CREATE TABLE refunds (
  event_seq  bigint PRIMARY KEY REFERENCES events (seq),
  order_id   text          NOT NULL,
  return_id  text,
  amount     numeric(14,2) NOT NULL,
  issued_at  timestamptz   NOT NULL
);

-- The latest listing per channel × SKU, from channel.stock_snapshot.
CREATE TABLE channel_listings (
  channel     text        NOT NULL,
  sku         text        NOT NULL,
  listed_qty  integer     NOT NULL,
  listed_at   timestamptz NOT NULL,
  event_seq   bigint      NOT NULL REFERENCES events (seq),
  PRIMARY KEY (channel, sku)
);

-- Stock counts, within or beyond tolerance (a discrepancy waits for a supervisor).
CREATE TABLE stock_counts (
  event_seq    bigint PRIMARY KEY REFERENCES events (seq),
  sku          text        NOT NULL,
  location_id  text        NOT NULL,
  counted_qty  integer     NOT NULL,
  book_qty     integer     NOT NULL,
  within_tolerance boolean NOT NULL,
  counted_at   timestamptz NOT NULL
);

-- One queue, many types; at most one open exception per type and subject.
CREATE TABLE exceptions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type          text        NOT NULL,
  severity      text        NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'escalated', 'resolved')),
  subject       text        NOT NULL,
  order_id      text,
  sku           text,
  location_id   text,
  channel       text,
  event_seq     bigint,
  details       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  occurrences   integer     NOT NULL DEFAULT 1,
  opened_at     timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  due_at        timestamptz NOT NULL,
  assignee      text,
  resolution_code text,
  resolution_note text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX exceptions_one_open ON exceptions (type, subject) WHERE status <> 'resolved';
CREATE INDEX exceptions_queue ON exceptions (status, due_at);

-- Out-of-order arrival: an event waiting for its prerequisite (first deferral time and why).
ALTER TABLE events
  ADD COLUMN deferred_at   timestamptz,
  ADD COLUMN defer_reason  text;

-- An order's timeline reads every event that names it, applied or still waiting.
CREATE INDEX events_order_id ON events ((data->>'orderId'));
CREATE INDEX exceptions_order ON exceptions (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX returns_order ON returns (order_id);
CREATE INDEX return_dispositions_return ON return_dispositions (return_id);
