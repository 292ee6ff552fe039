import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { event } from '../support/events';
import type { Json } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { allApplied as allAppliedIn, replaySmallDay, SMALL_DAY_SOURCES } from '../support/small-day';

/** The inventory view's read: heat-map cells, ATS against listings, sell rates; after the hand-worked day. */
let t: TestTower;
let key: string;
let viewer: string;

const allApplied = () => allAppliedIn(t);
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

beforeAll(async () => {
  t = await startTestTower();
  key = await t.createApiKey(SMALL_DAY_SOURCES);
  viewer = (await t.createUser('viewer')).cookie;
  await replaySmallDay(t, key);
});

afterAll(async () => {
  await t?.stop();
});

const get = (p: string) => call(t, 'GET', p, { cookie: viewer });
const listing = (body: Json, sku: string, channel: string) => body.listings.find((l: Json) => l.sku === sku && l.channel === channel);
const skuRow = (body: Json, sku: string) => body.skus.find((s: Json) => s.sku === sku);

describe('GET /api/v1/inventory/overview', () => {
  it('answers the worked example: cells per SKU × location, ATS per channel, no listings, no recent sales', async () => {
    const res = await get('/api/v1/inventory/overview');
    expect(res.status).toBe(200);
    const b = res.body;
    expect(Date.parse(b.asOf)).not.toBeNaN();
    expect(b.windowHours).toBe(24);
    expect(b.locations).toEqual([
      { locationId: 'DC-EAST', name: 'East DC', shipsToCustomers: true },
      { locationId: 'STORE-WEST', name: 'West store', shipsToCustomers: true },
    ]);
    expect(b.channels).toEqual([{ channel: 'mkt-a', allocationShare: 0.5 }, { channel: 'web', allocationShare: 1 }]);
    expect(b.cells).toEqual([
      { sku: 'MUG-RED', locationId: 'DC-EAST', onHand: 2, reserved: 0, available: 2 },
      { sku: 'TEE-BLK-M', locationId: 'DC-EAST', onHand: 8, reserved: 0, available: 8 },
      { sku: 'TEE-BLK-M', locationId: 'STORE-WEST', onHand: 4, reserved: 1, available: 3 },
    ]);
    // The day's orders are two days old: outside the 24-hour window, so no rate and no time to stockout.
    expect(b.skus).toEqual([
      { sku: 'MUG-RED', name: 'Red mug', safetyStock: 0, sellable: 2, backordered: 3, unitsOrdered: 0, sellRatePerHour: 0, hoursToStockout: null },
      { sku: 'TEE-BLK-M', name: 'Black tee M', safetyStock: 2, sellable: 11, backordered: 0, unitsOrdered: 0, sellRatePerHour: 0, hoursToStockout: null },
    ]);
    expect(b.listings).toEqual([
      { sku: 'MUG-RED', channel: 'mkt-a', ats: 1, listedQty: null, exposure: null },
      { sku: 'MUG-RED', channel: 'web', ats: 2, listedQty: null, exposure: null },
      { sku: 'TEE-BLK-M', channel: 'mkt-a', ats: 4, listedQty: null, exposure: null },
      { sku: 'TEE-BLK-M', channel: 'web', ats: 9, listedQty: null, exposure: null },
    ]);
    expect(b.exposure).toEqual({ units: 0, pairs: 0 });
    expect(b.truncated).toBeUndefined();
  });

  it('agrees with /inventory on every ATS', async () => {
    const [overview, inventory] = await Promise.all([get('/api/v1/inventory/overview'), get('/api/v1/inventory')]);
    expect(overview.body.listings.map((l: Json) => ({ sku: l.sku, channel: l.channel, ats: l.ats }))).toEqual(inventory.body.ats);
  });

  it('filters by SKU prefix (wildcards taken literally) and by location', async () => {
    const tee = await get('/api/v1/inventory/overview?sku=TEE');
    expect(tee.body.skus.map((s: Json) => s.sku)).toEqual(['TEE-BLK-M']);
    expect(tee.body.cells.map((c: Json) => c.sku)).toEqual(['TEE-BLK-M', 'TEE-BLK-M']);
    expect(tee.body.listings).toHaveLength(2);
    expect((await get('/api/v1/inventory/overview?sku=TEE_BLK')).body.skus).toEqual([]);

    // A location narrows the columns and the SKUs to those stocked there; ATS stays network-wide.
    const west = await get('/api/v1/inventory/overview?location=STORE-WEST');
    expect(west.body.locations.map((l: Json) => l.locationId)).toEqual(['STORE-WEST']);
    expect(west.body.skus.map((s: Json) => s.sku)).toEqual(['TEE-BLK-M']);
    expect(west.body.cells).toEqual([{ sku: 'TEE-BLK-M', locationId: 'STORE-WEST', onHand: 4, reserved: 1, available: 3 }]);
    expect(skuRow(west.body, 'TEE-BLK-M').sellable).toBe(11);
    expect(listing(west.body, 'TEE-BLK-M', 'web').ats).toBe(9);

    const none = await get('/api/v1/inventory/overview?sku=NOPE');
    expect(none.body).toMatchObject({ skus: [], cells: [], listings: [], exposure: { units: 0, pairs: 0 } });
  });

  it('answers 400 naming each bad parameter', async () => {
    for (const [query, path] of [
      ['hours=0', 'hours'], ['hours=169', 'hours'], ['hours=1.5', 'hours'], ['hours=soon', 'hours'],
      ['sku=bad%20sku', 'sku'], ['sku=a&sku=b', 'sku'], ['location=', 'location'],
    ]) {
      const res = await get(`/api/v1/inventory/overview?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details.map((d: Json) => d.path), query).toContain(path);
    }
    const unknown = await get('/api/v1/inventory/overview?channel=web');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].message).toMatch(/channel/);
  });

  it('is for signed-in people: 401 without credentials, 403 to an API key', async () => {
    expect((await call(t, 'GET', '/api/v1/inventory/overview')).status).toBe(401);
    const res = await call(t, 'GET', '/api/v1/inventory/overview', { bearer: key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('after a listing and recent orders', () => {
  it('shows the listing as oversell exposure, and the sell rate of the window', async () => {
    const res = await t.postEvents(key, [
      event('channel.stock_snapshot', { channel: 'mkt-a', items: [{ sku: 'TEE-BLK-M', listedQty: 10 }, { sku: 'MUG-RED', listedQty: 1 }] },
        { source: 'mkt-a', occurredAt: hoursAgo(0.1) }),
      event('order.created', {
        orderId: 'W-2001', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 2, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized',
      }, { source: 'web', occurredAt: hoursAgo(1) }),
      event('order.created', {
        orderId: 'W-2002', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 1, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized',
      }, { source: 'web', occurredAt: hoursAgo(30) }),
    ]);
    expect(res.status).toBe(202);
    await allApplied();

    // TEE-BLK-M: 11 sellable − 3 newly reserved = 8; ATS web 6, mkt-a floor(6 × 0.5) = 3; listed 10 → 7 exposed.
    const day = await get('/api/v1/inventory/overview');
    expect(listing(day.body, 'TEE-BLK-M', 'mkt-a')).toEqual({ sku: 'TEE-BLK-M', channel: 'mkt-a', ats: 3, listedQty: 10, exposure: 7 });
    expect(listing(day.body, 'MUG-RED', 'mkt-a')).toMatchObject({ ats: 1, listedQty: 1, exposure: 0 });
    expect(listing(day.body, 'TEE-BLK-M', 'web').listedQty).toBeNull();
    expect(day.body.exposure).toEqual({ units: 7, pairs: 1 });
    // 24 h: only W-2001's 2 units; 8 / (2 / 24) = 96 hours.
    expect(skuRow(day.body, 'TEE-BLK-M')).toMatchObject({ sellable: 8, unitsOrdered: 2, sellRatePerHour: 0.08, hoursToStockout: 96 });
    expect(skuRow(day.body, 'MUG-RED')).toMatchObject({ unitsOrdered: 0, hoursToStockout: null });

    // 48 h also counts W-2002: 3 units, 8 / (3 / 48) = 128 hours.
    const two = await get('/api/v1/inventory/overview?hours=48');
    expect(two.body.windowHours).toBe(48);
    expect(skuRow(two.body, 'TEE-BLK-M')).toMatchObject({ unitsOrdered: 3, sellRatePerHour: 0.06, hoursToStockout: 128 });

    // The explain view gives the same numbers.
    const explain = await get('/api/v1/inventory/explain?sku=TEE-BLK-M&channel=mkt-a');
    expect(explain.body).toMatchObject({ ats: 3, listedQty: 10, oversellExposure: 7 });
  });

  it('caps the SKUs at 100 and says so', async () => {
    await t.db.sql`
      INSERT INTO items (sku, name, unit_cost, unit_price, updated_at, event_seq)
      SELECT 'ZZ-' || lpad(n::text, 4, '0'), 'Bulk ' || n, 1, 2, now(), (SELECT min(seq) FROM events) FROM generate_series(1, 101) n`;
    try {
      const res = await get('/api/v1/inventory/overview?sku=ZZ-');
      expect(res.status).toBe(200);
      expect(res.body.truncated).toBe(true);
      expect(res.body.skus).toHaveLength(100);
      expect(res.body.skus.at(-1).sku).toBe('ZZ-0100');
      expect(res.body.listings).toHaveLength(200);
      expect((await get('/api/v1/inventory/overview?sku=ZZ-01')).body.truncated).toBeUndefined();
    } finally {
      await t.db.sql`DELETE FROM items WHERE sku LIKE 'ZZ-%'`;
    }
  });
});
