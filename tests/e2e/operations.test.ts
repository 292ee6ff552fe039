import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/env';
import { masterData, order } from '../support/events';
import { body } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

let t: TestTower;
let key: string;

beforeAll(async () => {
  t = await startTestTower();
  key = await t.createApiKey(['web']);
  await t.postEvents(key, masterData());
});

afterAll(async () => {
  await t?.stop();
});

const liveOrders = async () => {
  const o = await body(await fetch(`${t.url}/api/v1/live/overview`, { headers: { cookie: t.adminCookie } }));
  return o.minutes.reduce((n: number, m: { orders: Record<string, number> }) => n + (m.orders.web ?? 0), 0) as number;
};

it('exposes Prometheus metrics for ingest, application and lag', async () => {
  const e = order('MET-1', 'web', 1);
  await t.postEvents(key, [e, e]);
  await t.postEvents(key, [{ id: 'bad', type: 'order.created', source: 'web', occurredAt: 'yesterday', data: {} }]);
  await waitFor('applied', async () => (await liveOrders()) >= 1);
  const res = await fetch(`${t.url}/metrics`, { headers: { cookie: t.adminCookie } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toMatch(/^tower_events_accepted_total 5$/m);
  expect(text).toMatch(/^tower_events_duplicate_total 1$/m);
  expect(text).toMatch(/^tower_events_rejected_total 1$/m);
  expect(text).toMatch(/^tower_events_applied_total 5$/m);
  expect(text).toMatch(/^tower_ingest_to_applied_seconds_count 5$/m);
  expect(text).toMatch(/^tower_events_unapplied 0$/m);
});

it('reports readiness of PostgreSQL, Redis and the workers', async () => {
  const res = await fetch(`${t.url}/readyz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', workers: 'ok' } });
});

it('npm run rebuild-aggregates restores flushed live aggregates from PostgreSQL', async () => {
  await t.postEvents(key, Array.from({ length: 25 }, (_, i) => order(`RBA-${i}`, 'web', 2)));
  const before = await waitFor('25 more orders live', async () => {
    const n = await liveOrders();
    return n >= 26 ? n : null;
  });
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${t.prefix}:live:*`);
  await redis.del(...keys);
  redis.disconnect();

  const out = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'rebuild-aggregates'], {
      env: { ...process.env, DATABASE_URL: t.db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: t.prefix, LOG_LEVEL: 'warn' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
  expect(out.code, out.output).toBe(0);
  expect(out.output).toMatch(/rebuilt live aggregates/);
  expect(await liveOrders()).toBe(before);
});
