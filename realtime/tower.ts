import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../domain/config';
import { writeSlaOverrides } from '../db/queries/exceptions';
import { startApplyWorker } from '../jobs/apply-events';
import { timeRuleSettings } from '../jobs/exception-rules';
import { ExceptionLive } from '../jobs/exception-live';
import { LiveAggregates } from '../jobs/live-aggregates';
import { createApplyQueue } from '../jobs/queues';
import { startRulesScheduler } from '../jobs/rules-scheduler';
import { startSweeper, sweepOnce } from '../jobs/sweeper';
import { createApp } from './app';
import { openDatabase } from './bootstrap/database';
import { ensureFirstAdmin } from './bootstrap/first-admin';
import { ensureRedis } from './bootstrap/redis';
import type { AppDeps } from './deps';
import { createMetrics } from './metrics';
import { attachSocketServer } from './socket';

const SHUTDOWN_WAIT_MS = 10_000;

/** Whether `p` settled within `ms`; it is not cancelled, only no longer waited for. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => { clearTimeout(t); resolve(true); },
      () => { clearTimeout(t); resolve(true); },
    );
  });
}

export interface Tower {
  /** The HTTP origin, when this process serves HTTP (ROLE all or api). */
  url: string | null;
  deps: AppDeps;
  stop(): Promise<void>;
}

/**
 * Composes one tower process for `config.ROLE`: `all` (HTTP, Socket.IO, workers), `api` (HTTP and
 * Socket.IO only) or `worker` (workers and the sweeper). `stop` is the graceful shutdown: stop
 * accepting, finish in-flight batches, close sockets, queues and pools, stop what was started.
 */
export async function startTower(config: Config, log: Logger, opts: { webHandler?: RequestHandler; print?: (line: string) => void } = {}): Promise<Tower> {
  const db = await openDatabase(config, log);
  // Every role writes the configured SLAs: whichever process opens an exception reads them from here.
  await writeSlaOverrides(db.sql, config.EXCEPTION_SLA_MINUTES).catch(async (err) => {
    await db.stop();
    throw err;
  });
  const redisHandle = await ensureRedis(config, log).catch(async (err) => {
    await db.stop();
    throw err;
  });
  const redis = new Redis(redisHandle.url, { maxRetriesPerRequest: 3 });
  const queueConnection = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  for (const c of [redis, queueConnection]) c.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const queue = createApplyQueue(queueConnection, config.REDIS_PREFIX);
  queue.on('error', (err) => log.warn({ err: err.message }, 'queue error'));
  const live = new LiveAggregates(redis, db.sql, config.REDIS_PREFIX, Date.now, { timeZone: config.BUSINESS_TIMEZONE, riskHorizonMinutes: config.RISK_HORIZON_MINUTES });
  const exceptionLive = new ExceptionLive(redis, db.sql, config.REDIS_PREFIX);
  const metrics = createMetrics();
  let shuttingDown = false;

  const deps: AppDeps = {
    config,
    sql: db.sql,
    redis,
    queue,
    live,
    exceptionLive,
    log,
    metrics,
    isShuttingDown: () => shuttingDown,
    workersAlive: async () => (await queue.getWorkersCount()) > 0,
  };

  const runsWorkers = config.ROLE !== 'api';
  const servesHttp = config.ROLE !== 'worker';
  const sweepDeps = { sql: db.sql, queue, live, log, graceMs: config.SWEEP_GRACE_MS };
  let worker: ReturnType<typeof startApplyWorker> | null = null;
  let sweeper: ReturnType<typeof startSweeper> | null = null;
  let rules: ReturnType<typeof startRulesScheduler> | null = null;
  if (runsWorkers) {
    let rebuildSoon: Promise<unknown> | null = null;
    const applyDeps = {
      sql: db.sql,
      engine: {
        fraudThreshold: config.FRAUD_THRESHOLD,
        deferMaxMs: config.DEFER_MAX_SECONDS * 1000,
        countTolerance: { units: config.COUNT_TOLERANCE_UNITS, percent: config.COUNT_TOLERANCE_PERCENT / 100 },
      },
      live,
      log,
      coalesceUpTo: config.APPLY_BATCH_MAX_EVENTS,
      onApplied: (count: number, lags: number[]) => {
        metrics.applied.inc(count);
        for (const l of lags) metrics.lag.observe(l / 1000);
      },
      // Redis lost the aggregates: rebuild now rather than at the next sweep.
      onAggregatesMissing: () => {
        rebuildSoon ??= sweepOnce({ ...sweepDeps, graceMs: 0 })
          .catch((err) => log.warn({ err }, 'rebuild after a Redis flush failed'))
          .finally(() => (rebuildSoon = null));
      },
    };
    if (!(await live.isBuilt().catch(() => true))) await live.rebuild().catch((err) => log.warn({ err }, 'initial rebuild failed'));
    worker = startApplyWorker({ ...applyDeps, redisUrl: redisHandle.url, prefix: config.REDIS_PREFIX, concurrency: config.WORKER_CONCURRENCY });
    sweeper = startSweeper({ ...sweepDeps, intervalMs: config.SWEEP_INTERVAL_MS });
    rules = startRulesScheduler({
      redisUrl: redisHandle.url, prefix: config.REDIS_PREFIX, sql: db.sql, log, settings: timeRuleSettings(config), intervalMs: config.RULES_INTERVAL_MS,
    });
  }

  let server: Server | null = null;
  let socket: ReturnType<typeof attachSocketServer> | null = null;
  let url: string | null = null;
  if (servesHttp) {
    await ensureFirstAdmin(db.sql, config, log, opts.print);
    const app = createApp(deps, { webHandler: opts.webHandler });
    server = createServer(app);
    socket = attachSocketServer({ httpServer: server, sql: db.sql, live, exceptionLive, log, pushIntervalMs: config.PUSH_INTERVAL_MS, publicOrigin: config.PUBLIC_ORIGIN });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.PORT, config.HOST, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    url = `http://${host}:${address.port}`;
  }

  let stopping: Promise<void> | null = null;
  return {
    url,
    deps,
    stop: () =>
      (stopping ??= (async () => {
        shuttingDown = true;
        // Stop accepting connections first; in-flight requests finish.
        const closed = server ? new Promise<void>((r) => server!.close(() => r())) : Promise.resolve();
        server?.closeIdleConnections();
        await socket?.close();
        await closed;
        log.debug('http and sockets closed');
        await sweeper?.stop();
        if (rules && !(await settlesWithin(rules.stop(), SHUTDOWN_WAIT_MS))) log.warn('time rules did not stop in time');
        // Waits for the batches in flight to commit; if Redis is gone that could be forever, so after
        // a bound the worker is forced closed (an uncommitted batch is simply applied again later).
        if (worker && !(await settlesWithin(worker.close(), SHUTDOWN_WAIT_MS))) {
          log.warn('workers did not close in time; forcing');
          await settlesWithin(worker.close(true), 2000);
        }
        log.debug('workers closed');
        await settlesWithin(queue.close(), 2000);
        queueConnection.disconnect();
        await redis.quit().catch(() => redis.disconnect());
        await db.stop();
        await redisHandle.stop();
        log.debug('stopped');
      })()),
  };
}
