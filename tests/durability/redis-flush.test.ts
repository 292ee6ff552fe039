import { Redis } from 'ioredis';
import { body, one } from '../support/rows';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../domain/config';
import { createLogger } from '../../realtime/logger';
import { startTower, type Tower } from '../../realtime/tower';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { masterData, order } from '../support/events';
import { startPrivateRedis } from '../support/processes';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
let db: TestDatabase;
let api: TestTower;
let worker: Tower | null = null;

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  db = await createTestDatabase();
  // The API alone: events become durable and queued, but nothing applies them yet.
  api = await startTestTower({ ROLE: 'api', REDIS_URL: redisServer.url, REDIS_PREFIX: 'flush' }, { db });
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await db?.drop();
  await redisServer?.stop();
});

it('applies accepted events exactly once although Redis was flushed before any worker saw them', async () => {
  const key = await api.createApiKey(['web']);
  expect((await api.postEvents(key, masterData())).status).toBe(202);
  const events = Array.from({ length: 1000 }, (_, i) => order(`FLUSH-${i}`, 'web', 1 + (i % 3)));
  const res = await api.postEvents(key, events);
  expect(res.status).toBe(202);
  expect((await body(res)).accepted).toBe(1000);

  const redis = new Redis(redisServer.url);
  expect(await redis.llen('flush:bull:apply-events:wait')).toBeGreaterThan(0);
  await redis.flushall();
  redis.disconnect();

  worker = await startTower(
    parseConfig({ ROLE: 'worker', DATABASE_URL: db.url, REDIS_URL: redisServer.url, REDIS_PREFIX: 'flush', SWEEP_INTERVAL_MS: '100', SWEEP_GRACE_MS: '200', LOG_LEVEL: 'silent' }),
    createLogger('silent', { pretty: false }),
  );

  await waitFor('every event applied', async () => {
    const { n } = one(await db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`);
    return n === 0;
  }, 30_000);
  const { orders } = one(await db.sql`SELECT count(*)::int AS orders FROM orders WHERE order_id LIKE 'FLUSH-%'`);
  const { applications } = one(await db.sql`SELECT coalesce(sum(event_count), 0)::int AS applications FROM apply_batches`);
  expect(orders).toBe(1000);
  // One application per event: a second application would have needed a second committed batch row.
  expect(applications).toBe(1004);

  // The live aggregates were rebuilt and count each order once.
  const overview = await waitFor('live aggregates caught up', async () => {
    const res = await fetch(`${api.url}/api/v1/live/overview`, { headers: { cookie: api.adminCookie } });
    const o = await body(res);
    const total = o.minutes.reduce((n: number, m: { orders: Record<string, number> }) => n + (m.orders.web ?? 0), 0);
    return total === 1000 && o.tiles.backlog === 0 ? o : null;
  }, 15_000);
  expect(overview.minutes.reduce((n: number, m: { applied: number }) => n + m.applied, 0)).toBe(1004);

  // The KPI buckets were rebuilt too, and agree with PostgreSQL: 1,999 units ordered (1 + i mod 3), all
  // backordered (the master data brings no stock).
  const live = await body(await fetch(`${api.url}/api/v1/kpis/live`, { headers: { cookie: api.adminCookie } }));
  const { from, to } = live.ranges['60m'];
  const exact = await body(await fetch(`${api.url}/api/v1/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { cookie: api.adminCookie } }));
  expect(exact.kpis).toMatchObject({ orders: 1000, unitsOrdered: 1999, backorderedUnits: 1999 });
  expect(live.windows['60m']).toMatchObject({ orders: 1000, unitsOrdered: 1999, backorderedUnits: 1999 });
  expect(live.byChannel['60m'].web).toEqual(exact.byChannel.web);
});
