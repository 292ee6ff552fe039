import { afterAll, beforeAll, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { event, masterData } from '../support/events';
import { allApplied } from '../support/small-day';
import { startTestTower, type TestTower } from '../support/tower';

/** SLAs are configurable per type: EXCEPTION_SLA_MINUTES reaches every rule through the database. */
let t: TestTower;

beforeAll(async () => {
  t = await startTestTower({ EXCEPTION_SLA_MINUTES: 'fraud_review=5,stockout=90', EXCEPTION_RESOLUTION_CODES: 'fixed,carrier_issue' });
});

afterAll(async () => {
  await t?.stop();
});

it('opens exceptions due after the configured SLA, reports it in the settings, and offers the configured codes', async () => {
  const key = await t.createApiKey(['web']);
  expect((await t.postEvents(key, [
    ...masterData(),
    event('order.created', { orderId: 'SLA-1', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 3, unitPrice: 10 }], shipTo: { region: 'east' }, payment: 'authorized', fraudScore: 0.99 }),
  ])).status).toBe(202);
  await allApplied(t);
  const items = (await call(t, 'GET', '/api/v1/exceptions', { cookie: t.adminCookie })).body.items;
  const minutes = (type: string) => {
    const e = items.find((x: { type: string }) => x.type === type);
    return (Date.parse(e.dueAt) - Date.parse(e.openedAt)) / 60_000;
  };
  expect(minutes('fraud_review')).toBe(5);
  expect(minutes('stockout')).toBe(90);
  const settings = (await call(t, 'GET', '/api/v1/exceptions/settings', { cookie: t.adminCookie })).body;
  expect(settings.slaMinutes).toMatchObject({ fraud_review: 5, stockout: 90, payment_failed: 240 });
  expect(settings.resolutionCodes).toEqual(['fixed', 'carrier_issue']);

  const stockout = items.find((x: { type: string }) => x.type === 'stockout');
  const ok = await call(t, 'POST', `/api/v1/exceptions/${stockout.id}/resolve`, { cookie: t.adminCookie, origin: true, body: { code: 'carrier_issue' } });
  expect(ok.status).toBe(200);
  const reopen = await call(t, 'POST', `/api/v1/exceptions/${stockout.id}/reopen`, { cookie: t.adminCookie, origin: true });
  expect(reopen.status).toBe(200);
  const bad = await call(t, 'POST', `/api/v1/exceptions/${stockout.id}/resolve`, { cookie: t.adminCookie, origin: true, body: { code: 'no_action' } });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toContain('fixed, carrier_issue');
});
