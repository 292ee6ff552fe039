import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Sql, TransactionSql } from '../db/connect';
import { createBatch, followingUnapplied, lockUnapplied, markApplied, markBatchAggregated, markDeferred, olderUnapplied, type PendingEventRow } from '../db/queries/events';
import { applyEvents } from './engine';
import { defaultEngineConfig, isDataError, type EngineConfig } from './engine/context';
import type { LiveFact } from '../domain/live/aggregates';
import type { LiveAggregates } from './live-aggregates';
import { APPLY_QUEUE, bullPrefix, type ApplyJobData } from './queues';

export interface ApplyDeps {
  sql: Sql;
  /** The orchestration rules' settings (fraud threshold, how long events wait, count tolerance). */
  engine?: EngineConfig;
  live: LiveAggregates;
  log: Logger;
  /** Called when Redis holds no aggregates (flushed): the caller schedules a rebuild. */
  onAggregatesMissing?: () => void;
  onApplied?: (count: number, lagsMs: number[]) => void;
  /**
   * Group commit: a job also takes the unapplied events that follow its own, up to this many in all.
   * Under load a batch then carries many requests' events (its fixed cost is paid once); when idle it
   * is as small as the request. Unset: exactly the job's events.
   */
  coalesceUpTo?: number;
}

export interface ApplyResult {
  applied: number;
  batchId: string | null;
}

type Effects = (tx: TransactionSql, rows: PendingEventRow[]) => Promise<{ invalid: Map<string, string>; deferred: Map<string, string>; facts: LiveFact[] }>;


/**
 * Applies the still-unapplied events among `seqs` in one transaction, then adds their live deltas to
 * Redis. A retry after a crash finds the committed events applied and skips them, so every effect
 * happens once; a batch whose Redis step was lost is finished by the sweeper from PostgreSQL.
 * An event the database refuses does not hold its batch hostage: the batch is retried event by
 * event, and the one that still fails is kept with its reason instead of blocking the rest.
 */
export async function applyEventBatch(deps: ApplyDeps, seqs: string[]): Promise<ApplyResult> {
  return applySeqs(deps, seqs, true);
}

async function applySeqs(deps: ApplyDeps, jobSeqs: string[], coalesce: boolean): Promise<ApplyResult> {
  await inOrder(deps, jobSeqs);
  const seqs = coalesce && deps.coalesceUpTo ? await withFollowing(deps.sql, jobSeqs, deps.coalesceUpTo) : jobSeqs;
  try {
    return await commitBatch(deps, seqs, (tx, rows) => applyEvents(tx, rows, deps.engine ?? defaultEngineConfig, new Date()));
  } catch (err) {
    if (!isDataError(err)) throw err;
    if (seqs.length === 1) {
      const reason = `cannot be applied: ${(err as Error).message}`;
      deps.log.warn({ seq: seqs[0], reason }, 'event kept unapplied with its reason');
      return commitBatch(deps, seqs, async (_tx, rows) => ({ invalid: new Map(rows.map((r) => [r.seq, reason])), deferred: new Map(), facts: [] }));
    }
    let applied = 0;
    let batchId: string | null = null;
    for (const seq of seqs) {
      const one = await applySeqs(deps, [seq], false);
      applied += one.applied;
      batchId = one.batchId ?? batchId;
    }
    return { applied, batchId };
  }
}

/** The job's events and the unapplied ones after the first of them, in sequence order, at most `max` (never fewer than the job's). */
async function withFollowing(sql: Sql, seqs: readonly string[], max: number): Promise<string[]> {
  const first = seqs.reduce((min, s) => (BigInt(s) < BigInt(min) ? s : min), seqs[0]!);
  const all = new Set([...seqs, ...(await followingUnapplied(sql, first, max))]);
  return [...all].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).slice(0, Math.max(max, seqs.length));
}

const ORDER_POLL_MS = 5;

/**
 * Waits, bounded, until every event older than the batch has been applied: with several workers a
 * younger batch could otherwise take a SKU's lock first, and apply a shipment before the pick that
 * preceded it, or give the last unit to the later order. Events the tower received in order are
 * applied in order. The wait is bounded (`orderWaitMs`): an older job may be lost until the sweeper
 * hands it over again, and must not stall everything behind it.
 */
async function inOrder(deps: ApplyDeps, seqs: readonly string[]): Promise<void> {
  const waitMs = (deps.engine ?? defaultEngineConfig).orderWaitMs;
  if (waitMs <= 0) return;
  const first = seqs.reduce((min, s) => (BigInt(s) < BigInt(min) ? s : min), seqs[0] ?? '0');
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && (await olderUnapplied(deps.sql, first))) await new Promise((r) => setTimeout(r, ORDER_POLL_MS));
}

async function commitBatch(deps: ApplyDeps, seqs: string[], effects: Effects): Promise<ApplyResult> {
  const committed = await deps.sql.begin(async (tx) => {
    const rows = await lockUnapplied(tx, seqs);
    if (rows.length === 0) return null;
    const { invalid, deferred, facts } = await effects(tx, rows);
    if (deferred.size > 0) await markDeferred(tx, deferred);
    const done = rows.filter((r) => !deferred.has(r.seq)).map((r) => r.seq);
    if (done.length === 0) return null;
    // Orders are read back from their rows; the other KPI facts are kept with the batch until Redis has them.
    const batchId = await createBatch(tx, done.length, facts.filter((f) => f.kind !== 'order'));
    const applied = await markApplied(tx, batchId, done, invalid);
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
    {
      connection,
      prefix: bullPrefix(deps.prefix),
      concurrency: deps.concurrency,
      // A crashed worker's jobs come back within seconds, not the default half minute; a live worker
      // renews its lock every 5 s however long its batch takes.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id }, 'apply job failed'));
  worker.on('error', (err) => deps.log.error({ err }, 'apply worker error'));
  // The worker owns this connection; close it with the worker.
  worker.on('closed', () => connection.disconnect());
  return worker;
}
