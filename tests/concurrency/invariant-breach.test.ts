/**
 * The live invariant check must notice when the numbers are wrong. A bucket (or an order line) is
 * corrupted directly in SQL, as a bad migration, a manual fix or a bug elsewhere would; the next
 * event touching it through the real apply path (insertEvents + applyEventBatch) must open a critical
 * `invariant_breach` exception that names that event.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultEngineConfig } from '../../jobs/engine/context';
import type { RawEvent } from '../support/events';
import { itemEvent, networkEvents, SPLIT, startEngineHarness, type EngineHarness } from '../properties/support/engine-harness';

let h: EngineHarness;
let n = 0;
const T0 = Date.now() - 24 * 3_600_000;
const ev = (type: RawEvent['type'], data: Record<string, unknown>): RawEvent => ({
  id: `ib-${++n}`, type, source: 'prop', occurredAt: new Date(T0 + n * 60_000).toISOString(), data,
});

beforeAll(async () => {
  h = await startEngineHarness(defaultEngineConfig);
  await h.run(networkEvents(new Date(T0 - 3_600_000).toISOString()));
});

afterAll(async () => {
  await h?.close();
});

const breach = async (subject: string) =>
  (await h.db.sql`SELECT type, severity, status, subject, sku, location_id, order_id, details, occurrences, opened_at, due_at
                   FROM exceptions WHERE type = 'invariant_breach' AND subject = ${subject}`)[0];

/** Stock and one reserved order for `sku` at E1: 20 on hand, 2 reserved. */
async function stocked(sku: string, orderId: string): Promise<void> {
  await h.run([itemEvent(sku, new Date(T0).toISOString(), `ib-item-${sku}`)]);
  await h.run([ev('stock.received', { sku, locationId: 'E1', qty: 20 })]);
  await h.run([ev('order.created', { orderId, channel: SPLIT, lines: [{ sku, qty: 2, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized' })]);
  const [row] = await h.db.sql`SELECT on_hand, reserved FROM inventory WHERE sku = ${sku} AND location_id = 'E1'`;
  expect(row).toEqual({ on_hand: 20, reserved: 2 });
  expect(await breach(`sku:${sku}@E1`)).toBeUndefined();
}

it('opens a critical invariant_breach naming the event when reserved no longer equals the reservations', async () => {
  await stocked('IB-A', 'IB-O1');
  await h.db.sql`UPDATE inventory SET reserved = reserved + 5 WHERE sku = 'IB-A' AND location_id = 'E1'`;
  const touch = ev('stock.received', { sku: 'IB-A', locationId: 'E1', qty: 1 });
  const [seq] = await h.run([touch]);
  const ex = await breach('sku:IB-A@E1');
  expect(ex, 'an invariant_breach exception for sku:IB-A@E1').toBeDefined();
  expect(ex).toMatchObject({ severity: 'critical', status: 'open', sku: 'IB-A', location_id: 'E1' });
  expect(ex!.details.events, 'the exception names the event that touched the corrupted bucket').toContain(seq);
  expect(ex!.details.breaches.join('\n')).toMatch(/reserved 7 differs from its reservations 2/);
  // Critical: due within its 15-minute SLA.
  expect(ex!.due_at.getTime() - ex!.opened_at.getTime()).toBe(15 * 60_000);
});

it('opens one when on hand no longer equals the sum of its ledger movements', async () => {
  await stocked('IB-B', 'IB-O2');
  await h.db.sql`UPDATE inventory SET on_hand = on_hand + 3 WHERE sku = 'IB-B' AND location_id = 'E1'`;
  const [seq] = await h.run([ev('stock.adjusted', { sku: 'IB-B', locationId: 'E1', delta: -1, reason: 'shrink' })]);
  const ex = await breach('sku:IB-B@E1');
  expect(ex).toMatchObject({ severity: 'critical', sku: 'IB-B', location_id: 'E1' });
  expect(ex!.details.events).toContain(seq);
  expect(ex!.details.breaches.join('\n')).toMatch(/on hand 22 differs from its ledger sum 19/);
});

it('opens one when reserved exceeds on hand, and counts a second breach on the same bucket as another occurrence', async () => {
  await stocked('IB-C', 'IB-O3');
  await h.db.sql`UPDATE inventory SET reserved = reserved + 50 WHERE sku = 'IB-C' AND location_id = 'E1'`;
  const [first] = await h.run([ev('stock.received', { sku: 'IB-C', locationId: 'E1', qty: 1 })]);
  const ex = await breach('sku:IB-C@E1');
  expect(ex).toMatchObject({ severity: 'critical', sku: 'IB-C', location_id: 'E1' });
  expect(ex!.details.events).toContain(first);
  expect(ex!.details.breaches.join('\n')).toMatch(/exceeds on hand/);
  const [second] = await h.run([ev('stock.received', { sku: 'IB-C', locationId: 'E1', qty: 1 })]);
  const again = await breach('sku:IB-C@E1');
  expect(again!.occurrences).toBe(2);
  expect(again!.details.events).toContain(second);
  // The first offender stays named after a later occurrence.
  expect(again!.details.events).toContain(first);
});

it('opens one naming the event when an order line no longer adds up (ordered ≠ reserved + backordered + shipped + cancelled)', async () => {
  await stocked('IB-D', 'IB-O4');
  await h.db.sql`UPDATE order_lines SET backordered = backordered + 1 WHERE order_id = 'IB-O4'`;
  const [seq] = await h.run([ev('fulfillment.shipped', { orderId: 'IB-O4', locationId: 'E1', shipmentId: 'IB-S1', lines: [{ sku: 'IB-D', qty: 1 }] })]);
  const ex = await breach('order:IB-O4');
  expect(ex, 'an invariant_breach exception for order:IB-O4').toBeDefined();
  expect(ex).toMatchObject({ severity: 'critical', order_id: 'IB-O4' });
  expect(ex!.details.breaches.join('\n')).toMatch(/ordered 2 ≠ reserved 1 \+ backordered 1 \+ shipped 1 \+ cancelled 0/);
  expect(ex!.details, 'the exception names the event that touched the corrupted order in details.events (as the bucket breaches do)')
    .toMatchObject({ events: expect.arrayContaining([seq]) });
});

it('raises nothing for the same events when nothing was corrupted', async () => {
  await stocked('IB-E', 'IB-O5');
  await h.run([ev('stock.received', { sku: 'IB-E', locationId: 'E1', qty: 1 })]);
  await h.run([ev('fulfillment.shipped', { orderId: 'IB-O5', locationId: 'E1', shipmentId: 'IB-S2', lines: [{ sku: 'IB-E', qty: 1 }] })]);
  const rows = await h.db.sql`SELECT subject FROM exceptions WHERE type = 'invariant_breach' AND (sku = 'IB-E' OR order_id = 'IB-O5')`;
  expect(rows).toEqual([]);
});
