/**
 * Two batches in flight at once, made deterministic: a batch is held at its SKU lock (another session
 * holds the advisory lock the engine uses) while a second batch commits something it depends on. The
 * engine computes which SKUs to lock from what it can see BEFORE it waits; what it then touches must
 * still be locked (a SKU written without its lock can lose a concurrent update) and re-allocated.
 *
 * Real path: insertEvents + applyEventBatch, one database; the lock is `pg_advisory_lock` on the same
 * key `lockSkus` takes (`hashtextextended('sku:' || sku, 0)`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultEngineConfig } from '../../jobs/engine/context';
import type { RawEvent } from '../support/events';
import { waitFor } from '../support/wait';
import { atRestProblems, breachProblems, bucketProblems, lineProblems, readBuckets, readLines } from '../properties/support/checks';
import { itemEvent, networkEvents, SPLIT, startEngineHarness, type EngineHarness } from '../properties/support/engine-harness';

let h: EngineHarness;
let n = 0;
const T0 = Date.now() - 24 * 3_600_000;
const ev = (type: RawEvent['type'], data: Record<string, unknown>): RawEvent => ({
  id: `ls-${++n}`, type, source: 'prop', occurredAt: new Date(T0 + n * 60_000).toISOString(), data,
});
const order = (orderId: string, sku: string) =>
  ev('order.created', { orderId, channel: SPLIT, lines: [{ sku, qty: 1, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized' });

beforeAll(async () => {
  h = await startEngineHarness(defaultEngineConfig);
  await h.run(networkEvents(new Date(T0 - 3_600_000).toISOString()));
});

afterAll(async () => {
  await h?.close();
});

/** Holds the engine's lock on `sku` from another session until `release` is called. */
async function holdSkuLock(sku: string): Promise<{ release(): Promise<void> }> {
  const conn = await h.db.sql.reserve();
  await conn`SELECT pg_advisory_lock(hashtextextended(${`sku:${sku}`}, 0))`;
  return {
    async release() {
      await conn`SELECT pg_advisory_unlock(hashtextextended(${`sku:${sku}`}, 0))`;
      conn.release();
    },
  };
}

const waitersOnAdvisoryLocks = async () =>
  Number((await h.db.sql`
    SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`)[0]!.n);

it('re-allocates a unit freed by a cancellation whose order was committed while the cancelling batch waited for a lock', async () => {
  await h.run([itemEvent('LS-A', new Date(T0).toISOString(), 'ls-item-a'), itemEvent('LS-B', new Date(T0).toISOString(), 'ls-item-b')]);
  await h.run([ev('stock.received', { sku: 'LS-A', locationId: 'E1', qty: 1 })]);

  // Durable, not applied yet: the order, and (in another job) its cancellation with a receipt of another SKU.
  const created = order('LS-O1', 'LS-A');
  const [createdSeq] = await h.ingest([created]);
  const cancelJob = (await h.ingest([ev('order.cancelled', { orderId: 'LS-O1', reason: 'customer' }), ev('stock.received', { sku: 'LS-B', locationId: 'E1', qty: 1 })]))
    .filter((s): s is string => s !== undefined);

  // The cancelling batch starts while LS-B is busy: LS-O1 is not committed yet, so it knows no SKU of it.
  const busy = await holdSkuLock('LS-B');
  const cancelling = h.apply(cancelJob);
  await waitFor('the cancelling batch waiting for the LS-B lock', async () => (await waitersOnAdvisoryLocks()) >= 1, 10_000, 20);

  // Meanwhile another worker applies the order (it takes the last LS-A) and a second order that waits for LS-A.
  await h.apply([createdSeq!]);
  await h.run([order('LS-O2', 'LS-A')]);
  const before = (await h.db.sql`SELECT backordered FROM order_lines WHERE order_id = 'LS-O2'`)[0]!;
  expect(before.backordered).toBe(1);

  await busy.release();
  await cancelling;

  const cancel = (await h.db.sql`SELECT apply_error FROM events WHERE seq = ${cancelJob[0]!}`)[0]!;
  expect(cancel.apply_error, 'the cancellation applies (its order exists by then)').toBeNull();
  expect((await h.db.sql`SELECT status FROM orders WHERE order_id = 'LS-O1'`)[0]!.status).toBe('cancelled');

  // Spec "Allocation": the released unit goes to the waiting order at once; at rest no split-channel
  // backorder while a shipping location has the SKU available.
  const problems = [
    ...bucketProblems(await readBuckets(h.db.sql, ['LS-A', 'LS-B'])),
    ...lineProblems(await readLines(h.db.sql, 'LS-O')),
    ...(await breachProblems(h.db.sql, ['LS-A', 'LS-B'], 'LS-O')),
    ...(await atRestProblems(h.db.sql, ['LS-A', 'LS-B'], 'LS-O')),
  ];
  expect(problems).toEqual([]);
  const o2 = (await h.db.sql`
    SELECT l.backordered, coalesce((SELECT sum(qty) FROM reservations r WHERE r.order_id = l.order_id), 0)::int AS reserved
    FROM order_lines l WHERE order_id = 'LS-O2'`)[0];
  expect(o2, 'LS-O2 gets the unit LS-O1 released').toEqual({ reserved: 1, backordered: 0 });
});

const waitersOnRowLocks = async () =>
  Number((await h.db.sql`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event <> 'advisory'`)[0]!.n);

it('does not lose a receipt committed by another batch while a cancellation it raced with was in flight', async () => {
  await h.run([
    itemEvent('LS-C', new Date(T0).toISOString(), 'ls-item-c'),
    itemEvent('LS-D', new Date(T0).toISOString(), 'ls-item-d'),
    itemEvent('LS-E', new Date(T0).toISOString(), 'ls-item-e'),
  ]);
  await h.run([ev('stock.received', { sku: 'LS-C', locationId: 'E1', qty: 1 }), ev('stock.received', { sku: 'LS-E', locationId: 'E1', qty: 1 })]);
  await h.run([order('LS-O9', 'LS-E')]);
  const [createdSeq] = await h.ingest([order('LS-O3', 'LS-C')]);
  // The cancelling job: cancel LS-O3, then touch order LS-O9 (whose row another session will hold), then a receipt of LS-D.
  const cancelJob = (await h.ingest([
    ev('order.cancelled', { orderId: 'LS-O3', reason: 'customer' }),
    ev('order.payment_authorized', { orderId: 'LS-O9' }),
    ev('stock.received', { sku: 'LS-D', locationId: 'E1', qty: 1 }),
  ])).filter((s): s is string => s !== undefined);

  const busy = await holdSkuLock('LS-D');
  const cancelling = h.apply(cancelJob);
  await waitFor('the cancelling batch waiting for the LS-D lock', async () => (await waitersOnAdvisoryLocks()) >= 1, 10_000, 20);
  await h.apply([createdSeq!]); // LS-O3 takes the LS-C unit

  // Hold LS-O9's row: the cancelling batch stops there, when it reads the orders its events name (it
  // saw LS-O3's lines, on LS-C, only after its lock set was taken).
  const rowHolder = await h.db.sql.reserve();
  await rowHolder`BEGIN`;
  await rowHolder`SELECT 1 FROM orders WHERE order_id = 'LS-O9' FOR UPDATE`;
  await busy.release();
  await waitFor('the cancelling batch waiting for the LS-O9 row', async () => (await waitersOnRowLocks()) >= 1, 10_000, 20);

  // Another worker receives 5 LS-C and commits meanwhile. The cancelling batch reads LS-C's buckets
  // only once it holds the LS-C lock (taken when it meets the SKU it had not foreseen), and writes
  // them back as deltas, so it cannot overwrite the receipt.
  const [receiptSeq] = await h.run([ev('stock.received', { sku: 'LS-C', locationId: 'E1', qty: 5 })]);

  await rowHolder`COMMIT`;
  rowHolder.release();
  await cancelling;

  const [c] = await h.db.sql`SELECT on_hand, reserved FROM inventory WHERE sku = 'LS-C' AND location_id = 'E1'`;
  const ledger = (await h.db.sql`SELECT coalesce(sum(delta), 0)::int AS s FROM inventory_ledger WHERE sku = 'LS-C' AND location_id = 'E1' AND bucket = 'onHand'`)[0]!.s;
  expect({ onHand: c!.on_hand, ledger }, `the receipt of 5 (seq ${receiptSeq}) must not be overwritten by the batch that cancelled LS-O3`).toEqual({ onHand: 6, ledger: 6 });
  expect(bucketProblems(await readBuckets(h.db.sql, ['LS-C']))).toEqual([]);
  expect(await breachProblems(h.db.sql, ['LS-C'], 'LS-O')).toEqual([]);
});

it('re-allocates a received unit to a split-channel order that was created while the receiving batch waited for a lock', async () => {
  // LS-I arrives; the order waiting for it (split channel) also waits for LS-J, which nobody has.
  await h.run(['LS-H', 'LS-I', 'LS-J'].map((s) => itemEvent(s, new Date(T0).toISOString(), `ls-item-${s}`)));
  // The receiving job also touches LS-H, which sorts before LS-I: it waits there before it locks LS-I.
  const receiveJob = (await h.ingest([ev('stock.received', { sku: 'LS-I', locationId: 'E1', qty: 1 }), ev('stock.received', { sku: 'LS-H', locationId: 'E1', qty: 1 })]))
    .filter((s): s is string => s !== undefined);
  const busy = await holdSkuLock('LS-H');
  const receiving = h.apply(receiveJob);
  await waitFor('the receiving batch waiting for the LS-H lock', async () => (await waitersOnAdvisoryLocks()) >= 1, 10_000, 20);
  // Meanwhile another worker creates the order: nothing of LS-I nor LS-J in stock, both lines backordered.
  await h.run([ev('order.created', {
    orderId: 'LS-O7', channel: SPLIT, lines: [{ sku: 'LS-I', qty: 1, unitPrice: 1 }, { sku: 'LS-J', qty: 1, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized',
  })]);
  await busy.release();
  await receiving;

  // Spec "Allocation": the received LS-I goes to the waiting split-channel order (line by line); at rest
  // no split-channel backorder of LS-I while E1 has one available.
  const problems = [
    ...bucketProblems(await readBuckets(h.db.sql, ['LS-H', 'LS-I', 'LS-J'])),
    ...lineProblems(await readLines(h.db.sql, 'LS-O7')),
    ...(await atRestProblems(h.db.sql, ['LS-H', 'LS-I', 'LS-J'], 'LS-O7')),
  ];
  expect(problems).toEqual([]);
});

it('does not refuse a receipt because a cancellation that raced with it zeroed a backorder it was re-allocating', async () => {
  await h.run(['LS-K', 'LS-M', 'LS-P'].map((s) => itemEvent(s, new Date(T0).toISOString(), `ls-item-${s}`)));
  await h.run([ev('stock.received', { sku: 'LS-M', locationId: 'E1', qty: 1 })]);
  await h.run([order('LS-O10', 'LS-M')]);
  const [createdSeq] = await h.ingest([order('LS-O11', 'LS-P')]); // nothing of LS-P in stock: backordered
  const cancelJob = (await h.ingest([
    ev('order.cancelled', { orderId: 'LS-O11', reason: 'customer' }),
    ev('order.payment_authorized', { orderId: 'LS-O10' }),
    ev('stock.received', { sku: 'LS-K', locationId: 'E1', qty: 1 }),
  ])).filter((s): s is string => s !== undefined);

  // The cancelling batch reads its lock set before LS-O11 exists, then waits.
  const busy = await holdSkuLock('LS-K');
  const cancelling = h.apply(cancelJob);
  await waitFor('the cancelling batch waiting for the LS-K lock', async () => (await waitersOnAdvisoryLocks()) >= 1, 10_000, 20);
  await h.apply([createdSeq!]);
  // It cancels LS-O11 (backorder → 0) and then stops at LS-O10's row, still uncommitted.
  const rowHolder = await h.db.sql.reserve();
  await rowHolder`BEGIN`;
  await rowHolder`SELECT 1 FROM orders WHERE order_id = 'LS-O10' FOR UPDATE`;
  await busy.release();
  await waitFor('the cancelling batch waiting for the LS-O10 row', async () => (await waitersOnRowLocks()) >= 1, 10_000, 20);

  // A unit of LS-P arrives in another worker; its re-allocation sees LS-O11 still waiting.
  const receipt = ev('stock.received', { sku: 'LS-P', locationId: 'E1', qty: 1 });
  const receiving = h.run([receipt]);
  await waitFor('the receiving batch waiting for the cancelled line', async () => (await waitersOnRowLocks()) >= 2, 5_000, 20).catch(() => undefined);
  await rowHolder`COMMIT`;
  rowHolder.release();
  await Promise.all([cancelling, receiving]);

  const [r] = await h.db.sql`SELECT applied_at IS NOT NULL AS applied, apply_error FROM events WHERE event_id = ${receipt.id}`;
  expect(r, 'the receipt of LS-P is applied: a unit that arrived is on the book').toEqual({ applied: true, apply_error: null });
  expect((await h.db.sql`SELECT on_hand, reserved FROM inventory WHERE sku = 'LS-P' AND location_id = 'E1'`)[0]).toEqual({ on_hand: 1, reserved: 0 });
  expect((await h.db.sql`SELECT status FROM orders WHERE order_id = 'LS-O11'`)[0]?.status).toBe('cancelled');
  expect(lineProblems(await readLines(h.db.sql, 'LS-O11'))).toEqual([]);
});
