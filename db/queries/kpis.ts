import type { Db, Sql } from '../connect';
import type { MeasuredFacts } from '../../domain/kpis/facts';
import { emptyMeasures } from '../../domain/kpis/formulas';
import { kpiBreakdown, type KpiFilter } from '../../domain/kpis/report';
import type { KpiMeasures, KpiReport, Samples, Throughput } from '../../domain/kpis/types';
import { LAG_MS_SQL } from './events';
import { exactNowFigures, kpiDimensionKeys } from './kpis-now';
import { readSnapshot } from './snapshot-read';

/**
 * The exact KPIs (docs/kpis.md) from PostgreSQL: one set-based query per kind of fact, each over the
 * index of the time its KPI is measured at, grouped for the whole window, per channel and per location
 * at once (GROUPING SETS). Percentiles are `percentile_disc`, the nearest rank, as in the live path.
 */

export interface KpiQuery extends KpiFilter {
  from: Date;
  to: Date;
  now: Date;
  riskHorizonMinutes: number;
}

/** Event time as epoch ms, as JavaScript reads it (the live facts come from the same Dates). */
const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)`;

interface Grouped {
  gc: number;
  gl: number;
  channel: string | null;
  location: string | null;
}

/** Measures with the quantile form of distributions (PostgreSQL computes them). */
const exactMeasures = (): KpiMeasures => ({
  ...emptyMeasures(),
  fulfilled: { orders: 0, onTime: 0, sumMs: 0, cycle: { kind: 'quantiles', quantiles: {} } },
  returns: { resolved: 0, resolution: { kind: 'quantiles', quantiles: {} } },
});

function measured(): MeasuredFacts {
  return { total: exactMeasures(), byChannel: new Map(), byLocation: new Map() };
}

/** The measures a grouping row belongs to: the whole (both rolled up), a channel, or a location; null for orders not shipped from anywhere. */
function target(out: MeasuredFacts, r: Grouped): KpiMeasures | null {
  if (r.gc && r.gl) return out.total;
  const [map, key] = r.gc ? [out.byLocation, r.location] : [out.byChannel, r.channel];
  if (key === null) return null;
  let m = map.get(key);
  if (!m) map.set(key, (m = exactMeasures()));
  return m;
}

const quantiles = (qs: readonly number[], values: (number | string | null)[] | null): Samples => ({
  kind: 'quantiles',
  quantiles: Object.fromEntries(qs.map((q, i) => [String(q), values?.[i] == null ? null : Number(values[i])])),
});

function filters(sql: Db, q: KpiQuery, columns: { channel?: string; location?: string }) {
  return sql`
    ${q.channel !== undefined && columns.channel ? sql`AND ${sql(columns.channel)} = ${q.channel}` : sql``}
    ${q.location !== undefined && columns.location ? sql`AND ${sql(columns.location)} = ${q.location}` : sql``}`;
}

/** Orders created in the window: how many, units, units ever backordered; by channel, and by the location of the first shipment. */
export async function ordersCreated(sql: Db, q: KpiQuery, out: MeasuredFacts): Promise<void> {
  const rows = await sql<(Grouped & { orders: number; units: string; backordered: string })[]>`
    SELECT channel, first_ship_location AS location, GROUPING(channel) AS gc, GROUPING(first_ship_location) AS gl,
           count(*)::int AS orders, coalesce(sum(units), 0)::int8 AS units, coalesce(sum(backordered_ever), 0)::int8 AS backordered
    FROM orders
    WHERE created_at >= ${q.from} AND created_at < ${q.to} ${filters(sql, q, { channel: 'channel', location: 'first_ship_location' })}
    GROUP BY GROUPING SETS ((), (channel), (first_ship_location))`;
  for (const r of rows) {
    const m = target(out, r);
    if (!m) continue;
    m.orders = r.orders;
    m.unitsOrdered = Number(r.units);
    m.backorderedUnits = Number(r.backordered);
  }
}

/** Orders whose first shipment falls in the window: units on it against units ordered, and how many were complete. */
export async function firstShipments(sql: Db, q: KpiQuery, out: MeasuredFacts): Promise<void> {
  const rows = await sql<(Grouped & { orders: number; units: string; ordered: string; complete: number })[]>`
    SELECT channel, first_ship_location AS location, GROUPING(channel) AS gc, GROUPING(first_ship_location) AS gl,
           count(*)::int AS orders, coalesce(sum(first_ship_units), 0)::int8 AS units, coalesce(sum(units), 0)::int8 AS ordered,
           count(*) FILTER (WHERE first_ship_units = units)::int AS complete
    FROM orders
    WHERE first_shipped_at >= ${q.from} AND first_shipped_at < ${q.to} AND first_ship_location IS NOT NULL
      ${filters(sql, q, { channel: 'channel', location: 'first_ship_location' })}
    GROUP BY GROUPING SETS ((), (channel), (first_ship_location))`;
  for (const r of rows) {
    const m = target(out, r);
    if (m) m.firstShipped = { orders: r.orders, units: Number(r.units), orderedUnits: Number(r.ordered), complete: r.complete };
  }
}

const CYCLE_QUANTILES = [0.5, 0.9, 0.99];

/** Orders whose last unit shipped in the window: on time or not, cycle times; by channel and by the last shipment's location. */
export async function fulfilledOrders(sql: Db, q: KpiQuery, out: MeasuredFacts): Promise<void> {
  const rows = await sql<(Grouped & { orders: number; on_time: number; sum_ms: string | null; q: number[] | null })[]>`
    SELECT channel, last_ship_location AS location, GROUPING(channel) AS gc, GROUPING(last_ship_location) AS gl,
           count(*)::int AS orders, count(*) FILTER (WHERE on_time)::int AS on_time, sum(cycle_ms)::int8 AS sum_ms,
           percentile_disc(${sql.unsafe(`ARRAY[${CYCLE_QUANTILES.join(', ')}]`)}::float8[]) WITHIN GROUP (ORDER BY cycle_ms) AS q
    FROM (
      SELECT channel, last_ship_location, promised_ship_by IS NOT NULL AND fully_shipped_at <= promised_ship_by AS on_time,
             greatest(0, ${sql.unsafe(ms('fully_shipped_at'))} - ${sql.unsafe(ms('created_at'))}) AS cycle_ms
      FROM orders
      WHERE fully_shipped_at >= ${q.from} AND fully_shipped_at < ${q.to} ${filters(sql, q, { channel: 'channel', location: 'last_ship_location' })}
    ) o
    GROUP BY GROUPING SETS ((), (channel), (last_ship_location))`;
  for (const r of rows) {
    const m = target(out, r);
    if (m) m.fulfilled = { orders: r.orders, onTime: r.on_time, sumMs: Number(r.sum_ms ?? 0), cycle: quantiles(CYCLE_QUANTILES, r.q) };
  }
}

/** Cycle counts in the window, and those within tolerance; by location (a count has no channel). */
export async function stockCounts(sql: Db, q: KpiQuery, out: MeasuredFacts): Promise<void> {
  if (q.channel !== undefined) return;
  const rows = await sql<(Grouped & { total: number; within: number })[]>`
    SELECT NULL AS channel, location_id AS location, 1 AS gc, GROUPING(location_id) AS gl,
           count(*)::int AS total, count(*) FILTER (WHERE within_tolerance)::int AS within
    FROM stock_counts
    WHERE counted_at >= ${q.from} AND counted_at < ${q.to} ${filters(sql, q, { location: 'location_id' })}
    GROUP BY GROUPING SETS ((), (location_id))`;
  for (const r of rows) {
    const m = target(out, r);
    if (m) m.counts = { total: r.total, withinTolerance: r.within };
  }
}

const RESOLUTION_QUANTILES = [0.5, 0.9];

/** Returns resolved (every received unit inspected) in the window, and how long that took; by the order's channel and the return's location. */
export async function resolvedReturns(sql: Db, q: KpiQuery, out: MeasuredFacts): Promise<void> {
  const rows = await sql<(Grouped & { resolved: number; q: number[] | null })[]>`
    SELECT channel, location_id AS location, GROUPING(channel) AS gc, GROUPING(location_id) AS gl, count(*)::int AS resolved,
           percentile_disc(${sql.unsafe(`ARRAY[${RESOLUTION_QUANTILES.join(', ')}]`)}::float8[]) WITHIN GROUP (ORDER BY resolution_ms) AS q
    FROM (
      SELECT channel, location_id, greatest(0, ${sql.unsafe(ms('resolved_at'))} - ${sql.unsafe(ms('received_at'))}) AS resolution_ms
      FROM returns
      WHERE resolved_at >= ${q.from} AND resolved_at < ${q.to} ${filters(sql, q, { channel: 'channel', location: 'location_id' })}
    ) r
    GROUP BY GROUPING SETS ((), (channel), (location_id))`;
  for (const r of rows) {
    const m = target(out, r);
    if (m) m.returns = { resolved: r.resolved, resolution: quantiles(RESOLUTION_QUANTILES, r.q) };
  }
}

/** Disposition lines inspected in the window, and the cost in cents of units that left stock (whole cents per line). */
export async function dispositions(sql: Db, q: KpiQuery, out: MeasuredFacts): Promise<void> {
  const rows = await sql<(Grouped & { lines: number; loss_cents: string })[]>`
    SELECT r.channel, r.location_id AS location, GROUPING(r.channel) AS gc, GROUPING(r.location_id) AS gl, count(*)::int AS lines,
           coalesce(sum(round(d.unit_cost * 100) * d.qty) FILTER (WHERE d.disposition <> 'restock'), 0)::int8 AS loss_cents
    FROM return_dispositions d JOIN returns r ON r.return_id = d.return_id
    WHERE d.inspected_at >= ${q.from} AND d.inspected_at < ${q.to} ${filters(sql, q, { channel: 'r.channel', location: 'r.location_id' })}
    GROUP BY GROUPING SETS ((), (r.channel), (r.location_id))`;
  for (const r of rows) {
    const m = target(out, r);
    if (m) m.dispositions = { lines: r.lines, lossCents: Number(r.loss_cents) };
  }
}

/** Events applied in the last 60 complete seconds before `now`, and their ingest-to-applied lag. */
export async function appliedLastMinute(sql: Db, now: Date): Promise<Throughput> {
  const to = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const from = new Date(to.getTime() - 60_000);
  const [row] = await sql<{ applied: number; q: number[] | null }[]>`
    SELECT count(*)::int AS applied, percentile_disc(ARRAY[0.5, 0.99]::float8[]) WITHIN GROUP (ORDER BY ${sql.unsafe(LAG_MS_SQL)}) AS q
    FROM events WHERE applied_at >= ${from} AND applied_at < ${to}`;
  return { applied: row?.applied ?? 0, lag: quantiles([0.5, 0.99], row?.q ?? null) };
}

/** Every KPI for `[from, to)`, narrowed by `channel` and `location`, in one snapshot. */
export async function readKpis(sql: Sql, q: KpiQuery): Promise<KpiReport> {
  return readSnapshot(sql, async (tx) => {
    const out = measured();
    await ordersCreated(tx, q, out);
    await firstShipments(tx, q, out);
    await fulfilledOrders(tx, q, out);
    await stockCounts(tx, q, out);
    await resolvedReturns(tx, q, out);
    await dispositions(tx, q, out);
    const now = await exactNowFigures(tx, { now: q.now, riskHorizonMinutes: q.riskHorizonMinutes, channel: q.channel });
    const throughput = await appliedLastMinute(tx, q.now);
    const keys = await kpiDimensionKeys(tx);
    const report = kpiBreakdown({
      measured: out,
      now,
      throughput,
      channels: q.channel !== undefined ? [q.channel] : keys.channels,
      locations: q.location !== undefined ? [q.location] : keys.locations,
      filter: { channel: q.channel, location: q.location },
    });
    return { from: q.from.toISOString(), to: q.to.toISOString(), ...report };
  });
}
