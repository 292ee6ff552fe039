import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { event } from '../support/events';
import type { Json } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { allApplied as allAppliedIn, replaySmallDay, SMALL_DAY_SOURCES } from '../support/small-day';

/** Inventory, availability and explain, read over HTTP after the hand-worked day (shared/examples). */
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

const get = (p: string, headers: Record<string, string> = {}) => call(t, 'GET', p, { cookie: viewer, headers });
const atsOf = (body: Json, sku: string, channel: string) =>
  body.ats.find((a: Json) => a.sku === sku && a.channel === channel)?.ats;

describe('GET /api/v1/inventory', () => {
  it('shows the buckets, backorders and ATS of the worked example', async () => {
    const res = await get('/api/v1/inventory');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: Json) => `${i.sku}@${i.locationId}`)).toEqual(['MUG-RED@DC-EAST', 'TEE-BLK-M@DC-EAST', 'TEE-BLK-M@STORE-WEST']);
    expect(res.body.items[2]).toEqual({
      sku: 'TEE-BLK-M', locationId: 'STORE-WEST', onHand: 4, reserved: 1, available: 3, inTransit: 0, returnsPending: 0, damaged: 0,
    });
    expect(res.body.items[1]).toMatchObject({ onHand: 8, reserved: 0, available: 8 });
    expect(res.body.items[0]).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
    expect(res.body.backordered).toEqual({ 'MUG-RED': 3, 'TEE-BLK-M': 0 });
    expect(atsOf(res.body, 'TEE-BLK-M', 'web')).toBe(9);
    expect(atsOf(res.body, 'TEE-BLK-M', 'mkt-a')).toBe(4);
    expect(atsOf(res.body, 'MUG-RED', 'web')).toBe(2);
    expect(atsOf(res.body, 'MUG-RED', 'mkt-a')).toBe(1);
    expect(res.body.ats).toHaveLength(4);
    expect(res.body.truncated).toBeUndefined();
  });

  it('filters by SKU and location (exact match)', async () => {
    const res = await get('/api/v1/inventory?sku=TEE-BLK-M&location=STORE-WEST');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ sku: 'TEE-BLK-M', locationId: 'STORE-WEST' });
    expect(res.body.backordered).toEqual({ 'TEE-BLK-M': 0 });
    expect(res.body.ats.map((a: Json) => `${a.sku}/${a.channel}=${a.ats}`).sort()).toEqual(['TEE-BLK-M/mkt-a=4', 'TEE-BLK-M/web=9']);

    const mug = await get('/api/v1/inventory?sku=MUG-RED');
    expect(mug.body.items).toHaveLength(1);
    expect(mug.body.backordered).toEqual({ 'MUG-RED': 3 });

    const none = await get('/api/v1/inventory?sku=TEE-BLK-M&location=NOWHERE');
    expect(none.body).toEqual({ items: [], backordered: {}, ats: [] });
  });

  it('answers 400 with the path of each bad query parameter', async () => {
    for (const [query, path] of [['sku=bad%20sku', 'sku'], ['sku=a&sku=b', 'sku'], ['location=', 'location'], [`sku=${'x'.repeat(65)}`, 'sku']]) {
      const res = await get(`/api/v1/inventory?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details.map((d: Json) => d.path)).toContain(path);
    }
    const unknown = await get('/api/v1/inventory?skus=TEE-BLK-M');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].message).toMatch(/skus/);
  });
});

describe('GET /api/v1/inventory/explain', () => {
  it('shows every term of the ATS formula and what stands behind it', async () => {
    const res = await get('/api/v1/inventory/explain?sku=TEE-BLK-M&channel=mkt-a');
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b).toMatchObject({
      sku: 'TEE-BLK-M', channel: 'mkt-a', safetyStock: 2, allocationShare: 0.5, sumAvailable: 11, afterSafetyStock: 9, ats: 4,
      listedQty: null, oversellExposure: null, formula: 'floor(max(0, 11 − 2) × 0.5) = 4',
    });
    const [east, west] = b.locations;
    expect(east).toMatchObject({ locationId: 'DC-EAST', shipsToCustomers: true, onHand: 8, reserved: 0, available: 8, counted: true, contributes: 8, reservations: [] });
    expect(west).toMatchObject({ locationId: 'STORE-WEST', onHand: 4, reserved: 1, available: 3, counted: true, contributes: 3 });
    expect(west.reservations).toEqual([{ orderId: 'W-1002', lineNo: 1, qty: 1 }]);
    // Newest first: W-1001's shipment, its reservation, then the receipt of 10.
    expect(east.ledger.map((m: Json) => `${m.bucket}${m.delta > 0 ? '+' : ''}${m.delta} ${m.reason}`)).toEqual([
      'reserved-2 shipped', 'onHand-2 shipped', 'reserved+2 reserve', 'onHand+10 received',
    ]);
    expect(east.ledger[0]).toMatchObject({ orderId: 'W-1001', eventSeq: expect.stringMatching(/^\d+$/), at: expect.stringMatching(/Z$/) });
    const onHandSum = east.ledger.filter((m: Json) => m.bucket === 'onHand').reduce((n: number, m: Json) => n + m.delta, 0);
    expect(onHandSum).toBe(east.onHand);
  });

  it('explains MUG-RED on the web: the backorder reserves nothing', async () => {
    const res = await get('/api/v1/inventory/explain?sku=MUG-RED&channel=web');
    expect(res.body).toMatchObject({ sumAvailable: 2, ats: 2, formula: 'floor(max(0, 2 − 0) × 1) = 2' });
  });

  it('answers 404 for an unknown SKU or channel and 400 without both parameters', async () => {
    const sku = await get('/api/v1/inventory/explain?sku=NOPE&channel=web');
    expect(sku.status).toBe(404);
    expect(sku.body.error).toMatchObject({ code: 'not_found', message: 'SKU NOPE not found' });
    const channel = await get('/api/v1/inventory/explain?sku=TEE-BLK-M&channel=nope');
    expect(channel.status).toBe(404);
    expect(channel.body.error.message).toBe('channel nope not found');
    const missing = await get('/api/v1/inventory/explain?sku=TEE-BLK-M');
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: Json) => d.path)).toEqual(['channel']);
  });
});

describe('GET /api/v1/availability', () => {
  it('is the ATS feed of one channel, every item by SKU', async () => {
    const web = await get('/api/v1/availability?channel=web');
    expect(web.status).toBe(200);
    expect(web.body.channel).toBe('web');
    expect(Date.parse(web.body.asOf)).not.toBeNaN();
    expect(web.body.items).toEqual([{ sku: 'MUG-RED', ats: 2 }, { sku: 'TEE-BLK-M', ats: 9 }]);
    const mkt = await call(t, 'GET', '/api/v1/availability?channel=mkt-a', { bearer: key });
    expect(mkt.status).toBe(200);
    expect(mkt.body.items).toEqual([{ sku: 'MUG-RED', ats: 1 }, { sku: 'TEE-BLK-M', ats: 4 }]);
  });

  it('answers 304 with no body for a matching If-None-Match (strong ETag, not tied to asOf)', async () => {
    const first = await call(t, 'GET', '/api/v1/availability?channel=web', { bearer: key });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await call(t, 'GET', '/api/v1/availability?channel=web', { bearer: key });
    expect(again.headers.get('etag')).toBe(etag);

    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await call(t, 'GET', '/api/v1/availability?channel=web', { bearer: key, headers: { 'if-none-match': inm } });
      expect(res.status, inm).toBe(304);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
    }
    const stale = await call(t, 'GET', '/api/v1/availability?channel=web', { bearer: key, headers: { 'if-none-match': '"stale"' } });
    expect(stale.status).toBe(200);
    const mkt = await call(t, 'GET', '/api/v1/availability?channel=mkt-a', { bearer: key });
    expect(mkt.headers.get('etag')).not.toBe(etag);
  });

  it('answers 404 for an unknown channel and 400 without one', async () => {
    const unknown = await get('/api/v1/availability?channel=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const missing = await get('/api/v1/availability');
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ path: 'channel', message: expect.any(String) }]);
  });
});

describe('who may read', () => {
  const paths = ['/api/v1/inventory', '/api/v1/inventory/explain?sku=TEE-BLK-M&channel=web', '/api/v1/availability?channel=web'];

  it('answers 401 without credentials', async () => {
    for (const p of paths) {
      const res = await call(t, 'GET', p);
      expect(res.status, p).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('lets an API key read availability only', async () => {
    expect((await call(t, 'GET', paths[2]!, { bearer: key })).status).toBe(200);
    for (const p of paths.slice(0, 2)) {
      const res = await call(t, 'GET', p, { bearer: key });
      expect(res.status, p).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });
});

describe('after more events', () => {
  it('changes the ETag once a receipt changes ATS, and shows a listing as oversell exposure', async () => {
    const before = await call(t, 'GET', '/api/v1/availability?channel=web', { bearer: key });
    const res = await t.postEvents(key, [
      event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 5 }, { source: 'wms-east', occurredAt: '2026-11-27T14:00:00Z' }),
      event('channel.stock_snapshot', { channel: 'mkt-a', items: [{ sku: 'TEE-BLK-M', listedQty: 10 }] }, { source: 'mkt-a', occurredAt: '2026-11-27T14:05:00Z' }),
    ]);
    expect(res.status).toBe(202);
    await allApplied();

    const after = await call(t, 'GET', '/api/v1/availability?channel=web', { bearer: key, headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(after.body.items).toEqual([{ sku: 'MUG-RED', ats: 2 }, { sku: 'TEE-BLK-M', ats: 14 }]);

    const explain = await get('/api/v1/inventory/explain?sku=TEE-BLK-M&channel=mkt-a');
    expect(explain.body).toMatchObject({ ats: 7, listedQty: 10, oversellExposure: 3, formula: 'floor(max(0, 16 − 2) × 0.5) = 7' });
  });

  it('caps the rows at 5,000 and says so', async () => {
    await t.db.sql`
      INSERT INTO inventory (sku, location_id, on_hand)
      SELECT 'BULK-' || lpad(n::text, 5, '0'), 'BULK-LOC', 1 FROM generate_series(1, 5001) n`;
    try {
      const res = await get('/api/v1/inventory?location=BULK-LOC');
      expect(res.status).toBe(200);
      expect(res.body.truncated).toBe(true);
      expect(res.body.items).toHaveLength(5000);
      expect(res.body.items.at(-1).sku).toBe('BULK-05000');
    } finally {
      await t.db.sql`DELETE FROM inventory WHERE location_id = 'BULK-LOC'`;
    }
  });
});
