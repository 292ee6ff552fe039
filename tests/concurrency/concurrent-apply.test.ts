/**
 * Property under concurrency: a random stream of receipts, multi-line orders (split and no-split
 * channels) and cancellations, cut into small jobs that four appliers run at the same time (as
 * WORKER_CONCURRENCY does; their transactions take turns and each takes the oldest events, whichever
 * job it runs for), each job retried if PostgreSQL aborts it, as BullMQ would.
 * Whatever the interleaving, at rest: buckets = ledger, reserved = Σ reservations ≤ on hand, every
 * ordered unit accounted for, no breach, and the spec's "at rest" allocation rule.
 *
 * Real path: insertEvents + applyEventBatch on one database (pool of 5), one run per fresh SKU set.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineConfig } from '../../jobs/engine/context';
import type { RawEvent } from '../support/events';
import {
  atRestProblems, breachProblems, bucketProblems, lineProblems, noSplitProblems, readBuckets, readLines, reservationProblems,
} from '../properties/support/checks';
import { itemEvent, networkEvents, SHIPPING, SPLIT, startEngineHarness, WHOLE, type EngineHarness } from '../properties/support/engine-harness';

const engine: EngineConfig = { fraudThreshold: 0.8, deferMaxMs: 600_000, countTolerance: { units: 2, percent: 0.02 } };
let h: EngineHarness;
let runNo = 0;
let retriedJobs = 0;

beforeAll(async () => {
  h = await startEngineHarness(engine);
  await h.run(networkEvents(new Date(Date.now() - 5 * 24 * 3_600_000).toISOString()));
});

afterAll(async () => {
  await h?.close();
});

type Action =
  | { t: 'receive'; sku: number; loc: number; qty: number }
  | { t: 'order'; split: boolean; east: boolean; lines: { sku: number; qty: number }[] }
  | { t: 'cancel'; pick: number; failed: boolean };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('receive' as const), sku: fc.nat(), loc: fc.nat(), qty: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('order' as const), split: fc.boolean(), east: fc.boolean(),
      lines: fc.array(fc.record({ sku: fc.nat(), qty: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('cancel' as const), pick: fc.nat(), failed: fc.boolean() }) },
);

const planArb = fc.record({
  skus: fc.integer({ min: 2, max: 4 }),
  actions: fc.array(actionArb, { minLength: 20, maxLength: 60 }),
  jobs: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 10 }),
});

async function runConcurrently(plan: { skus: number; actions: Action[]; jobs: number[] }): Promise<void> {
  const tag = `c${++runNo}x`;
  const skus = ['A', 'B', 'C', 'D'].slice(0, plan.skus).map((s) => `${tag}-${s}`);
  let clock = Date.now() - 2 * 24 * 3_600_000;
  let n = 0;
  const ev = (type: RawEvent['type'], data: Record<string, unknown>): RawEvent => ({
    id: `${tag}-${++n}`, type, source: 'prop', occurredAt: new Date((clock += 60_000)).toISOString(), data,
  });
  await h.run(skus.map((s) => itemEvent(s, new Date(clock).toISOString(), `${tag}-item-${s}`)));

  const events: RawEvent[] = [];
  const orders: { id: string; lines: { sku: string; qty: number }[] }[] = [];
  const cancelled = new Set<string>();
  const receipts = new Map<string, number>();
  for (const a of plan.actions) {
    if (a.t === 'receive') {
      const sku = skus[a.sku % skus.length]!;
      const loc = SHIPPING[a.loc % SHIPPING.length]!.locationId;
      events.push(ev('stock.received', { sku, locationId: loc, qty: a.qty }));
      receipts.set(`${sku}@${loc}`, (receipts.get(`${sku}@${loc}`) ?? 0) + a.qty);
    } else if (a.t === 'order') {
      const id = `${tag}-O${orders.length + 1}`;
      const lines = a.lines.map((l) => ({ sku: skus[l.sku % skus.length]!, qty: l.qty }));
      orders.push({ id, lines });
      events.push(ev('order.created', {
        orderId: id, channel: a.split ? SPLIT : WHOLE, lines: lines.map((l) => ({ ...l, unitPrice: 1 })), shipTo: { region: a.east ? 'east' : 'west' }, payment: 'authorized',
      }));
    } else {
      const open = orders.filter((o) => !cancelled.has(o.id));
      const o = open[a.pick % Math.max(1, open.length)];
      if (!o) continue;
      cancelled.add(o.id);
      events.push(ev(a.failed ? 'order.payment_failed' : 'order.cancelled', { orderId: o.id }));
    }
  }

  const seqs = (await h.ingest(events)).map((s) => s!);
  const jobs: string[][] = [];
  for (let i = 0, k = 0; i < seqs.length; k++) {
    const size = plan.jobs[k % plan.jobs.length]!;
    jobs.push(seqs.slice(i, i + size));
    i += size;
  }
  // Four appliers, like one worker process with WORKER_CONCURRENCY=4; a failed job is retried (BullMQ).
  let next = 0;
  const failures: string[] = [];
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      for (let attempt = 1; ; attempt++) {
        try {
          await h.apply(job);
          break;
        } catch (err) {
          retriedJobs++;
          if (attempt >= 8) {
            failures.push(`job ${job.join(',')}: ${(err as Error).message}`);
            break;
          }
        }
      }
    }
  }));
  expect(failures, 'every job eventually commits').toEqual([]);
  // What waited for an order applied by a job still in flight is handed over again (the sweeper's job).
  for (let round = 0; round < 5; round++) {
    const left = (await h.db.sql`SELECT seq FROM events WHERE applied_at IS NULL AND event_id LIKE ${`${tag}-%`} ORDER BY seq`).map((r) => String(r.seq));
    if (left.length === 0) break;
    await h.apply(left);
  }
  const sql = h.db.sql;
  const outcomes = await sql`SELECT event_id, type, applied_at IS NOT NULL AS applied, apply_error FROM events WHERE event_id LIKE ${`${tag}-%`} AND (applied_at IS NULL OR apply_error IS NOT NULL)`;
  const problems: string[] = outcomes.map((o) => `event ${o.event_id} (${o.type}) not applied cleanly: applied=${o.applied} error=${o.apply_error}`);

  const buckets = await readBuckets(sql, skus);
  const lines = await readLines(sql, `${tag}-O`);
  problems.push(
    ...bucketProblems(buckets),
    ...lineProblems(lines),
    ...(await reservationProblems(sql, `${tag}-O`)),
    ...(await noSplitProblems(sql, `${tag}-O`)),
    ...(await breachProblems(sql, skus, `${tag}-O`)),
    ...(await atRestProblems(sql, skus, `${tag}-O`)),
  );
  for (const b of buckets) {
    const want = receipts.get(`${b.sku}@${b.location_id}`) ?? 0;
    if (b.on_hand !== want) problems.push(`${b.sku}@${b.location_id}: on hand ${b.on_hand}, received ${want}`);
  }
  for (const o of orders) {
    const mine = lines.filter((l) => l.order_id === o.id);
    const gone = cancelled.has(o.id);
    for (const l of mine) {
      if (gone && (l.cancelled !== l.qty || l.status !== 'cancelled')) problems.push(`${o.id} line ${l.line_no}: cancelled ${l.cancelled} of ${l.qty}, status ${l.status}`);
      if (!gone && l.cancelled !== 0) problems.push(`${o.id} line ${l.line_no}: cancelled ${l.cancelled} without a cancellation`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `after ${jobs.length} jobs applied four at a time:\n  - ${problems.join('\n  - ')}\n` +
      `events (seq: type data):\n${events.map((e, i) => `  ${seqs[i]}: ${e.type} ${JSON.stringify(e.data).split(`${tag}-`).join('')}`).join('\n')}\n` +
      `jobs: ${jobs.map((j) => `[${j.join(',')}]`).join(' ')}`,
    );
  }
}

it('keeps every invariant and the at-rest allocation rule whatever the interleaving of concurrent batches', async () => {
  await fc.assert(fc.asyncProperty(planArb, (plan) => runConcurrently(plan)), {
    numRuns: Number(process.env.PROP_RUNS ?? 12),
    interruptAfterTimeLimit: 40_000,
    // Interleavings are not replayable: do not shrink into unrelated schedules.
    endOnFailure: true,
  });
  if (process.env.PROP_DEBUG) console.log({ retriedJobs });
}, 120_000);
