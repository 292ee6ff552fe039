import type { Db, Sql } from '../connect';
import { likePrefix } from './like-prefix';
import { readSnapshot } from './snapshot-read';
import type { LineQuantities } from '../../domain/orders/status';

export interface OrderHeadView {
  orderId: string;
  channel: string;
  status: string;
  payment: string;
  held: boolean;
  promisedShipBy: Date | null;
  createdAt: Date;
  shipTo: unknown;
}

export interface OrderLineView extends LineQuantities {
  lineNo: number;
  sku: string;
  allocations: { locationId: string; qty: number }[];
}

/** `invalid`: kept with its reason, never retried; `waiting`: for a prerequisite; `queued`: not tried yet. */
export type EventState = 'applied' | 'invalid' | 'waiting' | 'queued';

export type TimelineEntry =
  | { at: Date; kind: 'event'; type: string; source: string; id: string; seq: string; state: EventState; applyError?: string; deferReason?: string }
  | { at: Date; kind: 'exception'; type: string; status: string; severity: string; id: string };

export async function orderHead(sql: Db, orderId: string): Promise<OrderHeadView | undefined> {
  const [head] = await sql<OrderHeadView[]>`
    SELECT order_id AS "orderId", channel, status, payment, held, promised_ship_by AS "promisedShipBy",
           created_at AS "createdAt", ship_to AS "shipTo"
    FROM orders WHERE order_id = ${orderId}`;
  return head;
}

/** Each line's units by state, with where its reserved units are. */
export async function orderLines(sql: Db, orderId: string): Promise<OrderLineView[]> {
  return sql<OrderLineView[]>`
    SELECT l.line_no AS "lineNo", l.sku, l.qty AS ordered, coalesce(sum(r.qty), 0)::int AS reserved,
           l.backordered, l.shipped, l.cancelled, l.returned,
           coalesce(json_agg(json_build_object('locationId', r.location_id, 'qty', r.qty) ORDER BY r.location_id)
                      FILTER (WHERE r.location_id IS NOT NULL), '[]') AS allocations
    FROM order_lines l
    LEFT JOIN reservations r ON r.order_id = l.order_id AND r.line_no = l.line_no
    WHERE l.order_id = ${orderId}
    GROUP BY l.order_id, l.line_no
    ORDER BY l.line_no`;
}

/** Shipments with their lines, which only the shipping event holds. */
export async function orderShipments(sql: Db, orderId: string) {
  return sql<{ shipmentId: string; locationId: string; shippedAt: Date; units: number; lines: { sku: string; qty: number }[] }[]>`
    SELECT s.shipment_id AS "shipmentId", s.location_id AS "locationId", s.shipped_at AS "shippedAt", s.units, e.data->'lines' AS lines
    FROM shipments s JOIN events e ON e.seq = s.event_seq
    WHERE s.order_id = ${orderId}
    ORDER BY s.shipped_at, s.shipment_id`;
}

/**
 * The order's events (applied, waiting or invalid) and exceptions by time; at the same instant an
 * event comes before the exceptions it opened. `return.inspected` names no order: it is found
 * through its return.
 */
export async function orderTimeline(sql: Db, orderId: string): Promise<TimelineEntry[]> {
  const rows = await sql<{
    at: Date; kind: 'event' | 'exception'; type: string; source: string | null; id: string; seq: string | null;
    state: EventState | null; apply_error: string | null; defer_reason: string | null; status: string | null; severity: string | null;
  }[]>`
    WITH order_events AS (
      SELECT * FROM events WHERE data->>'orderId' = ${orderId}
      UNION ALL
      SELECT * FROM events WHERE seq IN (
        SELECT d.event_seq FROM return_dispositions d JOIN returns r ON r.return_id = d.return_id WHERE r.order_id = ${orderId})
    )
    SELECT at, kind, type, source, id, seq, state, apply_error, defer_reason, status, severity FROM (
      SELECT occurred_at AS at, 'event' AS kind, 0 AS rank, seq AS ord, type, source, event_id AS id, seq::text AS seq,
             CASE WHEN apply_error IS NOT NULL THEN 'invalid' WHEN applied_at IS NOT NULL THEN 'applied'
                  WHEN defer_reason IS NOT NULL THEN 'waiting' ELSE 'queued' END AS state, apply_error,
             CASE WHEN applied_at IS NULL THEN defer_reason END AS defer_reason, NULL::text AS status, NULL::text AS severity
      FROM order_events
      UNION ALL
      SELECT opened_at, 'exception', 1, 0, type, NULL, id::text, NULL, NULL, NULL, NULL, status, severity
      FROM exceptions WHERE order_id = ${orderId}
    ) t
    ORDER BY at, rank, ord, id`;
  return rows.map((r): TimelineEntry =>
    r.kind === 'event'
      ? {
          at: r.at, kind: 'event', type: r.type, source: r.source!, id: r.id, seq: r.seq!, state: r.state!,
          ...(r.apply_error ? { applyError: r.apply_error } : {}),
          ...(r.defer_reason ? { deferReason: r.defer_reason } : {}),
        }
      : { at: r.at, kind: 'exception', type: r.type, status: r.status!, severity: r.severity!, id: r.id },
  );
}

/**
 * One order as a supervisor sees it. An order whose events never applied (waiting for a
 * prerequisite, or invalid) has no row: it is still shown, with `status: null`, so that its
 * timeline says why. Null when nothing at all is known of it.
 */
export async function readOrder(sql: Sql, orderId: string) {
  return readSnapshot(sql, async (tx) => {
    const head = await orderHead(tx, orderId);
    const timeline = await orderTimeline(tx, orderId);
    if (!head && timeline.length === 0) return null;
    return {
      ...(head ?? { orderId, channel: null, status: null, payment: null, held: null, promisedShipBy: null, createdAt: null, shipTo: null }),
      lines: head ? await orderLines(tx, orderId) : [],
      shipments: head ? await orderShipments(tx, orderId) : [],
      timeline,
    };
  });
}

/** What the order search narrows to; every field is optional. */
export interface OrderSearch {
  /** The order id starts with this. */
  idPrefix?: string;
  /** The order has a line of this SKU. */
  sku?: string;
  channel?: string;
  statuses?: readonly string[];
}

/** The search's position: the last row's `created_at` (microseconds since the epoch, exact) and id. */
export interface OrderCursor {
  createdMicros: string;
  orderId: string;
}

export function encodeOrderCursor(c: OrderCursor): string {
  return Buffer.from(`${c.createdMicros}|${c.orderId}`).toString('base64url');
}

/** Null when the text is not a cursor this API made. */
export function decodeOrderCursor(text: string): OrderCursor | null {
  const m = /^(-?\d{1,20})\|([A-Za-z0-9._:-]{1,64})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  return m ? { createdMicros: m[1]!, orderId: m[2]! } : null;
}

export interface OrderSummary {
  orderId: string;
  channel: string;
  status: string;
  payment: string;
  held: boolean;
  createdAt: Date;
  promisedShipBy: Date | null;
  lines: number;
  units: number;
  value: number;
  backordered: number;
  shipped: number;
}

/**
 * Orders newest first (by `created_at`, then id, both descending), `limit` after `cursor`. The page is
 * chosen first and only its lines are summed, so a page costs the same however many orders match.
 */
export async function searchOrders(sql: Db, s: OrderSearch, limit: number, cursor?: OrderCursor | null) {
  const rows = await sql<(OrderSummary & { created_micros: string })[]>`
    WITH page AS (
      SELECT o.order_id, o.channel, o.status, o.payment, o.held, o.created_at, o.promised_ship_by, o.units, o.value,
             (extract(epoch from o.created_at) * 1000000)::bigint AS created_micros
      FROM orders o
      WHERE true
        ${s.idPrefix ? sql`AND o.order_id LIKE ${likePrefix(s.idPrefix)}` : sql``}
        ${s.channel ? sql`AND o.channel = ${s.channel}` : sql``}
        ${s.statuses?.length ? sql`AND o.status IN ${sql(s.statuses as string[])}` : sql``}
        ${s.sku ? sql`AND o.order_id IN (SELECT l.order_id FROM order_lines l WHERE l.sku = ${s.sku})` : sql``}
        ${cursor
          ? sql`AND (o.created_at, o.order_id) < (timestamptz 'epoch' + ${cursor.createdMicros}::bigint * interval '1 microsecond', ${cursor.orderId})`
          : sql``}
      ORDER BY o.created_at DESC, o.order_id DESC
      LIMIT ${limit + 1}
    )
    SELECT p.order_id AS "orderId", p.channel, p.status, p.payment, p.held, p.created_at AS "createdAt",
           p.promised_ship_by AS "promisedShipBy", p.units, p.value::float8 AS value, p.created_micros,
           t.lines, t.backordered, t.shipped
    FROM page p
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS lines, coalesce(sum(l.backordered), 0)::int AS backordered, coalesce(sum(l.shipped), 0)::int AS shipped
      FROM order_lines l WHERE l.order_id = p.order_id
    ) t
    ORDER BY p.created_at DESC, p.order_id DESC`;
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map(({ created_micros: _, ...order }) => order),
    nextCursor: more && last ? encodeOrderCursor({ createdMicros: String(last.created_micros), orderId: last.orderId }) : null,
  };
}
