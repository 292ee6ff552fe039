/**
 * Many orders racing for scarce stock, applied by SEVERAL worker processes at once (2 processes × 4
 * concurrent jobs), each request its own job: no unit may be reserved twice, every unit the network
 * has must go to somebody, and every order that got nothing must be backordered — exactly.
 *
 * The API runs in this process (ROLE=api, no workers); the workers are separate `realtime/main.ts`
 * processes sharing the database and the Redis prefix, as in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breachProblems, bucketProblems, lineProblems, readBuckets, readLines } from '../properties/support/checks';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_REDIS_URL } from '../support/env';
import type { RawEvent } from '../support/events';
import { spawnTower, stopTowers, type TowerProcess } from '../support/processes';
import { startTestTower, uniquePrefix, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

let db: TestDatabase;
let api: TestTower;
let key: string;
const prefix = uniquePrefix();
const workers: TowerProcess[] = [];
let n = 0;
const T0 = Date.now() - 6 * 3_600_000;

const ev = (type: RawEvent['type'], data: Record<string, unknown>, source = 'erp'): RawEvent => ({
  id: `lu-${++n}`, type, source, occurredAt: new Date(T0 + n * 1000).toISOString(), data,
});
const item = (sku: string) => ev('item.upserted', { sku, name: sku, unitCost: 1, unitPrice: 2, safetyStock: 0 });
const receipt = (sku: string, locationId: string, qty: number) => ev('stock.received', { sku, locationId, qty });
const order = (orderId: string, sku: string, i: number) =>
  ev('order.created', {
    orderId, channel: i % 2 === 0 ? 'web' : 'mkt', lines: [{ sku, qty: 1, unitPrice: 2 }], shipTo: { region: i % 3 === 0 ? 'west' : 'east' }, payment: 'authorized',
  }, i % 2 === 0 ? 'web' : 'mkt');

const unapplied = async () => Number((await db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`)[0]!.n);

/** Posts each group as its own request, `parallel` requests in flight at a time. */
async function postConcurrently(groups: RawEvent[][], parallel: number): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < groups.length) {
      const g = groups[next++]!;
      const res = await api.postEvents(key, g);
      const b = (await res.json()) as { accepted?: number; rejected?: unknown[] };
      if (res.status !== 202 || b.accepted !== g.length) failures.push(`${res.status} ${JSON.stringify(b)}`);
    }
  }));
  expect(failures, 'every request accepted in full').toEqual([]);
}

/** Cuts events into requests of 1–5 (deterministic mix). */
const smallRequests = (events: RawEvent[]): RawEvent[][] => {
  const out: RawEvent[][] = [];
  for (let i = 0, k = 0; i < events.length; k++) {
    const size = 1 + ((k * 7) % 5);
    out.push(events.slice(i, i + size));
    i += size;
  }
  return out;
};

/** A deterministic shuffle, so that each request mixes SKUs. */
function shuffled<T>(list: T[], seed = 7): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The most writing transactions seen open at once, and the most of them waiting for an advisory lock (the apply lock), while `work` runs. */
async function sampleContention(work: Promise<void>): Promise<{ parallel: number; lockWaits: number }> {
  let done = false;
  const seen = { parallel: 0, lockWaits: 0 };
  const sampler = (async () => {
    while (!done) {
      const [r] = await db.sql`
        SELECT count(*) FILTER (WHERE xact_start IS NOT NULL AND backend_xid IS NOT NULL)::int AS parallel,
               count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory')::int AS lock_waits
        FROM pg_stat_activity WHERE datname = ${db.name} AND pid <> pg_backend_pid()`;
      seen.parallel = Math.max(seen.parallel, r!.parallel);
      seen.lockWaits = Math.max(seen.lockWaits, r!.lock_waits);
      await new Promise((res) => setTimeout(res, 5));
    }
  })();
  try {
    await work;
  } finally {
    done = true;
    await sampler;
  }
  return seen;
}

async function applyAll(events: RawEvent[][], parallel: number): Promise<{ parallel: number; lockWaits: number }> {
  const seen = await sampleContention((async () => {
    await postConcurrently(events, parallel);
    await waitFor('every posted event applied by the workers', async () => (await unapplied()) === 0, 45_000, 100);
  })());
  const errors = await db.sql`SELECT seq, type, apply_error FROM events WHERE apply_error IS NOT NULL`;
  expect(errors, 'no event was refused').toEqual([]);
  return seen;
}

/** The invariants for these SKUs: buckets = ledger, reserved = Σ reservations ≤ on hand, every ordered unit accounted for, no breach. */
async function invariantProblems(skus: string[], orderPrefix: string): Promise<string[]> {
  return [
    ...bucketProblems(await readBuckets(db.sql, skus)),
    ...lineProblems(await readLines(db.sql, orderPrefix)),
    ...(await breachProblems(db.sql, skus, orderPrefix)),
  ];
}

async function perSku(skus: string[]) {
  const rows = await db.sql<{ sku: string; on_hand: number; reserved: number; reservations: number; backordered: number; ordered: number; cancelled: number }[]>`
    SELECT s.sku,
      (SELECT coalesce(sum(on_hand), 0) FROM inventory i WHERE i.sku = s.sku)::int AS on_hand,
      (SELECT coalesce(sum(reserved), 0) FROM inventory i WHERE i.sku = s.sku)::int AS reserved,
      (SELECT coalesce(sum(qty), 0) FROM reservations r WHERE r.sku = s.sku)::int AS reservations,
      (SELECT coalesce(sum(backordered), 0) FROM order_lines l WHERE l.sku = s.sku)::int AS backordered,
      (SELECT coalesce(sum(qty), 0) FROM order_lines l WHERE l.sku = s.sku)::int AS ordered,
      (SELECT coalesce(sum(cancelled), 0) FROM order_lines l WHERE l.sku = s.sku)::int AS cancelled
    FROM unnest(${db.sql.array(skus)}::text[]) AS s(sku) ORDER BY 1`;
  return Object.fromEntries(rows.map((r) => [r.sku, r]));
}

/** Units reserved twice would show as a sku × location whose reservations exceed its shelf. */
async function overbooked(skus: string[]) {
  return db.sql`
    SELECT r.sku, r.location_id, sum(r.qty)::int AS reserved, coalesce(max(i.on_hand), 0) AS on_hand
    FROM reservations r LEFT JOIN inventory i USING (sku, location_id)
    WHERE r.sku IN ${db.sql(skus)} GROUP BY 1, 2 HAVING sum(r.qty) > coalesce(max(i.on_hand), 0)`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestTower({ ROLE: 'api', REDIS_PREFIX: prefix, INGEST_RATE_LIMIT: '10000' }, { db });
  key = await api.createApiKey(['erp', 'web', 'mkt']);
  const env = {
    ROLE: 'worker', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, WORKER_CONCURRENCY: '4',
    // Every request its own transaction, so that the processes' batches take turns as often as they can.
    APPLY_BATCH_MAX_EVENTS: '1',
    SWEEP_INTERVAL_MS: '200', SWEEP_GRACE_MS: '1000', DEFER_MAX_SECONDS: '120', LOG_LEVEL: 'warn',
  };
  workers.push(spawnTower(env), spawnTower(env));
  const master = [
    ev('location.upserted', { locationId: 'LU-EAST', name: 'East', kind: 'dc', region: 'east', shipsToCustomers: true, priority: 1 }),
    ev('location.upserted', { locationId: 'LU-WEST', name: 'West', kind: 'store', region: 'west', shipsToCustomers: true, priority: 2 }),
    ev('channel.upserted', { channel: 'web', name: 'Web', kind: 'webstore', priority: 1, allocationShare: 1, allowSplit: true, slaHours: 24 }),
    ev('channel.upserted', { channel: 'mkt', name: 'Market', kind: 'marketplace', priority: 2, allocationShare: 1, allowSplit: false, slaHours: 48 }),
  ];
  await applyAll([master], 1);
  // Both workers are up and consuming (each registered with the queue).
  await waitFor('two worker processes registered', async () => (await api.tower.deps.queue.getWorkersCount()) >= 2, 30_000, 100);
}, 90_000);

afterAll(async () => {
  await stopTowers(workers);
  await api?.stop();
  await db?.drop();
});

describe('scarce stock, several worker processes', () => {
  const skus = ['LU-A', 'LU-B', 'LU-C'];
  const supply: Record<string, number> = { 'LU-A': 5, 'LU-B': 3, 'LU-C': 1 };
  const demand: Record<string, number> = { 'LU-A': 100, 'LU-B': 100, 'LU-C': 100 };

  it('reserves no unit twice and backorders exactly demand − supply', async () => {
    await applyAll([[...skus.map(item), receipt('LU-A', 'LU-EAST', 3), receipt('LU-A', 'LU-WEST', 2), receipt('LU-B', 'LU-EAST', 2), receipt('LU-B', 'LU-WEST', 1), receipt('LU-C', 'LU-WEST', 1)]], 1);
    const orders = shuffled(skus.flatMap((sku) => Array.from({ length: demand[sku]! }, (_, i) => order(`LU-O-${sku}-${i}`, sku, i))));
    const started = Date.now();
    const seen = await applyAll(smallRequests(orders), 24);
    // The race is real: batches of both processes wanted to apply at the same time, and one waited for the other's turn.
    expect(seen.parallel, 'writing transactions open at the same time').toBeGreaterThanOrEqual(2);
    expect(seen.lockWaits, 'an apply transaction waiting for the apply lock held by another process').toBeGreaterThanOrEqual(1);
    const batches = await db.sql`SELECT count(*)::int AS n FROM apply_batches`;
    expect(batches[0]!.n, 'the orders were applied in many separate transactions').toBeGreaterThan(30);

    expect(await overbooked(skus), 'no sku × location has more reserved than on its shelf').toEqual([]);
    const totals = await perSku(skus);
    for (const sku of skus) {
      const t = totals[sku]!;
      expect({ sku, onHand: t.on_hand, reserved: t.reserved, reservations: t.reservations, backordered: t.backordered, ordered: t.ordered }).toEqual({
        sku, onHand: supply[sku], reserved: supply[sku], reservations: supply[sku], backordered: demand[sku]! - supply[sku]!, ordered: demand[sku],
      });
    }
    expect(await invariantProblems(skus, 'LU-O-')).toEqual([]);
    const statuses = await db.sql`SELECT l.sku, o.status, count(*)::int AS n FROM orders o JOIN order_lines l USING (order_id) WHERE o.order_id LIKE 'LU-O-%' GROUP BY 1, 2 ORDER BY 1, 2`;
    expect(statuses.map((s) => `${s.sku} ${s.status} ${s.n}`)).toEqual(
      skus.flatMap((sku) => [`${sku} allocated ${supply[sku]}`, `${sku} backordered ${demand[sku]! - supply[sku]!}`]),
    );
    // Which orders got the units is a race (arrival order), but each unit went to exactly one order.
    const winners = await db.sql`SELECT order_id, sum(qty)::int AS q FROM reservations WHERE order_id LIKE 'LU-O-%' GROUP BY 1 HAVING sum(qty) > 1`;
    expect(winners).toEqual([]);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('re-allocates every freed or received unit exactly once while cancellations, receipts and new orders race', async () => {
    // Cancel 20 orders that hold units? Only 9 units are held: cancel all holders plus 11 waiting orders.
    const holders = (await db.sql`SELECT DISTINCT order_id FROM reservations WHERE order_id LIKE 'LU-O-%' ORDER BY 1`).map((r) => r.order_id as string);
    const waiting = (await db.sql`SELECT order_id FROM order_lines WHERE order_id LIKE 'LU-O-%' AND backordered > 0 ORDER BY 1 LIMIT 11`).map((r) => r.order_id as string);
    const cancels = [...holders, ...waiting].map((orderId) => ev('order.cancelled', { orderId, reason: 'race' }, 'web'));
    const receipts = skus.flatMap((sku) => [receipt(sku, 'LU-EAST', 2), receipt(sku, 'LU-WEST', 2)]);
    const more = skus.flatMap((sku) => Array.from({ length: 10 }, (_, i) => order(`LU-O-${sku}-more-${i}`, sku, i)));
    await applyAll(smallRequests(shuffled([...cancels, ...receipts, ...more], 11)), 24);

    expect(await overbooked(skus)).toEqual([]);
    const totals = await perSku(skus);
    for (const sku of skus) {
      const t = totals[sku]!;
      const open = t.ordered - t.cancelled;
      // Every order is one unit and fits anywhere: at rest every unit on the shelves is reserved, the rest waits.
      expect({ sku, onHand: t.on_hand, reserved: t.reserved, backordered: t.backordered }).toEqual({
        sku, onHand: supply[sku]! + 4, reserved: supply[sku]! + 4, backordered: open - (supply[sku]! + 4),
      });
    }
    expect(await invariantProblems(skus, 'LU-O-')).toEqual([]);
    const cancelled = await db.sql`SELECT count(*)::int AS n FROM orders WHERE order_id IN ${db.sql(cancels.map((c) => String(c.data.orderId)))} AND status = 'cancelled'`;
    expect(cancelled[0]!.n).toBe(cancels.length);
  }, 90_000);

  it('reserves every order when concurrent orders are on disjoint SKUs (nothing wrongly backordered)', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `LU-D${String(i).padStart(2, '0')}`);
    await applyAll([[...many.map(item), ...many.map((sku, i) => receipt(sku, i % 2 ? 'LU-WEST' : 'LU-EAST', 3))]], 1);
    const orders = shuffled(many.flatMap((sku) => Array.from({ length: 3 }, (_, i) => order(`LU-DO-${sku}-${i}`, sku, i))), 3);
    await applyAll(smallRequests(orders), 24);
    const totals = await perSku(many);
    const wrong = many.filter((sku) => totals[sku]!.backordered !== 0 || totals[sku]!.reserved !== 3 || totals[sku]!.on_hand !== 3);
    expect(wrong.map((sku) => totals[sku]), 'every SKU: 3 on hand, 3 reserved, 0 backordered').toEqual([]);
    expect(await invariantProblems(many, 'LU-DO-')).toEqual([]);
    const notAllocated = await db.sql`SELECT order_id, status FROM orders WHERE order_id LIKE 'LU-DO-%' AND status <> 'allocated'`;
    expect(notAllocated).toEqual([]);
  }, 90_000);
});
