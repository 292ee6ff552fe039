import type { Db } from '../connect';
import type { KpiFact } from '../../domain/kpis/facts';
import { lossCents } from '../../domain/kpis/formulas';

/** Event time as epoch ms, as JavaScript reads it (the worker's facts come from the same Dates). */
const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)::float8`;
/** The minute of an event time, as epoch ms: facts are grouped by it (buckets are minutes or whole days of minutes). */
const minuteMs = (column: string) => `(floor(extract(epoch from ${column}) / 60) * 60000)::float8`;

/**
 * Every KPI fact whose buckets may still be in Redis, recomputed from PostgreSQL's rows: what the
 * worker sent, batch by batch, since `sinceMs`. The worker's corrections (a displaced first shipment)
 * cancel out, so the rows' present state is the sum of what was sent. Counts are grouped by minute.
 */
export async function rebuildKpiFacts(sql: Db, sinceMs: number): Promise<KpiFact[]> {
  const since = new Date(sinceMs);
  const facts: KpiFact[] = [];
  const firsts = await sql`
    SELECT ${sql.unsafe(minuteMs('first_shipped_at'))} AS shipped_ms, ${sql.unsafe(minuteMs('created_at'))} AS created_ms,
           channel, first_ship_location AS location_id, count(*)::int AS orders, sum(first_ship_units)::int AS units,
           sum(units)::int AS ordered_units, count(*) FILTER (WHERE first_ship_units = units)::int AS complete
    FROM orders
    WHERE first_ship_location IS NOT NULL AND (first_shipped_at >= ${since} OR created_at >= ${since})
    GROUP BY 1, 2, 3, 4`;
  for (const r of firsts) {
    facts.push({
      kind: 'firstShipment', shippedAtMs: r.shipped_ms, createdAtMs: r.created_ms, channel: r.channel, locationId: r.location_id,
      orders: r.orders, units: r.units, orderedUnits: r.ordered_units, complete: r.complete,
    });
  }
  // One row per order: each cycle time has its own histogram bucket.
  const fulfilled = await sql`
    SELECT ${sql.unsafe(ms('fully_shipped_at'))} AS shipped_ms, channel, last_ship_location AS location_id,
           greatest(0, ${sql.unsafe(ms('fully_shipped_at'))} - ${sql.unsafe(ms('created_at'))}) AS cycle_ms,
           (promised_ship_by IS NOT NULL AND fully_shipped_at <= promised_ship_by) AS on_time
    FROM orders WHERE fully_shipped_at >= ${since}`;
  for (const r of fulfilled) {
    facts.push({ kind: 'fulfilled', shippedAtMs: r.shipped_ms, channel: r.channel, locationId: r.location_id ?? '', cycleMs: r.cycle_ms, onTime: r.on_time ? 1 : 0, count: 1 });
  }
  const backordered = await sql`
    SELECT ${sql.unsafe(minuteMs('created_at'))} AS created_ms, channel, sum(backordered_ever)::int AS units
    FROM orders WHERE created_at >= ${since} AND backordered_ever > 0
    GROUP BY 1, 2`;
  for (const r of backordered) facts.push({ kind: 'backordered', createdAtMs: r.created_ms, channel: r.channel, units: r.units });
  const counts = await sql`
    SELECT ${sql.unsafe(minuteMs('counted_at'))} AS counted_ms, location_id, count(*)::int AS n, count(*) FILTER (WHERE within_tolerance)::int AS within
    FROM stock_counts WHERE counted_at >= ${since}
    GROUP BY 1, 2`;
  for (const r of counts) facts.push({ kind: 'counted', countedAtMs: r.counted_ms, locationId: r.location_id, withinTolerance: r.within, count: r.n });
  const resolved = await sql`
    SELECT ${sql.unsafe(ms('resolved_at'))} AS resolved_ms, coalesce(channel, '') AS channel, location_id,
           greatest(0, ${sql.unsafe(ms('resolved_at'))} - ${sql.unsafe(ms('received_at'))}) AS resolution_ms
    FROM returns WHERE resolved_at >= ${since}`;
  for (const r of resolved) {
    facts.push({ kind: 'returnResolved', resolvedAtMs: r.resolved_ms, channel: r.channel, locationId: r.location_id, resolutionMs: r.resolution_ms, count: 1 });
  }
  // Loss as the worker computes it per line (whole cents of the unit cost × qty), which adds up per cost.
  const dispositions = await sql`
    SELECT ${sql.unsafe(minuteMs('d.inspected_at'))} AS inspected_ms, coalesce(r.channel, '') AS channel, r.location_id,
           d.disposition = 'restock' AS restock, d.unit_cost::float8 AS unit_cost, sum(d.qty)::int AS qty, count(*)::int AS n
    FROM return_dispositions d JOIN returns r ON r.return_id = d.return_id
    WHERE d.inspected_at >= ${since}
    GROUP BY 1, 2, 3, 4, 5`;
  for (const r of dispositions) {
    facts.push({
      kind: 'disposition', inspectedAtMs: r.inspected_ms, channel: r.channel, locationId: r.location_id,
      lossCents: r.restock ? 0 : lossCents(r.unit_cost, r.qty), count: r.n,
    });
  }
  return facts;
}

/** The KPI facts a committed batch sent (or was to send) to Redis, kept with the batch until it got there. */
export async function batchKpiFacts(sql: Db, batchId: string): Promise<KpiFact[]> {
  const [row] = await sql`SELECT live_facts FROM apply_batches WHERE id = ${batchId}`;
  const facts = row?.live_facts;
  return Array.isArray(facts) ? (facts as KpiFact[]) : [];
}
