import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderStatuses, orderTransitions } from '../../domain/orders/status';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/**
 * A scripted omnichannel day, posted through the ingest API in the order a day would bring it, one
 * request per step, each applied by the real workers before the next is sent. Every expected bucket,
 * status and exception below is worked out BY HAND from the contract (shared/spec/events.md and
 * kpis.md), with the arithmetic next to it. docs/inventory.md walks through the same rules.
 *
 * Cast
 *   items      TEE (unit cost 6, safety stock 2), MUG (cost 3), CAP (cost 4)
 *   locations  DC-EAST (dc, east, priority 1), STORE-EAST (store, east, 2), STORE-WEST (store, west, 2); all ship
 *   channels   web   (webstore,    priority 1, share 1,   splits allowed)
 *              mkt-a (marketplace, priority 2, share 1,   no splits)
 *              mkt-b (marketplace, priority 3, share 0.5, no splits)
 *
 * Clock: the day is scripted from 06:00 to 16:00; one scripted minute is one real second, and the day
 * ends a minute before the test starts. So no event is "in the future", no order is near its ship-by
 * promise (no sla_at_risk) and no exception passes its SLA while the test runs (no escalation).
 */

const T0 = Date.now() - 11 * 60_000;
const at = (hhmm: string): string => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return new Date(T0 + (h * 60 + m - 6 * 60) * 1000).toISOString();
};

interface Ev { id: string; type: string; source: string; occurredAt: string; data: Record<string, unknown> }
const ev = (id: string, type: string, source: string, hhmm: string, data: Record<string, unknown>): Ev => ({ id, type, source, occurredAt: at(hhmm), data });

const SOURCES = ['erp', 'wms-east', 'pos-east', 'pos-west', 'web', 'mkt-a', 'mkt-b', 'returns'];

let t: TestTower;
let key: string;

beforeAll(async () => {
  // A shipment may wait for its order for up to a minute (the test tower's default is 2 s).
  t = await startTestTower({ DEFER_MAX_SECONDS: '60' });
  key = await t.createApiKey(SOURCES);
});

afterAll(async () => {
  await t?.stop();
});

const unapplied = async () => (await t.db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`)[0]!.n as number;

/** Posts one step of the day and waits until the workers have applied all of it (or, with `waiting`, all but that many). */
async function post(events: Ev[], waiting = 0): Promise<void> {
  const res = await t.postEvents(key, events);
  expect(res.status).toBe(202);
  expect(await res.json()).toEqual({ accepted: events.length, duplicates: 0, rejected: [] });
  await waitFor(`the step's events applied (${waiting} left waiting)`, async () => {
    if ((await unapplied()) !== waiting) return false;
    if (waiting === 0) return true;
    const [row] = await t.db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL AND deferred_at IS NOT NULL`;
    return row!.n === waiting;
  });
}

const buckets = async (sku: string, locationId: string) => {
  const [row] = await t.db.sql`
    SELECT on_hand, reserved, in_transit, returns_pending, damaged FROM inventory WHERE sku = ${sku} AND location_id = ${locationId}`;
  return row ?? null;
};
const b = (on_hand: number, reserved: number, more: { in_transit?: number; returns_pending?: number; damaged?: number } = {}) => ({
  on_hand, reserved, in_transit: 0, returns_pending: 0, damaged: 0, ...more,
});
const status = async (orderId: string) => (await t.db.sql`SELECT status FROM orders WHERE order_id = ${orderId}`)[0]?.status;
const lines = async (orderId: string) => [...(await t.db.sql`
  SELECT sku, qty, backordered, shipped, cancelled, returned FROM order_lines WHERE order_id = ${orderId} ORDER BY line_no`)];
const reservations = async (orderId: string) => [...(await t.db.sql`
  SELECT sku, location_id, qty FROM reservations WHERE order_id = ${orderId} ORDER BY line_no, location_id`)];
const exceptionsOf = async (type: string) => [...(await t.db.sql`
  SELECT subject, severity, status, occurrences FROM exceptions WHERE type = ${type} ORDER BY subject`)];
const line = (sku: string, qty: number, q: { backordered?: number; shipped?: number; cancelled?: number; returned?: number } = {}) => ({
  sku, qty, backordered: 0, shipped: 0, cancelled: 0, returned: 0, ...q,
});
const res = (sku: string, location_id: string, qty: number) => ({ sku, location_id, qty });
/** The exception types this day can raise by itself (time-driven ones such as sla_at_risk or feed_stale are not its business). */
const SCENARIO_TYPES = ['fraud_review', 'payment_failed', 'stockout', 'split_shipment', 'short_pick', 'count_discrepancy', 'oversell_exposure', 'invalid_event', 'invariant_breach'];

describe('docs/orders.md', () => {
  it('draws exactly the transitions of orderTransitions', async () => {
    const doc = await readFile(path.resolve(import.meta.dirname, '../../docs/orders.md'), 'utf8');
    const diagram = /```mermaid\n(stateDiagram-v2[\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const drawn = [...diagram.matchAll(/^\s*(\w+) --> (\w+)\s*$/gm)].map((m) => `${m[1]} → ${m[2]}`).sort();
    const code = orderStatuses.flatMap((from) => orderTransitions[from].map((to) => `${from} → ${to}`)).sort();
    expect(drawn).toEqual(code);
  });
});

describe('an omnichannel day', () => {
  it('06:00 master data: three items, a DC and two stores that ship, three channels', async () => {
    await post([
      ev('m-1', 'item.upserted', 'erp', '06:00', { sku: 'TEE', name: 'Tee black M', unitCost: 6, unitPrice: 20, safetyStock: 2 }),
      ev('m-2', 'item.upserted', 'erp', '06:00', { sku: 'MUG', name: 'Mug red', unitCost: 3, unitPrice: 10 }),
      ev('m-3', 'item.upserted', 'erp', '06:00', { sku: 'CAP', name: 'Cap navy', unitCost: 4, unitPrice: 15 }),
      ev('m-4', 'location.upserted', 'erp', '06:00', { locationId: 'DC-EAST', name: 'East DC', kind: 'dc', region: 'east', shipsToCustomers: true, priority: 1 }),
      ev('m-5', 'location.upserted', 'erp', '06:00', { locationId: 'STORE-EAST', name: 'East store', kind: 'store', region: 'east', shipsToCustomers: true, priority: 2 }),
      ev('m-6', 'location.upserted', 'erp', '06:00', { locationId: 'STORE-WEST', name: 'West store', kind: 'store', region: 'west', shipsToCustomers: true, priority: 2 }),
      ev('m-7', 'channel.upserted', 'erp', '06:00', { channel: 'web', name: 'Web store', kind: 'webstore', priority: 1, allocationShare: 1, allowSplit: true, slaHours: 24 }),
      ev('m-8', 'channel.upserted', 'erp', '06:00', { channel: 'mkt-a', name: 'Marketplace A', kind: 'marketplace', priority: 2, allocationShare: 1, allowSplit: false, slaHours: 48 }),
      ev('m-9', 'channel.upserted', 'erp', '06:00', { channel: 'mkt-b', name: 'Marketplace B', kind: 'marketplace', priority: 3, allocationShare: 0.5, allowSplit: false, slaHours: 48 }),
    ]);
    const [n] = await t.db.sql`SELECT (SELECT count(*) FROM items)::int AS items, (SELECT count(*) FROM locations)::int AS locations, (SELECT count(*) FROM channels)::int AS channels`;
    expect(n).toEqual({ items: 3, locations: 3, channels: 3 });
  });

  it('07:00 receipts put stock on hand', async () => {
    await post([
      ev('r-1', 'stock.received', 'wms-east', '07:00', { locationId: 'DC-EAST', sku: 'TEE', qty: 10, reference: 'PO-1' }),
      ev('r-2', 'stock.received', 'pos-east', '07:00', { locationId: 'STORE-EAST', sku: 'TEE', qty: 3 }),
      ev('r-3', 'stock.received', 'pos-west', '07:00', { locationId: 'STORE-WEST', sku: 'TEE', qty: 4 }),
      ev('r-4', 'stock.received', 'wms-east', '07:00', { locationId: 'DC-EAST', sku: 'CAP', qty: 100 }),
      ev('r-5', 'stock.received', 'pos-west', '07:00', { locationId: 'STORE-WEST', sku: 'CAP', qty: 20 }),
      ev('r-6', 'stock.received', 'pos-east', '07:00', { locationId: 'STORE-EAST', sku: 'MUG', qty: 2 }),
    ]);
    expect(await buckets('TEE', 'DC-EAST')).toEqual(b(10, 0));
    expect(await buckets('TEE', 'STORE-EAST')).toEqual(b(3, 0));
    expect(await buckets('TEE', 'STORE-WEST')).toEqual(b(4, 0));
    expect(await buckets('CAP', 'DC-EAST')).toEqual(b(100, 0));
    expect(await buckets('CAP', 'STORE-WEST')).toEqual(b(20, 0));
    expect(await buckets('MUG', 'STORE-EAST')).toEqual(b(2, 0));
  });

  it('09:00–09:35 orders: one location, a split, a fraud hold, a pending payment, two backorders', async () => {
    await post([
      // W-1 (web, east) TEE 2 + CAP 1. Locations that can fill the whole order: DC-EAST (TEE 10, CAP 100) and
      // STORE-WEST (TEE 4, CAP 20); STORE-EAST has no CAP. Same region (east) first → DC-EAST.
      ev('o-1', 'order.created', 'web', '09:00', { orderId: 'W-1', channel: 'web', lines: [{ sku: 'TEE', qty: 2, unitPrice: 20 }, { sku: 'CAP', qty: 1, unitPrice: 15 }], shipTo: { region: 'east', country: 'US' }, payment: 'authorized', fraudScore: 0.05 }),
      // A-1 (mkt-a, west) TEE 3. Whole order at DC-EAST (avail 10 − 2 = 8), STORE-EAST (3) or STORE-WEST (4):
      // same region (west) first → STORE-WEST.
      ev('o-2', 'order.created', 'mkt-a', '09:05', { orderId: 'A-1', channel: 'mkt-a', lines: [{ sku: 'TEE', qty: 3, unitPrice: 20 }], shipTo: { region: 'west' }, payment: 'authorized' }),
      // W-2 (web, west) TEE 10. Available: DC-EAST 8, STORE-EAST 3, STORE-WEST 4 − 3 = 1: no single location
      // holds 10, web allows splits → line by line, same region first, then priority:
      // STORE-WEST 1, then DC-EAST (priority 1) 8, then STORE-EAST (priority 2) 10 − 1 − 8 = 1. split_shipment.
      ev('o-3', 'order.created', 'web', '09:10', { orderId: 'W-2', channel: 'web', lines: [{ sku: 'TEE', qty: 10, unitPrice: 20 }], shipTo: { region: 'west' }, payment: 'authorized' }),
      // W-3 (web, west) CAP 2, fraud score 0.8 = the threshold ("at or above" holds it): reserved at
      // STORE-WEST (same region, 20 available) and held behind a fraud_review.
      ev('o-4', 'order.created', 'web', '09:15', { orderId: 'W-3', channel: 'web', lines: [{ sku: 'CAP', qty: 2, unitPrice: 15 }], shipTo: { region: 'west' }, payment: 'authorized', fraudScore: 0.8 }),
      // W-4 (web, east) MUG 2, payment pending: reserves anyway, at STORE-EAST, the only MUG (2).
      ev('o-5', 'order.created', 'web', '09:20', { orderId: 'W-4', channel: 'web', lines: [{ sku: 'MUG', qty: 2, unitPrice: 10 }], shipTo: { region: 'east' }, payment: 'pending' }),
      // A-2 (mkt-a, east) MUG 2: 0 available anywhere → all 2 backordered, stockout on MUG.
      ev('o-6', 'order.created', 'mkt-a', '09:25', { orderId: 'A-2', channel: 'mkt-a', lines: [{ sku: 'MUG', qty: 2, unitPrice: 10 }], shipTo: { region: 'east' }, payment: 'authorized' }),
      // W-5 (web, west) MUG 1: still 0 available → backordered 1; the open MUG stockout counts a 2nd occurrence.
      ev('o-7', 'order.created', 'web', '09:30', { orderId: 'W-5', channel: 'web', lines: [{ sku: 'MUG', qty: 1, unitPrice: 10 }], shipTo: { region: 'west' }, payment: 'authorized' }),
      // B-1 (mkt-b, east) CAP 4: whole at DC-EAST (east, 100 − 1 = 99 available after W-1).
      ev('o-8', 'order.created', 'mkt-b', '09:35', { orderId: 'B-1', channel: 'mkt-b', lines: [{ sku: 'CAP', qty: 4, unitPrice: 15 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);

    expect(await status('W-1')).toBe('allocated');
    expect(await reservations('W-1')).toEqual([res('TEE', 'DC-EAST', 2), res('CAP', 'DC-EAST', 1)]);
    expect(await status('A-1')).toBe('allocated');
    expect(await reservations('A-1')).toEqual([res('TEE', 'STORE-WEST', 3)]);
    expect(await status('W-2')).toBe('allocated');
    expect(await reservations('W-2')).toEqual([res('TEE', 'DC-EAST', 8), res('TEE', 'STORE-EAST', 1), res('TEE', 'STORE-WEST', 1)]);
    expect(await status('W-3')).toBe('on_hold');
    expect(await reservations('W-3')).toEqual([res('CAP', 'STORE-WEST', 2)]);
    expect(await status('W-4')).toBe('allocated');
    expect(await reservations('W-4')).toEqual([res('MUG', 'STORE-EAST', 2)]);
    expect(await status('A-2')).toBe('backordered');
    expect(await lines('A-2')).toEqual([line('MUG', 2, { backordered: 2 })]);
    expect(await status('W-5')).toBe('backordered');
    expect(await lines('W-5')).toEqual([line('MUG', 1, { backordered: 1 })]);
    expect(await status('B-1')).toBe('allocated');
    expect(await reservations('B-1')).toEqual([res('CAP', 'DC-EAST', 4)]);

    // TEE reserved: DC-EAST 2 (W-1) + 8 (W-2) = 10 of 10; STORE-EAST 1 (W-2) of 3; STORE-WEST 3 (A-1) + 1 (W-2) = 4 of 4.
    expect(await buckets('TEE', 'DC-EAST')).toEqual(b(10, 10));
    expect(await buckets('TEE', 'STORE-EAST')).toEqual(b(3, 1));
    expect(await buckets('TEE', 'STORE-WEST')).toEqual(b(4, 4));
    // CAP reserved: DC-EAST 1 (W-1) + 4 (B-1) = 5; STORE-WEST 2 (W-3).
    expect(await buckets('CAP', 'DC-EAST')).toEqual(b(100, 5));
    expect(await buckets('CAP', 'STORE-WEST')).toEqual(b(20, 2));
    expect(await buckets('MUG', 'STORE-EAST')).toEqual(b(2, 2));

    expect(await exceptionsOf('split_shipment')).toEqual([{ subject: 'order:W-2', severity: 'low', status: 'open', occurrences: 1 }]);
    expect(await exceptionsOf('fraud_review')).toEqual([{ subject: 'order:W-3', severity: 'high', status: 'open', occurrences: 1 }]);
    expect(await exceptionsOf('stockout')).toEqual([{ subject: 'sku:MUG', severity: 'high', status: 'open', occurrences: 2 }]);
  });

  it('10:00 a payment failure releases MUG to the web backorder first; 10:10 a cancellation releases CAP', async () => {
    await post([
      ev('p-1', 'order.payment_failed', 'web', '10:00', { orderId: 'W-4', reason: 'card declined' }),
      ev('c-1', 'order.cancelled', 'mkt-b', '10:10', { orderId: 'B-1', reason: 'customer request' }),
    ]);
    // W-4 cancelled: its 2 MUG at STORE-EAST go back to available (reserved 2 → 0).
    expect(await status('W-4')).toBe('cancelled');
    expect(await lines('W-4')).toEqual([line('MUG', 2, { cancelled: 2 })]);
    expect(await reservations('W-4')).toEqual([]);
    // Backorders of MUG, served in queue order: W-5 (web, priority 1) before A-2 (mkt-a, priority 2), although
    // A-2 is older (09:25 < 09:30). W-5 takes 1 at STORE-EAST (2 − 1 = 1 left); A-2 wants 2 at ONE location
    // (no splits) and STORE-EAST has 1: it keeps waiting, all 2 backordered.
    expect(await status('W-5')).toBe('allocated');
    expect(await reservations('W-5')).toEqual([res('MUG', 'STORE-EAST', 1)]);
    expect(await lines('W-5')).toEqual([line('MUG', 1)]);
    expect(await status('A-2')).toBe('backordered');
    expect(await lines('A-2')).toEqual([line('MUG', 2, { backordered: 2 })]);
    expect(await buckets('MUG', 'STORE-EAST')).toEqual(b(2, 1));
    // The reservation for W-5 names the event that made it possible: the payment failure.
    const cause = await t.db.sql`
      SELECT e.type, l.delta FROM inventory_ledger l JOIN events e ON e.seq = l.event_seq
      WHERE l.order_id = 'W-5' AND l.bucket = 'reserved' ORDER BY l.id`;
    expect([...cause]).toEqual([{ type: 'order.payment_failed', delta: 1 }]);
    expect(await exceptionsOf('payment_failed')).toEqual([{ subject: 'order:W-4', severity: 'medium', status: 'open', occurrences: 1 }]);
    const [pay] = await t.db.sql`SELECT payment FROM orders WHERE order_id = 'W-4'`;
    expect(pay!.payment).toBe('failed');

    // B-1 cancelled: CAP at DC-EAST reserved 5 − 4 = 1 (W-1's).
    expect(await status('B-1')).toBe('cancelled');
    expect(await lines('B-1')).toEqual([line('CAP', 4, { cancelled: 4 })]);
    expect(await buckets('CAP', 'DC-EAST')).toEqual(b(100, 1));
  });

  it('11:00 a MUG receipt re-allocates A-2 on its own (backordered → allocated); 11:30 a CAP transfer leaves', async () => {
    await post([
      ev('r-7', 'stock.received', 'wms-east', '11:00', { locationId: 'DC-EAST', sku: 'MUG', qty: 5, reference: 'PO-2' }),
      ev('t-1', 'stock.transfer_shipped', 'wms-east', '11:30', { transferId: 'T-1', fromLocationId: 'DC-EAST', toLocationId: 'STORE-EAST', lines: [{ sku: 'CAP', qty: 10 }] }),
    ]);
    // A-2 wants MUG 2 at one location: DC-EAST now has 5 available (STORE-EAST 1) → reserved at DC-EAST.
    expect(await status('A-2')).toBe('allocated');
    expect(await reservations('A-2')).toEqual([res('MUG', 'DC-EAST', 2)]);
    expect(await lines('A-2')).toEqual([line('MUG', 2)]);
    expect(await buckets('MUG', 'DC-EAST')).toEqual(b(5, 2));
    const cause = await t.db.sql`
      SELECT e.type FROM inventory_ledger l JOIN events e ON e.seq = l.event_seq WHERE l.order_id = 'A-2' AND l.bucket = 'reserved'`;
    expect([...cause]).toEqual([{ type: 'stock.received' }]);
    // T-1: DC-EAST CAP on hand 100 − 10 = 90 (reserved 1 stays); STORE-EAST CAP in transit 10, not on hand,
    // so not available to anyone yet.
    expect(await buckets('CAP', 'DC-EAST')).toEqual(b(90, 1));
    expect(await buckets('CAP', 'STORE-EAST')).toEqual(b(0, 0, { in_transit: 10 }));
  });

  it('12:00 W-1 is picked and 1 TEE is short at DC-EAST: back to backorder, re-allocated at STORE-EAST', async () => {
    await post([
      ev('f-1', 'fulfillment.picked', 'wms-east', '12:00', { orderId: 'W-1', locationId: 'DC-EAST', lines: [{ sku: 'TEE', qty: 2 }, { sku: 'CAP', qty: 1 }] }),
      ev('f-2', 'fulfillment.short_picked', 'wms-east', '12:05', { orderId: 'W-1', locationId: 'DC-EAST', sku: 'TEE', qty: 1 }),
    ]);
    // The short pick: DC-EAST TEE on hand 10 − 1 = 9, reserved 10 − 1 = 9 (W-1 1 + W-2 8), available 0.
    expect(await buckets('TEE', 'DC-EAST')).toEqual(b(9, 9));
    // The missing unit goes back to backorder, then is re-allocated (web allows splits): DC-EAST has 0
    // available, STORE-EAST (east) 3 − 1 = 2, STORE-WEST 0 → STORE-EAST; reserved there 1 + 1 = 2.
    expect(await buckets('TEE', 'STORE-EAST')).toEqual(b(3, 2));
    expect(await reservations('W-1')).toEqual([res('TEE', 'DC-EAST', 1), res('TEE', 'STORE-EAST', 1), res('CAP', 'DC-EAST', 1)]);
    expect(await lines('W-1')).toEqual([line('TEE', 2), line('CAP', 1)]);
    // Still being picked (the pick flag outranks the allocation states).
    expect(await status('W-1')).toBe('picking');
    expect(await exceptionsOf('short_pick')).toEqual([{ subject: 'order:W-1:TEE@DC-EAST', severity: 'high', status: 'open', occurrences: 1 }]);
  });

  it('12:30 W-1 ships partly from DC-EAST (partially_shipped)', async () => {
    await post([
      ev('s-1', 'fulfillment.shipped', 'wms-east', '12:30', { orderId: 'W-1', locationId: 'DC-EAST', shipmentId: 'SH-1', lines: [{ sku: 'TEE', qty: 1 }, { sku: 'CAP', qty: 1 }] }),
    ]);
    // Reserved → shipped: DC-EAST TEE 9 − 1 = 8 on hand, 9 − 1 = 8 reserved (all W-2); CAP 90 − 1 = 89, 1 − 1 = 0.
    expect(await buckets('TEE', 'DC-EAST')).toEqual(b(8, 8));
    expect(await buckets('CAP', 'DC-EAST')).toEqual(b(89, 0));
    expect(await status('W-1')).toBe('partially_shipped');
    expect(await lines('W-1')).toEqual([line('TEE', 2, { shipped: 1 }), line('CAP', 1, { shipped: 1 })]);
    expect(await reservations('W-1')).toEqual([res('TEE', 'STORE-EAST', 1)]);
  });

  it('13:00 W-1 ships the rest; the transfer arrives; two counts; a damaged tee', async () => {
    await post([
      ev('s-2', 'fulfillment.shipped', 'pos-east', '13:00', { orderId: 'W-1', locationId: 'STORE-EAST', shipmentId: 'SH-2', lines: [{ sku: 'TEE', qty: 1 }] }),
      ev('t-2', 'stock.transfer_received', 'pos-east', '13:10', { transferId: 'T-1', lines: [{ sku: 'CAP', qty: 10 }] }),
      // Book 89; |88 − 89| = 1 ≤ 2 units and ≤ 2 % × 89 = 1.78 → within tolerance: the book is set to 88.
      ev('k-1', 'stock.counted', 'wms-east', '13:20', { locationId: 'DC-EAST', sku: 'CAP', countedQty: 88 }),
      // Book 20; |19 − 20| = 1 ≤ 2 units but > 2 % × 20 = 0.4 → beyond: count_discrepancy, the book stays 20.
      ev('k-2', 'stock.counted', 'pos-west', '13:25', { locationId: 'STORE-WEST', sku: 'CAP', countedQty: 19 }),
      ev('a-1', 'stock.adjusted', 'pos-east', '13:30', { locationId: 'STORE-EAST', sku: 'TEE', delta: -1, reason: 'damage' }),
    ]);
    expect(await status('W-1')).toBe('shipped');
    expect(await lines('W-1')).toEqual([line('TEE', 2, { shipped: 2 }), line('CAP', 1, { shipped: 1 })]);
    expect(await reservations('W-1')).toEqual([]);
    // STORE-EAST TEE: SH-2 → on hand 3 − 1 = 2, reserved 2 − 1 = 1 (W-2); damage −1 → on hand 1, damaged 1.
    expect(await buckets('TEE', 'STORE-EAST')).toEqual(b(1, 1, { damaged: 1 }));
    // T-1 received: in transit 10 − 10 = 0, on hand 0 + 10 = 10.
    expect(await buckets('CAP', 'STORE-EAST')).toEqual(b(10, 0));
    expect(await buckets('CAP', 'DC-EAST')).toEqual(b(88, 0));
    expect(await buckets('CAP', 'STORE-WEST')).toEqual(b(20, 2));
    const counts = await t.db.sql`SELECT location_id, counted_qty, book_qty, within_tolerance FROM stock_counts ORDER BY event_seq`;
    expect([...counts]).toEqual([
      { location_id: 'DC-EAST', counted_qty: 88, book_qty: 89, within_tolerance: true },
      { location_id: 'STORE-WEST', counted_qty: 19, book_qty: 20, within_tolerance: false },
    ]);
    expect(await exceptionsOf('count_discrepancy')).toEqual([{ subject: 'sku:CAP@STORE-WEST', severity: 'medium', status: 'open', occurrences: 1 }]);
  });

  it('14:00 two tees of W-1 come back: pending inspection, then one restocked and one written off', async () => {
    await post([
      ev('x-1', 'return.received', 'returns', '14:00', { returnId: 'RT-1', orderId: 'W-1', locationId: 'DC-EAST', lines: [{ sku: 'TEE', qty: 2 }] }),
    ]);
    // Pending inspection: not on hand, not sellable. W-1 shipped 3 units, 2 returned → partially_returned.
    expect(await buckets('TEE', 'DC-EAST')).toEqual(b(8, 8, { returns_pending: 2 }));
    expect(await status('W-1')).toBe('partially_returned');

    await post([
      ev('x-2', 'return.inspected', 'returns', '14:30', { returnId: 'RT-1', lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }, { sku: 'TEE', qty: 1, disposition: 'write_off' }] }),
      ev('x-3', 'refund.issued', 'returns', '14:40', { orderId: 'W-1', returnId: 'RT-1', amount: 40 }),
    ]);
    // Pending 2 − 1 − 1 = 0; the restocked one back on hand 8 + 1 = 9; the written-off one leaves stock.
    expect(await buckets('TEE', 'DC-EAST')).toEqual(b(9, 8));
    expect(await status('W-1')).toBe('partially_returned');
    // Recovery loss: 1 unit written off × unit cost 6 = 6.
    const [loss] = await t.db.sql`SELECT coalesce(sum(qty * unit_cost) FILTER (WHERE disposition <> 'restock'), 0)::int AS loss FROM return_dispositions`;
    expect(loss!.loss).toBe(6);
    const [refund] = await t.db.sql`SELECT order_id, return_id, amount::float AS amount FROM refunds`;
    expect(refund).toEqual({ order_id: 'W-1', return_id: 'RT-1', amount: 40 });
  });

  it('15:30 a shipment arrives before its order: it waits, then applies when the order comes in a later request', async () => {
    await post([
      ev('s-6', 'fulfillment.shipped', 'pos-west', '15:30', { orderId: 'W-6', locationId: 'STORE-WEST', shipmentId: 'SH-6', lines: [{ sku: 'CAP', qty: 1 }] }),
    ], 1);
    const [waiting] = await t.db.sql`SELECT applied_at, defer_reason, apply_error FROM events WHERE event_id = 's-6'`;
    expect(waiting).toEqual({ applied_at: null, defer_reason: 'order W-6 is unknown', apply_error: null });
    expect(await buckets('CAP', 'STORE-WEST')).toEqual(b(20, 2));

    await post([
      ev('o-9', 'order.created', 'web', '15:00', { orderId: 'W-6', channel: 'web', lines: [{ sku: 'CAP', qty: 1, unitPrice: 15 }], shipTo: { region: 'west' }, payment: 'authorized' }),
    ]);
    // W-6 reserves CAP 1 at STORE-WEST (west; 20 − 2 = 18 available), then SH-6 ships it:
    // on hand 20 − 1 = 19, reserved 2 + 1 − 1 = 2 (W-3's).
    expect(await status('W-6')).toBe('shipped');
    expect(await lines('W-6')).toEqual([line('CAP', 1, { shipped: 1 })]);
    expect(await buckets('CAP', 'STORE-WEST')).toEqual(b(19, 2));
    const [applied] = await t.db.sql`SELECT applied_at IS NOT NULL AS applied, apply_error FROM events WHERE event_id = 's-6'`;
    expect(applied).toEqual({ applied: true, apply_error: null });
  });

  it('16:00 marketplace B lists more tees than it may sell: oversell exposure', async () => {
    await post([
      ev('l-1', 'channel.stock_snapshot', 'mkt-b', '16:00', { channel: 'mkt-b', items: [{ sku: 'TEE', listedQty: 2 }, { sku: 'CAP', listedQty: 57 }] }),
    ]);
    // ATS(TEE, mkt-b): available DC-EAST 9 − 8 = 1, STORE-EAST 1 − 1 = 0, STORE-WEST 4 − 4 = 0 → Σ 1;
    //   max(0, 1 − safety stock 2) = 0; × 0.5 → 0. Listed 2 → exposure 2 − 0 = 2.
    // ATS(CAP, mkt-b): DC-EAST 88 − 0 + STORE-EAST 10 − 0 + STORE-WEST 19 − 2 = 115; × 0.5 = 57.5 → floor 57.
    //   Listed 57 → exposure 0, no exception.
    const [ex] = await t.db.sql`SELECT subject, severity, status, channel, sku, details FROM exceptions WHERE type = 'oversell_exposure'`;
    expect(ex).toEqual({ subject: 'channel:mkt-b:TEE', severity: 'critical', status: 'open', channel: 'mkt-b', sku: 'TEE', details: { listedQty: 2, exposure: 2 } });
    expect(await exceptionsOf('oversell_exposure')).toHaveLength(1);
    const listings = await t.db.sql`SELECT sku, listed_qty FROM channel_listings WHERE channel = 'mkt-b' ORDER BY sku`;
    expect([...listings]).toEqual([{ sku: 'CAP', listed_qty: 57 }, { sku: 'TEE', listed_qty: 2 }]);
  });

  it('end of day: every bucket, order and exception as worked out by hand', async () => {
    const all = await t.db.sql`
      SELECT sku, location_id, on_hand, reserved, in_transit, returns_pending, damaged FROM inventory
      WHERE (on_hand, reserved, in_transit, returns_pending, damaged) <> (0, 0, 0, 0, 0) ORDER BY sku, location_id`;
    expect([...all]).toEqual([
      // CAP DC-EAST: 100 − 1 (SH-1) − 10 (T-1) − 1 (count 89 → 88) = 88; reserved 1 + 4 − 4 (B-1 cancelled) − 1 (SH-1) = 0.
      { sku: 'CAP', location_id: 'DC-EAST', ...b(88, 0) },
      // CAP STORE-EAST: 0 + 10 (T-1 received); in transit 10 − 10 = 0.
      { sku: 'CAP', location_id: 'STORE-EAST', ...b(10, 0) },
      // CAP STORE-WEST: 20 − 1 (SH-6), the beyond-tolerance count not applied; reserved 2 (W-3 on hold).
      { sku: 'CAP', location_id: 'STORE-WEST', ...b(19, 2) },
      // MUG DC-EAST: 5 (r-7); reserved 2.
      { sku: 'MUG', location_id: 'DC-EAST', ...b(5, 2) },
      // MUG STORE-EAST: 2; reserved 2 (W-4) − 2 (payment failed) + 1 (W-5) = 1.
      { sku: 'MUG', location_id: 'STORE-EAST', ...b(2, 1) },
      // TEE DC-EAST: 10 − 1 (short pick) − 1 (SH-1) + 1 (restock) = 9; reserved 8 (W-2).
      { sku: 'TEE', location_id: 'DC-EAST', ...b(9, 8) },
      // TEE STORE-EAST: 3 − 1 (SH-2) − 1 (damage) = 1, damaged 1; reserved 1 (W-2).
      { sku: 'TEE', location_id: 'STORE-EAST', ...b(1, 1, { damaged: 1 }) },
      // TEE STORE-WEST: 4; reserved 3 (A-1) + 1 (W-2) = 4.
      { sku: 'TEE', location_id: 'STORE-WEST', ...b(4, 4) },
    ]);

    const orders = await t.db.sql`SELECT order_id, status FROM orders ORDER BY order_id`;
    expect(Object.fromEntries(orders.map((o) => [o.order_id, o.status]))).toEqual({
      'A-1': 'allocated', // TEE 3 at STORE-WEST
      'A-2': 'allocated', // backordered at 09:25, re-allocated by the 11:00 receipt
      'B-1': 'cancelled',
      'W-1': 'partially_returned', // shipped 3 units in two shipments, 2 came back
      'W-2': 'allocated', // TEE 10 over three locations
      'W-3': 'on_hold', // fraud review
      'W-4': 'cancelled', // payment failed
      'W-5': 'allocated', // backordered at 09:30, re-allocated by W-4's release
      'W-6': 'shipped', // its shipment arrived first
    });
    // No backorder is left: Σ backordered = 0.
    const [bo] = await t.db.sql`SELECT coalesce(sum(backordered), 0)::int AS n FROM order_lines`;
    expect(bo!.n).toBe(0);

    // W-1's split_shipment (reserved across DC-EAST and STORE-EAST since 12:05) is what the contract asks
    // for, but the engine does not open it: asserted on its own below, among the known discrepancies.
    const open = await t.db.sql`
      SELECT type, subject, severity, status, occurrences FROM exceptions
      WHERE type IN ${t.db.sql(SCENARIO_TYPES)} AND NOT (type = 'split_shipment' AND subject = 'order:W-1') ORDER BY type, subject`;
    expect([...open]).toEqual([
      { type: 'count_discrepancy', subject: 'sku:CAP@STORE-WEST', severity: 'medium', status: 'open', occurrences: 1 },
      { type: 'fraud_review', subject: 'order:W-3', severity: 'high', status: 'open', occurrences: 1 },
      { type: 'oversell_exposure', subject: 'channel:mkt-b:TEE', severity: 'critical', status: 'open', occurrences: 1 },
      { type: 'payment_failed', subject: 'order:W-4', severity: 'medium', status: 'open', occurrences: 1 },
      { type: 'short_pick', subject: 'order:W-1:TEE@DC-EAST', severity: 'high', status: 'open', occurrences: 1 },
      { type: 'split_shipment', subject: 'order:W-2', severity: 'low', status: 'open', occurrences: 1 },
      // The 11:00 receipt filled the last MUG backorder: the stockout cleared by itself.
      { type: 'stockout', subject: 'sku:MUG', severity: 'high', status: 'resolved', occurrences: 2 },
    ]);
    const [mug] = await t.db.sql`SELECT resolution_code, resolved_by FROM exceptions WHERE type = 'stockout' AND subject = 'sku:MUG'`;
    expect(mug).toEqual({ resolution_code: 'auto_resolved', resolved_by: 'system' });
  });

  it('end of day: the invariants hold (ledger = on hand, reservations = reserved, every unit accounted for)', async () => {
    const ledger = await t.db.sql`
      SELECT i.sku, i.location_id, i.on_hand, i.reserved, i.in_transit, i.returns_pending, i.damaged,
        (SELECT coalesce(sum(delta), 0)::int FROM inventory_ledger l WHERE l.sku = i.sku AND l.location_id = i.location_id AND bucket = 'onHand') AS l_on_hand,
        (SELECT coalesce(sum(delta), 0)::int FROM inventory_ledger l WHERE l.sku = i.sku AND l.location_id = i.location_id AND bucket = 'reserved') AS l_reserved,
        (SELECT coalesce(sum(delta), 0)::int FROM inventory_ledger l WHERE l.sku = i.sku AND l.location_id = i.location_id AND bucket = 'inTransit') AS l_in_transit,
        (SELECT coalesce(sum(delta), 0)::int FROM inventory_ledger l WHERE l.sku = i.sku AND l.location_id = i.location_id AND bucket = 'returnsPending') AS l_returns_pending,
        (SELECT coalesce(sum(delta), 0)::int FROM inventory_ledger l WHERE l.sku = i.sku AND l.location_id = i.location_id AND bucket = 'damaged') AS l_damaged,
        (SELECT coalesce(sum(qty), 0)::int FROM reservations r WHERE r.sku = i.sku AND r.location_id = i.location_id) AS r_reserved
      FROM inventory i`;
    expect(ledger.length).toBeGreaterThan(0);
    for (const r of ledger) {
      expect({ at: `${r.sku}@${r.location_id}`, on_hand: r.on_hand, reserved: r.reserved, in_transit: r.in_transit, returns_pending: r.returns_pending, damaged: r.damaged })
        .toEqual({ at: `${r.sku}@${r.location_id}`, on_hand: r.l_on_hand, reserved: r.l_reserved, in_transit: r.l_in_transit, returns_pending: r.l_returns_pending, damaged: r.l_damaged });
      expect(r.reserved).toBe(r.r_reserved);
      expect(r.reserved).toBeGreaterThanOrEqual(0);
      expect(r.reserved).toBeLessThanOrEqual(r.on_hand);
    }
    // Every ordered unit of an order is exactly one of reserved, backordered, shipped or cancelled.
    const unbalanced = await t.db.sql`
      SELECT l.order_id, l.line_no FROM order_lines l
      LEFT JOIN (SELECT order_id, line_no, sum(qty)::int AS q FROM reservations GROUP BY 1, 2) r USING (order_id, line_no)
      WHERE coalesce(r.q, 0) + l.backordered + l.shipped + l.cancelled <> l.qty`;
    expect([...unbalanced]).toEqual([]);
    // Every ledger row names an applied event.
    const [orphans] = await t.db.sql`
      SELECT count(*)::int AS n FROM inventory_ledger l LEFT JOIN events e ON e.seq = l.event_seq WHERE e.applied_at IS NULL`;
    expect(orphans!.n).toBe(0);
    // Nothing was invalid, no invariant check failed, and no event carries an error.
    expect(await exceptionsOf('invalid_event')).toEqual([]);
    expect(await exceptionsOf('invariant_breach')).toEqual([]);
    const [errors] = await t.db.sql`SELECT count(*)::int AS n FROM events WHERE apply_error IS NOT NULL`;
    expect(errors!.n).toBe(0);
  });
});

describe('over-reservation after a count (the tower\'s release rule)', () => {
  it('a count within tolerance below reservations backorders the lowest-priority channel\'s reservation, which is re-allocated at once', async () => {
    await post([
      ev('ov-m', 'item.upserted', 'erp', '15:00', { sku: 'OVR', name: 'Over', unitCost: 1, unitPrice: 2 }),
      ev('ov-r1', 'stock.received', 'wms-east', '15:01', { locationId: 'DC-EAST', sku: 'OVR', qty: 100 }),
      ev('ov-r2', 'stock.received', 'pos-east', '15:01', { locationId: 'STORE-EAST', sku: 'OVR', qty: 10 }),
      // All three fit whole at DC-EAST (east, priority 1): reserved 96 + 2 + 2 = 100 of 100.
      ev('ov-o1', 'order.created', 'web', '15:02', { orderId: 'OV-W1', channel: 'web', lines: [{ sku: 'OVR', qty: 96, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
      ev('ov-o2', 'order.created', 'mkt-b', '15:03', { orderId: 'OV-B2', channel: 'mkt-b', lines: [{ sku: 'OVR', qty: 2, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
      ev('ov-o3', 'order.created', 'web', '15:04', { orderId: 'OV-W3', channel: 'web', lines: [{ sku: 'OVR', qty: 2, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);
    expect(await buckets('OVR', 'DC-EAST')).toEqual(b(100, 100));
    // |98 − 100| = 2 ≤ 2 units and ≤ 2 % × 100 = 2 → within tolerance: on hand 98 < reserved 100, excess 2.
    await post([ev('ov-k', 'stock.counted', 'wms-east', '15:05', { locationId: 'DC-EAST', sku: 'OVR', countedQty: 98 })]);
    // The excess leaves the lowest-priority channel first (mkt-b, priority 3), although OV-W3 is newer:
    // OV-B2's 2 units go back to backorder, then are re-allocated whole at STORE-EAST (DC-EAST has 0 available).
    expect(await buckets('OVR', 'DC-EAST')).toEqual(b(98, 98));
    expect(await buckets('OVR', 'STORE-EAST')).toEqual(b(10, 2));
    expect(await reservations('OV-B2')).toEqual([res('OVR', 'STORE-EAST', 2)]);
    expect(await reservations('OV-W3')).toEqual([res('OVR', 'DC-EAST', 2)]);
    expect(await status('OV-B2')).toBe('allocated');
    // Both movements of OV-B2's reservation name the count that caused them.
    const moves = await t.db.sql`
      SELECT l.location_id, l.delta, e.type FROM inventory_ledger l JOIN events e ON e.seq = l.event_seq
      WHERE l.order_id = 'OV-B2' AND l.bucket = 'reserved' ORDER BY l.id`;
    expect([...moves]).toEqual([
      { location_id: 'DC-EAST', delta: 2, type: 'order.created' },
      { location_id: 'DC-EAST', delta: -2, type: 'stock.counted' },
      { location_id: 'STORE-EAST', delta: 2, type: 'stock.counted' },
    ]);
    expect(await exceptionsOf('invariant_breach')).toEqual([]);
  });
});

describe('contract corners the first engine got wrong', () => {

  it('split_shipment opens when a re-allocation leaves an order reserved across locations (W-1 at 12:05)', async () => {
    // kpis.md: split_shipment — "an order is reserved across locations". W-1 was reserved at DC-EAST
    // (TEE 1, CAP 1) and STORE-EAST (TEE 1) after its short-picked unit was re-allocated; shipped in two shipments.
    expect(await exceptionsOf('split_shipment')).toContainEqual({ subject: 'order:W-1', severity: 'low', status: 'open', occurrences: 1 });
  });

  it('a no-split order is never served from two locations, not even after a short pick', async () => {
    await post([
      ev('ns-m', 'item.upserted', 'erp', '15:00', { sku: 'NSP', name: 'No split', unitCost: 1, unitPrice: 2 }),
      ev('ns-r1', 'stock.received', 'wms-east', '15:01', { locationId: 'DC-EAST', sku: 'NSP', qty: 3 }),
      ev('ns-r2', 'stock.received', 'pos-east', '15:01', { locationId: 'STORE-EAST', sku: 'NSP', qty: 2 }),
      // mkt-a (no splits), 3 units: whole at DC-EAST (east, priority 1).
      ev('ns-o', 'order.created', 'mkt-a', '15:02', { orderId: 'NS-A', channel: 'mkt-a', lines: [{ sku: 'NSP', qty: 3, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);
    expect(await reservations('NS-A')).toEqual([res('NSP', 'DC-EAST', 3)]);
    await post([ev('ns-sp', 'fulfillment.short_picked', 'wms-east', '15:03', { orderId: 'NS-A', locationId: 'DC-EAST', sku: 'NSP', qty: 1 })]);
    // events.md: "A line may be served from several locations when its channel allows splits" — mkt-a does not.
    // The engine re-allocates the 1 backordered unit at STORE-EAST: DC-EAST 2 + STORE-EAST 1.
    const where = new Set((await reservations('NS-A')).map((r) => r.location_id));
    expect(where.size).toBeLessThanOrEqual(1);
  });

  it('control: receipt and a new order in separate requests — the older backorder gets the receipt', async () => {
    await post([
      ev('bq-m', 'item.upserted', 'erp', '15:00', { sku: 'BQ1', name: 'Batch queue 1', unitCost: 1, unitPrice: 2 }),
      ev('bq-o1', 'order.created', 'mkt-a', '15:01', { orderId: 'BQ1-A', channel: 'mkt-a', lines: [{ sku: 'BQ1', qty: 1, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);
    await post([ev('bq-r', 'stock.received', 'wms-east', '15:02', { locationId: 'DC-EAST', sku: 'BQ1', qty: 1 })]);
    await post([ev('bq-o2', 'order.created', 'mkt-a', '15:03', { orderId: 'BQ1-B', channel: 'mkt-a', lines: [{ sku: 'BQ1', qty: 1, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' })]);
    expect(await status('BQ1-A')).toBe('allocated');
    expect(await status('BQ1-B')).toBe('backordered');
  });

  it('the same events in ONE request give the same result: the backorder is served at the receipt, before a later order', async () => {
    await post([
      ev('bq2-m', 'item.upserted', 'erp', '15:00', { sku: 'BQ2', name: 'Batch queue 2', unitCost: 1, unitPrice: 2 }),
      ev('bq2-o1', 'order.created', 'mkt-a', '15:01', { orderId: 'BQ2-A', channel: 'mkt-a', lines: [{ sku: 'BQ2', qty: 1, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);
    await post([
      ev('bq2-r', 'stock.received', 'wms-east', '15:02', { locationId: 'DC-EAST', sku: 'BQ2', qty: 1 }),
      ev('bq2-o2', 'order.created', 'mkt-a', '15:03', { orderId: 'BQ2-B', channel: 'mkt-a', lines: [{ sku: 'BQ2', qty: 1, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);
    // events.md: "When stock becomes available (receipt, ...), backorders are reserved again automatically".
    // The engine re-allocates at the end of the batch, so BQ2-B (arriving after the receipt in the same
    // batch) takes the unit and BQ2-A stays backordered.
    expect(await status('BQ2-A')).toBe('allocated');
    expect(await status('BQ2-B')).toBe('backordered');
  });

  it('a snapshot right after a receipt in the same request sees ATS after the backorder took the unit', async () => {
    await post([
      ev('bq3-m', 'item.upserted', 'erp', '15:00', { sku: 'BQ3', name: 'Batch queue 3', unitCost: 1, unitPrice: 2 }),
      ev('bq3-o1', 'order.created', 'mkt-a', '15:01', { orderId: 'BQ3-A', channel: 'mkt-a', lines: [{ sku: 'BQ3', qty: 1, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);
    await post([
      ev('bq3-r', 'stock.received', 'wms-east', '15:02', { locationId: 'DC-EAST', sku: 'BQ3', qty: 1 }),
      ev('bq3-l', 'channel.stock_snapshot', 'web', '15:03', { channel: 'web', items: [{ sku: 'BQ3', listedQty: 1 }] }),
    ]);
    // After the receipt BQ3-A holds the unit: ATS(BQ3, web) = floor(max(0, 0 − 0) × 1) = 0; listed 1 → exposure 1.
    // The engine computes ATS before the batch-end re-allocation (1) and opens nothing.
    expect(await status('BQ3-A')).toBe('allocated');
    expect(await exceptionsOf('oversell_exposure')).toContainEqual({ subject: 'channel:web:BQ3', severity: 'critical', status: 'open', occurrences: 1 });
  });

  it('a location that starts shipping to customers serves the backorders waiting for its stock', async () => {
    await post([
      ev('ln-m', 'item.upserted', 'erp', '15:00', { sku: 'LOC', name: 'Location', unitCost: 1, unitPrice: 2 }),
      ev('ln-l1', 'location.upserted', 'erp', '15:00', { locationId: 'STORE-NORTH', name: 'North store', kind: 'store', region: 'north', shipsToCustomers: false, priority: 3 }),
      ev('ln-r', 'stock.received', 'pos-east', '15:01', { locationId: 'STORE-NORTH', sku: 'LOC', qty: 2 }),
      // No location that ships holds LOC: backordered.
      ev('ln-o', 'order.created', 'web', '15:02', { orderId: 'LN-W', channel: 'web', lines: [{ sku: 'LOC', qty: 1, unitPrice: 2 }], shipTo: { region: 'east' }, payment: 'authorized' }),
    ]);
    expect(await status('LN-W')).toBe('backordered');
    await post([ev('ln-l2', 'location.upserted', 'erp', '15:05', { locationId: 'STORE-NORTH', name: 'North store', kind: 'store', region: 'north', shipsToCustomers: true, priority: 3 })]);
    // events.md: "at rest a SKU never has backordered units on a channel that allows splits while a location
    // that ships to customers has units of it available". STORE-NORTH now ships and has 2 available.
    expect(await status('LN-W')).toBe('allocated');
  });

  it('a snapshot listing a SKU the item master does not know is not turned into oversell exposure', async () => {
    // Last in the file: once fixed, the snapshot may wait for the item (deferred), which the helpers above would count.
    const r = await t.postEvents(key, [ev('uk-l', 'channel.stock_snapshot', 'web', '15:10', { channel: 'web', items: [{ sku: 'NO-SUCH-SKU', listedQty: 3 }] })]);
    expect(r.status).toBe(202);
    await waitFor('the snapshot applied or waiting', async () => {
      const [row] = await t.db.sql`SELECT applied_at IS NOT NULL OR deferred_at IS NOT NULL AS done FROM events WHERE event_id = 'uk-l'`;
      return row?.done;
    });
    // events.md: events that "cannot be applied (an unknown SKU, ...)" are kept with an invalid_event.
    // The engine records the listing and opens oversell_exposure for 3 units of a SKU that does not exist.
    expect(await exceptionsOf('oversell_exposure')).not.toContainEqual(expect.objectContaining({ subject: 'channel:web:NO-SUCH-SKU' }));
  });
});
