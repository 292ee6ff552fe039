import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertEvents } from '../db/queries/events';
import { validateEvent } from '../domain/events/validate';
import { applyEventBatch } from './apply-events';
import { defaultEngineConfig } from './engine/context';
import type { RawEvent } from '../tests/support/events';
import { itemEvent, networkEvents, SPLIT, startEngineHarness, type EngineHarness } from '../tests/properties/support/engine-harness';

/**
 * Two promises of the apply path with several workers: events apply in the order the tower received
 * them whichever job runs first (apply transactions take turns and each takes the oldest unapplied
 * events), and under load one transaction carries the events of many requests (group commit).
 */
let h: EngineHarness;
let n = 0;
const T0 = Date.now() - 3_600_000;
const ev = (type: RawEvent['type'], data: Record<string, unknown>): RawEvent => ({ id: `ao-${++n}`, type, source: 'prop', occurredAt: new Date(T0 + n * 1000).toISOString(), data });
const order = (orderId: string) => ev('order.created', { orderId, channel: SPLIT, lines: [{ sku: 'AO-1', qty: 1, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized' });
const lines = [{ sku: 'AO-1', qty: 1 }];
const valid = (e: RawEvent) => {
  const v = validateEvent(e, new Date(), 300_000);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.event;
};

beforeAll(async () => {
  h = await startEngineHarness(defaultEngineConfig);
  await h.run([...networkEvents(new Date(T0 - 60_000).toISOString()), itemEvent('AO-1', new Date(T0 - 60_000).toISOString())]);
  await h.run([ev('stock.received', { sku: 'AO-1', locationId: 'E1', qty: 1 })]);
});

afterAll(async () => {
  await h?.close();
});

const appliedOrder = async (seqs: readonly string[]) =>
  (await h.db.sql`SELECT seq FROM events WHERE seq IN ${h.db.sql(seqs as string[])} ORDER BY batch_id, applied_at, seq`).map((r) => String(r.seq));

it("gives the last unit to the earlier order when the later order's job runs first", async () => {
  const [older] = await h.ingest([order('AO-FIRST')]);
  const [younger] = await h.ingest([order('AO-SECOND')]);
  // Another worker took the younger job first; the older one comes 300 ms later.
  const youngerRun = applyEventBatch(h.deps, [younger!]);
  await new Promise((r) => setTimeout(r, 300));
  await applyEventBatch(h.deps, [older!]);
  await youngerRun;
  const rows = await h.db.sql`SELECT order_id, backordered FROM order_lines WHERE order_id LIKE 'AO-%' ORDER BY order_id`;
  expect(rows.map((l) => `${l.order_id} ${l.backordered}`)).toEqual(['AO-FIRST 0', 'AO-SECOND 1']);
});

it("applies a pick before the shipment after it, however late the pick's job and with an older event whose job was lost", async () => {
  await h.run([ev('stock.received', { sku: 'AO-1', locationId: 'E1', qty: 1 }), order('AO-PS')]);
  const [lost] = await h.ingest([ev('stock.received', { sku: 'AO-1', locationId: 'E1', qty: 3 })]); // no job carries it
  const [picked] = await h.ingest([ev('fulfillment.picked', { orderId: 'AO-PS', locationId: 'E1', lines })]);
  const [shipped] = await h.ingest([ev('fulfillment.shipped', { orderId: 'AO-PS', locationId: 'E1', shipmentId: 'AO-PS-1', lines })]);
  const started = Date.now();
  // The shipment's job runs first; the pick's job only once the shipment's has finished.
  await applyEventBatch(h.deps, [shipped!]);
  const waited = Date.now() - started;
  await applyEventBatch(h.deps, [picked!]);
  expect(await appliedOrder([lost!, picked!, shipped!])).toEqual([lost!, picked!, shipped!]);
  expect((await h.db.sql`SELECT status FROM orders WHERE order_id = 'AO-PS'`)[0]!.status).toBe('shipped');
  expect(await h.db.sql`SELECT details->>'reason' AS reason FROM exceptions WHERE type = 'invalid_event'`).toEqual([]);
  // Nothing waited for the sweeper to hand the lost event over.
  expect(waited).toBeLessThan(2000);
});

it('keeps a younger batch out while an older one is still in its transaction, however long it takes', async () => {
  const at = new Date(T0).toISOString();
  await h.run([itemEvent('AO-A', at), itemEvent('AO-B', at), ev('stock.received', { sku: 'AO-A', locationId: 'E1', qty: 1 }), ev('stock.received', { sku: 'AO-B', locationId: 'E1', qty: 1 })]);
  const one = (orderId: string, sku: string) => ev('order.created', { orderId, channel: SPLIT, lines: [{ sku, qty: 1, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized' });
  const [older] = await h.ingest([one('AO-SLOW-1', 'AO-A')]);
  const [younger] = await h.ingest([one('AO-SLOW-2', 'AO-B')]);
  // The older batch stalls inside its transaction (another session holds AO-A's stock row) for
  // longer than any fixed bound; the younger one touches nothing of it.
  const conn = await h.db.sql.reserve();
  await conn`BEGIN`;
  await conn`SELECT 1 FROM inventory WHERE sku = 'AO-A' FOR UPDATE`;
  const olderRun = applyEventBatch(h.deps, [older!]);
  await new Promise((r) => setTimeout(r, 200));
  const youngerRun = applyEventBatch(h.deps, [younger!]);
  await new Promise((r) => setTimeout(r, 3000));
  const appliedWhileStalled = (await h.db.sql`SELECT count(*)::int AS n FROM events WHERE seq IN (${older!}, ${younger!}) AND applied_at IS NOT NULL`)[0]!.n;
  await conn`COMMIT`;
  conn.release();
  await Promise.all([olderRun, youngerRun]);
  expect(appliedWhileStalled).toBe(0);
  expect(await appliedOrder([older!, younger!])).toEqual([older!, younger!]);
});

it('applies a request that committed after younger ones, with its own job, once younger batches have gone past it', async () => {
  // The late request takes its sequence number first, and commits only after a younger request is applied.
  const late = await h.db.sql.reserve();
  await late`BEGIN`;
  const [lateEvent] = await insertEvents(late as never, [valid(order('AO-LATE'))], null);
  const [younger] = await h.ingest([order('AO-EARLY-COMMIT')]);
  await applyEventBatch(h.deps, [younger!]);
  await late`COMMIT`;
  late.release();
  expect(BigInt(lateEvent!.seq)).toBeLessThan(BigInt(younger!));
  const result = await applyEventBatch(h.deps, [lateEvent!.seq]);
  expect(result.applied).toBe(1);
  expect((await h.db.sql`SELECT order_id FROM orders WHERE order_id = 'AO-LATE'`).length).toBe(1);
});

it('takes the unapplied events that follow its job into one transaction (group commit)', async () => {
  await h.apply((await h.db.sql`SELECT seq FROM events WHERE applied_at IS NULL`).map((r) => String(r.seq)));
  const requests = [[order('AO-G1'), order('AO-G2')], [order('AO-G3')], [order('AO-G4'), order('AO-G5')]];
  const seqs: string[][] = [];
  for (const r of requests) seqs.push((await h.ingest(r)).filter((s): s is string => s !== undefined));
  const before = (await h.db.sql`SELECT count(*)::int AS n FROM apply_batches`)[0]!.n;
  h.deps.coalesceUpTo = 1000;
  try {
    const result = await applyEventBatch(h.deps, seqs[0]!);
    expect(result.applied).toBe(5);
    // The jobs of the other two requests find their events applied already.
    expect((await applyEventBatch(h.deps, seqs[1]!)).applied).toBe(0);
  } finally {
    h.deps.coalesceUpTo = undefined;
  }
  expect((await h.db.sql`SELECT count(*)::int AS n FROM apply_batches`)[0]!.n - before).toBe(1);
});
