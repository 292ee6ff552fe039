import { autoResolve, openException, type NewException } from '../../db/queries/exceptions';
import { deriveStatus } from '../../domain/orders/status';
import { allocate, type CandidateLocation } from '../../domain/inventory/allocation';
import { availableOf, shipmentMoves, shortPickMoves } from '../../domain/inventory/buckets';
import { durationMs } from '../../domain/kpis/facts';
import { backorder, cancelOpenUnits, refreshStatus, reserve, unreserve, type OrderHead, type OrderLine } from './order-book';
import { DeferEventError, InvalidEventError, move, type BatchContext, type Row } from './context';

type Line = { sku: string; qty: number; unitPrice: number };
interface Created { orderId: string; channel: string; lines: Line[]; shipTo: { region: string }; payment: string; fraudScore?: number; promisedShipBy?: string }

export async function candidates(ctx: BatchContext, skus: readonly string[]): Promise<CandidateLocation[]> {
  const locations = await ctx.inventory.shippingLocations();
  const stock = await ctx.inventory.availability(skus);
  return locations.map((l) => ({ locationId: l.location_id, region: l.region, priority: l.priority, available: stock.get(l.location_id) ?? new Map() }));
}

async function requireOrder(ctx: BatchContext, orderId: string) {
  const order = await ctx.orders.get(orderId);
  // The order may simply not have arrived yet: wait for it (bounded), then it is invalid.
  if (!order) throw new DeferEventError(`order ${orderId} is unknown`);
  return order;
}

/** Channel master data as the batch sees it (an upsert earlier in the batch refreshes it). */
export async function channelOf(ctx: BatchContext, channel: string) {
  return ctx.master.channel(channel);
}

/** SKUs of `skus` that are not in the item master. */
export async function unknownSkus(ctx: BatchContext, skus: readonly string[]): Promise<string[]> {
  await ctx.master.loadItems(skus);
  const unknown: string[] = [];
  for (const s of skus) if (!(await ctx.master.item(s))) unknown.push(s);
  return unknown;
}

/** An exception to open once the batch's orders and buckets are written (its channel is read from the order). */
export function raise(ctx: BatchContext, e: NewException): void {
  ctx.writes.later((sql) => openException(sql, e));
}

export async function orderCreated(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as unknown as Created;
  const channel = await channelOf(ctx, d.channel);
  if (!channel) throw new DeferEventError(`channel ${d.channel} is unknown`);
  const skus = [...new Set(d.lines.map((l) => l.sku))];
  const missing = await unknownSkus(ctx, skus);
  if (missing.length > 0) throw new DeferEventError(`unknown SKU ${missing.join(', ')}`);

  // Decide everything in memory first, then write the order once, already in its final state.
  const occurredMs = row.occurred_at.getTime();
  const promised = d.promisedShipBy ?? new Date(occurredMs + Number(channel.sla_hours) * 3_600_000).toISOString();
  const held = d.fraudScore !== undefined && d.fraudScore >= ctx.config.fraudThreshold;
  const lines = d.lines.map((l, i) => ({ lineNo: i + 1, sku: l.sku, qty: l.qty }));
  const result = allocate({ lines, shipToRegion: d.shipTo.region, allowSplit: channel.allow_split, locations: await candidates(ctx, skus) });
  const backordered = new Map<number, number>();
  for (const b of result.backordered) backordered.set(b.lineNo, (backordered.get(b.lineNo) ?? 0) + b.qty);
  const reservedByLine = new Map<number, number>();
  for (const r of result.reservations) reservedByLine.set(r.lineNo, (reservedByLine.get(r.lineNo) ?? 0) + r.qty);
  const status = deriveStatus({
    held, picking: false, delivered: false,
    lines: lines.map((l) => ({ ordered: l.qty, reserved: reservedByLine.get(l.lineNo) ?? 0, backordered: backordered.get(l.lineNo) ?? 0, shipped: 0, cancelled: 0, returned: 0 })),
  });
  const units = d.lines.reduce((n, l) => n + l.qty, 0);
  const backorderedUnits = result.backordered.reduce((n, b) => n + b.qty, 0);
  if (await ctx.orders.get(d.orderId)) throw new InvalidEventError(`order ${d.orderId} already exists`);
  ctx.orders.create({
    head: {
      order_id: d.orderId, channel: d.channel, status, payment: d.payment, fraud_score: d.fraudScore ?? null, ship_to: d.shipTo as { region: string },
      promised_ship_by: new Date(promised), created_at: row.occurred_at, units, value: Math.round(d.lines.reduce((v, l) => v + l.qty * l.unitPrice * 100, 0)) / 100,
      event_seq: row.seq, held, picking: false, delivered: false, first_shipped_at: null, first_ship_location: null, first_ship_units: null,
      last_shipped_at: null, last_ship_location: null, fully_shipped_at: null, backordered_ever: backorderedUnits, updated_at: null,
    },
    lines: d.lines.map((l, i) => ({
      line_no: i + 1, sku: l.sku, qty: l.qty, unit_price: String(l.unitPrice), backordered: backordered.get(i + 1) ?? 0,
      backordered_ever: backordered.get(i + 1) ?? 0, shipped: 0, cancelled: 0, returned: 0,
    })),
    reservations: [],
    shipmentIds: new Set(),
  });
  await reserve(ctx, row, d.orderId, result.reservations);

  const at = row.occurred_at;
  for (const sku of new Set(result.backordered.map((b) => b.sku))) {
    const qty = result.backordered.filter((b) => b.sku === sku).reduce((n, b) => n + b.qty, 0);
    raise(ctx, { type: 'stockout', subject: `sku:${sku}`, at, sku, orderId: d.orderId, eventSeq: row.seq, details: { lastOrderId: d.orderId, units: qty } });
  }
  if (result.split) raise(ctx, { type: 'split_shipment', subject: `order:${d.orderId}`, at, orderId: d.orderId, eventSeq: row.seq });
  if (held) raise(ctx, { type: 'fraud_review', subject: `order:${d.orderId}`, at, orderId: d.orderId, eventSeq: row.seq, details: { fraudScore: d.fraudScore } });
  ctx.touchedOrders.add(d.orderId);
  ctx.facts.push({ kind: 'order', occurredAtMs: occurredMs, channel: d.channel, units, count: 1 });
  if (backorderedUnits > 0) ctx.facts.push({ kind: 'backordered', createdAtMs: occurredMs, channel: d.channel, units: backorderedUnits });
}

export async function paymentAuthorized(ctx: BatchContext, row: Row): Promise<void> {
  const { orderId } = row.data as { orderId: string };
  const order = await requireOrder(ctx, orderId);
  if (order.head.status === 'cancelled') throw new InvalidEventError(`order ${orderId} is cancelled`);
  (await ctx.orders.edit(orderId)).head.payment = 'authorized';
}

async function cancel(ctx: BatchContext, row: Row, orderId: string, reason: string): Promise<void> {
  const order = await requireOrder(ctx, orderId);
  const status = order.head.status;
  if (['shipped', 'delivered', 'returned', 'partially_returned', 'cancelled'].includes(status)) {
    throw new InvalidEventError(`order ${orderId} cannot be cancelled: it is ${status}`);
  }
  const wasHeld = order.head.held;
  const edited = await ctx.orders.edit(orderId);
  edited.head.held = false;
  edited.head.picking = false;
  // Nothing left to decide for a held order that is cancelled anyway.
  if (wasHeld) ctx.writes.later((sql) => autoResolve(sql, { type: 'fraud_review', subjects: [`order:${orderId}`], at: row.occurred_at, reason: `order ${reason}` }));
  await cancelOpenUnits(ctx, row, orderId, reason);
  await refreshStatus(ctx, orderId);
  // A partly shipped order whose rest is cancelled has shipped its last unit (at its last shipment).
  const { last_shipped_at: lastAt, fully_shipped_at: done } = edited.head;
  if (lastAt && !done) {
    edited.head.fully_shipped_at = lastAt;
    fulfilledFact(ctx, edited.head, lastAt, edited.head.last_ship_location ?? '');
  }
}

/** Every unit of the order not cancelled has shipped, the last of them at `lastAt` from `locationId` (the caller records `fully_shipped_at`). */
function fulfilledFact(ctx: BatchContext, head: OrderHead, lastAt: Date, locationId: string): void {
  const onTime = head.promised_ship_by !== null && lastAt <= head.promised_ship_by ? 1 : 0;
  ctx.facts.push({
    kind: 'fulfilled', shippedAtMs: lastAt.getTime(), channel: head.channel, locationId,
    cycleMs: durationMs(head.created_at.getTime(), lastAt.getTime()), onTime, count: 1,
  });
}

/**
 * Keeps the order's first shipment (earliest occurredAt; on a tie the one applied first) current: a
 * late, earlier shipment displaces the one recorded, whose fact is taken back.
 */
function firstShipmentFacts(ctx: BatchContext, head: OrderHead, shipment: { at: Date; locationId: string; units: number }): void {
  const fact = (at: Date, locationId: string, units: number, sign: 1 | -1) => ({
    kind: 'firstShipment' as const, shippedAtMs: at.getTime(), createdAtMs: head.created_at.getTime(), channel: head.channel, locationId,
    orders: sign, units: sign * units, orderedUnits: sign * head.units, complete: units === head.units ? sign : 0,
  });
  if (head.first_shipped_at && head.first_ship_location !== null && head.first_ship_units !== null) {
    ctx.facts.push(fact(head.first_shipped_at, head.first_ship_location, head.first_ship_units, -1));
  }
  ctx.facts.push(fact(shipment.at, shipment.locationId, shipment.units, 1));
}

export async function paymentFailed(ctx: BatchContext, row: Row): Promise<void> {
  const { orderId, reason } = row.data as { orderId: string; reason?: string };
  await cancel(ctx, row, orderId, 'payment failed');
  (await ctx.orders.edit(orderId)).head.payment = 'failed';
  raise(ctx, { type: 'payment_failed', subject: `order:${orderId}`, at: row.occurred_at, orderId, eventSeq: row.seq, details: { reason: reason ?? null } });
}

export async function orderCancelled(ctx: BatchContext, row: Row): Promise<void> {
  const { orderId } = row.data as { orderId: string };
  await cancel(ctx, row, orderId, 'cancelled');
}

/** A supervisor approved the fraud review (an internal event): the hold goes, the reservations stay. */
export async function holdReleased(ctx: BatchContext, row: Row): Promise<void> {
  const { orderId } = row.data as { orderId: string };
  const order = await requireOrder(ctx, orderId);
  if (!order.head.held) throw new InvalidEventError(`order ${orderId} is not on hold (it is ${order.head.status})`);
  (await ctx.orders.edit(orderId)).head.held = false;
  await refreshStatus(ctx, orderId);
  ctx.touchedOrders.add(orderId);
}

export async function picked(ctx: BatchContext, row: Row): Promise<void> {
  const { orderId } = row.data as { orderId: string };
  const order = await requireOrder(ctx, orderId);
  if (order.head.held) throw new InvalidEventError(`order ${orderId} is on hold for fraud review and must not be picked`);
  if (['cancelled', 'shipped', 'delivered', 'returned', 'partially_returned'].includes(order.head.status)) {
    throw new InvalidEventError(`order ${orderId} cannot be picked: it is ${order.head.status}`);
  }
  (await ctx.orders.edit(orderId)).head.picking = true;
  await refreshStatus(ctx, orderId);
}

export async function shortPicked(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { orderId: string; locationId: string; sku: string; qty: number };
  const order = await requireOrder(ctx, d.orderId);
  const held = order.reservations.filter((r) => r.sku === d.sku && r.location_id === d.locationId).map((r) => ({ ...r }));
  const reservedHere = held.reduce((n, r) => n + r.qty, 0);
  if (reservedHere < d.qty) throw new InvalidEventError(`order ${d.orderId} has ${reservedHere} of ${d.sku} reserved at ${d.locationId}, fewer than the ${d.qty} short-picked`);
  let left = d.qty;
  for (const r of held) {
    const q = Math.min(left, r.qty);
    await unreserve(ctx, row, { orderId: d.orderId, lineNo: r.line_no, locationId: d.locationId, sku: d.sku, qty: q }, { release: false, reason: 'short pick' });
    await backorder(ctx, d.orderId, r.line_no, q);
    left -= q;
    if (left === 0) break;
  }
  // The units are gone from the shelf: on hand and the reservation both drop.
  await move(ctx, row, { sku: d.sku, locationId: d.locationId, orderId: d.orderId, reason: 'short pick' }, shortPickMoves(d.qty));
  ctx.reallocate.set(d.sku, row);
  raise(ctx, { type: 'short_pick', subject: `order:${d.orderId}:${d.sku}@${d.locationId}`, at: row.occurred_at, orderId: d.orderId, sku: d.sku, locationId: d.locationId, eventSeq: row.seq, details: { qty: d.qty } });
  await refreshStatus(ctx, d.orderId);
}

export async function shipped(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { orderId: string; locationId: string; shipmentId: string; lines: { sku: string; qty: number }[] };
  const known = await requireOrder(ctx, d.orderId);
  if (known.shipmentIds.has(d.shipmentId)) throw new InvalidEventError(`shipment ${d.shipmentId} of order ${d.orderId} was recorded already`);
  if (!(await ctx.master.allLocations()).has(d.locationId)) throw new DeferEventError(`location ${d.locationId} is unknown`);
  const order = await ctx.orders.edit(d.orderId);
  let units = 0;
  for (const shippedLine of d.lines) {
    units += shippedLine.qty;
    const lines = order.lines.filter((l) => l.sku === shippedLine.sku);
    const open = (l: OrderLine) => l.qty - l.shipped - l.cancelled;
    let left = shippedLine.qty;
    // 1. Units reserved at the shipping location, on any line of the SKU: those are the ones on this truck.
    for (const l of lines) {
      for (const r of order.reservations.filter((x) => x.line_no === l.line_no && x.location_id === d.locationId)) {
        const q = Math.min(left, r.qty, open(l));
        if (q <= 0) continue;
        await unreserve(ctx, row, { orderId: d.orderId, lineNo: l.line_no, locationId: r.location_id, sku: r.sku, qty: q }, { release: false, reason: 'shipped' });
        await move(ctx, row, { sku: r.sku, locationId: d.locationId, orderId: d.orderId, reason: 'shipped' }, shipmentMoves(q));
        l.shipped += q;
        left -= q;
      }
    }
    // Anything else must at least be on this location's book, or the book (or the WMS) is wrong.
    if (left > 0) {
      const book = await ctx.inventory.get(shippedLine.sku, d.locationId);
      const available = availableOf({ onHand: book.on_hand, reserved: book.reserved });
      if (available < left) {
        throw new InvalidEventError(`shipment ${d.shipmentId} ships ${left} unreserved ${shippedLine.sku} from ${d.locationId}, which has ${available} available`);
      }
    }
    // 2. Units still backordered, then 3. units reserved at another location (released there).
    for (const l of lines) {
      const q = Math.min(left, l.backordered, open(l));
      if (q <= 0) continue;
      await move(ctx, row, { sku: l.sku, locationId: d.locationId, orderId: d.orderId, reason: 'shipped unreserved' }, [{ bucket: 'onHand', delta: -q }]);
      l.backordered -= q;
      l.shipped += q;
      left -= q;
    }
    for (const l of lines) {
      for (const r of order.reservations.filter((x) => x.line_no === l.line_no && x.location_id !== d.locationId)) {
        const q = Math.min(left, r.qty, open(l));
        if (q <= 0) continue;
        await unreserve(ctx, row, { orderId: d.orderId, lineNo: l.line_no, locationId: r.location_id, sku: r.sku, qty: q }, { release: true, reason: 'shipped from elsewhere' });
        await move(ctx, row, { sku: r.sku, locationId: d.locationId, orderId: d.orderId, reason: 'shipped unreserved' }, [{ bucket: 'onHand', delta: -q }]);
        l.shipped += q;
        left -= q;
      }
    }
    if (left > 0) throw new InvalidEventError(`shipment ${d.shipmentId} ships ${shippedLine.qty} of ${shippedLine.sku}, more than order ${d.orderId} has open`);
  }
  order.shipmentIds.add(d.shipmentId);
  ctx.orders.recordShipment({ order_id: d.orderId, shipment_id: d.shipmentId, location_id: d.locationId, shipped_at: row.occurred_at, units, event_seq: row.seq });
  // The order is locked for the batch: its first and last shipment are decided here, in memory.
  const head = order.head;
  const before = { ...head };
  const at = row.occurred_at;
  const isFirst = !head.first_shipped_at || at < head.first_shipped_at;
  const isLast = !head.last_shipped_at || at >= head.last_shipped_at;
  const lastAt = isLast ? at : head.last_shipped_at!;
  const lastLocation = isLast ? d.locationId : (head.last_ship_location ?? d.locationId);
  const complete = order.lines.every((l) => l.shipped + l.cancelled >= l.qty);
  if (isFirst) {
    head.first_shipped_at = at;
    head.first_ship_location = d.locationId;
    head.first_ship_units = units;
  }
  head.last_shipped_at = lastAt;
  head.last_ship_location = lastLocation;
  head.fully_shipped_at = complete ? lastAt : null;
  head.picking = false;
  if (isFirst) firstShipmentFacts(ctx, before, { at, locationId: d.locationId, units });
  if (complete) fulfilledFact(ctx, before, lastAt, lastLocation);
  await refreshStatus(ctx, d.orderId);
}

export async function delivered(ctx: BatchContext, row: Row): Promise<void> {
  const { orderId } = row.data as { orderId: string };
  const order = await requireOrder(ctx, orderId);
  if (!order.lines.some((l) => l.shipped > 0)) throw new InvalidEventError(`order ${orderId} cannot be delivered: nothing was shipped`);
  (await ctx.orders.edit(orderId)).head.delivered = true;
  await refreshStatus(ctx, orderId);
}
