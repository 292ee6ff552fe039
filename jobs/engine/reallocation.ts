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
    const cause = ctx.reallocate.get(sku);
    if (excess <= 0 || !cause) continue;
    await ctx.orders.loadReservationsAt(sku, locationId);
    const held: { orderId: string; lineNo: number; qty: number; priority: number; createdAt: number }[] = [];
    for (const o of ctx.orders.all()) {
      for (const r of o.reservations) {
        if (r.sku !== sku || r.location_id !== locationId) continue;
        const priority = (await ctx.master.channel(o.head.channel))?.priority ?? 0;
        held.push({ orderId: o.head.order_id, lineNo: r.line_no, qty: r.qty, priority, createdAt: o.head.created_at.getTime() });
      }
    }
    // Lowest-priority channel first (the highest number), then the newest order.
    held.sort((a, b) => b.priority - a.priority || b.createdAt - a.createdAt || (a.orderId < b.orderId ? 1 : a.orderId > b.orderId ? -1 : 0));
    const changed = new Set<string>();
    for (const r of held) {
      if (excess <= 0) break;
      const q = Math.min(excess, r.qty);
      const order = await ctx.orders.edit(r.orderId);
      const at = order.reservations.findIndex((x) => x.line_no === r.lineNo && x.location_id === locationId);
      if (order.reservations[at]!.qty > q) order.reservations[at]!.qty -= q;
      else order.reservations.splice(at, 1);
      await backorder(ctx, r.orderId, r.lineNo, q);
      await move(ctx, cause, { sku, locationId, orderId: r.orderId, reason: 'stock below reservations: back to backorder' }, releaseMoves(q));
      ctx.reallocate.set(sku, cause);
      ctx.touchedOrders.add(r.orderId);
      changed.add(r.orderId);
      excess -= q;
    }
    for (const orderId of changed) await refreshStatus(ctx, orderId);
  }
}

/** Reserves backorders of the SKUs whose stock changed in this batch: channel priority first, then oldest. */
export async function reallocateBackorders(ctx: BatchContext): Promise<void> {
  const causes = new Map(ctx.reallocate);
  ctx.reallocate.clear();
  const skus = new Set(causes.keys());
  if (skus.size === 0) return;
  await ctx.orders.loadBackorders([...skus]);
  const eligible: Backorder[] = [];
  for (const o of ctx.orders.mayBeBackordered()) {
    if (o.head.status === 'cancelled' || !o.lines.some((l) => l.backordered > 0 && skus.has(l.sku))) continue;
    const channel = await ctx.master.channel(o.head.channel);
    const locations = new Set(o.reservations.map((r) => r.location_id));
    eligible.push({
      orderId: o.head.order_id, channelPriority: channel?.priority ?? 0, occurredAt: o.head.created_at.toISOString(),
      allowSplit: channel?.allow_split ?? false, shipToRegion: o.head.ship_to.region,
      lines: o.lines.filter((l) => l.backordered > 0).map((l) => ({ lineNo: l.line_no, sku: l.sku, qty: l.backordered })),
      // A no-split order partly reserved (after a short pick or a release) may only be completed where the rest is.
      ...(channel?.allow_split || locations.size === 0 ? {} : { onlyLocationId: locations.size === 1 ? [...locations][0]! : '\u0000none' }),
    });
  }
  if (eligible.length === 0) return;
  const allSkus = [...new Set(eligible.flatMap((o) => o.lines.map((l) => l.sku)))];
  const served = reallocate({ backorders: eligible, locations: await candidates(ctx, allSkus) });
  for (const s of served) {
    const cause = causes.get(s.reservations[0]!.sku) ?? [...causes.values()][0]!;
    await reserve(ctx, cause, s.orderId, s.reservations);
    const order = await ctx.orders.edit(s.orderId);
    for (const r of s.reservations) order.lines.find((l) => l.line_no === r.lineNo)!.backordered -= r.qty;
    await refreshStatus(ctx, s.orderId);
  }
}

/** An order reserved across locations after re-allocation is a split shipment too: noted once per order (after the write-back). */
export async function noteSplits(ctx: BatchContext, at: Date): Promise<void> {
  if (ctx.touchedOrders.size === 0) return;
  const split = await ctx.tx`
    SELECT r.order_id FROM reservations r
    WHERE r.order_id = ANY(${ctx.tx.array([...ctx.touchedOrders])}::text[])
      AND NOT EXISTS (SELECT 1 FROM exceptions e WHERE e.type = 'split_shipment' AND e.subject = 'order:' || r.order_id)
    GROUP BY r.order_id HAVING count(DISTINCT r.location_id) > 1`;
  for (const { order_id: orderId } of split) {
    await openException(ctx.tx, { type: 'split_shipment', subject: `order:${orderId}`, at, orderId });
  }
}
