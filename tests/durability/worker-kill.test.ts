import { body, one } from '../support/rows';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_REDIS_URL } from '../support/env';
import { masterData, order } from '../support/events';
import { spawnTower, type TowerProcess } from '../support/processes';
import { startTestTower, uniquePrefix, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

const TOTAL = 4000;
let db: TestDatabase;
let api: TestTower;
const prefix = uniquePrefix();
const workers: TowerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestTower({ ROLE: 'api', REDIS_PREFIX: prefix }, { db });
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await api?.stop();
  await db?.drop();
});

const workerEnv = {
  ROLE: 'worker',
  DATABASE_URL: '',
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: prefix,
  WORKER_CONCURRENCY: '2',
  SWEEP_INTERVAL_MS: '200',
  SWEEP_GRACE_MS: '500',
};

const unapplied = async () => (await db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`)[0]!.n as number;

it('loses and doubles nothing when a worker process is killed with SIGKILL mid-batch', async () => {
  const key = await api.createApiKey(['web']);
  expect((await api.postEvents(key, masterData())).status).toBe(202);
  const res = await api.postEvents(key, Array.from({ length: TOTAL }, (_, i) => order(`KILL-${i}`, 'web', 1 + (i % 4))));
  expect((await body(res)).accepted).toBe(TOTAL);

  const first = spawnTower({ ...workerEnv, DATABASE_URL: db.url });
  workers.push(first);
  // Kill while it is busy: some events applied, many not, a batch transaction in flight.
  await waitFor('the first worker to be part-way through', async () => {
    const left = await unapplied();
    return left < TOTAL - 500 && left > 1000;
  }, 60_000, 5);
  first.child.kill('SIGKILL');
  await first.exited;
  const leftAtKill = await unapplied();
  expect(leftAtKill).toBeGreaterThan(0);

  const second = spawnTower({ ...workerEnv, DATABASE_URL: db.url });
  workers.push(second);
  await waitFor('every event applied after the restart', async () => (await unapplied()) === 0, 120_000);

  const { orders, units } = one(await db.sql`SELECT count(*)::int AS orders, sum(units)::int AS units FROM orders`);
  const { applications } = one(await db.sql`SELECT sum(event_count)::int AS applications FROM apply_batches`);
  expect(orders).toBe(TOTAL);
  expect(units).toBe(Array.from({ length: TOTAL }, (_, i) => 1 + (i % 4)).reduce((a, b) => a + b, 0));
  expect(applications).toBe(TOTAL + masterData().length);

  // The live aggregates agree with PostgreSQL once idle: every order counted once.
  await waitFor('live orders equal the exact count', async () => {
    const res = await fetch(`${api.url}/api/v1/live/overview`, { headers: { cookie: api.adminCookie } });
    const o = await body(res);
    const live = o.minutes.reduce((n: number, m: { orders: Record<string, number> }) => n + (m.orders.web ?? 0), 0);
    return live === TOTAL;
  }, 20_000);

  second.child.kill('SIGTERM');
  const code = await second.exited;
  expect(code, second.output()).toBe(0);
}, 200_000);
