import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Sql, TransactionSql } from '../db/connect';
import { createBatch, lockUnapplied, markApplied, markBatchAggregated, markDeferred, oldestUnapplied, takeApplyLock, type PendingEventRow } from '../db/queries/events';
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
   * Group commit: a batch takes up to this many of the oldest unapplied events. Under load it then
   * carries many requests' events (its fixed cost is paid once); when idle it is as small as the
   * request. Unset: as many as the job has.
   */
  coalesceUpTo?: number;
}

export interface ApplyResult {
  applied: number;
  batchId: string | null;
}

type Effects = (tx: TransactionSql, rows: PendingEventRow[]) => Promise<{ invalid: Map<string, string>; deferred: Map<string, string>; facts: LiveFact[] }>;


/**
 * Applies the job's events in one or more transactions, then adds their live deltas to Redis.
 *
 * Apply transactions run one at a time (an advisory lock, and in this process a queue in memory so
 * that waiting batches hold no connection), and each takes the oldest events still unapplied, not
 * the job's: events apply in the order the tower received them whichever worker runs first, however
 * slow a batch is, and an event whose job was lost is applied by the next batch. Under load one
 * transaction carries many requests' events (group commit, up to `coalesceUpTo`); the jobs of the
 * requests it swallowed find their events applied. A job whose events lie beyond a full batch runs
 * another.
 *
 * A retry after a crash finds the committed events applied and skips them, so every effect happens
 * once; a batch whose Redis step was lost is finished by the sweeper from PostgreSQL. An event the
 * database refuses does not hold its batch hostage: the batch is retried event by event, and the one
 * that still fails is kept with its reason instead of blocking the rest.
 */
export async function applyEventBatch(deps: ApplyDeps, seqs: string[]): Promise<ApplyResult> {
  const limit = Math.max(deps.coalesceUpTo ?? 0, seqs.length, 1);
  let applied = 0;
  let batchId: string | null = null;
  for (;;) {
    const round = await applyRound(deps, seqs, limit);
    applied += round.applied;
    batchId = round.batchId ?? batchId;
    if (!round.more) return { applied, batchId };
    // Nothing applied although events are left: their rows are held for a moment (a triage action
    // putting an event back): try again shortly rather than at once.
    if (round.applied === 0) await new Promise((r) => setTimeout(r, RETRY_IDLE_MS));
  }
}

const RETRY_IDLE_MS = 10;

interface Round extends ApplyResult {
  /** Some of the job's events lie beyond this batch. */
  more: boolean;
}

type Pick = (tx: TransactionSql) => Promise<{ seqs: string[]; more: boolean }>;

const applyWith = (deps: ApplyDeps): Effects => (tx, rows) => applyEvents(tx, rows, deps.engine ?? defaultEngineConfig, new Date());

/**
 * Per database: where this process's last batch ended (see oldestUnapplied). Only a starting point
 * for the scan: what lies below it comes with its own job, or with the sweeper.
 */
const floors = new WeakMap<object, bigint>();

async function applyRound(deps: ApplyDeps, own: readonly string[], limit: number): Promise<Round> {
  const claimed: string[] = [];
  let top: string | null = null;
  const oldest: Pick = async (tx) => {
    const claim = await oldestUnapplied(tx, own, limit, String(floors.get(deps.sql) ?? 0n));
    claimed.splice(0, claimed.length, ...claim.seqs);
    top = claim.top;
    return claim;
  };
  try {
    const round = await commitBatch(deps, oldest, applyWith(deps));
    // Committed: everything up to the head's newest event is applied or waits for a prerequisite.
    if (top !== null && BigInt(top) + 1n > (floors.get(deps.sql) ?? 0n)) floors.set(deps.sql, BigInt(top) + 1n);
    return round;
  } catch (err) {
    if (!isDataError(err)) throw err;
    // Find the event at fault: the same events one per transaction, oldest first.
    let applied = 0;
    let batchId: string | null = null;
    for (const seq of claimed) {
      const one = await applyExactly(deps, seq);
      applied += one.applied;
      batchId = one.batchId ?? batchId;
    }
    return { applied, batchId, more: true };
  }
}

/** One event alone; if the database still refuses it, it is kept unapplied with the reason (another worker may have dealt with it meanwhile). */
async function applyExactly(deps: ApplyDeps, seq: string): Promise<ApplyResult> {
  const exactly: Pick = async () => ({ seqs: [seq], more: false });
  try {
    return await commitBatch(deps, exactly, applyWith(deps));
  } catch (err) {
    if (!isDataError(err)) throw err;
    const reason = `cannot be applied: ${(err as Error).message}`;
    deps.log.warn({ seq, reason }, 'event kept unapplied with its reason');
    return commitBatch(deps, exactly, async (_tx, rows) => ({ invalid: new Map(rows.map((r) => [r.seq, reason])), deferred: new Map(), facts: [] }));
  }
}

/** One apply transaction at a time per process: a batch waiting its turn waits here, not on a pooled connection. */
const turns = new WeakMap<object, Promise<unknown>>();

async function inTurn<T>(sql: Sql, work: () => Promise<T>): Promise<T> {
  const before = turns.get(sql) ?? Promise.resolve();
  const mine = before.then(work, work);
  turns.set(sql, mine.catch(() => {}));
  return mine;
}

async function commitBatch(deps: ApplyDeps, pick: Pick, effects: Effects): Promise<Round> {
  const committed = await inTurn(deps.sql, () =>
    deps.sql.begin(async (tx) => {
      await takeApplyLock(tx);
      const claim = await pick(tx);
      const rows = claim.seqs.length === 0 ? [] : await lockUnapplied(tx, claim.seqs);
      if (rows.length === 0) return { more: claim.more, batch: null };
      const { invalid, deferred, facts } = await effects(tx, rows);
      if (deferred.size > 0) await markDeferred(tx, deferred);
      const done = rows.filter((r) => !deferred.has(r.seq)).map((r) => r.seq);
      if (done.length === 0) return { more: claim.more, batch: null };
      // Orders are read back from their rows; the other KPI facts are kept with the batch until Redis has them.
      const batchId = await createBatch(tx, done.length, facts.filter((f) => f.kind !== 'order'));
      const applied = await markApplied(tx, batchId, done, invalid);
      return { more: claim.more, batch: { batchId, applied, facts } };
    }),
  );
  if (!committed.batch) return { applied: 0, batchId: null, more: committed.more };

  const { batchId, applied, facts } = committed.batch;
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
  return { applied: applied.length, batchId, more: committed.more };
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
