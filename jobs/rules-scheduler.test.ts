import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openException } from '../db/queries/exceptions';
import { createTestDatabase, type TestDatabase } from '../tests/support/database';
import { TEST_REDIS_URL } from '../tests/support/env';
import { dropRedisPrefix, uniquePrefix } from '../tests/support/tower';
import { waitFor } from '../tests/support/wait';
import { bullPrefix } from './queues';
import { RULES_QUEUE, RULES_SCHEDULER_ID, startRulesScheduler, type RulesScheduler } from './rules-scheduler';

const log = pino({ level: 'silent' });
const settings = { riskHorizonMinutes: 120, returnOverdueHours: 48, feedStaleMinutes: {}, feedStaleMinMinutes: 15 };
let db: TestDatabase;
let prefix: string;
let connection: Redis;
let queue: Queue;
let scheduler: RulesScheduler | null = null;

beforeAll(async () => {
  db = await createTestDatabase();
  prefix = uniquePrefix();
  connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(RULES_QUEUE, { connection, prefix: bullPrefix(prefix) });
});

afterAll(async () => {
  await scheduler?.stop();
  await queue.close();
  connection.disconnect();
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  await db.drop();
});

const escalated = async (subject: string) =>
  (await db.sql`SELECT escalated_at FROM exceptions WHERE subject = ${subject}`)[0]?.escalated_at != null;

it('runs the rules on its ticks, and schedules itself again when Redis lost the scheduler', async () => {
  const past = new Date(Date.now() - 24 * 3_600_000);
  await openException(db.sql, { type: 'stockout', subject: 'sku:SCHED-1@DC', at: past });
  scheduler = startRulesScheduler({ redisUrl: TEST_REDIS_URL, prefix, sql: db.sql, log, settings, intervalMs: 200, watchdogMs: 300 });
  await scheduler.ready;
  expect(await queue.getJobScheduler(RULES_SCHEDULER_ID)).toMatchObject({ every: 200 });
  await waitFor('a tick escalated the past-due exception', () => escalated('sku:SCHED-1@DC'), 10_000);

  // What a FLUSHALL does to the scheduler: gone, with its pending tick.
  await queue.removeJobScheduler(RULES_SCHEDULER_ID);
  await queue.obliterate({ force: true });
  await openException(db.sql, { type: 'stockout', subject: 'sku:SCHED-2@DC', at: past });
  await waitFor('the scheduler back in Redis', async () => (await queue.getJobScheduler(RULES_SCHEDULER_ID)) !== undefined, 10_000);
  await waitFor('a tick after that escalated the new exception', () => escalated('sku:SCHED-2@DC'), 10_000);

  await scheduler.stop();
  scheduler = null;
});
