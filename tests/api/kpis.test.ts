import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterData } from '../support/events';
import { body } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/** The KPI endpoints' parameters, defaults and roles (their figures: tests/scenarios/kpis-live-equals-exact.test.ts). */
let t: TestTower;
let viewer: string;
let key: string;

beforeAll(async () => {
  t = await startTestTower({ BUSINESS_TIMEZONE: 'Europe/Berlin' });
  viewer = (await t.createUser('viewer')).cookie;
  key = await t.createApiKey(['web']);
  expect((await t.postEvents(key, masterData())).status).toBe(202);
  await waitFor('master data', async () => (await t.db.sql`SELECT 1 FROM channels WHERE channel = 'mkt-a'`).length === 1);
});

afterAll(async () => {
  await t?.stop();
});

const get = (path: string, headers: Record<string, string> = { cookie: viewer }) => fetch(`${t.url}${path}`, { headers });

describe('GET /api/v1/kpis', () => {
  it('answers today in the business time zone when from and to are omitted, with every channel and location', async () => {
    const res = await get('/api/v1/kpis');
    expect(res.status).toBe(200);
    const r = await body(res);
    const hoursLong = (Date.parse(r.to) - Date.parse(r.from)) / 3_600_000;
    expect([23, 24, 25]).toContain(hoursLong);
    // Midnight in Berlin is 22:00 or 23:00 UTC.
    expect(['22:00:00.000Z', '23:00:00.000Z']).toContain(r.from.slice(11));
    expect(Date.parse(r.from)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(r.to)).toBeGreaterThan(Date.now());
    expect(Object.keys(r.byChannel).sort()).toEqual(['mkt-a', 'web']);
    expect(Object.keys(r.byLocation)).toEqual(['DC-EAST']);
    expect(r.kpis).toMatchObject({ orders: 0, unitFillRate: null, cycleTime: { p50: null, p90: null, p99: null, mean: null } });
  });

  it.each([
    ['from without to', '?from=2026-11-27T00:00:00Z', 'to'],
    ['to without from', '?to=2026-11-27T00:00:00Z', 'from'],
    ['from not before to', '?from=2026-11-27T00:00:00Z&to=2026-11-27T00:00:00Z', 'to'],
    ['more than 366 days', '?from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z', 'to'],
    ['a time without offset', '?from=2026-11-27T00:00:00&to=2026-11-28T00:00:00Z', 'from'],
    ['a channel that is no identifier', '?channel=a%20b', 'channel'],
    ['an unknown parameter', '?sku=TEE', '(root)'],
  ])('answers 400 naming the parameter for %s', async (_what, query, path) => {
    const res = await get(`/api/v1/kpis${query}`);
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error.code).toBe('invalid_request');
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('answers 404 for a channel or location the tower does not know', async () => {
    const res = await get('/api/v1/kpis?channel=nope&location=NOWHERE');
    expect(res.status).toBe(404);
    expect((await body(res)).error.message).toBe('channel nope and location NOWHERE not found');
  });

  it('is for signed-in people: 401 without a session, 403 with an API key', async () => {
    expect((await get('/api/v1/kpis', {})).status).toBe(401);
    expect((await get('/api/v1/kpis', { authorization: `Bearer ${key}` })).status).toBe(403);
  });
});

describe('GET /api/v1/kpis/live', () => {
  it('answers the three windows, their ranges and the "now" figures to a viewer', async () => {
    const res = await get('/api/v1/kpis/live');
    expect(res.status).toBe(200);
    const r = await body(res);
    expect(Object.keys(r.windows)).toEqual(['15m', '60m', 'today']);
    expect(Date.parse(r.ranges['60m'].to) - Date.parse(r.ranges['60m'].from)).toBe(3_600_000);
    expect(r.ranges.today.from.slice(11)).toMatch(/^2[23]:00:00.000Z$/);
    expect(r.now).toEqual({ oversellExposure: { units: 0, pairs: 0 }, atRiskOrders: 0 });
    expect(Object.keys(r.byChannel['15m']).sort()).toEqual(['mkt-a', 'web']);
  });

  it('refuses parameters, and API keys', async () => {
    expect((await get('/api/v1/kpis/live?window=15m')).status).toBe(400);
    expect((await get('/api/v1/kpis/live', { authorization: `Bearer ${key}` })).status).toBe(403);
  });
});
