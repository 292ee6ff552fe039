import { Redis } from 'ioredis';
import pino from 'pino';
import { insertRaw } from '../tests/support/ingest';
import { one } from '../tests/support/rows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/database';
import { TEST_REDIS_URL } from '../tests/support/env';
import { masterData, order } from '../tests/support/events';
import { dropRedisPrefix, uniquePrefix } from '../tests/support/tower';
import { applyEventBatch } from './apply-events';
import { LiveAggregates } from './live-aggregates';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let redis: Redis;
let prefix: string;
let live: LiveAggregates;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL);
  prefix = uniquePrefix();
  live = new LiveAggregates(redis, db.sql, prefix);
  await live.rebuild();
  await applyEventBatch({ sql: db.sql, live, log }, await ingest(masterData()));
});

afterAll(async () => {
  redis.disconnect();
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  await db.drop();
});

const ingest = (events: unknown[]) => insertRaw(db.sql, events);

/** Every live hash under the prefix, as Redis holds it now. */
async function liveState(): Promise<Record<string, Record<string, string>>> {
  const keys = (await redis.keys(`${prefix}:live:[smo]:*`)).sort();
  const state: Record<string, Record<string, string>> = {};
  for (const k of keys) state[k] = await redis.hgetall(k);
  return state;
}

const ordersIn = (snapshot: Awaited<ReturnType<LiveAggregates['readOverview']>>) =>
  snapshot.minutes.reduce((n, m) => n + Object.values(m.orders).reduce((a, b) => a + b, 0), 0);

describe('applying a batch', () => {
  it('applies each event once, however often its job runs', async () => {
    const appliedBefore = (await live.readOverview()).minutes.reduce((n, m) => n + m.applied, 0);
    const seqs = await ingest([order('LA-1', 'web', 2), order('LA-2', 'web', 3)]);
    const first = await applyEventBatch({ sql: db.sql, live, log }, seqs);
    const again = await applyEventBatch({ sql: db.sql, live, log }, seqs);
    expect(first.applied).toBe(2);
    expect(again).toEqual({ applied: 0, batchId: null });
    const { n } = one(await db.sql`SELECT count(*)::int AS n FROM orders WHERE order_id IN ('LA-1', 'LA-2')`);
    expect(n).toBe(2);
    const overview = await live.readOverview();
    expect(ordersIn(overview)).toBe(2);
    expect(overview.minutes.reduce((n, m) => n + m.applied, 0)).toBe(appliedBefore + 2);
  });

  it('keeps a second order with an existing id as an error instead of applying it', async () => {
    const seqs = await ingest([order('LA-3', 'web', 1), { ...order('LA-3', 'mkt-a', 5), source: 'mkt-a' }]);
    await applyEventBatch({ sql: db.sql, live, log }, seqs);
    const rows = await db.sql`SELECT apply_error FROM events WHERE seq IN ${db.sql(seqs)} ORDER BY seq`;
    expect(rows.map((r) => r.apply_error)).toEqual([null, 'order LA-3 already exists']);
    const [o] = await db.sql`SELECT channel, units FROM orders WHERE order_id = 'LA-3'`;
    expect(o).toEqual({ channel: 'web', units: 1 });
  });

  it('keeps an event the database refuses with its reason, and applies the rest of its batch', async () => {
    // Written past validation on purpose: a value no integer column holds.
    const [bad] = await db.sql`
      INSERT INTO events (source, event_id, type, occurred_at, data)
      VALUES ('web', 'poison-1', 'order.created', now(), ${db.sql.json({
        orderId: 'POISON-1', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 3_000_000_000, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized',
      })})
      RETURNING seq`;
    const good = await ingest([order('AFTER-POISON', 'web', 1)]);
    const result = await applyEventBatch({ sql: db.sql, live, log }, [String(bad!.seq), ...good]);
    expect(result.applied).toBe(2);
    const rows = await db.sql`SELECT event_id, applied_at IS NOT NULL AS applied, apply_error FROM events WHERE seq IN ${db.sql([String(bad!.seq), ...good])} ORDER BY seq`;
    expect(rows[0]).toMatchObject({ event_id: 'poison-1', applied: true });
    expect(rows[0]!.apply_error).toMatch(/out of range/);
    expect(rows[1]).toMatchObject({ applied: true, apply_error: null });
    expect(one(await db.sql`SELECT count(*)::int AS n FROM orders WHERE order_id = 'AFTER-POISON'`).n).toBe(1);
    expect(one(await db.sql`SELECT count(*)::int AS n FROM orders WHERE order_id = 'POISON-1'`).n).toBe(0);
  });

  it('finishes a batch whose Redis step was lost exactly once, from PostgreSQL', async () => {
    const before = ordersIn(await live.readOverview());
    const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    broken.on('error', () => {});
    const deadLive = new LiveAggregates(broken, db.sql, prefix);
    const seqs = await ingest([order('LA-4', 'web', 4)]);
    const result = await applyEventBatch({ sql: db.sql, live: deadLive, log }, seqs);
    expect(result.applied).toBe(1);
    expect(ordersIn(await live.readOverview())).toBe(before);

    expect(await live.finishPendingBatches(0)).toBeGreaterThanOrEqual(1);
    expect(await live.finishPendingBatches(0)).toBe(0);
    expect(ordersIn(await live.readOverview())).toBe(before + 1);
    broken.disconnect();
  });
});

describe('rebuild', () => {
  it('recomputes from PostgreSQL exactly what the live path built', async () => {
    for (let i = 0; i < 5; i++) {
      const seqs = await ingest([order(`RB-${i}-a`, 'web', i + 1), order(`RB-${i}-b`, 'mkt-a', 1)].map((e) => ({ ...e, source: 'web' })));
      await applyEventBatch({ sql: db.sql, live, log }, seqs);
    }
    const built = await liveState();
    expect(Object.keys(built).length).toBeGreaterThan(0);
    await live.rebuild();
    expect(await liveState()).toEqual(built);
  });

  it('after a flush writes nothing until rebuilt, then counts the batch once', async () => {
    const before = ordersIn(await live.readOverview());
    await dropRedisPrefix(TEST_REDIS_URL, prefix);
    const seqs = await ingest([order('FL-1', 'web', 1)]);
    let missing = 0;
    await applyEventBatch({ sql: db.sql, live, log, onAggregatesMissing: () => missing++ }, seqs);
    expect(missing).toBe(1);
    expect(await live.isBuilt()).toBe(false);
    await live.rebuild();
    expect(ordersIn(await live.readOverview())).toBe(before + 1);
    // The batch stayed pending while Redis was empty; finishing it now must not count it again.
    await live.finishPendingBatches(0);
    expect(ordersIn(await live.readOverview())).toBe(before + 1);
  });
});
