import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Sql } from '../db/connect';
import { runTimeRules, type TimeRuleSettings, type TimeRulesResult } from './exception-rules';
import { bullPrefix } from './queues';

export const RULES_QUEUE = 'exception-rules';
export const RULES_SCHEDULER_ID = 'time-rules';
const WATCHDOG_MIN_MS = 60_000;

export interface RulesSchedulerDeps {
  redisUrl: string;
  prefix: string;
  sql: Sql;
  log: Logger;
  settings: TimeRuleSettings;
  intervalMs: number;
  /** How often to check that Redis still holds the scheduler; default max(intervalMs, 60 s). */
  watchdogMs?: number;
}

export interface RulesScheduler {
  /** Settles once the job scheduler is registered in Redis (it waits for Redis when Redis is away). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

const changed = (r: TimeRulesResult) =>
  r.escalated + r.slaAtRisk.opened + r.slaAtRisk.resolved + r.returnOverdue.opened + r.returnOverdue.resolved + r.feedStale.opened + r.feedStale.resolved > 0;

/**
 * Runs the time rules every `intervalMs` in whichever worker process takes the tick. The job
 * scheduler lives in Redis: every process upserts the same one, and BullMQ makes one job per tick
 * (ids `repeat:time-rules:<slot>`), so more worker processes do not run the rules more often.
 * The rules are idempotent besides, so a tick that runs late or twice changes nothing twice.
 */
export function startRulesScheduler(deps: RulesSchedulerDeps): RulesScheduler {
  const queueConnection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  for (const c of [queueConnection, workerConnection]) c.on('error', (err) => deps.log.debug({ err: err.message }, 'rules redis connection error'));
  const queue = new Queue(RULES_QUEUE, { connection: queueConnection, prefix: bullPrefix(deps.prefix) });
  queue.on('error', (err) => deps.log.warn({ err: err.message }, 'rules queue error'));

  const schedule = () =>
    queue.upsertJobScheduler(
      RULES_SCHEDULER_ID,
      // The first tick of a new scheduler comes one interval after it is made, not at once.
      { every: deps.intervalMs, startDate: Date.now() + deps.intervalMs },
      // A failed tick is not retried: the next one runs the same rules a moment later.
      { name: RULES_SCHEDULER_ID, opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } } },
    );
  const ready = schedule().then(
    () => undefined,
    (err) => deps.log.warn({ err }, 'could not schedule the time rules; will check again'),
  );
  // The scheduler lives only in Redis: after a flush, put it back (upserting one that exists changes nothing).
  let checking: Promise<unknown> | null = null;
  const watchdog = setInterval(() => {
    checking ??= (async () => {
      if (await queue.getJobScheduler(RULES_SCHEDULER_ID)) return;
      await schedule();
      deps.log.warn('the time rules were no longer scheduled in Redis; scheduled again');
    })()
      .catch((err) => deps.log.warn({ err }, 'could not check the time rules schedule'))
      .finally(() => (checking = null));
  }, deps.watchdogMs ?? Math.max(deps.intervalMs, WATCHDOG_MIN_MS));

  const worker = new Worker<unknown, TimeRulesResult>(
    RULES_QUEUE,
    async (job) => {
      const result = await runTimeRules({ sql: deps.sql, log: deps.log }, deps.settings, new Date());
      deps.log[changed(result) ? 'info' : 'debug']({ ...result, jobId: job.id }, 'time rules');
      return result;
    },
    { connection: workerConnection, prefix: bullPrefix(deps.prefix), concurrency: 1 },
  );
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id }, 'time rules run failed; the next tick runs them again'));
  worker.on('error', (err) => deps.log.error({ err }, 'rules worker error'));

  return {
    ready,
    async stop() {
      clearInterval(watchdog);
      await checking;
      await worker.close();
      await queue.close();
      await ready;
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}
