import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKpis } from '../../db/queries/kpis';
import type { KpiReport, KpiSet, LiveKpis } from '../../domain/kpis/types';
import { bucketIndex, bucketUpperBound } from '../../domain/live/histogram';
import { LiveAggregates } from '../../jobs/live-aggregates';
import { TEST_REDIS_URL } from '../support/env';
import { body } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/**
 * The KPIs through the real pipeline (ingest API → workers → PostgreSQL and Redis): a day of orders on
 * three channels, split and partial shipments from two locations (one arriving late and out of
 * order), short picks, backorders and receipts, a cancellation and a failed payment, counts in and out
 * of tolerance, returns with every disposition, snapshots with exposure, orders near and past their
 * promise. Once idle, the live KPIs must equal the exact ones in every window and breakdown (counts
 * exactly, percentiles within their histogram bucket), survive a Redis flush, and match the values
 * worked out by hand below.
 *
 * Clock: minute m of the script is T0 + m minutes, T0 = 50 minutes before the test starts, so every
 * event is in the last hour (the "60m" live window) and none is in the future.
 */
const T0 = Date.now() - 50 * 60_000;
const at = (m: number) => new Date(T0 + m * 60_000).toISOString();

interface Ev { id: string; type: string; source: string; occurredAt: string; data: Record<string, unknown> }
let n = 0;
const ev = (type: string, source: string, m: number, data: Record<string, unknown>): Ev => ({ id: `k-${++n}`, type, source, occurredAt: at(m), data });
const order = (orderId: string, channel: string, m: number, region: string, lines: [string, number][], extra: Record<string, unknown> = {}) =>
  ev('order.created', channel, m, { orderId, channel, lines: lines.map(([sku, qty]) => ({ sku, qty, unitPrice: 10 })), shipTo: { region }, payment: 'authorized', ...extra });
const ship = (orderId: string, locationId: string, shipmentId: string, m: number, lines: [string, number][]) =>
  ev('fulfillment.shipped', locationId === 'DC-EAST' ? 'wms-east' : 'wms-west', m, { orderId, locationId, shipmentId, lines: lines.map(([sku, qty]) => ({ sku, qty })) });

const SOURCES = ['erp', 'wms-east', 'wms-west', 'web', 'mkt-a', 'phone', 'returns'];

let t: TestTower;
let key: string;
let redis: Redis;

beforeAll(async () => {
  t = await startTestTower({ DEFER_MAX_SECONDS: '60' });
  key = await t.createApiKey(SOURCES);
  redis = new Redis(TEST_REDIS_URL);
  for (const step of day()) await post(step);
});

afterAll(async () => {
  redis?.disconnect();
  await t?.stop();
});

/** Posts a step and waits until it is applied and its live deltas are in Redis. */
async function post(events: Ev[]): Promise<void> {
  const res = await t.postEvents(key, events);
  expect(await res.json()).toEqual({ accepted: events.length, duplicates: 0, rejected: [] });
  await waitFor('the step applied and aggregated', async () => {
    const [row] = await t.db.sql`
      SELECT (SELECT count(*) FROM events WHERE applied_at IS NULL)::int + (SELECT count(*) FROM apply_batches WHERE NOT aggregated)::int AS n`;
    return row!.n === 0;
  }, 15_000);
}

/** The day, step by step (one request each). Allocation worked out by the rules of shared/spec/events.md. */
function day(): Ev[][] {
  return [
    [
      ev('item.upserted', 'erp', 0, { sku: 'TEE', name: 'Tee', unitCost: 6, unitPrice: 20, safetyStock: 2 }),
      ev('item.upserted', 'erp', 0, { sku: 'MUG', name: 'Mug', unitCost: 3, unitPrice: 10 }),
      ev('item.upserted', 'erp', 0, { sku: 'CAP', name: 'Cap', unitCost: 4.25, unitPrice: 15 }),
      ev('location.upserted', 'erp', 0, { locationId: 'DC-EAST', name: 'East DC', kind: 'dc', region: 'east', shipsToCustomers: true, priority: 1 }),
      ev('location.upserted', 'erp', 0, { locationId: 'STORE-WEST', name: 'West store', kind: 'store', region: 'west', shipsToCustomers: true, priority: 2 }),
      ev('location.upserted', 'erp', 0, { locationId: 'BACKROOM', name: 'Back room', kind: '3pl', region: 'east', shipsToCustomers: false, priority: 3 }),
      ev('channel.upserted', 'erp', 0, { channel: 'web', name: 'Web', kind: 'webstore', priority: 1, allocationShare: 1, allowSplit: true, slaHours: 24 }),
      ev('channel.upserted', 'erp', 0, { channel: 'mkt-a', name: 'Market A', kind: 'marketplace', priority: 2, allocationShare: 0.5, allowSplit: false, slaHours: 48 }),
      // Phone orders promise to ship within the hour: P-1 will be near its promise when the test runs.
      ev('channel.upserted', 'erp', 0, { channel: 'phone', name: 'Phone', kind: 'phone', priority: 3, allocationShare: 1, allowSplit: true, slaHours: 1 }),
      ev('stock.received', 'wms-east', 0, { locationId: 'DC-EAST', sku: 'TEE', qty: 10 }),
      ev('stock.received', 'wms-east', 0, { locationId: 'DC-EAST', sku: 'MUG', qty: 4 }),
      ev('stock.received', 'wms-east', 0, { locationId: 'DC-EAST', sku: 'CAP', qty: 20 }),
      ev('stock.received', 'wms-west', 0, { locationId: 'STORE-WEST', sku: 'TEE', qty: 5 }),
      ev('stock.received', 'wms-west', 0, { locationId: 'STORE-WEST', sku: 'CAP', qty: 5 }),
      ev('stock.received', 'wms-east', 0, { locationId: 'BACKROOM', sku: 'TEE', qty: 50 }),
    ],
    [
      // W-1 whole at DC-EAST (east). W-2: no one location holds 9 TEE and 2 MUG → split: TEE 5 at
      // STORE-WEST (its region) + 4 at DC-EAST, MUG 2 at DC-EAST. A-1 (no splits) wants 3 MUG, DC-EAST
      // has 2 left → all 3 backordered. The rest at DC-EAST; TEE there is then fully reserved.
      order('W-1', 'web', 2, 'east', [['TEE', 2], ['CAP', 1]]),
      order('W-2', 'web', 3, 'west', [['TEE', 9], ['MUG', 2]]),
      order('A-1', 'mkt-a', 4, 'west', [['MUG', 3]]),
      order('P-1', 'phone', 5, 'east', [['CAP', 2]]),
      order('W-3', 'web', 6, 'east', [['TEE', 1]], { fraudScore: 0.9 }),
      order('W-4', 'web', 7, 'east', [['CAP', 3]]),
      order('A-2', 'mkt-a', 7, 'east', [['CAP', 2]], { payment: 'pending' }),
      order('W-5', 'web', 8, 'east', [['TEE', 1]], { promisedShipBy: at(9) }),
      order('W-6', 'web', 9, 'east', [['TEE', 2]], { promisedShipBy: at(10) }),
    ],
    [
      // W-5 loses its unit twice to short picks and gets one from a receipt each time: its one unit
      // counts once as backordered. A-2's payment fails, W-4 is cancelled; MUG arrives for A-1.
      ev('fulfillment.short_picked', 'wms-east', 11, { orderId: 'W-5', locationId: 'DC-EAST', sku: 'TEE', qty: 1 }),
      ev('stock.received', 'wms-east', 12, { locationId: 'DC-EAST', sku: 'TEE', qty: 1 }),
      ev('fulfillment.short_picked', 'wms-east', 13, { orderId: 'W-5', locationId: 'DC-EAST', sku: 'TEE', qty: 1 }),
      ev('stock.received', 'wms-east', 14, { locationId: 'DC-EAST', sku: 'TEE', qty: 2 }),
      ev('order.cancelled', 'web', 15, { orderId: 'W-4', reason: 'customer' }),
      ev('order.payment_failed', 'mkt-a', 15, { orderId: 'A-2' }),
      ev('stock.received', 'wms-east', 16, { locationId: 'DC-EAST', sku: 'MUG', qty: 5 }),
    ],
    [
      ship('W-1', 'DC-EAST', 'SH-1', 20, [['TEE', 2]]),
      ship('W-2', 'DC-EAST', 'SH-3', 30, [['TEE', 4], ['MUG', 2]]),
      ship('W-5', 'DC-EAST', 'SH-5', 30, [['TEE', 1]]),
      ship('A-1', 'DC-EAST', 'SH-6', 35, [['MUG', 3]]),
    ],
    [
      // Late: W-1's CAP (its last unit), and W-2's STORE-WEST shipment, which happened before SH-3 and
      // so becomes W-2's first shipment (SH-3 stays its last).
      ship('W-1', 'DC-EAST', 'SH-2', 25, [['CAP', 1]]),
      ship('W-2', 'STORE-WEST', 'SH-4', 28, [['TEE', 5]]),
      ev('fulfillment.picked', 'wms-east', 36, { orderId: 'P-1', locationId: 'DC-EAST', lines: [{ sku: 'CAP', qty: 2 }] }),
      // DC-EAST CAP: 20 − 1 shipped = 19, counted 19; STORE-WEST CAP 5, counted 12 (beyond);
      // BACKROOM TEE 50, counted 49 (1 unit = 2 %: within).
      ev('stock.counted', 'wms-east', 40, { locationId: 'DC-EAST', sku: 'CAP', countedQty: 19 }),
      ev('stock.counted', 'wms-west', 40, { locationId: 'STORE-WEST', sku: 'CAP', countedQty: 12 }),
      ev('stock.counted', 'wms-east', 40, { locationId: 'BACKROOM', sku: 'TEE', countedQty: 49 }),
      ev('return.received', 'returns', 41, { returnId: 'R-1', orderId: 'W-1', locationId: 'DC-EAST', lines: [{ sku: 'TEE', qty: 2 }] }),
      ev('return.received', 'returns', 42, { returnId: 'R-2', orderId: 'W-2', locationId: 'STORE-WEST', lines: [{ sku: 'TEE', qty: 3 }] }),
      ev('return.received', 'returns', 42, { returnId: 'R-3', orderId: 'A-1', locationId: 'DC-EAST', lines: [{ sku: 'MUG', qty: 1 }] }),
    ],
    [
      ev('return.inspected', 'returns', 43, { returnId: 'R-1', lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }, { sku: 'TEE', qty: 1, disposition: 'write_off' }] }),
      ev('return.inspected', 'returns', 46, { returnId: 'R-2', lines: [{ sku: 'TEE', qty: 1, disposition: 'refurbish' }] }),
      ev('return.inspected', 'returns', 44, { returnId: 'R-2', lines: [{ sku: 'TEE', qty: 1, disposition: 'liquidate' }] }),
      ev('return.inspected', 'returns', 45, { returnId: 'R-3', lines: [{ sku: 'MUG', qty: 1, disposition: 'restock' }] }),
      ev('channel.stock_snapshot', 'web', 47, { channel: 'web', items: [{ sku: 'TEE', listedQty: 30 }, { sku: 'MUG', listedQty: 5 }, { sku: 'CAP', listedQty: 10 }] }),
      ev('channel.stock_snapshot', 'mkt-a', 47, { channel: 'mkt-a', items: [{ sku: 'TEE', listedQty: 10 }, { sku: 'CAP', listedQty: 40 }] }),
      ev('channel.stock_snapshot', 'phone', 47, { channel: 'phone', items: [{ sku: 'CAP', listedQty: 3 }] }),
    ],
    [
      // A smaller share for mkt-a and more safety stock for TEE: exposure follows without a new snapshot.
      ev('channel.upserted', 'erp', 48, { channel: 'mkt-a', name: 'Market A', kind: 'marketplace', priority: 2, allocationShare: 0.25, allowSplit: false, slaHours: 48 }),
      ev('item.upserted', 'erp', 48, { sku: 'TEE', name: 'Tee', unitCost: 6, unitPrice: 20, safetyStock: 4 }),
    ],
  ];
}

/** A live percentile is the upper bound of the 5 % bucket that holds the exact one (`unitMs` ms per unit, `decimals` as reported). */
function expectSameBucket(live: number | null, exact: number | null, unitMs: number, decimals: number, where: string) {
  if (exact === null) return expect(live, where).toBeNull();
  const f = 10 ** decimals;
  expect(live, where).toBe(Math.round((bucketUpperBound(bucketIndex(exact * unitMs)) / unitMs) * f) / f);
}

function expectSetsMatch(live: KpiSet, exact: KpiSet, where: string) {
  const { cycleTime: lc, returnResolution: lr, throughput: lt, ...liveCounted } = live;
  const { cycleTime: ec, returnResolution: er, throughput: et, ...exactCounted } = exact;
  expect(liveCounted, where).toEqual(exactCounted);
  expect(lc.mean, `${where} cycle mean`).toBe(ec.mean);
  for (const q of ['p50', 'p90', 'p99'] as const) expectSameBucket(lc[q], ec[q], 1000, 3, `${where} cycle ${q}`);
  for (const q of ['p50', 'p90'] as const) expectSameBucket(lr[q], er[q], 1000, 3, `${where} returns ${q}`);
  expect(lt.eventsPerSecond, `${where} events/s`).toBe(et.eventsPerSecond);
  expectSameBucket(lt.lagP50Ms, et.lagP50Ms, 1, 1, `${where} lag p50`);
  expectSameBucket(lt.lagP99Ms, et.lagP99Ms, 1, 1, `${where} lag p99`);
}

/** The live KPIs and the exact ones for each live window, read at one pinned instant. */
async function liveAndExact(nowMs: number): Promise<{ live: LiveKpis; exact: Record<string, KpiReport> }> {
  const { config } = t;
  const settings = { timeZone: config.BUSINESS_TIMEZONE, riskHorizonMinutes: config.RISK_HORIZON_MINUTES };
  const live = await new LiveAggregates(redis, t.db.sql, t.prefix, () => nowMs, settings).readKpis();
  const exact: Record<string, KpiReport> = {};
  for (const [w, r] of Object.entries(live.ranges)) {
    exact[w] = await readKpis(t.db.sql, { from: new Date(r.from), to: new Date(r.to), now: new Date(nowMs), riskHorizonMinutes: settings.riskHorizonMinutes });
  }
  return { live, exact };
}

const WINDOWS = ['15m', '60m', 'today'] as const;

describe('live KPIs once the pipeline is idle', () => {
  it('equal the exact KPIs in every window, for the whole and for every channel and location', async () => {
    // A second ahead: throughput counts complete seconds, and the day may have been applied within this one.
    const { live, exact } = await liveAndExact(Date.now() + 1000);
    for (const w of WINDOWS) {
      expectSetsMatch(live.windows[w], exact[w]!.kpis, w);
      expect(Object.keys(live.byChannel[w]).sort()).toEqual(['mkt-a', 'phone', 'web']);
      expect(Object.keys(live.byLocation[w]).sort()).toEqual(['BACKROOM', 'DC-EAST', 'STORE-WEST']);
      for (const [c, set] of Object.entries(live.byChannel[w])) expectSetsMatch(set, exact[w]!.byChannel[c]!, `${w} channel ${c}`);
      for (const [l, set] of Object.entries(live.byLocation[w])) expectSetsMatch(set, exact[w]!.byLocation[l]!, `${w} location ${l}`);
    }
    // The scenario exercises what it claims to: the 60-minute window holds every event of the day.
    expect(live.windows['60m'].orders).toBe(9);
    expect(live.windows['60m'].cycleTime.p50).not.toBeNull();
    expect(live.windows['60m'].returnResolution.p90).not.toBeNull();
    expect(live.now.oversellExposure.units).toBeGreaterThan(0);
    expect(live.now.atRiskOrders).toBe(2);
    expect(live.windows['60m'].throughput.eventsPerSecond).toBeGreaterThan(0);
  });

  it('answer the same after Redis lost them and rebuilt them from PostgreSQL', async () => {
    const nowMs = Date.now() + 1000;
    const before = await liveAndExact(nowMs);
    const liveKeys = await redis.keys(`${t.prefix}:live:*`);
    expect(liveKeys.length).toBeGreaterThan(0);
    await redis.del(...liveKeys);
    // The sweeper notices (no `ready` key) and rebuilds.
    await waitFor('the aggregates rebuilt', async () => (await redis.exists(`${t.prefix}:live:ready`)) === 1, 15_000);
    const after = await liveAndExact(nowMs);
    expect(after.live).toEqual(before.live);
  });

  it('equal the exact API over HTTP, both answering in the documented shape', async () => {
    const live: LiveKpis = await body(await fetch(`${t.url}/api/v1/kpis/live`, { headers: { cookie: t.adminCookie } }));
    expect(Object.keys(live).sort()).toEqual(['asOf', 'byChannel', 'byLocation', 'now', 'ranges', 'windows']);
    const { from, to } = live.ranges['60m'];
    const res = await fetch(`${t.url}/api/v1/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { cookie: t.adminCookie } });
    expect(res.status).toBe(200);
    const exact: KpiReport = await body(res);
    expect(Object.keys(exact).sort()).toEqual(['byChannel', 'byLocation', 'from', 'kpis', 'to']);
    expect(Object.keys(exact.kpis)).toEqual(Object.keys(live.windows['60m']));
    // Throughput is "the last minute" at each answer's own instant; everything else is idle and equal.
    const idle = { eventsPerSecond: 0, lagP50Ms: null, lagP99Ms: null };
    expectSetsMatch({ ...live.windows['60m'], throughput: idle }, { ...exact.kpis, throughput: idle }, 'HTTP 60m');
  });
});

describe('exact KPIs, worked out by hand', () => {
  let day: KpiReport;
  beforeAll(async () => {
    const res = await fetch(`${t.url}/api/v1/kpis?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(50))}`, { headers: { cookie: t.adminCookie } });
    day = await body(res);
  });

  it('orders, units, backorders', () => {
    // 9 orders: 3 + 11 + 3 + 2 + 1 + 3 + 2 + 1 + 2 = 28 units. Backordered: A-1's 3 MUG, and W-5's one
    // TEE once (short-picked twice, but it is one ordered unit).
    expect(day.kpis).toMatchObject({ orders: 9, unitsOrdered: 28, backorderedUnits: 4 });
    expect(day.byChannel.web).toMatchObject({ orders: 6, unitsOrdered: 21, backorderedUnits: 1 });
    expect(day.byChannel['mkt-a']).toMatchObject({ orders: 2, unitsOrdered: 5, backorderedUnits: 3 });
    expect(day.byChannel.phone).toMatchObject({ orders: 1, unitsOrdered: 2, backorderedUnits: 0 });
    // By the location of the first shipment: W-1, W-5, A-1 at DC-EAST; W-2 at STORE-WEST (SH-4, 28 < 30).
    expect(day.byLocation['DC-EAST']).toMatchObject({ orders: 3, unitsOrdered: 7, backorderedUnits: null });
    expect(day.byLocation['STORE-WEST']).toMatchObject({ orders: 1, unitsOrdered: 11 });
    expect(day.byLocation.BACKROOM).toMatchObject({ orders: 0, unitsOrdered: 0, unitFillRate: null });
  });

  it('fill rates from the first shipments', () => {
    // First shipments: W-1 2 of 3, W-2 5 of 11, W-5 1 of 1, A-1 3 of 3: units 11 / 18, orders 2 / 4.
    expect(day.kpis).toMatchObject({ unitFillRate: 0.6111, orderFillRate: 0.5 });
    expect(day.byLocation['STORE-WEST']).toMatchObject({ unitFillRate: 0.4545, orderFillRate: 0 });
    expect(day.byLocation['DC-EAST']).toMatchObject({ unitFillRate: 0.8571, orderFillRate: 0.6667 });
  });

  it('cycle time and on-time shipping from the last shipments', () => {
    // W-1 2→25 (1380 s), W-2 3→30 (1620 s), W-5 8→30 (1320 s, promised by 9: late), A-1 4→35 (1860 s).
    expect(day.kpis.cycleTime).toEqual({ p50: 1380, p90: 1860, p99: 1860, mean: 1545 });
    expect(day.kpis.onTimeShipRate).toBe(0.75);
    // Every last shipment left DC-EAST (SH-3 at 30 is W-2's last); STORE-WEST finished none.
    expect(day.byLocation['DC-EAST']!.onTimeShipRate).toBe(0.75);
    expect(day.byLocation['STORE-WEST']!.cycleTime).toEqual({ p50: null, p90: null, p99: null, mean: null });
    expect(day.byChannel.web).toMatchObject({ onTimeShipRate: 0.6667 });
  });

  it('inventory accuracy, returns and recovery loss', () => {
    expect(day.kpis.inventoryAccuracy).toBe(0.6667);
    expect(day.byLocation['STORE-WEST']!.inventoryAccuracy).toBe(0);
    expect(day.byLocation.BACKROOM!.inventoryAccuracy).toBe(1);
    expect(day.byChannel.web!.inventoryAccuracy).toBeNull();
    // Resolved: R-1 41→43 (120 s), R-3 42→45 (180 s); R-2 still has a unit to inspect.
    expect(day.kpis.returnResolution).toEqual({ p50: 120, p90: 180 });
    // Write-off, refurbish, liquidate: 3 TEE × 6.00; the restocks cost nothing.
    expect(day.kpis.recoveryLoss).toBe(18);
    expect(day.byLocation['STORE-WEST']!.recoveryLoss).toBe(12);
    expect(day.byChannel['mkt-a']!.recoveryLoss).toBe(0);
    expect(day.byChannel.phone!.recoveryLoss).toBeNull();
  });

  it('"now" figures whatever the window: P-1 near its promise and W-6 past it are at risk', () => {
    expect(day.kpis.atRiskOrders).toBe(2);
    expect(day.byChannel.web!.atRiskOrders).toBe(1);
    expect(day.byChannel.phone!.atRiskOrders).toBe(1);
    expect(day.byLocation['DC-EAST']!.atRiskOrders).toBeNull();
    expect(day.kpis.oversellExposure.pairs).toBeGreaterThan(0);
    expect(day.byLocation['DC-EAST']!.oversellExposure).toEqual({ units: null, pairs: null });
  });

  it('narrow by channel and location, and leave null what has no meaning there', async () => {
    const q = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(50))}&channel=web&location=DC-EAST`;
    const r: KpiReport = await body(await fetch(`${t.url}/api/v1/kpis?${q}`, { headers: { cookie: t.adminCookie } }));
    // Web orders first shipped from DC-EAST: W-1 and W-5.
    expect(r.kpis).toMatchObject({ orders: 2, unitsOrdered: 4, unitFillRate: 0.75, backorderedUnits: null, inventoryAccuracy: null, atRiskOrders: null });
    expect(Object.keys(r.byChannel)).toEqual(['web']);
    expect(Object.keys(r.byLocation)).toEqual(['DC-EAST']);
  });
});

describe('migration 0006 on data recorded before it', () => {
  it('fills in what the worker records, as the worker records it (backorders: what is backordered now)', async () => {
    const migration = await readFile(path.resolve(import.meta.dirname, '../../db/migrations/0006_kpis.sql'), 'utf8');
    const backfill = migration.slice(migration.indexOf('-- What the tower knew before this migration'), migration.indexOf('-- The windows of the exact queries'));
    expect(backfill).toContain('UPDATE orders');
    const read = (sql: typeof t.db.sql) => Promise.all([
      sql`SELECT order_id, first_ship_location, first_ship_units, last_ship_location, fully_shipped_at FROM orders ORDER BY order_id`,
      sql`SELECT return_id, channel, resolved_at FROM returns ORDER BY return_id`,
      sql`SELECT channel, sku, exposure FROM channel_listings ORDER BY channel, sku`,
      sql`SELECT order_id, line_no, backordered_ever FROM order_lines ORDER BY order_id, line_no`,
    ]);
    const recorded = await read(t.db.sql);
    const ROLLBACK = new Error('rollback');
    await t.db.sql.begin(async (tx) => {
      await tx`UPDATE orders SET first_ship_location = NULL, first_ship_units = NULL, last_ship_location = NULL, fully_shipped_at = NULL, backordered_ever = 0`;
      await tx`UPDATE order_lines SET backordered_ever = 0`;
      await tx`UPDATE returns SET channel = NULL, resolved_at = NULL`;
      await tx`UPDATE channel_listings SET exposure = 0`;
      await tx.unsafe(backfill);
      const filled = await read(tx as unknown as typeof t.db.sql);
      for (let i = 0; i < 3; i++) expect([...filled[i]!]).toEqual([...recorded[i]!]);
      // W-5's unit was backordered (twice) and is shipped now: no trace of it is left for the backfill.
      const lines = new Map(filled[3]!.map((l) => [`${l.order_id}/${l.line_no}`, l.backordered_ever]));
      expect(lines.get('A-1/1')).toBe(0);
      expect(lines.get('W-5/1')).toBe(0);
      throw ROLLBACK;
    }).catch((err) => {
      if (err !== ROLLBACK) throw err;
    });
  });
});
