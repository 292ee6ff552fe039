import { afterAll, beforeAll, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { event, masterData } from '../support/events';
import { allApplied } from '../support/small-day';
import { startTestTower, type TestTower } from '../support/tower';

/** The operations board's backlog and at-risk list, read from the orders as the engine left them. */
let t: TestTower;

beforeAll(async () => {
  t = await startTestTower({ RISK_HORIZON_MINUTES: '120' });
});

afterAll(async () => {
  await t?.stop();
});

const at = (minutesFromNow: number) => new Date(Date.now() + minutesFromNow * 60_000).toISOString();
const orderEvent = (orderId: string, qty: number, promisedShipBy: string, channel = 'web') =>
  event('order.created', { orderId, channel, lines: [{ sku: 'TEE-BLK-M', qty, unitPrice: 10 }], shipTo: { region: 'east' }, payment: 'authorized', promisedShipBy }, { source: channel });

it('counts the backlog by status and channel and lists the orders at risk, soonest promise first', async () => {
  const key = await t.createApiKey(['web', 'mkt-a']);
  expect((await t.postEvents(key, [...masterData(), event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 5 })])).status).toBe(202);
  await allApplied(t);
  expect((await t.postEvents(key, [
    orderEvent('LATE-1', 2, at(-30)), // promise passed: overdue
    orderEvent('SOON-1', 2, at(45)), // within the 2 h horizon
    orderEvent('LATER-1', 1, at(600)), // outside it
    orderEvent('BACK-1', 4, at(90), 'mkt-a'), // backordered (only 5 in stock), within the horizon
    orderEvent('SHIP-1', 1, at(10)),
  ])).status).toBe(202);
  await allApplied(t);
  expect((await t.postEvents(key, [event('fulfillment.shipped', { orderId: 'LATER-1', locationId: 'DC-EAST', shipmentId: 'S-1', lines: [{ sku: 'TEE-BLK-M', qty: 1 }] })])).status).toBe(202);
  await allApplied(t);

  const res = await call(t, 'GET', '/api/v1/operations', { cookie: (await t.createUser('viewer')).cookie });
  expect(res.status).toBe(200);
  const statuses = Object.fromEntries((await t.db.sql`SELECT order_id, status FROM orders`).map((r) => [r.order_id, r.status]));
  expect(statuses['LATER-1']).toBe('shipped');
  expect(res.body.backlog.total).toBe(4);
  expect(res.body.backlog.byChannel['mkt-a']).toEqual({ [statuses['BACK-1']!]: 1 });
  expect(Object.values(res.body.backlog.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(4);
  expect(res.body.atRisk).toMatchObject({ horizonMinutes: 120, count: 4, overdue: 1 });
  expect(res.body.atRisk.orders.map((o: { orderId: string }) => o.orderId)).toEqual(['LATE-1', 'SHIP-1', 'SOON-1', 'BACK-1']);
  expect(res.body.atRisk.orders[3]).toMatchObject({ channel: 'mkt-a', units: 4, openUnits: 4 });

  const limited = await call(t, 'GET', '/api/v1/operations?limit=2', { cookie: t.adminCookie });
  expect(limited.body.atRisk.orders).toHaveLength(2);
  expect(limited.body.atRisk.count).toBe(4);
  expect((await call(t, 'GET', '/api/v1/operations?limit=0', { cookie: t.adminCookie })).status).toBe(400);
});
