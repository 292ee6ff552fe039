import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { event } from '../support/events';
import type { Json } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';
import { allApplied as allAppliedIn, replaySmallDay, SMALL_DAY_SOURCES } from '../support/small-day';

/** One order as a supervisor sees it, read over HTTP after the hand-worked day (shared/examples). */
let t: TestTower;
let key: string;
let viewer: string;

const allApplied = () => allAppliedIn(t);

beforeAll(async () => {
  t = await startTestTower();
  key = await t.createApiKey(SMALL_DAY_SOURCES);
  viewer = (await t.createUser('viewer')).cookie;
  await replaySmallDay(t, key);
});

afterAll(async () => {
  await t?.stop();
});

const getOrder = (id: string) => call(t, 'GET', `/api/v1/orders/${encodeURIComponent(id)}`, { cookie: viewer });
const kinds = (body: Json) => body.timeline.map((e: Json) => `${e.kind}:${e.type}`);

describe('GET /api/v1/orders/:orderId', () => {
  it('shows W-1001 shipped whole from DC-EAST, with nothing left reserved', async () => {
    const res = await getOrder('W-1001');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      orderId: 'W-1001', channel: 'web', status: 'shipped', payment: 'authorized', held: false,
      createdAt: '2026-11-27T09:00:00.000Z', promisedShipBy: '2026-11-28T09:00:00.000Z', shipTo: { region: 'east', country: 'US' },
    });
    expect(res.body.lines).toEqual([
      { lineNo: 1, sku: 'TEE-BLK-M', ordered: 2, reserved: 0, backordered: 0, shipped: 2, cancelled: 0, returned: 0, allocations: [] },
      { lineNo: 2, sku: 'MUG-RED', ordered: 1, reserved: 0, backordered: 0, shipped: 1, cancelled: 0, returned: 0, allocations: [] },
    ]);
    expect(res.body.shipments).toEqual([{
      shipmentId: 'SH-1', locationId: 'DC-EAST', shippedAt: '2026-11-27T13:00:00.000Z', units: 3,
      lines: [{ sku: 'TEE-BLK-M', qty: 2 }, { sku: 'MUG-RED', qty: 1 }],
    }]);
    // The duplicate of (web, o-1) was never stored: one order.created.
    expect(kinds(res.body)).toEqual(['event:order.created', 'event:fulfillment.shipped']);
    expect(res.body.timeline[0]).toMatchObject({ at: '2026-11-27T09:00:00.000Z', source: 'web', id: 'o-1', state: 'applied' });
    expect(res.body.timeline[0].applyError).toBeUndefined();
    expect(res.body.timeline[1]).toMatchObject({ at: '2026-11-27T13:00:00.000Z', source: 'wms-east', id: 's-1' });
  });

  it('shows A-77 backordered whole behind a stockout', async () => {
    const res = await getOrder('A-77');
    expect(res.body.status).toBe('backordered');
    expect(res.body.lines).toEqual([
      { lineNo: 1, sku: 'MUG-RED', ordered: 3, reserved: 0, backordered: 3, shipped: 0, cancelled: 0, returned: 0, allocations: [] },
    ]);
    expect(kinds(res.body)).toEqual(['event:order.created', 'exception:stockout']);
    expect(res.body.timeline[1]).toMatchObject({ at: '2026-11-27T09:05:00.000Z', status: 'open', severity: 'high', id: expect.any(String) });
  });

  it('shows W-1002 on hold, reserved at STORE-WEST, behind a fraud review', async () => {
    const res = await getOrder('W-1002');
    expect(res.body).toMatchObject({ status: 'on_hold', held: true });
    expect(res.body.lines[0]).toMatchObject({ ordered: 1, reserved: 1, backordered: 0, allocations: [{ locationId: 'STORE-WEST', qty: 1 }] });
    expect(kinds(res.body)).toEqual(['event:order.created', 'exception:fraud_review']);
    expect(res.body.timeline[1]).toMatchObject({ status: 'open', severity: 'high' });
  });

  it('answers 404 for an order nothing is known of, 400 for an id that cannot be one', async () => {
    const unknown = await getOrder('NOPE-1');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', message: 'order NOPE-1 not found' });
    const bad = await getOrder('bad id!');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: Json) => d.path)).toEqual(['orderId']);
  });

  it('answers 401 without credentials and 403 to an API key', async () => {
    expect((await call(t, 'GET', '/api/v1/orders/W-1001')).status).toBe(401);
    const res = await call(t, 'GET', '/api/v1/orders/W-1001', { bearer: key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('an order whose events did not apply', () => {
  it('is shown with status null and a timeline that says why: waiting, then invalid', async () => {
    const res = await t.postEvents(key, event('fulfillment.shipped', {
      orderId: 'GHOST-1', locationId: 'DC-EAST', shipmentId: 'SH-G', lines: [{ sku: 'TEE-BLK-M', qty: 1 }],
    }, { source: 'wms-east', id: 'ghost-ship', occurredAt: '2026-11-27T15:00:00Z' }));
    expect(res.status).toBe(202);

    const waiting = await waitFor('the shipment to wait for its order', async () => {
      const r = await getOrder('GHOST-1');
      return r.status === 200 && r.body.timeline[0]?.deferReason ? r.body : null;
    });
    expect(waiting).toMatchObject({ orderId: 'GHOST-1', status: null, channel: null, lines: [], shipments: [] });
    expect(waiting.timeline).toEqual([expect.objectContaining({
      kind: 'event', type: 'fulfillment.shipped', id: 'ghost-ship', state: 'waiting', deferReason: 'order GHOST-1 is unknown',
    })]);

    // DEFER_MAX_SECONDS is 2 in tests: then the event is kept as invalid and an exception opens.
    const invalid = await waitFor('the shipment to become invalid', async () => {
      const r = await getOrder('GHOST-1');
      return r.body.timeline.length === 2 ? r.body : null;
    });
    expect(invalid.status).toBeNull();
    expect(kinds(invalid)).toEqual(['event:fulfillment.shipped', 'exception:invalid_event']);
    expect(invalid.timeline[0].state).toBe('invalid');
    expect(invalid.timeline[0].applyError).toMatch(/^order GHOST-1 is unknown/);
    expect(invalid.timeline[0].deferReason).toBeUndefined();
    expect(invalid.timeline[1]).toMatchObject({ status: 'open', severity: 'medium' });
  });
});

describe('a return', () => {
  it('appears in the timeline, inspection included (that event names the return, not the order)', async () => {
    const res = await t.postEvents(key, [
      event('return.received', { returnId: 'R-1', orderId: 'W-1001', locationId: 'DC-EAST', lines: [{ sku: 'MUG-RED', qty: 1 }] },
        { source: 'wms-east', occurredAt: '2026-11-28T10:00:00Z' }),
      event('return.inspected', { returnId: 'R-1', lines: [{ sku: 'MUG-RED', qty: 1, disposition: 'restock' }] },
        { source: 'wms-east', occurredAt: '2026-11-28T11:00:00Z' }),
    ]);
    expect(res.status).toBe(202);
    await allApplied();
    const order = await getOrder('W-1001');
    expect(kinds(order.body)).toEqual(['event:order.created', 'event:fulfillment.shipped', 'event:return.received', 'event:return.inspected']);
    expect(order.body.lines[1]).toMatchObject({ sku: 'MUG-RED', returned: 1 });
  });
});
