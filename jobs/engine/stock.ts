import { autoResolve, openException } from '../../db/queries/exceptions';
import {
  adjustmentMoves, countMoves, inspectionMoves, receiptMoves, returnReceiptMoves, transferReceiptMoves, transferShipMoves,
  type AdjustmentReason, type Disposition,
} from '../../domain/inventory/buckets';
import { countWithinTolerance } from '../../domain/inventory/counts';
import { availableToSell, oversellExposure } from '../../domain/inventory/ats';
import { durationMs } from '../../domain/kpis/facts';
import { lossCents } from '../../domain/kpis/formulas';
import { DeferEventError, InvalidEventError, move, type BatchContext, type Row } from './context';
import { channelOf, unknownSkus } from './orders';
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
  const knownLocations = l.length ? await ctx.tx`SELECT location_id FROM locations WHERE location_id IN ${ctx.tx(l)}` : [];
  const missing = [
    ...unknown.map((x) => `SKU ${x}`),
    ...l.filter((x) => !knownLocations.some((k) => k.location_id === x)).map((x) => `location ${x}`),
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
  await ctx.tx`INSERT INTO stock_counts (event_seq, sku, location_id, counted_qty, book_qty, within_tolerance, counted_at)
               VALUES (${row.seq}, ${d.sku}, ${d.locationId}, ${d.countedQty}, ${bookAtCount}, ${within}, ${row.occurred_at})`;
  ctx.facts.push({ kind: 'counted', countedAtMs: row.occurred_at.getTime(), locationId: d.locationId, withinTolerance: within ? 1 : 0, count: 1 });
  if (within) {
    await move(ctx, row, { sku: d.sku, locationId: d.locationId, reason: 'counted' }, countMoves({ onHand: bookAtCount, counted: d.countedQty }));
    ctx.inventory.noteCount(d.sku, d.locationId, row.occurred_at);
    ctx.reallocate.set(d.sku, row);
  } else {
    // The book stays until a supervisor approves or rejects the count.
    await openException(ctx.tx, {
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
  if (count.approved) throw new InvalidEventError(`the count of event ${d.countEventSeq} was approved already`);
  const [newer] = await ctx.tx`
    SELECT counted_at FROM stock_counts
    WHERE sku = ${d.sku} AND location_id = ${d.locationId} AND (within_tolerance OR approved) AND counted_at > ${count.counted_at}
    LIMIT 1`;
  if (newer) throw new InvalidEventError(`a later count (${(newer.counted_at as Date).toISOString()}) already set the book of ${d.sku} at ${d.locationId}`);
  const book = await ctx.inventory.get(d.sku, d.locationId);
  const bookAtCount = book.on_hand - (await ctx.inventory.onHandMovedAfter(d.sku, d.locationId, count.counted_at));
  await move(ctx, row, { sku: d.sku, locationId: d.locationId, reason: 'count approved' }, countMoves({ onHand: bookAtCount, counted: count.counted_qty }));
  await ctx.tx`UPDATE stock_counts SET approved = true WHERE event_seq = ${d.countEventSeq}`;
  ctx.inventory.noteCount(d.sku, d.locationId, count.counted_at);
  ctx.reallocate.set(d.sku, row);
}

export async function transferShipped(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { transferId: string; fromLocationId: string; toLocationId: string; lines: SkuLines };
  await requireKnown(ctx, d.lines.map((l) => l.sku), [d.fromLocationId, d.toLocationId]);
  const [exists] = await ctx.tx`SELECT 1 FROM transfers WHERE transfer_id = ${d.transferId}`;
  if (exists) throw new InvalidEventError(`transfer ${d.transferId} was shipped already`);
  for (const l of d.lines) {
    const book = await ctx.inventory.get(l.sku, d.fromLocationId);
    if (book.on_hand < l.qty) throw new InvalidEventError(`transfer ${d.transferId} ships ${l.qty} of ${l.sku} from ${d.fromLocationId}, which has ${book.on_hand} on hand`);
    const moves = transferShipMoves(l.qty);
    await move(ctx, row, { sku: l.sku, locationId: d.fromLocationId, reason: `transfer ${d.transferId} out` }, moves.source);
    await move(ctx, row, { sku: l.sku, locationId: d.toLocationId, reason: `transfer ${d.transferId} in transit` }, moves.destination);
    ctx.reallocate.set(l.sku, row);
  }
  await ctx.tx`INSERT INTO transfers (transfer_id, from_location_id, to_location_id, shipped_at, lines)
               VALUES (${d.transferId}, ${d.fromLocationId}, ${d.toLocationId}, ${row.occurred_at}, ${ctx.tx.json(d.lines as never)})`;
}

export async function transferReceived(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { transferId: string; lines: SkuLines };
  const [transfer] = await ctx.tx`SELECT * FROM transfers WHERE transfer_id = ${d.transferId} FOR UPDATE`;
  if (!transfer) throw new DeferEventError(`transfer ${d.transferId} is unknown`);
  const shippedQty = unitsBySku(transfer.lines as SkuLines);
  const received = { ...(transfer.received as Record<string, number>) };
  for (const l of d.lines) {
    const open = (shippedQty.get(l.sku) ?? 0) - (received[l.sku] ?? 0);
    if (l.qty > open) throw new InvalidEventError(`transfer ${d.transferId} has ${open} of ${l.sku} in transit, fewer than the ${l.qty} received`);
    await move(ctx, row, { sku: l.sku, locationId: transfer.to_location_id, reason: `transfer ${d.transferId} received` }, transferReceiptMoves(l.qty));
    received[l.sku] = (received[l.sku] ?? 0) + l.qty;
    ctx.reallocate.set(l.sku, row);
  }
  await ctx.tx`UPDATE transfers SET received = ${ctx.tx.json(received)} WHERE transfer_id = ${d.transferId}`;
}

export async function returnReceived(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { returnId: string; orderId: string; locationId: string; lines: SkuLines };
  const [order] = await ctx.tx`SELECT channel FROM orders WHERE order_id = ${d.orderId}`;
  if (!order) throw new DeferEventError(`order ${d.orderId} is unknown`);
  await requireKnown(ctx, d.lines.map((l) => l.sku), [d.locationId]);
  const [exists] = await ctx.tx`SELECT 1 FROM returns WHERE return_id = ${d.returnId}`;
  if (exists) throw new InvalidEventError(`return ${d.returnId} was received already`);
  for (const l of d.lines) {
    // Spread over the order's lines of that SKU, as far as each shipped and has not been returned.
    const lines = await ctx.tx`
      SELECT line_no, shipped - returned AS returnable FROM order_lines
      WHERE order_id = ${d.orderId} AND sku = ${l.sku} AND shipped > returned ORDER BY line_no`;
    const returnable = lines.reduce((n, x) => n + Number(x.returnable), 0);
    if (returnable < l.qty) throw new InvalidEventError(`return ${d.returnId} brings back ${l.qty} of ${l.sku}, more than order ${d.orderId} shipped and has not returned (${returnable})`);
    let left = l.qty;
    for (const x of lines) {
      const q = Math.min(left, Number(x.returnable));
      if (q <= 0) continue;
      await ctx.tx`UPDATE order_lines SET returned = returned + ${q} WHERE order_id = ${d.orderId} AND line_no = ${x.line_no}`;
      left -= q;
    }
    await move(ctx, row, { sku: l.sku, locationId: d.locationId, orderId: d.orderId, reason: `return ${d.returnId} received` }, returnReceiptMoves(l.qty));
  }
  await refreshStatus(ctx, d.orderId);
  await ctx.tx`INSERT INTO returns (return_id, order_id, location_id, received_at, lines, channel)
               VALUES (${d.returnId}, ${d.orderId}, ${d.locationId}, ${row.occurred_at}, ${ctx.tx.json(d.lines as never)}, ${order.channel})`;
}

export async function returnInspected(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { returnId: string; lines: { sku: string; qty: number; disposition: Disposition }[] };
  const [ret] = await ctx.tx`SELECT * FROM returns WHERE return_id = ${d.returnId} FOR UPDATE`;
  if (!ret) throw new DeferEventError(`return ${d.returnId} is unknown`);
  const receivedQty = unitsBySku(ret.lines as SkuLines);
  const inspected = { ...(ret.inspected as Record<string, number>) };
  for (const l of d.lines) {
    const open = (receivedQty.get(l.sku) ?? 0) - (inspected[l.sku] ?? 0);
    if (l.qty > open) throw new InvalidEventError(`return ${d.returnId} has ${open} of ${l.sku} awaiting inspection, fewer than the ${l.qty} inspected`);
    await move(ctx, row, { sku: l.sku, locationId: ret.location_id, orderId: ret.order_id, reason: `return ${d.returnId}: ${l.disposition}` }, inspectionMoves(l));
    const [item] = await ctx.tx`SELECT unit_cost FROM items WHERE sku = ${l.sku}`;
    await ctx.tx`INSERT INTO return_dispositions (event_seq, return_id, sku, qty, disposition, unit_cost, inspected_at)
                 VALUES (${row.seq}, ${d.returnId}, ${l.sku}, ${l.qty}, ${l.disposition}, ${item?.unit_cost ?? 0}, ${row.occurred_at})`;
    ctx.facts.push({
      kind: 'disposition', inspectedAtMs: row.occurred_at.getTime(), channel: ret.channel ?? '', locationId: ret.location_id,
      lossCents: l.disposition === 'restock' ? 0 : lossCents(Number(item?.unit_cost ?? 0), l.qty), count: 1,
    });
    inspected[l.sku] = (inspected[l.sku] ?? 0) + l.qty;
    if (l.disposition === 'restock') ctx.reallocate.set(l.sku, row);
  }
  // Resolved once every received unit is inspected: at the latest inspection (they may arrive out of order).
  const resolved = [...receivedQty].every(([sku, qty]) => (inspected[sku] ?? 0) >= qty);
  const [latest] = resolved ? await ctx.tx`SELECT max(inspected_at) AS at FROM return_dispositions WHERE return_id = ${d.returnId}` : [];
  const resolvedAt: Date | null = latest?.at ?? null;
  await ctx.tx`UPDATE returns SET inspected = ${ctx.tx.json(inspected)}, inspected_at = ${row.occurred_at}, resolved_at = ${resolvedAt} WHERE return_id = ${d.returnId}`;
  if (resolvedAt) {
    ctx.facts.push({
      kind: 'returnResolved', resolvedAtMs: resolvedAt.getTime(), channel: ret.channel ?? '', locationId: ret.location_id,
      resolutionMs: durationMs((ret.received_at as Date).getTime(), resolvedAt.getTime()), count: 1,
    });
  }
}

export async function refundIssued(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { orderId: string; returnId?: string; amount: number };
  const [order] = await ctx.tx`SELECT 1 FROM orders WHERE order_id = ${d.orderId}`;
  if (!order) throw new DeferEventError(`order ${d.orderId} is unknown`);
  await ctx.tx`INSERT INTO refunds (event_seq, order_id, return_id, amount, issued_at)
               VALUES (${row.seq}, ${d.orderId}, ${d.returnId ?? null}, ${d.amount}, ${row.occurred_at})`;
}

/** ATS of one SKU for one channel, from the current buckets (the spec's formula, term by term in domain/inventory/ats). */
export async function atsFor(ctx: BatchContext, sku: string, channel: { allocation_share: string | number }): Promise<number> {
  const available = [...(await ctx.inventory.availability([sku])).values()].map((m) => m.get(sku) ?? 0);
  const [item] = await ctx.tx`SELECT safety_stock FROM items WHERE sku = ${sku}`;
  return availableToSell({ availableByLocation: available, safetyStock: Number(item?.safety_stock ?? 0), allocationShare: Number(channel.allocation_share) });
}

export async function stockSnapshot(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as { channel: string; items: { sku: string; listedQty: number }[] };
  const channel = await channelOf(ctx, d.channel);
  if (!channel) throw new DeferEventError(`channel ${d.channel} is unknown`);
  await requireKnown(ctx, d.items.map((i) => i.sku), []);
  for (const item of d.items) {
    const [newer] = await ctx.tx`SELECT 1 FROM channel_listings WHERE channel = ${d.channel} AND sku = ${item.sku} AND listed_at > ${row.occurred_at}`;
    if (newer) continue; // a late, older snapshot does not overwrite the latest
    await ctx.tx`
      INSERT INTO channel_listings (channel, sku, listed_qty, listed_at, event_seq) VALUES (${d.channel}, ${item.sku}, ${item.listedQty}, ${row.occurred_at}, ${row.seq})
      ON CONFLICT (channel, sku) DO UPDATE SET listed_qty = EXCLUDED.listed_qty, listed_at = EXCLUDED.listed_at, event_seq = EXCLUDED.event_seq`;
    const exposure = oversellExposure(item.listedQty, await atsFor(ctx, item.sku, { allocation_share: channel.allocation_share }));
    if (exposure > 0) {
      await openException(ctx.tx, {
        type: 'oversell_exposure', subject: `channel:${d.channel}:${item.sku}`, at: row.occurred_at, channel: d.channel, sku: item.sku, eventSeq: row.seq,
        details: { listedQty: item.listedQty, exposure },
      });
    } else {
      await autoResolve(ctx.tx, { type: 'oversell_exposure', subjects: [`channel:${d.channel}:${item.sku}`], at: row.occurred_at, reason: 'the latest snapshot lists no more than ATS' });
    }
  }
}
