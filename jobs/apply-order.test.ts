import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyEventBatch } from './apply-events';
import { defaultEngineConfig } from './engine/context';
import type { RawEvent } from '../tests/support/events';
import { itemEvent, networkEvents, SPLIT, startEngineHarness, type EngineHarness } from '../tests/properties/support/engine-harness';

/**
 * Two promises of the apply path with several workers: events apply in the order the tower received
 * them (a younger job waits, bounded, for older events), and under load one transaction carries the
 * events of many requests (group commit).
 */
let h: EngineHarness;
let n = 0;
const T0 = Date.now() - 3_600_000;
const ev = (type: RawEvent['type'], data: Record<string, unknown>): RawEvent => ({ id: `ao-${++n}`, type, source: 'prop', occurredAt: new Date(T0 + n * 1000).toISOString(), data });
const order = (orderId: string) => ev('order.created', { orderId, channel: SPLIT, lines: [{ sku: 'AO-1', qty: 1, unitPrice: 1 }], shipTo: { region: 'east' }, payment: 'authorized' });

beforeAll(async () => {
  h = await startEngineHarness({ ...defaultEngineConfig, orderWaitMs: 3000 });
  await h.run([...networkEvents(new Date(T0 - 60_000).toISOString()), itemEvent('AO-1', new Date(T0 - 60_000).toISOString())]);
  await h.run([ev('stock.received', { sku: 'AO-1', locationId: 'E1', qty: 1 })]);
});

afterAll(async () => {
  await h?.close();
});

it('applies a younger job only after the older events, so the earlier order gets the last unit', async () => {
  const [older] = await h.ingest([order('AO-FIRST')]);
  const [younger] = await h.ingest([order('AO-SECOND')]);
  // The younger job runs first (another worker took it); the older one arrives 300 ms later.
  const youngerRun = applyEventBatch(h.deps, [younger!]);
  await new Promise((r) => setTimeout(r, 300));
  await applyEventBatch(h.deps, [older!]);
  await youngerRun;
  const lines = await h.db.sql`SELECT order_id, backordered FROM order_lines WHERE order_id LIKE 'AO-%' ORDER BY order_id`;
  expect(lines.map((l) => `${l.order_id} ${l.backordered}`)).toEqual(['AO-FIRST 0', 'AO-SECOND 1']);
});

it('goes ahead after the bounded wait when an older event is not applied by anyone', async () => {
  await h.ingest([ev('stock.received', { sku: 'AO-1', locationId: 'E1', qty: 5 })]); // no job carries it yet
  const [mine] = await h.ingest([order('AO-THIRD')]);
  const started = Date.now();
  await applyEventBatch(h.deps, [mine!]);
  const waited = Date.now() - started;
  expect(waited).toBeGreaterThanOrEqual(2900);
  expect((await h.db.sql`SELECT applied_at FROM events WHERE seq = ${mine!}`)[0]!.applied_at).not.toBeNull();
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
