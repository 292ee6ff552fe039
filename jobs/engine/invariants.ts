import { openException } from '../../db/queries/exceptions';
import { bucketBreaches } from '../../domain/inventory/buckets';
import type { BatchContext } from './context';

/**
 * The spec's invariants, checked after every batch for the rows it touched. A breach means the
 * numbers are wrong: it opens a critical exception naming the events involved (it does not undo
 * the batch: the events did happen, and the supervisor needs to see what they did).
 */
export async function checkInvariants(ctx: BatchContext, at: Date, eventsByOrder: ReadonlyMap<string, string[]> = new Map()): Promise<string[]> {
  const found: string[] = [];
  for (const [key, seqs] of ctx.touched) {
    const [sku, locationId] = key.split('\u0000') as [string, string];
    const [b] = await ctx.tx`
      SELECT i.*,
        (SELECT coalesce(sum(delta), 0)::int FROM inventory_ledger WHERE sku = i.sku AND location_id = i.location_id AND bucket = 'onHand') AS ledger_on_hand,
        (SELECT coalesce(sum(qty), 0)::int FROM reservations WHERE sku = i.sku AND location_id = i.location_id) AS reservation_sum
      FROM inventory i WHERE sku = ${sku} AND location_id = ${locationId}`;
    if (!b) continue;
    const breaches = bucketBreaches({ onHand: b.on_hand, reserved: b.reserved, inTransit: b.in_transit, returnsPending: b.returns_pending, damaged: b.damaged });
    if (b.on_hand !== b.ledger_on_hand) breaches.push(`on hand ${b.on_hand} differs from its ledger sum ${b.ledger_on_hand}`);
    if (b.reserved !== b.reservation_sum) breaches.push(`reserved ${b.reserved} differs from its reservations ${b.reservation_sum}`);
    if (breaches.length > 0) {
      found.push(...breaches.map((m) => `${sku}@${locationId}: ${m}`));
      await openException(ctx.tx, {
        type: 'invariant_breach', subject: `sku:${sku}@${locationId}`, at, sku, locationId,
        details: { breaches, events: [...seqs] },
      });
    }
  }
  if (ctx.touchedOrders.size > 0) {
    const lines = await ctx.tx`
      SELECT l.order_id, l.line_no, l.sku, l.qty, l.backordered, l.shipped, l.cancelled, coalesce(r.reserved, 0)::int AS reserved
      FROM order_lines l
      LEFT JOIN (SELECT order_id, line_no, sum(qty) AS reserved FROM reservations WHERE order_id IN ${ctx.tx([...ctx.touchedOrders])} GROUP BY 1, 2) r
        ON r.order_id = l.order_id AND r.line_no = l.line_no
      WHERE l.order_id IN ${ctx.tx([...ctx.touchedOrders])}
        AND coalesce(r.reserved, 0) + l.backordered + l.shipped + l.cancelled <> l.qty`;
    const byOrder = new Map<string, string[]>();
    for (const l of lines) {
      const list = byOrder.get(l.order_id) ?? [];
      list.push(`line ${l.line_no} (${l.sku}): ordered ${l.qty} ≠ reserved ${l.reserved} + backordered ${l.backordered} + shipped ${l.shipped} + cancelled ${l.cancelled}`);
      byOrder.set(l.order_id, list);
    }
    for (const [orderId, breaches] of byOrder) {
      found.push(...breaches.map((m) => `order ${orderId} ${m}`));
      await openException(ctx.tx, { type: 'invariant_breach', subject: `order:${orderId}`, at, orderId, details: { breaches, events: eventsByOrder.get(orderId) ?? [] } });
    }
  }
  return found;
}
