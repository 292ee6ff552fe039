import type { Db } from '../../db/connect';
import { deriveStatus, canTransition, type OrderStatus } from '../../domain/orders/status';
import { releaseMoves, reserveMoves } from '../../domain/inventory/buckets';
import type { Reservation } from '../../domain/inventory/allocation';
import { InvalidEventError, move, type BatchContext, type Row } from './context';

export interface OrderLine {
  line_no: number;
  sku: string;
  qty: number;
  unit_price: string;
  backordered: number;
  shipped: number;
  cancelled: number;
  returned: number;
  reserved: number;
}

export interface OrderHead {
  order_id: string;
  channel: string;
  status: OrderStatus;
  payment: string;
  held: boolean;
  picking: boolean;
  delivered: boolean;
  created_at: Date;
  ship_to: { region: string };
  promised_ship_by: Date | null;
  /** Units ordered (Σ line qty). */
  units: number;
  first_shipped_at: Date | null;
  first_ship_location: string | null;
  first_ship_units: number | null;
  last_shipped_at: Date | null;
  last_ship_location: string | null;
  fully_shipped_at: Date | null;
}

export async function loadOrder(sql: Db, orderId: string): Promise<{ head: OrderHead; lines: OrderLine[] } | null> {
  const [head] = await sql<OrderHead[]>`SELECT * FROM orders WHERE order_id = ${orderId} FOR UPDATE`;
  if (!head) return null;
  const lines = await sql<OrderLine[]>`
    SELECT l.line_no, l.sku, l.qty, l.unit_price, l.backordered, l.shipped, l.cancelled, l.returned,
           coalesce((SELECT sum(r.qty) FROM reservations r WHERE r.order_id = l.order_id AND r.line_no = l.line_no), 0)::int AS reserved
    FROM order_lines l WHERE l.order_id = ${orderId} ORDER BY l.line_no`;
  return { head, lines };
}

export async function reservationsOf(sql: Db, orderId: string) {
  return sql<{ line_no: number; location_id: string; sku: string; qty: number }[]>`
    SELECT line_no, location_id, sku, qty FROM reservations WHERE order_id = ${orderId} ORDER BY line_no, location_id`;
}

/** Reserves units for an order: a ledger movement per location, a reservation row per line × location. */
export async function reserve(ctx: BatchContext, row: Row, orderId: string, reservations: readonly Reservation[]): Promise<void> {
  const merged = new Map<string, { order_id: string; line_no: number; location_id: string; sku: string; qty: number }>();
  for (const r of reservations) {
    if (r.qty <= 0) continue;
    await move(ctx, row, { sku: r.sku, locationId: r.locationId, orderId, reason: 'reserve' }, reserveMoves(r.qty));
    const key = `${r.lineNo}\u0000${r.locationId}`;
    const m = merged.get(key) ?? { order_id: orderId, line_no: r.lineNo, location_id: r.locationId, sku: r.sku, qty: 0 };
    m.qty += r.qty;
    merged.set(key, m);
  }
  if (merged.size > 0) {
    await ctx.tx`
      INSERT INTO reservations ${ctx.tx([...merged.values()] as never)}
      ON CONFLICT (order_id, line_no, location_id) DO UPDATE SET qty = reservations.qty + EXCLUDED.qty`;
  }
  ctx.touchedOrders.add(orderId);
}

/** Takes `qty` units off one reservation (release to available, or consumed by a shipment/short pick). */
export async function unreserve(ctx: BatchContext, row: Row, r: { orderId: string; lineNo: number; locationId: string; sku: string; qty: number }, opts: { release: boolean; reason: string }): Promise<void> {
  if (r.qty <= 0) return;
  // Exactly one of the two matches: the whole reservation goes, or part of it.
  await ctx.tx`DELETE FROM reservations
    WHERE order_id = ${r.orderId} AND line_no = ${r.lineNo} AND location_id = ${r.locationId} AND qty <= ${r.qty}`;
  await ctx.tx`UPDATE reservations SET qty = qty - ${r.qty}
    WHERE order_id = ${r.orderId} AND line_no = ${r.lineNo} AND location_id = ${r.locationId} AND qty > ${r.qty}`;
  if (opts.release) {
    await move(ctx, row, { sku: r.sku, locationId: r.locationId, orderId: r.orderId, reason: opts.reason }, releaseMoves(r.qty));
    ctx.reallocate.set(r.sku, row);
  }
  ctx.touchedOrders.add(r.orderId);
}

/**
 * Sends `qty` units of a line (back) to backorder. The line's count of units ever backordered grows
 * with them, up to the units it ordered: what grew is a `backordered` fact, at the order's time.
 */
export async function backorder(ctx: BatchContext, order: { orderId: string; channel: string; createdAt: Date }, lineNo: number, qty: number): Promise<void> {
  const [row] = await ctx.tx`
    WITH before AS (SELECT backordered_ever FROM order_lines WHERE order_id = ${order.orderId} AND line_no = ${lineNo})
    UPDATE order_lines l SET backordered = l.backordered + ${qty}, backordered_ever = least(l.qty, l.backordered_ever + ${qty})
    FROM before WHERE l.order_id = ${order.orderId} AND l.line_no = ${lineNo}
    RETURNING l.backordered_ever - before.backordered_ever AS added`;
  const added = Number(row?.added ?? 0);
  if (added <= 0) return;
  await ctx.tx`UPDATE orders SET backordered_ever = backordered_ever + ${added} WHERE order_id = ${order.orderId}`;
  ctx.facts.push({ kind: 'backordered', createdAtMs: order.createdAt.getTime(), channel: order.channel, units: added });
}

/** Releases every reservation and backorder of an order's open units, which become cancelled. */
export async function cancelOpenUnits(ctx: BatchContext, row: Row, orderId: string, reason: string): Promise<void> {
  for (const r of await reservationsOf(ctx.tx, orderId)) {
    await unreserve(ctx, row, { orderId, lineNo: r.line_no, locationId: r.location_id, sku: r.sku, qty: r.qty }, { release: true, reason });
  }
  await ctx.tx`
    UPDATE order_lines SET cancelled = qty - shipped, backordered = 0
    WHERE order_id = ${orderId}`;
  ctx.touchedOrders.add(orderId);
}

/** Recomputes the order's status from its quantities; an illegal change makes the event invalid (rolled back). */
export async function refreshStatus(ctx: BatchContext, orderId: string, opts: { initial?: boolean } = {}): Promise<OrderStatus> {
  const order = await loadOrder(ctx.tx, orderId);
  if (!order) throw new InvalidEventError(`order ${orderId} is unknown`);
  const next = deriveStatus({
    held: order.head.held,
    picking: order.head.picking,
    delivered: order.head.delivered,
    lines: order.lines.map((l) => ({ ordered: l.qty, reserved: l.reserved, backordered: l.backordered, shipped: l.shipped, cancelled: l.cancelled, returned: l.returned })),
  });
  if (!opts.initial && !canTransition(order.head.status, next)) {
    throw new InvalidEventError(`illegal status change for order ${orderId}: ${order.head.status} → ${next}`);
  }
  if (next !== order.head.status) await ctx.tx`UPDATE orders SET status = ${next}, updated_at = now() WHERE order_id = ${orderId}`;
  return next;
}
