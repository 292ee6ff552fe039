import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Sql } from '../../db/connect';
import { dropRedisPrefix } from '../../tests/support/redis';

/**
 * What the machine does with no tower logic at all, measured in the same run: the tower's figures
 * are reported as ratios to these.
 */
export interface Baselines {
  /** One no-op BullMQ job per event: addBulk of 1,000, a worker with concurrency 50. */
  bullmqJobsPerSecond: number;
  /** Multi-row INSERT of event-sized rows (the inbox's columns, a ~300-byte JSON body), 1,000 a statement. */
  postgresRowsPerSecond: number;
  /** HINCRBY through a pipeline of 10,000 commands. */
  redisOpsPerSecond: number;
}

export async function bullmqBaseline(input: { redisUrl: string; prefix: string; jobs: number }): Promise<number> {
  const connection = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `${input.prefix}:baseline`;
  const queue = new Queue('noop', { connection, prefix });
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const worker = new Worker('noop', async () => {}, { connection: workerConnection, prefix, concurrency: 50, autorun: false });
  worker.on('completed', () => {
    if (++done === input.jobs) finished();
  });
  try {
    const started = performance.now();
    void worker.run();
    for (let i = 0; i < input.jobs; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, input.jobs - i) }, (_, j) => ({ name: 'e', data: { seq: String(i + j) } })));
    }
    await all;
    return input.jobs / ((performance.now() - started) / 1000);
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    workerConnection.disconnect();
    await dropRedisPrefix(input.redisUrl, prefix);
  }
}

export async function postgresBaseline(input: { sql: Sql; rows: number }): Promise<number> {
  const { sql } = input;
  await sql`CREATE TABLE bench_events (LIKE events INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES)`;
  const data = {
    orderId: 'W-000000', channel: 'shop-web', payment: 'authorized', shipTo: { region: 'east', country: 'US', postalCode: '10001' },
    lines: [{ sku: 'SKU-0001', qty: 2, unitPrice: 19.99 }, { sku: 'SKU-0420', qty: 1, unitPrice: 5.5 }],
  };
  try {
    const started = performance.now();
    for (let i = 0; i < input.rows; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, input.rows - i) }, (_, j) => ({
        source: 'bench', event_id: `b-${i + j}`, type: 'order.created', occurred_at: new Date(), data: { ...data, orderId: `W-${i + j}` },
      }));
      await sql`INSERT INTO bench_events ${sql(rows as never, 'source', 'event_id', 'type', 'occurred_at', 'data')}`;
    }
    return input.rows / ((performance.now() - started) / 1000);
  } finally {
    await sql`DROP TABLE bench_events`;
  }
}

export async function redisBaseline(input: { redisUrl: string; prefix: string; ops: number }): Promise<number> {
  const redis = new Redis(input.redisUrl);
  const prefix = `${input.prefix}:hincr`;
  try {
    const started = performance.now();
    for (let i = 0; i < input.ops; i += 10_000) {
      const pipeline = redis.pipeline();
      for (let j = 0; j < Math.min(10_000, input.ops - i); j++) pipeline.hincrby(`${prefix}:${j % 60}`, `f${j % 50}`, 1);
      await pipeline.exec();
    }
    return input.ops / ((performance.now() - started) / 1000);
  } finally {
    redis.disconnect();
    await dropRedisPrefix(input.redisUrl, prefix);
  }
}
