import type { TransactionSql } from '../../db/connect';
import { autoResolve, openException } from '../../db/queries/exceptions';
import type { EventType } from '../../domain/events/schemas';
import type { InternalEventType } from '../../domain/events/internal';
import type { LiveFact } from '../../domain/live/aggregates';
import { DeferEventError, InvalidEventError, isDataError, type BatchContext, type EngineConfig, type Row } from './context';
import { refreshExposure } from './exposure';
import { checkInvariants } from './invariants';
import { InventoryState } from './inventory-state';
import { MasterCache } from './master-cache';
import { channelUpserted, itemUpserted, locationUpserted } from './master-data';
import { OrderStore } from './order-store';
import { entityMaps, writeBack } from './write-back';
import { WriteQueue } from './write-queue';
import * as orders from './orders';
import { noteSplits, reallocateBackorders, releaseOverReservations } from './reallocation';
import * as stock from './stock';

type Handler = (ctx: BatchContext, row: Row) => Promise<void>;

const handlers: Record<EventType | InternalEventType, Handler> = {
  'order.hold_released': orders.holdReleased,
  'stock.count_approved': stock.countApproved,
  'item.upserted': itemUpserted,
  'location.upserted': locationUpserted,
  'channel.upserted': channelUpserted,
  'order.created': orders.orderCreated,
  'order.payment_authorized': orders.paymentAuthorized,
  'order.payment_failed': orders.paymentFailed,
  'order.cancelled': orders.orderCancelled,
  'fulfillment.picked': orders.picked,
  'fulfillment.short_picked': orders.shortPicked,
  'fulfillment.shipped': orders.shipped,
  'order.delivered': orders.delivered,
  'stock.received': stock.received,
  'stock.adjusted': stock.adjusted,
  'stock.counted': stock.counted,
  'stock.transfer_shipped': stock.transferShipped,
  'stock.transfer_received': stock.transferReceived,
  'channel.stock_snapshot': stock.stockSnapshot,
  'return.received': stock.returnReceived,
  'return.inspected': stock.returnInspected,
  'refund.issued': stock.refundIssued,
};


export interface EngineResult {
  /** seq → reason, for events kept as `invalid_event` (they count as applied: they will not be tried again). */
  invalid: Map<string, string>;
  /** seq → reason, for events still waiting for a prerequisite (left unapplied; the sweeper brings them back). */
  deferred: Map<string, string>;
  facts: LiveFact[];
  breaches: string[];
}

/** What an event is about, to match a waiting event with the one it waits for. */
function keysOf(row: Row): Set<string> {
  const d = row.data as Record<string, unknown>;
  const keys = new Set<string>();
  for (const [field, prefix] of [['orderId', 'o'], ['transferId', 't'], ['returnId', 'r'], ['locationId', 'l'], ['fromLocationId', 'l'], ['toLocationId', 'l'], ['channel', 'c'], ['sku', 's']] as const) {
    if (typeof d[field] === 'string') keys.add(`${prefix}:${d[field]}`);
  }
  for (const s of subjects(row).skus) keys.add(`s:${s}`);
  return keys;
}

/** SKUs an event touches directly, and the orders whose lines it touches. */
function subjects(row: Row): { skus: string[]; orderIds: string[] } {
  const d = row.data as { sku?: string; lines?: { sku: string }[]; items?: { sku: string }[]; orderId?: string };
  const skus = [d.sku, ...(d.lines ?? []).map((l) => l.sku), ...(d.items ?? []).map((i) => i.sku)].filter((s): s is string => typeof s === 'string');
  return { skus, orderIds: d.orderId ? [d.orderId] : [] };
}

/**
 * Every SKU the batch may change, read in one pass: those of its events, those of the orders its
 * events name, and those of other backorders sharing them (re-allocation of a no-split order reserves
 * all its SKUs at once). No other batch runs meanwhile (the apply lock), so what is read here stays
 * true until the batch commits; a SKU met later is read when first touched.
 */
async function skusOfBatch(tx: TransactionSql, rows: readonly Row[]): Promise<Set<string>> {
  const skus = new Set<string>();
  const orderIds = new Set<string>();
  for (const r of rows) {
    const s = subjects(r);
    s.skus.forEach((x) => skus.add(x));
    s.orderIds.forEach((x) => orderIds.add(x));
  }
  if (orderIds.size > 0) {
    for (const r of await tx`SELECT DISTINCT sku FROM order_lines WHERE order_id IN ${tx([...orderIds])}`) skus.add(r.sku);
  }
  // A location that starts shipping to customers offers its stock to waiting backorders.
  const locations = rows.filter((r) => r.type === 'location.upserted').map((r) => String((r.data as { locationId: string }).locationId));
  if (locations.length > 0) {
    for (const r of await tx`SELECT DISTINCT sku FROM inventory WHERE location_id IN ${tx(locations)} AND on_hand > reserved`) skus.add(r.sku);
  }
  // A channel's new share changes the oversell exposure of everything it lists (refreshed by this batch).
  const channels = rows.filter((r) => r.type === 'channel.upserted').map((r) => String((r.data as { channel: string }).channel));
  if (channels.length > 0) {
    for (const r of await tx`SELECT sku FROM channel_listings WHERE channel IN ${tx(channels)}`) skus.add(r.sku);
  }
  if (skus.size > 0) {
    const related = await tx`
      SELECT DISTINCT l2.sku FROM order_lines l1 JOIN order_lines l2 ON l2.order_id = l1.order_id
      WHERE l1.backordered > 0 AND l2.backordered > 0 AND l1.sku IN ${tx([...skus])}`;
    for (const r of related) skus.add(r.sku);
  }
  return skus;
}

/** Master data is written at once (last writer wins in SQL), so its events run in a savepoint; everything else is in memory until the batch ends. */
const writesAtOnce = new Set(['item.upserted', 'location.upserted', 'channel.upserted']);

const idsOf = (rows: readonly Row[], field: 'orderId' | 'transferId' | 'returnId') =>
  rows.map((r) => (r.data as Record<string, unknown>)[field]).filter((x): x is string => typeof x === 'string');

/**
 * Applies locked, unapplied events in sequence order inside the caller's transaction. The batch reads
 * what its events name in bulk, applies each event in memory (an event that cannot be applied is
 * undone there alone and kept as `invalid_event`; one that waits for a prerequisite is retried after
 * the rest of the batch, then left for later), and writes the outcome back in a few statements.
 */
export async function applyEvents(tx: TransactionSql, rows: readonly Row[], config: EngineConfig, now: Date): Promise<EngineResult> {
  const ctx: BatchContext = {
    tx, config, now, facts: [], reallocate: new Map(), touched: new Map(), touchedOrders: new Set(), skus: new Set(), moved: new Set(),
    inventory: new InventoryState(tx, (skus) => skus.forEach((s) => ctx.skus.add(s))),
    orders: new OrderStore(tx), master: new MasterCache(tx), writes: new WriteQueue(), ...entityMaps(tx),
  };
  ctx.skus = await skusOfBatch(tx, rows);
  await ctx.inventory.load(ctx.skus);
  await ctx.master.loadItems(ctx.skus);
  await ctx.orders.load(idsOf(rows, 'orderId'));
  // Every backorder the batch may re-allocate, read once (SKUs met later are read when first touched).
  await ctx.orders.loadBackorders([...ctx.skus]);
  await ctx.transfers.load(idsOf(rows, 'transferId'));
  await ctx.returns.load(idsOf(rows, 'returnId'));
  const invalid = new Map<string, string>();
  let waiting = new Map<string, { row: Row; reason: string }>();
  const stores = [ctx.inventory, ctx.orders, ctx.transfers, ctx.returns, ctx.listings, ctx.writes];

  const apply = async (local: BatchContext, row: Row) => {
    const handler = handlers[row.type as EventType | InternalEventType];
    if (!handler) throw new InvalidEventError(`unknown event type ${row.type}`);
    await handler(local, row);
    // Settled before the next event: freed stock goes to waiting backorders first (spec order).
    await releaseOverReservations(local);
    await reallocateBackorders(local);
  };

  const run = async (row: Row): Promise<void> => {
    const factsBefore = ctx.facts.length;
    for (const s of stores) s.begin();
    try {
      if (writesAtOnce.has(row.type)) await tx.savepoint((sp) => apply({ ...ctx, tx: sp as unknown as TransactionSql }, row));
      else await apply(ctx, row);
      waiting.delete(row.seq);
    } catch (err) {
      ctx.facts.length = factsBefore;
      for (const s of stores) s.rollback();
      ctx.moved.clear();
      ctx.reallocate.clear();
      if (err instanceof DeferEventError) waiting.set(row.seq, { row, reason: err.message });
      else if (err instanceof InvalidEventError) {
        waiting.delete(row.seq);
        invalid.set(row.seq, (err as Error).message);
      } else if (isDataError(err) && writesAtOnce.has(row.type)) {
        waiting.delete(row.seq);
        invalid.set(row.seq, (err as Error).message);
      } else throw err;
    }
  };

  for (const row of rows) {
    await run(row);
    // An event waiting for this one (a shipment for this order) goes right after it, before the
    // events that follow, as if it had arrived in order.
    if (waiting.size > 0 && !waiting.has(row.seq) && !invalid.has(row.seq)) {
      const keys = keysOf(row);
      for (const w of [...waiting.values()]) if ([...keysOf(w.row)].some((k) => keys.has(k))) await run(w.row);
    }
  }
  // A prerequisite may have come later in the same batch (a shipment before its order).
  for (const { row } of [...waiting.values()]) await run(row);

  const deferred = new Map<string, string>();
  const still = waiting;
  waiting = new Map();
  for (const { row, reason } of still.values()) {
    if (now.getTime() - row.accepted_at.getTime() >= config.deferMaxMs) {
      invalid.set(row.seq, `${reason} (waited ${Math.round((now.getTime() - row.accepted_at.getTime()) / 1000)} s)`);
    } else {
      deferred.set(row.seq, reason);
    }
  }

  await writeBack(ctx);
  for (const [seq, reason] of invalid) {
    const row = rows.find((r) => r.seq === seq)!;
    await openException(tx, {
      type: 'invalid_event', subject: `event:${row.source}/${row.event_id}`, at: now, eventSeq: seq,
      orderId: (row.data as { orderId?: string }).orderId, details: { reason, type: row.type, source: row.source, id: row.event_id },
    });
  }
  await noteSplits(ctx, now);
  await refreshExposure(ctx, rows);
  // A stockout clears once its SKU has no backordered unit left (re-allocation filled them, or they were cancelled).
  await autoResolve(tx, { type: 'stockout', skusWithoutBackorders: [...ctx.skus], at: now, reason: 'no units of the SKU are backordered any more' });
  const eventsByOrder = new Map<string, string[]>();
  for (const r of rows) {
    const orderId = (r.data as { orderId?: string }).orderId;
    if (orderId) eventsByOrder.set(orderId, [...(eventsByOrder.get(orderId) ?? []), r.seq]);
  }
  const breaches = await checkInvariants(ctx, now, eventsByOrder);
  return { invalid, deferred, facts: ctx.facts, breaches };
}
