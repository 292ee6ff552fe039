import { openException } from '../../db/queries/exceptions';
import { bucketBreaches } from '../../domain/inventory/buckets';
import type { BatchContext } from './context';

/**
 * The spec's invariants, checked after every batch for the rows it touched, from what PostgreSQL holds
 * once the batch is written (two queries, whatever the batch size). A breach means the numbers are
 * wrong: it opens a critical exception naming the events involved (it does not undo the batch: the
 * events did happen, and the supervisor needs to see what they did).
 */
export async function checkInvariants(ctx: BatchContext, at: Date, eventsByOrder: ReadonlyMap<string, string[]> = new Map()): Promise<string[]> {
  const found: string[] = [];
  if (ctx.touched.size > 0) {
    const keys = [...ctx.touched.keys()].map((k) => k.split('\u0000') as [string, string]);
    const buckets = await ctx.tx`
      SELECT i.*, coalesce(t.on_hand, 0) AS ledger_on_hand, coalesce(r.reserved, 0)::int AS reservation_sum
      FROM unnest(${ctx.tx.array(keys.map((k) => k[0]))}::text[], ${ctx.tx.array(keys.map((k) => k[1]))}::text[]) AS k(sku, location_id)
      JOIN inventory i ON i.sku = k.sku AND i.location_id = k.location_id
      LEFT JOIN ledger_totals t ON t.sku = k.sku AND t.location_id = k.location_id
      LEFT JOIN LATERAL (SELECT sum(qty) AS reserved FROM reservations WHERE sku = k.sku AND location_id = k.location_id) r ON true
      ORDER BY i.sku, i.location_id`;
    for (const b of buckets) {
      const breaches = bucketBreaches({ onHand: b.on_hand, reserved: b.reserved, inTransit: b.in_transit, returnsPending: b.returns_pending, damaged: b.damaged });
      if (b.on_hand !== b.ledger_on_hand) breaches.push(`on hand ${b.on_hand} differs from its ledger sum ${b.ledger_on_hand}`);
      if (b.reserved !== b.reservation_sum) breaches.push(`reserved ${b.reserved} differs from its reservations ${b.reservation_sum}`);
      if (breaches.length === 0) continue;
      const { sku, location_id: locationId } = b as unknown as { sku: string; location_id: string };
      found.push(...breaches.map((m) => `${sku}@${locationId}: ${m}`));
      await openException(ctx.tx, {
        type: 'invariant_breach', subject: `sku:${sku}@${locationId}`, at, sku, locationId,
        details: { breaches, events: [...(ctx.touched.get(`${sku}\u0000${locationId}`) ?? [])] },
      });
    }
  }
  if (ctx.touchedOrders.size > 0) {
    const lines = await ctx.tx`
      SELECT l.order_id, l.line_no, l.sku, l.qty, l.backordered, l.shipped, l.cancelled, coalesce(r.reserved, 0)::int AS reserved
      FROM order_lines l
      LEFT JOIN (SELECT order_id, line_no, sum(qty) AS reserved FROM reservations WHERE order_id = ANY(${ctx.tx.array([...ctx.touchedOrders])}::text[]) GROUP BY 1, 2) r
        ON r.order_id = l.order_id AND r.line_no = l.line_no
      WHERE l.order_id = ANY(${ctx.tx.array([...ctx.touchedOrders])}::text[])
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
