import { listingExposure, listingTerms } from '../../db/queries/kpis-now';
import type { BatchContext, Row } from './context';

/**
 * The SKUs whose oversell exposure a batch may have changed: those it moved, listed, re-costed or
 * made (un)available by a location, and those listed on a channel whose share changed. No other
 * batch runs until this one commits (the apply lock), so what is refreshed here stays true.
 */
async function exposedSkus(ctx: BatchContext, rows: readonly Row[]): Promise<{ skus: string[]; channels: string[] }> {
  const skus = new Set<string>();
  for (const key of ctx.touched.keys()) skus.add(key.slice(0, key.indexOf('\u0000')));
  const channels: string[] = [];
  const locations: string[] = [];
  for (const r of rows) {
    const d = r.data as { sku?: string; channel?: string; locationId?: string; items?: { sku: string }[] };
    if (r.type === 'item.upserted' && d.sku) skus.add(d.sku);
    if (r.type === 'channel.stock_snapshot') for (const i of d.items ?? []) skus.add(i.sku);
    if (r.type === 'channel.upserted' && d.channel) channels.push(d.channel);
    if (r.type === 'location.upserted' && d.locationId) locations.push(d.locationId);
  }
  if (locations.length > 0) {
    for (const x of await ctx.tx`SELECT DISTINCT sku FROM inventory WHERE location_id IN ${ctx.tx(locations)}`) skus.add(x.sku);
  }
  return { skus: [...skus], channels };
}

/**
 * Recomputes `channel_listings.exposure` (max(0, listed − ATS)) for what the batch changed, in the
 * batch's transaction after its buckets are written: "now" oversell exposure is then a sum of
 * current rows, with the formula of domain/inventory/ats.
 */
export async function refreshExposure(ctx: BatchContext, rows: readonly Row[]): Promise<void> {
  const { skus, channels } = await exposedSkus(ctx, rows);
  if (skus.length === 0 && channels.length === 0) return;
  const changed = (await listingTerms(ctx.tx, { skus, channels }))
    .map((t) => ({ channel: t.channel, sku: t.sku, exposure: listingExposure(t), before: t.exposure }))
    .filter((l) => l.exposure !== l.before);
  if (changed.length === 0) return;
  await ctx.tx`
    UPDATE channel_listings cl SET exposure = x.exposure
    FROM unnest(${ctx.tx.array(changed.map((c) => c.channel))}::text[], ${ctx.tx.array(changed.map((c) => c.sku))}::text[],
                ${ctx.tx.array(changed.map((c) => c.exposure))}::int[]) AS x(channel, sku, exposure)
    WHERE cl.channel = x.channel AND cl.sku = x.sku`;
}
