/**
 * The spec's invariants, read back from PostgreSQL ("Inventory buckets", "Allocation"), as lists of
 * human-readable problems (empty = fine). Scoped to a set of SKUs and an order-id prefix so that many
 * runs can share one database.
 */
import type { Db } from '../../../db/connect';

export interface BucketRow {
  sku: string;
  location_id: string;
  has_row: boolean;
  on_hand: number;
  reserved: number;
  in_transit: number;
  returns_pending: number;
  damaged: number;
  l_on_hand: number;
  l_reserved: number;
  l_in_transit: number;
  l_returns_pending: number;
  l_damaged: number;
  reservations: number;
}

export interface LineRow {
  order_id: string;
  line_no: number;
  sku: string;
  qty: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  returned: number;
  reserved: number;
  status: string;
  held: boolean;
  channel: string;
}

export async function readBuckets(sql: Db, skus: readonly string[]): Promise<BucketRow[]> {
  return sql<BucketRow[]>`
    WITH keys AS (
      SELECT sku, location_id FROM inventory WHERE sku IN ${sql(skus as string[])}
      UNION SELECT sku, location_id FROM inventory_ledger WHERE sku IN ${sql(skus as string[])}
      UNION SELECT sku, location_id FROM reservations WHERE sku IN ${sql(skus as string[])}
    ), led AS (
      SELECT sku, location_id,
        coalesce(sum(delta) FILTER (WHERE bucket = 'onHand'), 0)::int AS on_hand,
        coalesce(sum(delta) FILTER (WHERE bucket = 'reserved'), 0)::int AS reserved,
        coalesce(sum(delta) FILTER (WHERE bucket = 'inTransit'), 0)::int AS in_transit,
        coalesce(sum(delta) FILTER (WHERE bucket = 'returnsPending'), 0)::int AS returns_pending,
        coalesce(sum(delta) FILTER (WHERE bucket = 'damaged'), 0)::int AS damaged
      FROM inventory_ledger WHERE sku IN ${sql(skus as string[])} GROUP BY 1, 2
    ), res AS (
      SELECT sku, location_id, sum(qty)::int AS qty FROM reservations WHERE sku IN ${sql(skus as string[])} GROUP BY 1, 2
    )
    SELECT k.sku, k.location_id, i.sku IS NOT NULL AS has_row,
      coalesce(i.on_hand, 0) AS on_hand, coalesce(i.reserved, 0) AS reserved, coalesce(i.in_transit, 0) AS in_transit,
      coalesce(i.returns_pending, 0) AS returns_pending, coalesce(i.damaged, 0) AS damaged,
      coalesce(led.on_hand, 0) AS l_on_hand, coalesce(led.reserved, 0) AS l_reserved, coalesce(led.in_transit, 0) AS l_in_transit,
      coalesce(led.returns_pending, 0) AS l_returns_pending, coalesce(led.damaged, 0) AS l_damaged,
      coalesce(res.qty, 0) AS reservations
    FROM keys k
    LEFT JOIN inventory i USING (sku, location_id)
    LEFT JOIN led USING (sku, location_id)
    LEFT JOIN res USING (sku, location_id)
    ORDER BY k.sku, k.location_id`;
}

export async function readLines(sql: Db, orderPrefix: string): Promise<LineRow[]> {
  return sql<LineRow[]>`
    SELECT l.order_id, l.line_no, l.sku, l.qty, l.backordered, l.shipped, l.cancelled, l.returned,
      coalesce((SELECT sum(r.qty) FROM reservations r WHERE r.order_id = l.order_id AND r.line_no = l.line_no), 0)::int AS reserved,
      o.status, o.held, o.channel
    FROM order_lines l JOIN orders o USING (order_id)
    WHERE l.order_id LIKE ${`${orderPrefix}%`}
    ORDER BY l.order_id, l.line_no`;
}

/** Per SKU × location: 0 ≤ reserved ≤ onHand, no bucket below 0, every bucket = its ledger sum, reserved = Σ reservations. */
export function bucketProblems(rows: readonly BucketRow[]): string[] {
  const out: string[] = [];
  for (const b of rows) {
    const at = `${b.sku}@${b.location_id}`;
    if (!b.has_row) out.push(`${at}: ledger or reservations exist but there is no inventory row`);
    for (const k of ['on_hand', 'reserved', 'in_transit', 'returns_pending', 'damaged'] as const) {
      if (b[k] < 0) out.push(`${at}: ${k} is ${b[k]} (< 0)`);
      const ledger = b[`l_${k}`];
      if (b[k] !== ledger) out.push(`${at}: ${k} ${b[k]} ≠ Σ ledger ${ledger}`);
    }
    if (b.reserved > b.on_hand) out.push(`${at}: reserved ${b.reserved} > on hand ${b.on_hand}`);
    if (b.reserved !== b.reservations) out.push(`${at}: reserved ${b.reserved} ≠ Σ reservations ${b.reservations}`);
  }
  return out;
}

/** Every ordered unit is exactly one of reserved, backordered, shipped, cancelled. */
export function lineProblems(rows: readonly LineRow[]): string[] {
  const out: string[] = [];
  for (const l of rows) {
    if (l.reserved + l.backordered + l.shipped + l.cancelled !== l.qty) {
      out.push(`${l.order_id} line ${l.line_no} (${l.sku}): ordered ${l.qty} ≠ reserved ${l.reserved} + backordered ${l.backordered} + shipped ${l.shipped} + cancelled ${l.cancelled}`);
    }
  }
  return out;
}

/** An order of a channel that does not allow splits is never reserved at two locations. */
export async function noSplitProblems(sql: Db, orderPrefix: string): Promise<string[]> {
  const rows = await sql`
    SELECT r.order_id, string_agg(DISTINCT r.location_id, ', ') AS locations
    FROM reservations r JOIN orders o USING (order_id) JOIN channels c ON c.channel = o.channel
    WHERE r.order_id LIKE ${`${orderPrefix}%`} AND NOT c.allow_split
    GROUP BY r.order_id HAVING count(DISTINCT r.location_id) > 1`;
  return rows.map((r) => `${r.order_id} (no-split channel) is reserved at several locations: ${r.locations}`);
}

/** Reservations only at locations that ship to customers, for the SKU of their line. */
export async function reservationProblems(sql: Db, orderPrefix: string): Promise<string[]> {
  const rows = await sql`
    SELECT r.order_id, r.line_no, r.location_id, r.sku, r.qty, l.sku AS line_sku, loc.ships_to_customers
    FROM reservations r
    LEFT JOIN order_lines l ON l.order_id = r.order_id AND l.line_no = r.line_no
    LEFT JOIN locations loc ON loc.location_id = r.location_id
    WHERE r.order_id LIKE ${`${orderPrefix}%`}
      AND (l.sku IS DISTINCT FROM r.sku OR NOT coalesce(loc.ships_to_customers, false))`;
  return rows.map((r) => `reservation ${r.order_id}/${r.line_no} of ${r.qty} ${r.sku} at ${r.location_id}: line sku ${r.line_sku}, location ships to customers: ${r.ships_to_customers}`);
}

export async function breachProblems(sql: Db, skus: readonly string[], orderPrefix: string): Promise<string[]> {
  const rows = await sql`
    SELECT subject, details FROM exceptions
    WHERE type = 'invariant_breach' AND (sku IN ${sql(skus as string[])} OR order_id LIKE ${`${orderPrefix}%`})
    ORDER BY opened_at`;
  return rows.map((r) => `invariant_breach exception ${r.subject}: ${JSON.stringify(r.details)}`);
}

/**
 * At rest (spec "Allocation"): no SKU has backordered units on a channel that allows splits while a
 * location that ships to customers has units of it available; and no order of a no-split channel
 * that shipped nothing yet waits while one such location (where it is partly reserved, if it is)
 * could fill all of its backordered lines.
 */
export async function atRestProblems(sql: Db, skus: readonly string[], orderPrefix: string): Promise<string[]> {
  const out: string[] = [];
  const avail = await sql<{ sku: string; location_id: string; available: number }[]>`
    SELECT i.sku, i.location_id, (i.on_hand - i.reserved)::int AS available
    FROM inventory i JOIN locations loc USING (location_id)
    WHERE loc.ships_to_customers AND i.sku IN ${sql(skus as string[])} AND i.on_hand > i.reserved
    ORDER BY 1, 2`;
  const back = await sql<{ order_id: string; allow_split: boolean; sku: string; backordered: number; shipped_any: boolean }[]>`
    SELECT l.order_id, c.allow_split, l.sku, sum(l.backordered)::int AS backordered,
      EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = l.order_id AND x.shipped > 0) AS shipped_any
    FROM order_lines l JOIN orders o USING (order_id) JOIN channels c ON c.channel = o.channel
    WHERE l.order_id LIKE ${`${orderPrefix}%`} AND l.backordered > 0 AND o.status <> 'cancelled'
    GROUP BY 1, 2, 3 ORDER BY 1, 3`;
  const availableAt = (sku: string) => avail.filter((a) => a.sku === sku);
  for (const b of back.filter((x) => x.allow_split)) {
    const a = availableAt(b.sku);
    if (a.length > 0) {
      out.push(`${b.order_id} (split channel) has ${b.backordered} ${b.sku} backordered while ${a.map((x) => `${x.location_id} has ${x.available}`).join(', ')} available`);
    }
  }
  const noSplit = new Map<string, { sku: string; backordered: number }[]>();
  // (Not for an order that shipped part already: where its rest may ship from, the spec does not say.)
  for (const b of back.filter((x) => !x.allow_split && !x.shipped_any)) noSplit.set(b.order_id, [...(noSplit.get(b.order_id) ?? []), b]);
  const reservedAt = noSplit.size
    ? await sql<{ order_id: string; location_id: string }[]>`SELECT DISTINCT order_id, location_id FROM reservations WHERE order_id IN ${sql([...noSplit.keys()])}`
    : [];
  for (const [orderId, lines] of noSplit) {
    // A no-split order partly reserved can only be completed where the rest of it is.
    const where = reservedAt.filter((r) => r.order_id === orderId).map((r) => r.location_id);
    const locations = where.length > 0 ? new Set(where) : new Set(avail.map((a) => a.location_id));
    for (const loc of locations) {
      const fills = lines.every((l) => (avail.find((a) => a.sku === l.sku && a.location_id === loc)?.available ?? 0) >= l.backordered);
      if (fills) out.push(`${orderId} (no-split channel) waits for ${lines.map((l) => `${l.backordered} ${l.sku}`).join(' + ')} although ${loc} could fill all of it`);
    }
  }
  return out;
}
