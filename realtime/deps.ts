import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Sql } from '../db/connect';
import type { Config } from '../domain/config';
import type { ExceptionLive } from '../jobs/exception-live';
import type { LiveAggregates } from '../jobs/live-aggregates';
import type { ApplyJobData } from '../jobs/queues';
import type { Metrics } from './metrics';

/** What the HTTP and Socket.IO layer needs; built once in `main.ts` (or by a test). */
export interface AppDeps {
  config: Config;
  sql: Sql;
  redis: Redis;
  queue: Queue<ApplyJobData>;
  live: LiveAggregates;
  /** Counts and oldest age per exception type (Redis). */
  exceptionLive: ExceptionLive;
  log: Logger;
  metrics: Metrics;
  /** True once shutdown began: new work is refused with 503. */
  isShuttingDown: () => boolean;
  /** Whether workers are running and taking jobs (this process or others). */
  workersAlive: () => Promise<boolean>;
}
