import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { event } from '../support/events';
import type { Json } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { allApplied as allAppliedIn, replaySmallDay, SMALL_DAY_SOURCES } from '../support/small-day';

/** Order search: by id prefix, SKU, channel and status, newest first, cursor-paginated; after the hand-worked day. */
let t: TestTower;
let key: string;
let viewer: string;

beforeAll(async () => {
  t = await startTestTower();
  key = await t.createApiKey(SMALL_DAY_SOURCES);
  viewer = (await t.createUser('viewer')).cookie;
  await replaySmallDay(t, key);
});

afterAll(async () => {
  await t?.stop();
});

const search = (query = '') => call(t, 'GET', `/api/v1/orders${query}`, { cookie: viewer });
const ids = (body: Json) => body.items.map((o: Json) => o.orderId);

async function allPages(query: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const res = await search(`?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    pages.push(ids(res.body));
    cursor = res.body.nextCursor;
  } while (cursor && pages.length < 20);
  return pages;
}

describe('GET /api/v1/orders', () => {
  it('lists every order newest first, each with its lines summed', async () => {
    const res = await search();
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['W-1002', 'A-77', 'W-1001']);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items[2]).toEqual({
      orderId: 'W-1001', channel: 'web', status: 'shipped', payment: 'authorized', held: false,
      createdAt: '2026-11-27T09:00:00.000Z', promisedShipBy: '2026-11-28T09:00:00.000Z',
      lines: 2, units: 3, value: 49.48, backordered: 0, shipped: 3,
    });
    expect(res.body.items[1]).toMatchObject({ orderId: 'A-77', status: 'backordered', lines: 1, units: 3, backordered: 3, shipped: 0 });
    expect(res.body.items[0]).toMatchObject({ orderId: 'W-1002', status: 'on_hold', held: true });
  });

  it('finds orders by id prefix (case-sensitive, wildcards taken literally), SKU, channel and status', async () => {
    expect(ids((await search('?q=W-10')).body)).toEqual(['W-1002', 'W-1001']);
    expect(ids((await search('?q=W-1001')).body)).toEqual(['W-1001']);
    expect(ids((await search('?q=w-10')).body)).toEqual([]);
    expect(ids((await search('?q=W_10')).body)).toEqual([]);
    expect(ids((await search('?sku=MUG-RED')).body)).toEqual(['A-77', 'W-1001']);
    expect(ids((await search('?sku=MUG')).body)).toEqual([]);
    expect(ids((await search('?channel=mkt-a')).body)).toEqual(['A-77']);
    expect(ids((await search('?status=backordered')).body)).toEqual(['A-77']);
    expect(ids((await search('?status=on_hold,shipped')).body)).toEqual(['W-1002', 'W-1001']);
    expect(ids((await search('?q=W&sku=MUG-RED')).body)).toEqual(['W-1001']);
    expect(ids((await search('?q=W&sku=MUG-RED&status=on_hold')).body)).toEqual([]);
  });

  it('pages with a cursor without skipping or repeating orders created at the same instant', async () => {
    const at = '2026-11-28T12:00:00.000Z';
    const lines = [{ sku: 'TEE-BLK-M', qty: 1, unitPrice: 19.99 }];
    const res = await t.postEvents(key, ['TIE-3', 'TIE-1', 'TIE_2', 'TIE-2'].map((orderId) =>
      event('order.created', { orderId, channel: 'web', lines, shipTo: { region: 'east' }, payment: 'authorized' }, { source: 'web', occurredAt: at })));
    expect(res.status).toBe(202);
    await allAppliedIn(t);

    // Same created_at: by id, descending ('_' sorts after '-').
    expect(await allPages('q=TIE', 1)).toEqual([['TIE_2'], ['TIE-3'], ['TIE-2'], ['TIE-1']]);
    expect(await allPages('q=TIE', 3)).toEqual([['TIE_2', 'TIE-3', 'TIE-2'], ['TIE-1']]);
    expect(ids((await search('?q=TIE_')).body)).toEqual(['TIE_2']);
    const everything = (await allPages('', 2)).flat();
    expect(everything).toEqual(['TIE_2', 'TIE-3', 'TIE-2', 'TIE-1', 'W-1002', 'A-77', 'W-1001']);
  });

  it('answers 400 naming each bad parameter', async () => {
    for (const [query, path] of [
      ['q=bad%20id', 'q'], ['q=', 'q'], ['q=a&q=b', 'q'], ['sku=bad%20sku', 'sku'], ['channel=%2A', 'channel'],
      ['status=lost', 'status'], ['status=', 'status'], ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=ten', 'limit'],
    ]) {
      const res = await search(`?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      // A list parameter names the bad element too (`status.0`).
      expect(res.body.error.details.map((d: Json) => d.path.split('.')[0]), query).toContain(path);
    }
    const cursor = await search('?cursor=not-a-cursor');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.details).toEqual([{ path: 'cursor', message: 'unknown cursor' }]);
    const unknown = await search('?order=W-1001');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].message).toMatch(/order/);
  });

  it('is for signed-in people: 401 without credentials, 403 to an API key', async () => {
    expect((await call(t, 'GET', '/api/v1/orders')).status).toBe(401);
    const res = await call(t, 'GET', '/api/v1/orders', { bearer: key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});
