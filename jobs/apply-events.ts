import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Sql, TransactionSql } from '../db/connect';
import { createBatch, lockUnapplied, markApplied, markBatchAggregated, type PendingEventRow } from '../db/queries/events';
import { upsertChannels, upsertItems, upsertLocations, type ChannelRow, type ItemRow, type LocationRow } from '../db/queries/master-data';
import { insertOrders, type NewOrder } from '../db/queries/orders';
import type { LiveFact } from '../domain/live/aggregates';
import type { LiveAggregates } from './live-aggregates';
import { APPLY_QUEUE, bullPrefix, type ApplyJobData } from './queues';

export interface ApplyDeps {
  sql: Sql;
  live: LiveAggregates;
  log: Logger;
  /** Called when Redis holds no aggregates (flushed): the caller schedules a rebuild. */
  onAggregatesMissing?: () => void;
  onApplied?: (count: number, lagsMs: number[]) => void;
}

export interface ApplyResult {
  applied: number;
  batchId: string | null;
}

type Data = Record<string, unknown>;
const latestFirst = (a: PendingEventRow, b: PendingEventRow) =>
  b.occurred_at.getTime() - a.occurred_at.getTime() || Number(b.seq) - Number(a.seq);

/** Keeps, per key, the row of the newest event: one upsert statement may not touch a row twice. */
function newestPerKey<T>(rows: PendingEventRow[], key: (d: Data) => string, map: (r: PendingEventRow, d: Data) => T): T[] {
  const seen = new Map<string, T>();
  for (const r of [...rows].sort(latestFirst)) {
    const k = key(r.data);
    if (!seen.has(k)) seen.set(k, map(r, r.data));
  }
  return [...seen.values()];
}

/**
 * The effects of one batch inside the caller's transaction. Returns the reason for every event that
 * could not be applied (kept on the event row) and the live facts for Redis.
 */
async function applyEffects(tx: TransactionSql, rows: PendingEventRow[]) {
  const errors = new Map<string, string>();
  const facts: LiveFact[] = [];
  const byType = (t: string) => rows.filter((r) => r.type === t);

  await upsertItems(tx, newestPerKey(byType('item.upserted'), (d) => String(d.sku), (r, d): ItemRow => ({
    sku: String(d.sku), name: String(d.name), unit_cost: Number(d.unitCost), unit_price: Number(d.unitPrice),
    safety_stock: Number(d.safetyStock ?? 0), updated_at: r.occurred_at.toISOString(), event_seq: r.seq,
  })));
  await upsertLocations(tx, newestPerKey(byType('location.upserted'), (d) => String(d.locationId), (r, d): LocationRow => ({
    location_id: String(d.locationId), name: String(d.name), kind: String(d.kind), region: String(d.region),
    ships_to_customers: Boolean(d.shipsToCustomers), priority: Number(d.priority),
    updated_at: r.occurred_at.toISOString(), event_seq: r.seq,
  })));
  await upsertChannels(tx, newestPerKey(byType('channel.upserted'), (d) => String(d.channel), (r, d): ChannelRow => ({
    channel: String(d.channel), name: String(d.name), kind: String(d.kind), priority: Number(d.priority),
    allocation_share: Number(d.allocationShare ?? 1), allow_split: Boolean(d.allowSplit), sla_hours: Number(d.slaHours),
    updated_at: r.occurred_at.toISOString(), event_seq: r.seq,
  })));

  const orders = new Map<string, NewOrder>();
  for (const r of byType('order.created')) {
    const d = r.data as { orderId: string; channel: string; lines: { sku: string; qty: number; unitPrice: number }[]; shipTo: unknown; payment: string; fraudScore?: number; promisedShipBy?: string };
    if (orders.has(d.orderId)) {
      errors.set(r.seq, `order ${d.orderId} already exists`);
      continue;
    }
    orders.set(d.orderId, {
      order_id: d.orderId, channel: d.channel, status: 'received', payment: d.payment,
      fraud_score: d.fraudScore ?? null, ship_to: d.shipTo, promised_ship_by: d.promisedShipBy ?? null,
      created_at: r.occurred_at.toISOString(), event_seq: r.seq,
      units: d.lines.reduce((n, l) => n + l.qty, 0),
      value: Math.round(d.lines.reduce((v, l) => v + l.qty * l.unitPrice * 100, 0)) / 100,
      lines: d.lines.map((l) => ({ sku: l.sku, qty: l.qty, unit_price: l.unitPrice })),
    });
  }
  const created = await insertOrders(tx, [...orders.values()]);
  for (const o of orders.values()) {
    if (created.has(o.order_id)) {
      facts.push({ kind: 'order', occurredAtMs: Date.parse(o.created_at), channel: o.channel, units: o.units, count: 1 });
    } else {
      errors.set(o.event_seq, `order ${o.order_id} already exists`);
    }
  }
  return { errors, facts };
}

type Effects = (tx: TransactionSql, rows: PendingEventRow[]) => Promise<{ errors: Map<string, string>; facts: LiveFact[] }>;

/** PostgreSQL data exceptions (class 22) and constraint violations (23): the event, not the system, is at fault. */
const isDataError = (err: unknown) => /^2[23]/.test(String((err as { code?: string })?.code ?? ''));

/**
 * Applies the still-unapplied events among `seqs` in one transaction, then adds their live deltas to
 * Redis. A retry after a crash finds the committed events applied and skips them, so every effect
 * happens once; a batch whose Redis step was lost is finished by the sweeper from PostgreSQL.
 * An event the database refuses does not hold its batch hostage: the batch is retried event by
 * event, and the one that still fails is kept with its reason instead of blocking the rest.
 */
export async function applyEventBatch(deps: ApplyDeps, seqs: string[]): Promise<ApplyResult> {
  try {
    return await commitBatch(deps, seqs, applyEffects);
  } catch (err) {
    if (!isDataError(err)) throw err;
    if (seqs.length === 1) {
      const reason = `cannot be applied: ${(err as Error).message}`;
      deps.log.warn({ seq: seqs[0], reason }, 'event kept unapplied with its reason');
      return commitBatch(deps, seqs, async (_tx, rows) => ({ errors: new Map(rows.map((r) => [r.seq, reason])), facts: [] }));
    }
    let applied = 0;
    let batchId: string | null = null;
    for (const seq of seqs) {
      const one = await applyEventBatch(deps, [seq]);
      applied += one.applied;
      batchId = one.batchId ?? batchId;
    }
    return { applied, batchId };
  }
}

async function commitBatch(deps: ApplyDeps, seqs: string[], effects: Effects): Promise<ApplyResult> {
  const committed = await deps.sql.begin(async (tx) => {
    const rows = await lockUnapplied(tx, seqs);
    if (rows.length === 0) return null;
    const batchId = await createBatch(tx, rows.length);
    const { errors, facts } = await effects(tx, rows);
    const applied = await markApplied(tx, batchId, rows.map((r) => r.seq), errors);
    return { batchId, applied, facts };
  });
  if (!committed) return { applied: 0, batchId: null };

  const { batchId, applied, facts } = committed;
  const lags = applied.map((r) => Number(r.lag_ms));
  for (const r of applied) {
    facts.push({ kind: 'accepted', atMs: r.accepted_at.getTime(), count: 1 });
    facts.push({ kind: 'applied', atMs: r.applied_at.getTime(), lagMs: Number(r.lag_ms), count: 1 });
  }
  deps.onApplied?.(applied.length, lags);
  try {
    const outcome = await deps.live.applyBatch(batchId, facts);
    if (outcome === 'not-built') deps.onAggregatesMissing?.();
    else await markBatchAggregated(deps.sql, [batchId]);
  } catch (err) {
    // The events are applied and durable; only the derived aggregates wait for the sweeper.
    deps.log.warn({ err, batchId }, 'live aggregates not updated; the sweeper will finish the batch');
  }
  return { applied: applied.length, batchId };
}

export function startApplyWorker(
  deps: ApplyDeps & { redisUrl: string; prefix: string; concurrency: number },
): Worker<ApplyJobData, ApplyResult> {
  const connection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<ApplyJobData, ApplyResult>(
    APPLY_QUEUE,
    async (job: Job<ApplyJobData>) => {
      const seqs = job.data?.seqs;
      if (!Array.isArray(seqs) || !seqs.every((s) => /^\d+$/.test(String(s)))) {
        throw new UnrecoverableError('job data must be { seqs: string[] } of event sequence numbers');
      }
      return applyEventBatch(deps, seqs.map(String));
    },
    { connection, prefix: bullPrefix(deps.prefix), concurrency: deps.concurrency },
  );
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id }, 'apply job failed'));
  worker.on('error', (err) => deps.log.error({ err }, 'apply worker error'));
  // The worker owns this connection; close it with the worker.
  worker.on('closed', () => connection.disconnect());
  return worker;
}
