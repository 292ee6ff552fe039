import { deriveStatus, canTransition, type OrderStatus } from '../../domain/orders/status';
import { releaseMoves, reserveMoves } from '../../domain/inventory/buckets';
import type { Reservation } from '../../domain/inventory/allocation';
import { InvalidEventError, move, type BatchContext, type Row } from './context';
import { reservedOf, type OrderState } from './order-store';

export type { OrderHead, OrderLine } from './order-store';

function addReservation(order: OrderState, r: { line_no: number; location_id: string; sku: string; qty: number }): void {
  const at = order.reservations.findIndex((x) => x.line_no === r.line_no && x.location_id === r.location_id);
  if (at >= 0) {
    order.reservations[at]!.qty += r.qty;
    return;
  }
  // Kept sorted by line, then location: the order the shipment rules walk them in.
  let i = 0;
  while (i < order.reservations.length && (order.reservations[i]!.line_no < r.line_no
    || (order.reservations[i]!.line_no === r.line_no && order.reservations[i]!.location_id < r.location_id))) i++;
  order.reservations.splice(i, 0, { ...r });
}

/** Reserves units for an order: a ledger movement per location, a reservation per line × location. */
export async function reserve(ctx: BatchContext, row: Row, orderId: string, reservations: readonly Reservation[]): Promise<void> {
  const order = await ctx.orders.edit(orderId);
  for (const r of reservations) {
    if (r.qty <= 0) continue;
    await move(ctx, row, { sku: r.sku, locationId: r.locationId, orderId, reason: 'reserve' }, reserveMoves(r.qty));
    addReservation(order, { line_no: r.lineNo, location_id: r.locationId, sku: r.sku, qty: r.qty });
  }
  ctx.touchedOrders.add(orderId);
}

/** Takes `qty` units off one reservation (release to available, or consumed by a shipment/short pick). */
export async function unreserve(ctx: BatchContext, row: Row, r: { orderId: string; lineNo: number; locationId: string; sku: string; qty: number }, opts: { release: boolean; reason: string }): Promise<void> {
  if (r.qty <= 0) return;
  const order = await ctx.orders.edit(r.orderId);
  const at = order.reservations.findIndex((x) => x.line_no === r.lineNo && x.location_id === r.locationId);
  if (at >= 0) {
    const left = order.reservations[at]!.qty - r.qty;
    if (left > 0) order.reservations[at]!.qty = left;
    else order.reservations.splice(at, 1);
  }
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
export async function backorder(ctx: BatchContext, orderId: string, lineNo: number, qty: number): Promise<void> {
  const order = await ctx.orders.edit(orderId);
  const line = order.lines.find((l) => l.line_no === lineNo);
  if (!line) return;
  line.backordered += qty;
  const ever = Math.min(line.qty, line.backordered_ever + qty);
  const added = ever - line.backordered_ever;
  line.backordered_ever = ever;
  if (added <= 0) return;
  order.head.backordered_ever += added;
  ctx.facts.push({ kind: 'backordered', createdAtMs: order.head.created_at.getTime(), channel: order.head.channel, units: added });
}

/** Releases every reservation and backorder of an order's open units, which become cancelled. */
export async function cancelOpenUnits(ctx: BatchContext, row: Row, orderId: string, reason: string): Promise<void> {
  const order = await ctx.orders.edit(orderId);
  for (const r of [...order.reservations]) {
    await unreserve(ctx, row, { orderId, lineNo: r.line_no, locationId: r.location_id, sku: r.sku, qty: r.qty }, { release: true, reason });
  }
  for (const l of order.lines) {
    l.cancelled = l.qty - l.shipped;
    l.backordered = 0;
  }
  ctx.touchedOrders.add(orderId);
}

/** The status an order's quantities and flags mean now. */
export function statusOf(order: Readonly<OrderState>): OrderStatus {
  return deriveStatus({
    held: order.head.held,
    picking: order.head.picking,
    delivered: order.head.delivered,
    lines: order.lines.map((l) => ({ ordered: l.qty, reserved: reservedOf(order, l.line_no), backordered: l.backordered, shipped: l.shipped, cancelled: l.cancelled, returned: l.returned })),
  });
}

/** Recomputes the order's status from its quantities; an illegal change makes the event invalid (rolled back). */
export async function refreshStatus(ctx: BatchContext, orderId: string): Promise<OrderStatus> {
  const order = await ctx.orders.edit(orderId);
  const next = statusOf(order);
  if (!canTransition(order.head.status, next)) {
    throw new InvalidEventError(`illegal status change for order ${orderId}: ${order.head.status} → ${next}`);
  }
  order.head.status = next;
  return next;
}
