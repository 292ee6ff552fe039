import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, masterData } from '../support/events';
import { body } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/** `GET /api/v1/kpis/series`: buckets, limits, and each bucket equal to `GET /api/v1/kpis` for its range. */
let t: TestTower;
let viewer: string;

const HOUR = 3_600_000;
const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  t = await startTestTower({ BUSINESS_TIMEZONE: 'Europe/Berlin' });
  viewer = (await t.createUser('viewer')).cookie;
  const key = await t.createApiKey(['erp', 'web']);
  expect((await t.postEvents(key, masterData())).status).toBe(202);
  await waitFor('master data', async () => (await t.db.sql`SELECT 1 FROM channels WHERE channel = 'web'`).length === 1);
  const order = (orderId: string, at: number) =>
    event('order.created', { orderId, channel: 'web', payment: 'authorized', shipTo: { region: 'east', country: 'US' }, lines: [{ sku: 'TEE-BLK-M', qty: 2, unitPrice: 19.99 }] },
      { source: 'web', occurredAt: iso(at) });
  expect((await t.postEvents(key, [order('S-1', hourStart - 2 * HOUR + 60_000), order('S-2', hourStart - HOUR + 60_000), order('S-3', hourStart - HOUR + 120_000)])).status).toBe(202);
  await waitFor('orders', async () => (await t.db.sql`SELECT count(*)::int AS n FROM orders`)[0]!.n === 3);
});

afterAll(async () => {
  await t?.stop();
});

const get = (path: string, headers: Record<string, string> = { cookie: viewer }) => fetch(`${t.url}${path}`, { headers });

describe('GET /api/v1/kpis/series', () => {
  it('answers one point per hour, each the exact KPIs of its range', async () => {
    const res = await get(`/api/v1/kpis/series?from=${iso(hourStart - 3 * HOUR)}&to=${iso(hourStart)}&bucket=hour`);
    expect(res.status).toBe(200);
    const r = await body(res);
    expect(r.bucket).toBe('hour');
    expect(r.points.map((p: { from: string; to: string }) => [p.from, p.to])).toEqual([
      [iso(hourStart - 3 * HOUR), iso(hourStart - 2 * HOUR)],
      [iso(hourStart - 2 * HOUR), iso(hourStart - HOUR)],
      [iso(hourStart - HOUR), iso(hourStart)],
    ]);
    expect(r.points.map((p: { kpis: { orders: number } }) => p.kpis.orders)).toEqual([0, 1, 2]);
    const exact = await body(await get(`/api/v1/kpis?from=${iso(hourStart - HOUR)}&to=${iso(hourStart)}`));
    // Throughput is the last minute before each request (a "now" figure), not the range's: the two
    // requests may fall either side of a second boundary.
    const { throughput: _seriesNow, ...series } = r.points[2].kpis;
    const { throughput: _exactNow, ...range } = exact.kpis;
    expect(series).toEqual(range);
  });

  it('cuts days at the business time zone’s midnights and filters by channel', async () => {
    const res = await get(`/api/v1/kpis/series?from=2026-11-26T23:00:00Z&to=2026-11-28T23:00:00Z&bucket=day&channel=web`);
    expect(res.status).toBe(200);
    const r = await body(res);
    expect(r.points.map((p: { from: string }) => p.from)).toEqual(['2026-11-26T23:00:00.000Z', '2026-11-27T23:00:00.000Z']);
  });

  it.each([
    ['more than 48 hours', '?from=2026-11-01T00:00:00Z&to=2026-11-03T01:00:00Z&bucket=hour', 'to'],
    ['more than 48 days', '?from=2026-09-01T00:00:00Z&to=2026-11-01T00:00:00Z&bucket=day', 'to'],
    ['an unknown bucket', '?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&bucket=week', 'bucket'],
    ['no from', '?to=2026-11-02T00:00:00Z&bucket=hour', 'from'],
    ['from not before to', '?from=2026-11-02T00:00:00Z&to=2026-11-02T00:00:00Z&bucket=hour', 'to'],
    ['an unknown parameter', '?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&bucket=hour&sku=TEE', '(root)'],
  ])('answers 400 naming the parameter for %s', async (_what, query, path) => {
    const res = await get(`/api/v1/kpis/series${query}`);
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error.code).toBe('invalid_request');
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('answers 404 for an unknown channel and 401 without a session', async () => {
    expect((await get('/api/v1/kpis/series?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&bucket=day&channel=nope')).status).toBe(404);
    expect((await get('/api/v1/kpis/series?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&bucket=day', {})).status).toBe(401);
  });
});
