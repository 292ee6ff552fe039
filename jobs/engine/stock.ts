import { autoResolve } from '../../db/queries/exceptions';
import {
  adjustmentMoves, countMoves, inspectionMoves, receiptMoves, returnReceiptMoves, transferReceiptMoves, transferShipMoves,
  type AdjustmentReason, type Disposition,
} from '../../domain/inventory/buckets';
import { countWithinTolerance } from '../../domain/inventory/counts';
import { availableToSell, oversellExposure } from '../../domain/inventory/ats';
import { durationMs } from '../../domain/kpis/facts';
import { lossCents } from '../../domain/kpis/formulas';
import { DeferEventError, InvalidEventError, move, type BatchContext, type Row } from './context';
import { channelOf, raise, unknownSkus } from './orders';
import { refreshStatus } from './order-book';

type SkuLines = { sku: string; qty: number }[];

function unitsBySku(lines: SkuLines): Map<string, number> {
  const units = new Map<string, number>();
  for (const l of lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.qty);
  return units;
}

async function requireKnown(ctx: BatchContext, skus: readonly string[], locations: readonly string[]): Promise<void> {
  const s = [...new Set(skus)];
  const l = [...new Set(locations)];
  const unknown = await unknownSkus(ctx, s);
  const known = await ctx.master.allLocations();
  const missing = [
    ...unknown.map((x) => `SKU ${x}`),
    ...l.filter((x) => !known.has(x)).map((x) => `location ${x}`),
  ];
  // Master data may still be on its way: wait for it (bounded), then the event is invalid.
  if (missing.length > 0) throw new DeferEventError(`unknown ${missing.join(', ')}`);
}

export async function received(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { locationId: string; sku: string; qty: number };
  await requireKnown(ctx, [d.sku], [d.locationId]);
  await move(ctx, row, { sku: d.sku, locationId: d.locationId, reason: 'received' }, receiptMoves(d.qty));
  ctx.reallocate.set(d.sku, row);
}

export async function adjusted(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { locationId: string; sku: string; delta: number; reason: AdjustmentReason };
  await requireKnown(ctx, [d.sku], [d.locationId]);
  const book = await ctx.inventory.get(d.sku, d.locationId);
  if (book.on_hand + d.delta < 0) throw new InvalidEventError(`adjusting ${d.sku} at ${d.locationId} by ${d.delta} would take on hand (${book.on_hand}) below 0`);
  await move(ctx, row, { sku: d.sku, locationId: d.locationId, reason: `adjusted: ${d.reason}` }, adjustmentMoves(d));
  ctx.reallocate.set(d.sku, row);
}

export async function counted(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { locationId: string; sku: string; countedQty: number };
  await requireKnown(ctx, [d.sku], [d.locationId]);
  const book = await ctx.inventory.get(d.sku, d.locationId);
  // A count that arrives late is compared with the book as it stood when the shelf was counted, and
  // corrects only that difference: receipts and shipments after it are not overwritten.
  const bookAtCount = book.on_hand - (await ctx.inventory.onHandMovedAfter(d.sku, d.locationId, row.occurred_at));
  const within = countWithinTolerance({ onHand: bookAtCount, counted: d.countedQty, tolerance: ctx.config.countTolerance });
  ctx.writes.insert('stock_counts', {
    event_seq: row.seq, sku: d.sku, location_id: d.locationId, counted_qty: d.countedQty, book_qty: bookAtCount, within_tolerance: within, counted_at: row.occurred_at,
  });
  ctx.facts.push({ kind: 'counted', countedAtMs: row.occurred_at.getTime(), locationId: d.locationId, withinTolerance: within ? 1 : 0, count: 1 });
  if (within) {
    await move(ctx, row, { sku: d.sku, locationId: d.locationId, reason: 'counted' }, countMoves({ onHand: bookAtCount, counted: d.countedQty }));
    ctx.inventory.noteCount(d.sku, d.locationId, row.occurred_at);
    ctx.reallocate.set(d.sku, row);
  } else {
    // The book stays until a supervisor approves or rejects the count.
    raise(ctx, {
      type: 'count_discrepancy', subject: `sku:${d.sku}@${d.locationId}`, at: row.occurred_at, sku: d.sku, locationId: d.locationId, eventSeq: row.seq,
      details: { countedQty: d.countedQty, bookQty: bookAtCount, bookNow: book.on_hand, countEventSeq: row.seq },
    });
  }
}

/**
 * A supervisor approved a count beyond tolerance (an internal event dated at the count): the book is
 * set to the count as it stood then, through the ledger; movements after the count stay. A newer count
 * that already set the book wins: approving the older one is then refused.
 */
export async function countApproved(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { countEventSeq: string; sku: string; locationId: string };
  const [count] = await ctx.tx`SELECT counted_qty, counted_at, approved FROM stock_counts WHERE event_seq = ${d.countEventSeq} FOR UPDATE`;
  if (!count) throw new InvalidEventError(`count event ${d.countEventSeq} is unknown`);
  if (count.approved || ctx.writes.noted(`count-approved:${d.countEventSeq}`)) throw new InvalidEventError(`the count of event ${d.countEventSeq} was approved already`);
  const [stored] = await ctx.tx`
    SELECT counted_at FROM stock_counts
    WHERE sku = ${d.sku} AND location_id = ${d.locationId} AND (within_tolerance OR approved) AND counted_at > ${count.counted_at}
    LIMIT 1`;
  // Counts of this batch that set the book are not written yet: they count as newer too.
  const pending = ctx.writes.pending('stock_counts').find((c) => c.sku === d.sku && c.location_id === d.locationId && c.within_tolerance && (c.counted_at as Date) > count.counted_at);
  const newer = (stored?.counted_at ?? pending?.counted_at) as Date | undefined;
  if (newer) throw new InvalidEventError(`a later count (${newer.toISOString()}) already set the book of ${d.sku} at ${d.locationId}`);
  const book = await ctx.inventory.get(d.sku, d.locationId);
  const bookAtCount = book.on_hand - (await ctx.inventory.onHandMovedAfter(d.sku, d.locationId, count.counted_at));
  await move(ctx, row, { sku: d.sku, locationId: d.locationId, reason: 'count approved' }, countMoves({ onHand: bookAtCount, counted: count.counted_qty }));
  ctx.writes.note(`count-approved:${d.countEventSeq}`);
  ctx.writes.later((sql) => sql`UPDATE stock_counts SET approved = true WHERE event_seq = ${d.countEventSeq}`);
  ctx.inventory.noteCount(d.sku, d.locationId, count.counted_at);
  ctx.reallocate.set(d.sku, row);
}

export async function transferShipped(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { transferId: string; fromLocationId: string; toLocationId: string; lines: SkuLines };
  await requireKnown(ctx, d.lines.map((l) => l.sku), [d.fromLocationId, d.toLocationId]);
  if (await ctx.transfers.get(d.transferId)) throw new InvalidEventError(`transfer ${d.transferId} was shipped already`);
  for (const l of d.lines) {
    const book = await ctx.inventory.get(l.sku, d.fromLocationId);
    if (book.on_hand < l.qty) throw new InvalidEventError(`transfer ${d.transferId} ships ${l.qty} of ${l.sku} from ${d.fromLocationId}, which has ${book.on_hand} on hand`);
    const moves = transferShipMoves(l.qty);
    await move(ctx, row, { sku: l.sku, locationId: d.fromLocationId, reason: `transfer ${d.transferId} out` }, moves.source);
    await move(ctx, row, { sku: l.sku, locationId: d.toLocationId, reason: `transfer ${d.transferId} in transit` }, moves.destination);
    ctx.reallocate.set(l.sku, row);
  }
  ctx.transfers.create(d.transferId, {
    transfer_id: d.transferId, from_location_id: d.fromLocationId, to_location_id: d.toLocationId, shipped_at: row.occurred_at, lines: d.lines, received: {},
  });
}

export async function transferReceived(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { transferId: string; lines: SkuLines };
  if (!(await ctx.transfers.get(d.transferId))) throw new DeferEventError(`transfer ${d.transferId} is unknown`);
  const transfer = await ctx.transfers.edit(d.transferId);
  const shippedQty = unitsBySku(transfer.lines);
  for (const l of d.lines) {
    const open = (shippedQty.get(l.sku) ?? 0) - (transfer.received[l.sku] ?? 0);
    if (l.qty > open) throw new InvalidEventError(`transfer ${d.transferId} has ${open} of ${l.sku} in transit, fewer than the ${l.qty} received`);
    await move(ctx, row, { sku: l.sku, locationId: transfer.to_location_id, reason: `transfer ${d.transferId} received` }, transferReceiptMoves(l.qty));
    transfer.received[l.sku] = (transfer.received[l.sku] ?? 0) + l.qty;
    ctx.reallocate.set(l.sku, row);
  }
}

export async function returnReceived(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { returnId: string; orderId: string; locationId: string; lines: SkuLines };
  const known = await ctx.orders.get(d.orderId);
  if (!known) throw new DeferEventError(`order ${d.orderId} is unknown`);
  await requireKnown(ctx, d.lines.map((l) => l.sku), [d.locationId]);
  if (await ctx.returns.get(d.returnId)) throw new InvalidEventError(`return ${d.returnId} was received already`);
  const order = await ctx.orders.edit(d.orderId);
  for (const l of d.lines) {
    // Spread over the order's lines of that SKU, as far as each shipped and has not been returned.
    const lines = order.lines.filter((x) => x.sku === l.sku && x.shipped > x.returned);
    const returnable = lines.reduce((n, x) => n + x.shipped - x.returned, 0);
    if (returnable < l.qty) throw new InvalidEventError(`return ${d.returnId} brings back ${l.qty} of ${l.sku}, more than order ${d.orderId} shipped and has not returned (${returnable})`);
    let left = l.qty;
    for (const x of lines) {
      const q = Math.min(left, x.shipped - x.returned);
      if (q <= 0) continue;
      x.returned += q;
      left -= q;
    }
    await move(ctx, row, { sku: l.sku, locationId: d.locationId, orderId: d.orderId, reason: `return ${d.returnId} received` }, returnReceiptMoves(l.qty));
  }
  await refreshStatus(ctx, d.orderId);
  ctx.returns.create(d.returnId, {
    return_id: d.returnId, order_id: d.orderId, location_id: d.locationId, received_at: row.occurred_at, lines: d.lines, inspected: {},
    inspected_at: null, resolved_at: null, channel: order.head.channel, last_inspected_at: null,
  });
}

export async function returnInspected(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { returnId: string; lines: { sku: string; qty: number; disposition: Disposition }[] };
  if (!(await ctx.returns.get(d.returnId))) throw new DeferEventError(`return ${d.returnId} is unknown`);
  const ret = await ctx.returns.edit(d.returnId);
  const receivedQty = unitsBySku(ret.lines);
  for (const l of d.lines) {
    const open = (receivedQty.get(l.sku) ?? 0) - (ret.inspected[l.sku] ?? 0);
    if (l.qty > open) throw new InvalidEventError(`return ${d.returnId} has ${open} of ${l.sku} awaiting inspection, fewer than the ${l.qty} inspected`);
    await move(ctx, row, { sku: l.sku, locationId: ret.location_id, orderId: ret.order_id, reason: `return ${d.returnId}: ${l.disposition}` }, inspectionMoves(l));
    const unitCost = (await ctx.master.item(l.sku))?.unit_cost ?? 0;
    ctx.writes.insert('return_dispositions', {
      event_seq: row.seq, return_id: d.returnId, sku: l.sku, qty: l.qty, disposition: l.disposition, unit_cost: unitCost, inspected_at: row.occurred_at,
    });
    ctx.facts.push({
      kind: 'disposition', inspectedAtMs: row.occurred_at.getTime(), channel: ret.channel ?? '', locationId: ret.location_id,
      lossCents: l.disposition === 'restock' ? 0 : lossCents(Number(unitCost), l.qty), count: 1,
    });
    ret.inspected[l.sku] = (ret.inspected[l.sku] ?? 0) + l.qty;
    if (l.disposition === 'restock') ctx.reallocate.set(l.sku, row);
  }
  if (!ret.last_inspected_at || row.occurred_at > ret.last_inspected_at) ret.last_inspected_at = row.occurred_at;
  // Resolved once every received unit is inspected: at the latest inspection (they may arrive out of order).
  const resolved = [...receivedQty].every(([sku, qty]) => (ret.inspected[sku] ?? 0) >= qty);
  const resolvedAt = resolved ? ret.last_inspected_at : null;
  ret.inspected_at = row.occurred_at;
  ret.resolved_at = resolvedAt;
  if (resolvedAt) {
    ctx.facts.push({
      kind: 'returnResolved', resolvedAtMs: resolvedAt.getTime(), channel: ret.channel ?? '', locationId: ret.location_id,
      resolutionMs: durationMs(ret.received_at.getTime(), resolvedAt.getTime()), count: 1,
    });
  }
}

export async function refundIssued(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { orderId: string; returnId?: string; amount: number };
  if (!(await ctx.orders.get(d.orderId))) throw new DeferEventError(`order ${d.orderId} is unknown`);
  ctx.writes.insert('refunds', { event_seq: row.seq, order_id: d.orderId, return_id: d.returnId ?? null, amount: d.amount, issued_at: row.occurred_at });
}

/** ATS of one SKU for one channel, from the current buckets (the spec's formula, term by term in domain/inventory/ats). */
export async function atsFor(ctx: BatchContext, sku: string, channel: { allocation_share: string | number }): Promise<number> {
  const available = [...(await ctx.inventory.availability([sku])).values()].map((m) => m.get(sku) ?? 0);
  const item = await ctx.master.item(sku);
  return availableToSell({ availableByLocation: available, safetyStock: Number(item?.safety_stock ?? 0), allocationShare: Number(channel.allocation_share) });
}

export async function stockSnapshot(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { channel: string; items: { sku: string; listedQty: number }[] };
  const channel = await channelOf(ctx, d.channel);
  if (!channel) throw new DeferEventError(`channel ${d.channel} is unknown`);
  await requireKnown(ctx, d.items.map((i) => i.sku), []);
  const key = (sku: string) => `${d.channel}\u0000${sku}`;
  await ctx.listings.load(d.items.map((i) => key(i.sku)));
  await ctx.inventory.load(d.items.map((i) => i.sku));
  let clean: string[] = [];
  // Auto-resolutions go out together, but never after an opening that came later in the snapshot.
  const resolveClean = () => {
    if (clean.length === 0) return;
    const subjects = clean;
    clean = [];
    ctx.writes.later((sql) => autoResolve(sql, { type: 'oversell_exposure', subjects, at: row.occurred_at, reason: 'the latest snapshot lists no more than ATS' }));
  };
  for (const item of d.items) {
    const listing = await ctx.listings.get(key(item.sku));
    if (listing && listing.listed_at > row.occurred_at) continue; // a late, older snapshot does not overwrite the latest
    const fresh = { channel: d.channel, sku: item.sku, listed_qty: item.listedQty, listed_at: row.occurred_at, event_seq: row.seq };
    if (listing) Object.assign(await ctx.listings.edit(key(item.sku)), fresh);
    else ctx.listings.create(key(item.sku), fresh);
    const exposure = oversellExposure(item.listedQty, await atsFor(ctx, item.sku, { allocation_share: channel.allocation_share }));
    const subject = `channel:${d.channel}:${item.sku}`;
    if (exposure > 0) {
      resolveClean();
      raise(ctx, { type: 'oversell_exposure', subject, at: row.occurred_at, channel: d.channel, sku: item.sku, eventSeq: row.seq, details: { listedQty: item.listedQty, exposure } });
    } else {
      clean.push(subject);
    }
  }
  resolveClean();
}
