import { Redis } from 'ioredis';
import pino from 'pino';
import { insertRaw } from '../tests/support/ingest';
import { one } from '../tests/support/rows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/database';
import { TEST_REDIS_URL } from '../tests/support/env';
import { event, masterData, order } from '../tests/support/events';
import { dropRedisPrefix, uniquePrefix } from '../tests/support/tower';
import { applyEventBatch } from './apply-events';
import { LiveAggregates } from './live-aggregates';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let redis: Redis;
let prefix: string;
let live: LiveAggregates;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL);
  prefix = uniquePrefix();
  live = new LiveAggregates(redis, db.sql, prefix);
  await live.rebuild();
  await applyEventBatch({ sql: db.sql, live, log }, await ingest(masterData()));
});

afterAll(async () => {
  redis.disconnect();
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  await db.drop();
});

const ingest = (events: unknown[]) => insertRaw(db.sql, events);

/** Every live hash under the prefix, as Redis holds it now. */
async function liveState(): Promise<Record<string, Record<string, string>>> {
  const keys = (await redis.keys(`${prefix}:live:[smokd]:*`)).sort();
  const state: Record<string, Record<string, string>> = {};
  for (const k of keys) state[k] = await redis.hgetall(k);
  return state;
}

const ordersIn = (snapshot: Awaited<ReturnType<LiveAggregates['readOverview']>>) =>
  snapshot.minutes.reduce((n, m) => n + Object.values(m.orders).reduce((a, b) => a + b, 0), 0);

describe('applying a batch', () => {
  it('applies each event once, however often its job runs', async () => {
    const appliedBefore = (await live.readOverview()).minutes.reduce((n, m) => n + m.applied, 0);
    const seqs = await ingest([order('LA-1', 'web', 2), order('LA-2', 'web', 3)]);
    const first = await applyEventBatch({ sql: db.sql, live, log }, seqs);
    const again = await applyEventBatch({ sql: db.sql, live, log }, seqs);
    expect(first.applied).toBe(2);
    expect(again).toEqual({ applied: 0, batchId: null });
    const { n } = one(await db.sql`SELECT count(*)::int AS n FROM orders WHERE order_id IN ('LA-1', 'LA-2')`);
    expect(n).toBe(2);
    const overview = await live.readOverview();
    expect(ordersIn(overview)).toBe(2);
    expect(overview.minutes.reduce((n, m) => n + m.applied, 0)).toBe(appliedBefore + 2);
  });

  it('keeps a second order with an existing id as an error instead of applying it', async () => {
    const seqs = await ingest([order('LA-3', 'web', 1), { ...order('LA-3', 'mkt-a', 5), source: 'mkt-a' }]);
    await applyEventBatch({ sql: db.sql, live, log }, seqs);
    const rows = await db.sql`SELECT apply_error FROM events WHERE seq IN ${db.sql(seqs)} ORDER BY seq`;
    expect(rows.map((r) => r.apply_error)).toEqual([null, 'order LA-3 already exists']);
    const [o] = await db.sql`SELECT channel, units FROM orders WHERE order_id = 'LA-3'`;
    expect(o).toEqual({ channel: 'web', units: 1 });
  });

  it('keeps an event the database refuses with its reason, and applies the rest of its batch', async () => {
    // Written past validation on purpose: a value no integer column holds.
    const [bad] = await db.sql`
      INSERT INTO events (source, event_id, type, occurred_at, data)
      VALUES ('web', 'poison-1', 'order.created', now(), ${db.sql.json({
        orderId: 'POISON-1', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 3_000_000_000, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized',
      })})
      RETURNING seq`;
    const good = await ingest([order('AFTER-POISON', 'web', 1)]);
    const result = await applyEventBatch({ sql: db.sql, live, log }, [String(bad!.seq), ...good]);
    expect(result.applied).toBe(2);
    const rows = await db.sql`SELECT event_id, applied_at IS NOT NULL AS applied, apply_error FROM events WHERE seq IN ${db.sql([String(bad!.seq), ...good])} ORDER BY seq`;
    expect(rows[0]).toMatchObject({ event_id: 'poison-1', applied: true });
    expect(rows[0]!.apply_error).toMatch(/out of range/);
    expect(rows[1]).toMatchObject({ applied: true, apply_error: null });
    expect(one(await db.sql`SELECT count(*)::int AS n FROM orders WHERE order_id = 'AFTER-POISON'`).n).toBe(1);
    expect(one(await db.sql`SELECT count(*)::int AS n FROM orders WHERE order_id = 'POISON-1'`).n).toBe(0);
  });

  it('finishes a batch whose Redis step was lost exactly once, from PostgreSQL', async () => {
    const before = ordersIn(await live.readOverview());
    const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    broken.on('error', () => {});
    const deadLive = new LiveAggregates(broken, db.sql, prefix);
    const seqs = await ingest([order('LA-4', 'web', 4)]);
    const result = await applyEventBatch({ sql: db.sql, live: deadLive, log }, seqs);
    expect(result.applied).toBe(1);
    expect(ordersIn(await live.readOverview())).toBe(before);

    expect(await live.finishPendingBatches(0)).toBeGreaterThanOrEqual(1);
    expect(await live.finishPendingBatches(0)).toBe(0);
    expect(ordersIn(await live.readOverview())).toBe(before + 1);
    broken.disconnect();
  });
});

describe('rebuild', () => {
  it('recomputes from PostgreSQL exactly what the live path built', async () => {
    for (let i = 0; i < 5; i++) {
      const seqs = await ingest([order(`RB-${i}-a`, 'web', i + 1), order(`RB-${i}-b`, 'mkt-a', 1)].map((e) => ({ ...e, source: 'web' })));
      await applyEventBatch({ sql: db.sql, live, log }, seqs);
    }
    const built = await liveState();
    expect(Object.keys(built).length).toBeGreaterThan(0);
    await live.rebuild();
    expect(await liveState()).toEqual(built);
  });

  it('recomputes the KPI buckets too: shipments (one displaced by an earlier, late one), backorders, counts, returns', async () => {
    const at = (minAgo: number) => new Date(Date.now() - minAgo * 60_000).toISOString();
    // A SKU of its own: the backorders of the tests above would take any stock of TEE-BLK-M.
    const sku = 'KPI-SKU';
    const lines = (qty: number) => [{ sku, qty }];
    const kpiOrder = (orderId: string, qty: number, minAgo: number) =>
      event('order.created', { orderId, channel: 'web', lines: [{ sku, qty, unitPrice: 10 }], shipTo: { region: 'east' }, payment: 'authorized' }, { occurredAt: at(minAgo) });
    const steps = [
      [event('item.upserted', { sku, name: 'KPI', unitCost: 6.5, unitPrice: 10 }, { occurredAt: at(55) }),
        event('location.upserted', { locationId: 'STORE-2', name: 'Store 2', kind: 'store', region: 'east', shipsToCustomers: true, priority: 2 }, { occurredAt: at(55) })],
      [event('stock.received', { locationId: 'DC-EAST', sku, qty: 6 }, { occurredAt: at(50) }),
        event('stock.received', { locationId: 'STORE-2', sku, qty: 3 }, { occurredAt: at(50) })],
      // K-1 and K-2 whole at DC-EAST (4 + 2), K-3 split: 3 at STORE-2, 6 backordered.
      [kpiOrder('K-1', 4, 40), kpiOrder('K-2', 2, 39), kpiOrder('K-3', 9, 38)],
      [event('fulfillment.shipped', { orderId: 'K-1', locationId: 'DC-EAST', shipmentId: 'S-2', lines: lines(1) }, { occurredAt: at(20) })],
      // S-1 happened earlier: it becomes K-1's first shipment. K-2 loses a unit to a short pick.
      [event('fulfillment.shipped', { orderId: 'K-1', locationId: 'DC-EAST', shipmentId: 'S-1', lines: lines(2) }, { occurredAt: at(30) }),
        event('fulfillment.short_picked', { orderId: 'K-2', locationId: 'DC-EAST', sku, qty: 1 }, { occurredAt: at(29) })],
      [event('fulfillment.shipped', { orderId: 'K-1', locationId: 'DC-EAST', shipmentId: 'S-3', lines: lines(1) }, { occurredAt: at(10) }),
        event('stock.counted', { locationId: 'DC-EAST', sku, countedQty: 1 }, { occurredAt: at(9) }),
        event('stock.counted', { locationId: 'STORE-2', sku, countedQty: 40 }, { occurredAt: at(9) }),
        event('return.received', { returnId: 'KR-1', orderId: 'K-1', locationId: 'DC-EAST', lines: lines(2) }, { occurredAt: at(8) })],
      [event('return.inspected', { returnId: 'KR-1', lines: [{ sku, qty: 1, disposition: 'write_off' }] }, { occurredAt: at(3) }),
        event('return.inspected', { returnId: 'KR-1', lines: [{ sku, qty: 1, disposition: 'restock' }] }, { occurredAt: at(4) })],
    ];
    const seqs: string[] = [];
    for (const step of steps) {
      const batch = await ingest(step);
      seqs.push(...batch);
      await applyEventBatch({ sql: db.sql, live, log }, batch);
    }
    const problems = await db.sql`SELECT type, apply_error FROM events WHERE seq IN ${db.sql(seqs)} AND (apply_error IS NOT NULL OR applied_at IS NULL)`;
    expect([...problems]).toEqual([]);
    const kpiKeys = (state: Record<string, unknown>) => Object.keys(state).filter((k) => /:live:[kd]:/.test(k));
    const built = await liveState();
    expect(kpiKeys(built).length).toBeGreaterThan(2);
    await live.rebuild();
    expect(await liveState()).toEqual(built);
    // Other tests' orders are in the window too: these figures are K-1's, K-2's and the counts' alone.
    const kpis = await live.readKpis();
    expect(kpis.windows['60m']).toMatchObject({ unitFillRate: 0.5, orderFillRate: 0, onTimeShipRate: 1, inventoryAccuracy: 0.5, recoveryLoss: 6.5 });
    expect(kpis.byLocation['60m']['DC-EAST']).toMatchObject({ orders: 1, unitsOrdered: 4, unitFillRate: 0.5 });
    expect(kpis.windows['60m'].cycleTime.p50).toBeGreaterThanOrEqual(30 * 60);
    expect(kpis.windows['60m'].cycleTime.p50).toBeLessThanOrEqual(30 * 60 * 1.05);
    expect(kpis.windows['60m'].returnResolution.p50).toBeGreaterThanOrEqual(5 * 60);
    const [k2] = await db.sql`SELECT backordered_ever FROM orders WHERE order_id = 'K-2'`;
    expect(k2!.backordered_ever).toBe(1);
  });

  it('after a flush writes nothing until rebuilt, then counts the batch once', async () => {
    const before = ordersIn(await live.readOverview());
    await dropRedisPrefix(TEST_REDIS_URL, prefix);
    const seqs = await ingest([order('FL-1', 'web', 1)]);
    let missing = 0;
    await applyEventBatch({ sql: db.sql, live, log, onAggregatesMissing: () => missing++ }, seqs);
    expect(missing).toBe(1);
    expect(await live.isBuilt()).toBe(false);
    await live.rebuild();
    expect(ordersIn(await live.readOverview())).toBe(before + 1);
    // The batch stayed pending while Redis was empty; finishing it now must not count it again.
    await live.finishPendingBatches(0);
    expect(ordersIn(await live.readOverview())).toBe(before + 1);
  });
});
