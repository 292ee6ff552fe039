-- KPIs (docs/kpis.md): what the worker records so that every KPI has an exact answer, the live facts a
-- batch sends to Redis (so a lost Redis step can be finished), and the indexes of the KPI queries.

-- An order's first shipment (earliest occurredAt; on a tie the one applied first): where from and how
-- many units. The last shipment's location, and when the order's last unit shipped (set once, when
-- every unit not cancelled has shipped: the latest shipment's occurredAt). Units ever backordered.
ALTER TABLE orders
  ADD COLUMN first_ship_location text,
  ADD COLUMN first_ship_units    integer,
  ADD COLUMN last_ship_location  text,
  ADD COLUMN fully_shipped_at    timestamptz,
  ADD COLUMN backordered_ever    integer NOT NULL DEFAULT 0 CHECK (backordered_ever >= 0);

-- Units of the line that ever went to backorder: grows with each backorder, never beyond the line's qty
-- (a unit backordered again after a short pick is not a new ordered unit).
ALTER TABLE order_lines
  ADD COLUMN backordered_ever integer NOT NULL DEFAULT 0 CHECK (backordered_ever >= 0 AND backordered_ever <= qty);

-- A return belongs to its order's channel; it is resolved when its last received unit is inspected
-- (then: the latest inspection's occurredAt).
ALTER TABLE returns
  ADD COLUMN channel     text,
  ADD COLUMN resolved_at timestamptz;

-- max(0, listedQty − ats) of the latest listing, kept current by the worker in the transaction that
-- changes stock, a listing, safety stock, a channel's share or a location: oversell exposure "now".
ALTER TABLE channel_listings ADD COLUMN exposure integer NOT NULL DEFAULT 0 CHECK (exposure >= 0);

-- A batch's KPI facts, as sent to Redis; cleared once they are there.
ALTER TABLE apply_batches ADD COLUMN live_facts json;

-- What the tower knew before this migration, recorded the same way.
UPDATE orders o SET first_ship_location = s.location_id, first_ship_units = s.units
FROM (SELECT DISTINCT ON (order_id) order_id, location_id, units FROM shipments ORDER BY order_id, shipped_at, event_seq) s
WHERE s.order_id = o.order_id;
UPDATE orders o SET last_ship_location = s.location_id
FROM (SELECT DISTINCT ON (order_id) order_id, location_id FROM shipments ORDER BY order_id, shipped_at DESC, event_seq DESC) s
WHERE s.order_id = o.order_id;
UPDATE orders o SET fully_shipped_at = o.last_shipped_at
WHERE o.last_shipped_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.order_id AND l.shipped + l.cancelled < l.qty);
-- Earlier backorders that were since reserved left no trace: what is backordered now is a lower bound.
UPDATE order_lines SET backordered_ever = backordered WHERE backordered > 0;
UPDATE orders o SET backordered_ever = l.units
FROM (SELECT order_id, sum(backordered_ever)::int AS units FROM order_lines WHERE backordered_ever > 0 GROUP BY order_id) l
WHERE l.order_id = o.order_id;
UPDATE returns r SET channel = o.channel FROM orders o WHERE o.order_id = r.order_id;
UPDATE returns r SET resolved_at = d.at
FROM (SELECT return_id, max(inspected_at) AS at FROM return_dispositions GROUP BY return_id) d
WHERE d.return_id = r.return_id AND NOT return_awaits_inspection(r.lines, r.inspected);
-- The ATS formula of domain/inventory/ats.ts (available never below 0 per location; floor of the share).
UPDATE channel_listings cl SET exposure = greatest(0, cl.listed_qty - floor(greatest(0, coalesce((
    SELECT sum(greatest(0, i.on_hand - i.reserved)) FROM inventory i
    JOIN locations l ON l.location_id = i.location_id AND l.ships_to_customers
    WHERE i.sku = cl.sku), 0) - it.safety_stock) * least(1, greatest(0, c.allocation_share))))::int
FROM channels c, items it
WHERE c.channel = cl.channel AND it.sku = cl.sku;

-- The windows of the exact queries, each on the time its KPI is measured at.
CREATE INDEX orders_first_shipped ON orders (first_shipped_at) WHERE first_shipped_at IS NOT NULL;
CREATE INDEX orders_fully_shipped ON orders (fully_shipped_at) WHERE fully_shipped_at IS NOT NULL;
CREATE INDEX stock_counts_counted_at ON stock_counts (counted_at);
CREATE INDEX returns_resolved ON returns (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX return_dispositions_inspected ON return_dispositions (inspected_at);
-- The worker refreshes the exposure of the SKUs a batch touched; "now" sums the listings exposed.
CREATE INDEX channel_listings_sku ON channel_listings (sku);
CREATE INDEX channel_listings_exposed ON channel_listings (channel) INCLUDE (exposure) WHERE exposure > 0;
