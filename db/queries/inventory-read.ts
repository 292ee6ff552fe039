import type { Db, Sql } from '../connect';
import { availableToSell, oversellExposure } from '../../domain/inventory/ats';
import { hoursToStockout, sellableUnits, sellRatePerHour } from '../../domain/inventory/stockout';
import { likePrefix } from './like-prefix';
import { readSnapshot } from './snapshot-read';

/** More rows than a screen needs; beyond it the answer says `truncated` and a filter narrows it. */
export const INVENTORY_ROW_CAP = 5000;
const LEDGER_TAIL = 20;
const RESERVATIONS_SHOWN = 100;

export interface BucketView {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  inTransit: number;
  returnsPending: number;
  damaged: number;
}

/** The inputs of the ATS formula for one SKU; `availableByLocation` covers locations that ship to customers. */
export interface AtsTerms {
  sku: string;
  safetyStock: number;
  availableByLocation: number[];
}

export interface ChannelShare {
  channel: string;
  allocationShare: number;
}

export async function bucketRows(sql: Db, filter: { sku?: string; location?: string }, limit: number): Promise<BucketView[]> {
  return sql<BucketView[]>`
    SELECT sku, location_id AS "locationId", on_hand AS "onHand", reserved, on_hand - reserved AS available,
           in_transit AS "inTransit", returns_pending AS "returnsPending", damaged
    FROM inventory
    WHERE true
      ${filter.sku ? sql`AND sku = ${filter.sku}` : sql``}
      ${filter.location ? sql`AND location_id = ${filter.location}` : sql``}
    ORDER BY sku, location_id
    LIMIT ${limit}`;
}

/** Units ordered but reserved nowhere, per SKU, over orders that are not cancelled. */
export async function backorderedUnits(sql: Db, filter: { sku?: string; skus?: readonly string[] }): Promise<Map<string, number>> {
  const rows = await sql<{ sku: string; units: string }[]>`
    SELECT l.sku, sum(l.backordered)::int8 AS units
    FROM order_lines l JOIN orders o ON o.order_id = l.order_id
    WHERE l.backordered > 0 AND o.status <> 'cancelled'
      ${filter.sku ? sql`AND l.sku = ${filter.sku}` : sql``}
      ${filter.skus ? sql`AND l.sku = ANY(${sql.array([...filter.skus])}::text[])` : sql``}
    GROUP BY l.sku`;
  return new Map(rows.map((r) => [r.sku, Number(r.units)]));
}

/** ATS terms of the given SKUs, or of every item; on hand − reserved is left unclamped for `availableToSell` to judge. */
export async function atsTerms(sql: Db, skus?: readonly string[]): Promise<AtsTerms[]> {
  return sql<AtsTerms[]>`
    SELECT it.sku, it.safety_stock AS "safetyStock",
           coalesce(array_agg(i.on_hand - i.reserved) FILTER (WHERE i.location_id IS NOT NULL), '{}') AS "availableByLocation"
    FROM items it
    LEFT JOIN (inventory i JOIN locations l ON l.location_id = i.location_id AND l.ships_to_customers) ON i.sku = it.sku
    ${skus ? sql`WHERE it.sku = ANY(${sql.array([...skus])}::text[])` : sql``}
    GROUP BY it.sku
    ORDER BY it.sku`;
}

export async function channelShares(sql: Db, channel?: string): Promise<ChannelShare[]> {
  return sql<ChannelShare[]>`
    SELECT channel, allocation_share::float8 AS "allocationShare"
    FROM channels
    ${channel ? sql`WHERE channel = ${channel}` : sql``}
    ORDER BY channel`;
}

const atsOf = (t: AtsTerms, c: ChannelShare) =>
  availableToSell({ availableByLocation: t.availableByLocation, safetyStock: t.safetyStock, allocationShare: c.allocationShare });

/**
 * Buckets per SKU × location, backorders per SKU and ATS per SKU × channel. `backordered` has an
 * entry for every SKU listed and for every SKU with backorders (backorders belong to no location);
 * `ats` covers the SKUs listed.
 */
export async function readInventory(sql: Sql, filter: { sku?: string; location?: string }) {
  return readSnapshot(sql, async (tx) => {
    const rows = await bucketRows(tx, filter, INVENTORY_ROW_CAP + 1);
    const items = rows.slice(0, INVENTORY_ROW_CAP);
    const skus = [...new Set(items.map((r) => r.sku))];
    const waiting = await backorderedUnits(tx, { sku: filter.sku });
    const backorderedSkus = [...new Set([...skus, ...waiting.keys()])].sort();
    const terms = skus.length > 0 ? await atsTerms(tx, skus) : [];
    const channels = await channelShares(tx);
    return {
      items,
      // Built from entries, never by assignment: a SKU may be named like an Object.prototype member.
      backordered: Object.fromEntries(backorderedSkus.map((s) => [s, waiting.get(s) ?? 0])),
      ats: terms.flatMap((t) => channels.map((c) => ({ sku: t.sku, channel: c.channel, ats: atsOf(t, c) }))),
      ...(rows.length > INVENTORY_ROW_CAP ? { truncated: true } : {}),
    };
  });
}

/** The ATS feed of one channel, every item by SKU; null for an unknown channel. */
export async function readAvailability(sql: Sql, channel: string): Promise<{ sku: string; ats: number }[] | null> {
  return readSnapshot(sql, async (tx) => {
    const [share] = await channelShares(tx, channel);
    if (!share) return null;
    return (await atsTerms(tx)).map((t) => ({ sku: t.sku, ats: atsOf(t, share) }));
  });
}

interface LocationTerms {
  locationId: string;
  shipsToCustomers: boolean;
  onHand: number;
  reserved: number;
  available: number;
  ledger: { at: string; bucket: string; delta: number; reason: string; eventSeq: string; orderId: string | null }[];
  reservations: { orderId: string; lineNo: number; qty: number }[];
  reservationCount: number;
}

/** Each location holding the SKU, with the newest ledger rows and the reservations behind its buckets. */
async function locationTerms(sql: Db, sku: string): Promise<LocationTerms[]> {
  return sql<LocationTerms[]>`
    SELECT i.location_id AS "locationId", coalesce(loc.ships_to_customers, false) AS "shipsToCustomers",
           i.on_hand AS "onHand", i.reserved, i.on_hand - i.reserved AS available,
           coalesce(led.rows, '[]') AS ledger, coalesce(res.rows, '[]') AS reservations, coalesce(res.n, 0)::int AS "reservationCount"
    FROM inventory i
    LEFT JOIN locations loc ON loc.location_id = i.location_id
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('at', x.recorded_at, 'bucket', x.bucket, 'delta', x.delta, 'reason', x.reason,
                                        'eventSeq', x.event_seq::text, 'orderId', x.order_id) ORDER BY x.id DESC) AS rows
      FROM (SELECT * FROM inventory_ledger WHERE sku = i.sku AND location_id = i.location_id ORDER BY id DESC LIMIT ${LEDGER_TAIL}) x
    ) led ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS n,
             (json_agg(json_build_object('orderId', r.order_id, 'lineNo', r.line_no, 'qty', r.qty) ORDER BY r.order_id, r.line_no)
               FILTER (WHERE r.rank <= ${RESERVATIONS_SHOWN})) AS rows
      FROM (SELECT *, row_number() OVER (ORDER BY order_id, line_no) AS rank
            FROM reservations WHERE sku = i.sku AND location_id = i.location_id) r
    ) res ON true
    WHERE i.sku = ${sku}
    ORDER BY i.location_id`;
}

/**
 * Every term of `ats(sku, channel)` and what stands behind it; `missing` names what is unknown.
 * Computed from the same rows it shows, in one snapshot, so the formula always adds up.
 */
export async function explainAts(sql: Sql, q: { sku: string; channel: string }) {
  return readSnapshot(sql, async (tx) => {
    const [item] = await tx<{ safety_stock: number }[]>`SELECT safety_stock FROM items WHERE sku = ${q.sku}`;
    const [share] = await channelShares(tx, q.channel);
    if (!item || !share) {
      return { missing: [...(item ? [] : [`SKU ${q.sku}`]), ...(share ? [] : [`channel ${q.channel}`])], explanation: null };
    }
    const locations = await locationTerms(tx, q.sku);
    const [listing] = await tx<{ listed_qty: number }[]>`SELECT listed_qty FROM channel_listings WHERE channel = ${q.channel} AND sku = ${q.sku}`;
    const counted = locations.filter((l) => l.shipsToCustomers);
    const sumAvailable = counted.reduce((n, l) => n + Math.max(0, l.available), 0);
    const safetyStock = item.safety_stock;
    const ats = availableToSell({ availableByLocation: counted.map((l) => l.available), safetyStock, allocationShare: share.allocationShare });
    const listedQty = listing?.listed_qty ?? null;
    return {
      missing: [] as string[],
      explanation: {
        sku: q.sku,
        channel: q.channel,
        safetyStock,
        allocationShare: share.allocationShare,
        locations: locations.map(({ reservationCount, ...l }) => ({
          ...l,
          counted: l.shipsToCustomers,
          contributes: l.shipsToCustomers ? Math.max(0, l.available) : 0,
          ledger: l.ledger.map((m) => ({ ...m, at: new Date(m.at).toISOString() })),
          ...(reservationCount > l.reservations.length ? { reservationsTruncated: true } : {}),
        })),
        sumAvailable,
        afterSafetyStock: Math.max(0, sumAvailable - safetyStock),
        ats,
        listedQty,
        oversellExposure: listedQty === null ? null : oversellExposure(listedQty, ats),
        formula: `floor(max(0, ${sumAvailable} − ${safetyStock}) × ${share.allocationShare}) = ${ats}`,
      },
    };
  });
}

/** Rows of the inventory view: a heat map wider or taller than this is no longer read, it is narrowed. */
export const OVERVIEW_SKU_CAP = 100;
export const OVERVIEW_LOCATION_CAP = 50;

export interface OverviewFilter {
  /** SKUs starting with this. */
  skuPrefix?: string;
  /** Only this location's column, and only SKUs with stock records there. */
  location?: string;
  /** The sell-rate window, in hours before `now`. */
  windowHours: number;
  now: Date;
}

/** Units of the given SKUs on orders created in `[from, to)` (event time), whatever became of the orders. */
export async function unitsOrdered(sql: Db, skus: readonly string[], from: Date, to: Date): Promise<Map<string, number>> {
  if (skus.length === 0) return new Map();
  const rows = await sql<{ sku: string; units: string }[]>`
    SELECT l.sku, sum(l.qty)::int8 AS units
    FROM order_lines l JOIN orders o ON o.order_id = l.order_id
    WHERE l.sku = ANY(${sql.array([...skus])}::text[]) AND o.created_at >= ${from} AND o.created_at < ${to}
    GROUP BY l.sku`;
  return new Map(rows.map((r) => [r.sku, Number(r.units)]));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The inventory view in one snapshot: available stock per SKU × location (the heat map), ATS versus
 * what each channel lists, and the time to stockout at the recent sell rate. At most
 * OVERVIEW_SKU_CAP SKUs (by SKU) and OVERVIEW_LOCATION_CAP locations; `truncated` says more matched.
 */
export async function readInventoryOverview(sql: Sql, f: OverviewFilter) {
  return readSnapshot(sql, async (tx) => {
    const skuRows = await tx<{ sku: string; name: string; safetyStock: number }[]>`
      SELECT it.sku, it.name, it.safety_stock AS "safetyStock"
      FROM items it
      WHERE true
        ${f.skuPrefix ? tx`AND it.sku LIKE ${likePrefix(f.skuPrefix)}` : tx``}
        ${f.location ? tx`AND EXISTS (SELECT 1 FROM inventory i WHERE i.sku = it.sku AND i.location_id = ${f.location})` : tx``}
      ORDER BY it.sku
      LIMIT ${OVERVIEW_SKU_CAP + 1}`;
    const locationRows = await tx<{ locationId: string; name: string; shipsToCustomers: boolean }[]>`
      SELECT location_id AS "locationId", name, ships_to_customers AS "shipsToCustomers"
      FROM locations
      ${f.location ? tx`WHERE location_id = ${f.location}` : tx``}
      ORDER BY location_id
      LIMIT ${OVERVIEW_LOCATION_CAP + 1}`;
    const items = skuRows.slice(0, OVERVIEW_SKU_CAP);
    const locations = locationRows.slice(0, OVERVIEW_LOCATION_CAP);
    const skus = items.map((i) => i.sku);
    const skuArray = tx.array(skus);
    const cells = skus.length === 0 || locations.length === 0 ? [] : await tx<{ sku: string; locationId: string; onHand: number; reserved: number; available: number }[]>`
      SELECT sku, location_id AS "locationId", on_hand AS "onHand", reserved, on_hand - reserved AS available
      FROM inventory
      WHERE sku = ANY(${skuArray}::text[]) AND location_id = ANY(${tx.array(locations.map((l) => l.locationId))}::text[])
      ORDER BY sku, location_id`;
    const terms = new Map((skus.length > 0 ? await atsTerms(tx, skus) : []).map((t) => [t.sku, t]));
    const channels = await channelShares(tx);
    const listed = skus.length === 0 ? [] : await tx<{ sku: string; channel: string; listedQty: number }[]>`
      SELECT sku, channel, listed_qty AS "listedQty" FROM channel_listings WHERE sku = ANY(${skuArray}::text[])`;
    const listedOf = new Map(listed.map((l) => [`${l.channel}\u0000${l.sku}`, l.listedQty]));
    const waiting = skus.length > 0 ? await backorderedUnits(tx, { skus }) : new Map<string, number>();
    const from = new Date(f.now.getTime() - f.windowHours * 3_600_000);
    const ordered = await unitsOrdered(tx, skus, from, f.now);

    const listings = items.flatMap((item) => {
      const t = terms.get(item.sku);
      return channels.map((c) => {
        const ats = t ? atsOf(t, c) : 0;
        const listedQty = listedOf.get(`${c.channel}\u0000${item.sku}`) ?? null;
        return { sku: item.sku, channel: c.channel, ats, listedQty, exposure: listedQty === null ? null : oversellExposure(listedQty, ats) };
      });
    });
    const exposed = listings.filter((l) => (l.exposure ?? 0) > 0);
    return {
      asOf: f.now.toISOString(),
      windowHours: f.windowHours,
      locations,
      channels,
      skus: items.map((item) => {
        const sellable = sellableUnits(terms.get(item.sku)?.availableByLocation ?? []);
        const units = ordered.get(item.sku) ?? 0;
        const hours = hoursToStockout({ sellable, unitsOrdered: units, windowHours: f.windowHours });
        return {
          ...item,
          sellable,
          backordered: waiting.get(item.sku) ?? 0,
          unitsOrdered: units,
          sellRatePerHour: round2(sellRatePerHour({ unitsOrdered: units, windowHours: f.windowHours })),
          hoursToStockout: hours === null ? null : round2(hours),
        };
      }),
      cells,
      listings,
      exposure: { units: exposed.reduce((n, l) => n + l.exposure!, 0), pairs: exposed.length },
      ...(skuRows.length > OVERVIEW_SKU_CAP || locationRows.length > OVERVIEW_LOCATION_CAP ? { truncated: true } : {}),
    };
  });
}
