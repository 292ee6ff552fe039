-- The time-driven exception rules (docs/exception-rules.md): how often each source sends, and the
-- indexes that keep the rules' set-based queries fast however many orders and returns there are.

-- Events per source per minute, one upsert per ingest request. A source's cadence is learned from
-- its last 24 h; the rules prune rows older than 48 h, except each source's newest (its last-seen time).
CREATE TABLE source_activity (
  source   text        NOT NULL,
  minute   timestamptz NOT NULL,
  events   integer     NOT NULL CHECK (events > 0),
  -- The latest arrival within the minute: silence is measured from it.
  last_at  timestamptz NOT NULL,
  PRIMARY KEY (source, minute)
);

-- "Never twice for one subject": resolved rows count too, which the partial unique index leaves out.
CREATE INDEX exceptions_type_subject ON exceptions (type, subject);

-- Orders that can still miss their promise: `awaitingShipment` in domain/exceptions/time-rules.ts
-- (a test checks that the two lists agree).
CREATE INDEX orders_awaiting_shipment ON orders (promised_ship_by)
  WHERE status IN ('on_hold', 'allocated', 'backordered', 'partially_allocated', 'picking', 'partially_shipped');

-- Whether a return still holds units nobody inspected: per SKU, more received than inspected.
CREATE FUNCTION return_awaits_inspection(lines jsonb, inspected jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM jsonb_array_elements(lines) AS l
    GROUP BY l->>'sku'
    HAVING sum((l->>'qty')::integer) > coalesce((inspected->>(l->>'sku'))::integer, 0))
$$;
CREATE INDEX returns_awaiting_inspection ON returns (received_at) WHERE return_awaits_inspection(lines, inspected);
