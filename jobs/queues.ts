import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const APPLY_QUEUE = 'apply-events';
/** Events per job: one worker transaction applies a whole job. */
export const APPLY_JOB_SIZE = 1000;

export interface ApplyJobData {
  seqs: string[];
}

export const bullPrefix = (prefix: string) => `${prefix}:bull`;

export function createApplyQueue(connection: Redis, prefix: string): Queue<ApplyJobData> {
  return new Queue<ApplyJobData>(APPLY_QUEUE, {
    connection,
    prefix: bullPrefix(prefix),
    defaultJobOptions: {
      // Transient failures (a database restart) retry with backoff; the sweeper is the last resort.
      attempts: 8,
      backoff: { type: 'exponential', delay: 250 },
      removeOnComplete: true,
      removeOnFail: { count: 5000 },
    },
  });
}

/**
 * Hands durable events to the workers. `idPrefix` makes jobs idempotent per block of sequence
 * numbers (the sweeper's re-enqueues), or unique per request (ingest).
 */
export async function enqueueApply(
  queue: Queue<ApplyJobData>,
  seqs: readonly string[],
  idFor: (chunk: string[]) => string,
): Promise<void> {
  const jobs = [];
  for (let i = 0; i < seqs.length; i += APPLY_JOB_SIZE) {
    const chunk = seqs.slice(i, i + APPLY_JOB_SIZE);
    jobs.push({ name: 'apply', data: { seqs: chunk }, opts: { jobId: idFor(chunk) } });
  }
  if (jobs.length > 0) await queue.addBulk(jobs);
}
