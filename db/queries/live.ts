import type { Db } from '../connect';
import type { LiveFact } from '../../domain/live/aggregates';
import { LAG_MS_SQL } from './events';
import { batchKpiFacts, rebuildKpiFacts } from './live-kpis';

/** The live facts of one committed batch, read back from PostgreSQL (to finish a batch whose Redis step was lost). */
export async function batchFacts(sql: Db, batchId: string): Promise<LiveFact[]> {
  const applied = await sql`
    SELECT accepted_at, applied_at, ${sql.unsafe(LAG_MS_SQL)} AS lag_ms
    FROM events WHERE batch_id = ${batchId}`;
  const orders = await sql`
    SELECT o.created_at, o.channel, o.units
    FROM orders o JOIN events e ON e.seq = o.event_seq
    WHERE e.batch_id = ${batchId}`;
  const facts: LiveFact[] = [];
  for (const r of applied) {
    facts.push({ kind: 'accepted', atMs: r.accepted_at.getTime(), count: 1 });
    facts.push({ kind: 'applied', atMs: r.applied_at.getTime(), lagMs: Number(r.lag_ms), count: 1 });
  }
  for (const o of orders) {
    facts.push({ kind: 'order', occurredAtMs: o.created_at.getTime(), channel: o.channel, units: o.units, count: 1 });
  }
  facts.push(...(await batchKpiFacts(sql, batchId)));
  return facts;
}

/**
 * Everything the live aggregates hold, recomputed from PostgreSQL and grouped so that the rebuild
 * reads far fewer rows than there are events. `sinceMs` bounds each window to what Redis retains.
 */
export async function rebuildFacts(
  sql: Db,
  windows: { acceptedSinceMs: number; appliedSinceMs: number; ordersSinceMs: number },
): Promise<LiveFact[]> {
  const facts: LiveFact[] = [];
  const accepted = await sql`
    SELECT floor(extract(epoch from accepted_at))::bigint * 1000 AS at_ms, count(*)::int AS n
    FROM events
    WHERE applied_at IS NOT NULL AND accepted_at >= to_timestamp(${windows.acceptedSinceMs / 1000})
    GROUP BY 1`;
  for (const r of accepted) facts.push({ kind: 'accepted', atMs: Number(r.at_ms), count: r.n });
  const applied = await sql`
    SELECT floor(extract(epoch from applied_at))::bigint * 1000 AS at_ms, ${sql.unsafe(LAG_MS_SQL)} AS lag_ms, count(*)::int AS n
    FROM events
    WHERE applied_at >= to_timestamp(${windows.appliedSinceMs / 1000})
    GROUP BY 1, 2`;
  for (const r of applied) facts.push({ kind: 'applied', atMs: Number(r.at_ms), lagMs: Number(r.lag_ms), count: r.n });
  const orders = await sql`
    SELECT floor(extract(epoch from created_at) * 1000)::bigint AS at_ms, channel, count(*)::int AS n, sum(units)::int AS units
    FROM orders
    WHERE created_at >= to_timestamp(${windows.ordersSinceMs / 1000})
    GROUP BY 1, 2`;
  for (const r of orders) {
    facts.push({ kind: 'order', occurredAtMs: Number(r.at_ms), channel: r.channel, units: r.units, count: r.n });
  }
  facts.push(...(await rebuildKpiFacts(sql, windows.ordersSinceMs)));
  return facts;
}
