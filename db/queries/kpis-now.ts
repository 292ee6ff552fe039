import type { Db } from '../connect';
import { availableToSell, oversellExposure } from '../../domain/inventory/ats';
import { awaitingShipment } from '../../domain/exceptions/time-rules';
import type { NowBreakdown } from '../../domain/kpis/report';
import type { NowFigures } from '../../domain/kpis/types';

/**
 * The "now" KPIs (oversell exposure, at-risk orders): state, not event-time sums, so both the exact
 * and the live API read them from PostgreSQL when asked.
 */

// Written into the SQL text so that the planner can use the partial index `orders_awaiting_shipment`.
const AWAITING_SHIPMENT = awaitingShipment.map((s) => `'${s}'`).join(', ');

export interface ListingTerms {
  channel: string;
  sku: string;
  listedQty: number;
  exposure: number;
  allocationShare: number;
  safetyStock: number;
  availableByLocation: number[];
}

/** Each listing with the terms of its ATS (available per location that ships, safety stock, the channel's share). */
export async function listingTerms(sql: Db, where: { skus?: readonly string[]; channels?: readonly string[] } = {}): Promise<ListingTerms[]> {
  const narrowed = where.skus !== undefined || where.channels !== undefined;
  const skus = sql.array([...(where.skus ?? [])]);
  const channels = sql.array([...(where.channels ?? [])]);
  const filter = narrowed ? sql`WHERE cl.sku = ANY(${skus}::text[]) OR cl.channel = ANY(${channels}::text[])` : sql``;
  return sql<ListingTerms[]>`
    SELECT cl.channel, cl.sku, cl.listed_qty AS "listedQty", cl.exposure, c.allocation_share::float8 AS "allocationShare",
           it.safety_stock AS "safetyStock", coalesce(a.available, '{}') AS "availableByLocation"
    FROM channel_listings cl
    JOIN channels c ON c.channel = cl.channel
    JOIN items it ON it.sku = cl.sku
    LEFT JOIN (
      SELECT i.sku, array_agg(i.on_hand - i.reserved) AS available
      FROM inventory i JOIN locations l ON l.location_id = i.location_id AND l.ships_to_customers
      ${narrowed ? sql`WHERE i.sku IN (SELECT cl.sku FROM channel_listings cl ${filter})` : sql``}
      GROUP BY i.sku
    ) a ON a.sku = cl.sku
    ${filter}`;
}

/** max(0, listed − ATS) of one listing, by the formula of domain/inventory/ats. */
export const listingExposure = (t: ListingTerms) =>
  oversellExposure(t.listedQty, availableToSell({ availableByLocation: t.availableByLocation, safetyStock: t.safetyStock, allocationShare: t.allocationShare }));

const emptyNow = (): NowFigures => ({ oversellExposure: { units: 0, pairs: 0 }, atRiskOrders: 0 });

function breakdown(): NowBreakdown & { byChannel: Map<string, NowFigures> } {
  return { total: emptyNow(), byChannel: new Map() };
}

const channelEntry = (b: { byChannel: Map<string, NowFigures> }, channel: string) => {
  let f = b.byChannel.get(channel);
  if (!f) b.byChannel.set(channel, (f = emptyNow()));
  return f;
};

async function atRisk(sql: Db, b: ReturnType<typeof breakdown>, q: { horizonEnd: Date; channel?: string }): Promise<void> {
  const rows = await sql`
    SELECT channel, GROUPING(channel) AS gc, count(*)::int AS n
    FROM orders
    WHERE status IN (${sql.unsafe(AWAITING_SHIPMENT)}) AND promised_ship_by <= ${q.horizonEnd}
      ${q.channel !== undefined ? sql`AND channel = ${q.channel}` : sql``}
    GROUP BY GROUPING SETS ((), (channel))`;
  for (const r of rows) (r.gc ? b.total : channelEntry(b, r.channel)).atRiskOrders = r.n;
}

/**
 * Exact "now" figures: at-risk orders (open, not fully shipped, promised by `now` + the horizon or
 * earlier) and oversell exposure recomputed from the buckets, per channel and in total.
 */
export async function exactNowFigures(sql: Db, q: { now: Date; riskHorizonMinutes: number; channel?: string }): Promise<NowBreakdown> {
  const b = breakdown();
  await atRisk(sql, b, { horizonEnd: new Date(q.now.getTime() + q.riskHorizonMinutes * 60_000), channel: q.channel });
  for (const t of await listingTerms(sql, q.channel !== undefined ? { channels: [q.channel] } : {})) {
    const units = listingExposure(t);
    if (units <= 0) continue;
    for (const f of [b.total, channelEntry(b, t.channel)]) {
      f.oversellExposure.units += units;
      f.oversellExposure.pairs += 1;
    }
  }
  return b;
}

/** Live "now" figures: the same at-risk count, and oversell exposure as the worker keeps it per listing. */
export async function liveNowFigures(sql: Db, q: { now: Date; riskHorizonMinutes: number }): Promise<NowBreakdown> {
  const b = breakdown();
  await atRisk(sql, b, { horizonEnd: new Date(q.now.getTime() + q.riskHorizonMinutes * 60_000) });
  const rows = await sql`
    SELECT channel, GROUPING(channel) AS gc, sum(exposure)::int8 AS units, count(*)::int AS pairs
    FROM channel_listings WHERE exposure > 0
    GROUP BY GROUPING SETS ((), (channel))`;
  for (const r of rows) {
    if (r.pairs === 0) continue;
    (r.gc ? b.total : channelEntry(b, r.channel)).oversellExposure = { units: Number(r.units), pairs: r.pairs };
  }
  return b;
}

/** Every channel and location of the master data: the keys of the breakdowns. */
export async function kpiDimensionKeys(sql: Db): Promise<{ channels: string[]; locations: string[] }> {
  const [row] = await sql`
    SELECT (SELECT coalesce(array_agg(channel ORDER BY channel), '{}') FROM channels) AS channels,
           (SELECT coalesce(array_agg(location_id ORDER BY location_id), '{}') FROM locations) AS locations`;
  return { channels: row?.channels ?? [], locations: row?.locations ?? [] };
}
