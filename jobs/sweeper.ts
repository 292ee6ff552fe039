import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Sql } from '../db/connect';
import { staleUnapplied } from '../db/queries/events';
import type { LiveAggregates } from './live-aggregates';
import { APPLY_JOB_SIZE, enqueueApply, type ApplyJobData } from './queues';

const BACKLOG_GRACE_MS = 60_000;

export interface SweepDeps {
  sql: Sql;
  queue: Queue<ApplyJobData>;
  live: LiveAggregates;
  log: Logger;
  graceMs: number;
}

export interface SweepResult {
  requeued: number;
  batchesFinished: number;
  rebuilt: boolean;
}

/**
 * The safety net behind `202 = durable`: rebuilds the live aggregates when Redis lost them, finishes
 * batches whose Redis step was lost, and re-enqueues events that are durable but not applied (their
 * job was lost with Redis, or failed for good). Job ids per block of 1,000 sequence numbers keep
 * repeated sweeps from piling up duplicate jobs.
 */
export async function sweepOnce(deps: SweepDeps): Promise<SweepResult> {
  let rebuilt = false;
  if (!(await deps.live.isBuilt())) rebuilt = (await deps.live.rebuild()) !== null;
  const batchesFinished = await deps.live.finishPendingBatches(deps.graceMs);
  // While jobs are queued, unapplied events are most likely just waiting their turn: only re-enqueue
  // what has waited far longer, so that a backlog is not doubled by the sweeper.
  const waiting = await deps.queue.getWaitingCount().catch(() => 0);
  const graceMs = waiting > 0 ? Math.max(deps.graceMs, BACKLOG_GRACE_MS) : deps.graceMs;
  const seqs = await staleUnapplied(deps.sql, graceMs, 50 * APPLY_JOB_SIZE);
  const blocks = new Map<number, string[]>();
  for (const seq of seqs) {
    const block = Math.floor(Number(seq) / APPLY_JOB_SIZE);
    const chunk = blocks.get(block);
    if (chunk) chunk.push(seq);
    else blocks.set(block, [seq]);
  }
  // One job per block per minute: a failed job kept for inspection must not block its block for good.
  const minute = Math.floor(Date.now() / 60_000);
  for (const [block, chunk] of blocks) await enqueueApply(deps.queue, chunk, () => `sweep-${block}-${minute}`);
  if (seqs.length > 0 || rebuilt || batchesFinished > 0) {
    deps.log.info({ requeued: seqs.length, batchesFinished, rebuilt }, 'sweep');
  }
  return { requeued: seqs.length, batchesFinished, rebuilt };
}

export function startSweeper(deps: SweepDeps & { intervalMs: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepOnce(deps)
      .catch((err) => deps.log.warn({ err }, 'sweep failed; will try again'))
      .finally(() => (running = null));
  }, deps.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
