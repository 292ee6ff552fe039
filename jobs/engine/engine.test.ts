import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/database';
import { TEST_REDIS_URL } from '../../tests/support/env';
import { event, masterData } from '../../tests/support/events';
import { insertRaw } from '../../tests/support/ingest';
import { one } from '../../tests/support/rows';
import { dropRedisPrefix, uniquePrefix } from '../../tests/support/tower';
import { applyEventBatch } from '../apply-events';
import { LiveAggregates } from '../live-aggregates';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let redis: Redis;
let prefix: string;
let live: LiveAggregates;

const insert = (raw: unknown[]) => insertRaw(db.sql, raw);

const apply = async (raw: unknown[]) => applyEventBatch({ sql: db.sql, live, log }, await insert(raw));

const onHand = async (sku: string, location: string) =>
  one(await db.sql`SELECT on_hand FROM inventory WHERE sku = ${sku} AND location_id = ${location}`).on_hand as number;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(TEST_REDIS_URL);
  prefix = uniquePrefix();
  live = new LiveAggregates(redis, db.sql, prefix);
  await live.rebuild();
  await apply(masterData());
});

afterAll(async () => {
  redis.disconnect();
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  await db.drop();
});

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

it('does not let a late count overwrite receipts that happened after it', async () => {
  await apply([event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 100 }, { occurredAt: at(30) })]);
  await apply([event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 50 }, { occurredAt: at(10) })]);
  // Counted 20 minutes ago (book then: 100), reported only now: 1 unit short, within tolerance.
  await apply([event('stock.counted', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', countedQty: 99 }, { occurredAt: at(20) })]);
  expect(await onHand('TEE-BLK-M', 'DC-EAST')).toBe(149);
  const count = one(await db.sql`SELECT book_qty, within_tolerance FROM stock_counts ORDER BY event_seq DESC LIMIT 1`);
  expect(count).toEqual({ book_qty: 100, within_tolerance: true });
});

it('keeps the book and opens a count discrepancy when a count is beyond tolerance', async () => {
  const before = await onHand('TEE-BLK-M', 'DC-EAST');
  await apply([event('stock.counted', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', countedQty: before - 10 }, { occurredAt: at(1) })]);
  expect(await onHand('TEE-BLK-M', 'DC-EAST')).toBe(before);
  const ex = one(await db.sql`SELECT type, severity, details FROM exceptions WHERE type = 'count_discrepancy'`);
  expect(ex).toMatchObject({ severity: 'medium', details: { countedQty: before - 10, bookQty: before } });
});

it('keeps an event that cannot be applied with its reason and an invalid_event exception, changing nothing', async () => {
  const before = await onHand('TEE-BLK-M', 'DC-EAST');
  const bad = event('stock.adjusted', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', delta: -(before + 1), reason: 'shrink' });
  await apply([bad]);
  expect(await onHand('TEE-BLK-M', 'DC-EAST')).toBe(before);
  const row = one(await db.sql`SELECT applied_at IS NOT NULL AS applied, apply_error FROM events WHERE event_id = ${bad.id}`);
  expect(row.applied).toBe(true);
  expect(row.apply_error).toMatch(/below 0/);
  const ex = one(await db.sql`SELECT type, details FROM exceptions WHERE type = 'invalid_event'`);
  expect(ex.details).toMatchObject({ id: bad.id, type: 'stock.adjusted' });
});

it('lets a shipment that arrives before its order wait, then applies both once the order comes', async () => {
  await apply([event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 5 })]);
  const ship = event('fulfillment.shipped', { orderId: 'EARLY-1', locationId: 'DC-EAST', shipmentId: 'S-EARLY', lines: [{ sku: 'TEE-BLK-M', qty: 2 }] });
  const first = await apply([ship]);
  expect(first.applied).toBe(0);
  const waiting = one(await db.sql`SELECT applied_at, defer_reason FROM events WHERE event_id = ${ship.id}`);
  expect(waiting).toEqual({ applied_at: null, defer_reason: 'order EARLY-1 is unknown' });

  const created = event('order.created', {
    orderId: 'EARLY-1', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 2, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized',
  });
  // The order arrives; the waiting shipment is retried with it (as the sweeper would hand it over).
  const shipSeq = String(one(await db.sql`SELECT seq FROM events WHERE event_id = ${ship.id}`).seq);
  const second = await applyEventBatch({ sql: db.sql, live, log }, [shipSeq, ...(await insert([created]))]);
  expect(second.applied).toBe(2);
  expect(one(await db.sql`SELECT status FROM orders WHERE order_id = 'EARLY-1'`).status).toBe('shipped');
});
