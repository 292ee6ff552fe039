import { openException } from '../../db/queries/exceptions';
import { reallocate, type Backorder } from '../../domain/inventory/allocation';
import { excessReservation, releaseMoves } from '../../domain/inventory/buckets';
import { candidates } from './orders';
import { backorder, refreshStatus, reserve } from './order-book';
import { move, type BatchContext } from './context';

/**
 * Where a count, adjustment, short pick or transfer took on hand below what is reserved, the newest
 * reservations of the lowest-priority channels there go back to backorder at once (the spec's
 * invariant), to be re-allocated elsewhere if stock allows.
 */
export async function releaseOverReservations(ctx: BatchContext): Promise<void> {
  const keys = [...ctx.moved];
  ctx.moved.clear();
  for (const key of keys) {
    const [sku, locationId] = key.split('\u0000') as [string, string];
    const row = await ctx.inventory.get(sku, locationId);
    let excess = excessReservation({ onHand: row.on_hand, reserved: row.reserved });
    if (excess <= 0) continue;
    const cause = ctx.reallocate.get(sku);
    const reservations = await ctx.tx`
      SELECT r.order_id, r.line_no, r.qty, o.channel, o.created_at FROM reservations r
      JOIN orders o ON o.order_id = r.order_id JOIN channels c ON c.channel = o.channel
      WHERE r.sku = ${sku} AND r.location_id = ${locationId}
      ORDER BY c.priority DESC, o.created_at DESC, r.order_id DESC`;
    for (const r of reservations) {
      if (excess <= 0 || !cause) break;
      const q = Math.min(excess, Number(r.qty));
      await ctx.tx`DELETE FROM reservations WHERE order_id = ${r.order_id} AND line_no = ${r.line_no} AND location_id = ${locationId} AND qty <= ${q}`;
      await ctx.tx`UPDATE reservations SET qty = qty - ${q} WHERE order_id = ${r.order_id} AND line_no = ${r.line_no} AND location_id = ${locationId} AND qty > ${q}`;
      await backorder(ctx, { orderId: r.order_id, channel: r.channel, createdAt: r.created_at }, r.line_no, q);
      await move(ctx, cause, { sku, locationId, orderId: r.order_id, reason: 'stock below reservations: back to backorder' }, releaseMoves(q));
      ctx.reallocate.set(sku, cause);
      ctx.touchedOrders.add(r.order_id);
      excess -= q;
    }
    for (const orderId of new Set(reservations.map((r) => r.order_id as string))) await refreshStatus(ctx, orderId);
  }
}

/** Reserves backorders of the SKUs whose stock changed in this batch: channel priority first, then oldest. */
export async function reallocateBackorders(ctx: BatchContext): Promise<void> {
  const causes = new Map(ctx.reallocate);
  ctx.reallocate.clear();
  const skus = [...causes.keys()];
  if (skus.length === 0) return;
  const rows = await ctx.tx`
    SELECT o.order_id, o.created_at, o.ship_to->>'region' AS region, c.priority, c.allow_split, l.line_no, l.sku, l.backordered
    FROM order_lines l
    JOIN orders o ON o.order_id = l.order_id
    JOIN channels c ON c.channel = o.channel
    WHERE l.backordered > 0 AND o.status <> 'cancelled'
      AND l.order_id IN (SELECT order_id FROM order_lines WHERE backordered > 0 AND sku IN ${ctx.tx(skus)})
    ORDER BY o.order_id, l.line_no
    FOR UPDATE OF l`;
  const orders = new Map<string, Backorder>();
  for (const r of rows) {
    const o: Backorder = orders.get(r.order_id) ?? {
      orderId: r.order_id, channelPriority: r.priority, occurredAt: r.created_at.toISOString(), allowSplit: r.allow_split, shipToRegion: r.region, lines: [],
    };
    o.lines.push({ lineNo: r.line_no, sku: r.sku, qty: r.backordered });
    orders.set(r.order_id, o);
  }
  // The lines are locked (a racing cancellation cannot zero them under us); the other SKUs of a
  // multi-SKU backorder are locked on demand when their stock is read.
  const eligible = [...orders.values()];
  if (eligible.length === 0) return;
  // A no-split order partly reserved (after a short pick or a release) may only be completed where the rest is.
  const noSplit = eligible.filter((o) => !o.allowSplit).map((o) => o.orderId);
  if (noSplit.length > 0) {
    const held = await ctx.tx`SELECT order_id, min(location_id) AS location_id, count(DISTINCT location_id)::int AS n FROM reservations WHERE order_id IN ${ctx.tx(noSplit)} GROUP BY order_id`;
    for (const h of held) {
      const o = orders.get(h.order_id)!;
      o.onlyLocationId = h.n === 1 ? h.location_id : '\u0000none';
    }
  }
  const allSkus = [...new Set(eligible.flatMap((o) => o.lines.map((l) => l.sku)))];
  const served = reallocate({ backorders: eligible, locations: await candidates(ctx, allSkus) });
  for (const s of served) {
    const cause = causes.get(s.reservations[0]!.sku) ?? [...causes.values()][0]!;
    await reserve(ctx, cause, s.orderId, s.reservations);
    for (const r of s.reservations) {
      await ctx.tx`UPDATE order_lines SET backordered = backordered - ${r.qty} WHERE order_id = ${s.orderId} AND line_no = ${r.lineNo}`;
    }
    await refreshStatus(ctx, s.orderId);
  }
}

/** An order reserved across locations after re-allocation is a split shipment too: noted once per order. */
export async function noteSplits(ctx: BatchContext, at: Date): Promise<void> {
  if (ctx.touchedOrders.size === 0) return;
  const split = await ctx.tx`
    SELECT r.order_id FROM reservations r
    WHERE r.order_id IN ${ctx.tx([...ctx.touchedOrders])}
      AND NOT EXISTS (SELECT 1 FROM exceptions e WHERE e.type = 'split_shipment' AND e.subject = 'order:' || r.order_id)
    GROUP BY r.order_id HAVING count(DISTINCT r.location_id) > 1`;
  for (const { order_id: orderId } of split) {
    await openException(ctx.tx, { type: 'split_shipment', subject: `order:${orderId}`, at, orderId });
  }
}
