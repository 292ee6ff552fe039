/**
 * Metamorphic property: how a worker happens to cut the stream into batches (job sizes depend on how
 * clients post, on retries, on the sweeper) must not change any decision. The same history is
 * delivered in lockstep to two sets of SKUs/orders: one event per batch (the contract's
 * event-by-event meaning) and the plan's random batches of 1–10. After every step reservations per
 * location, backorders, statuses and buckets must be identical; each delivery is also checked against
 * the reference model and the invariants, as in engine-model.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, it } from 'vitest';
import type { EngineConfig } from '../../jobs/engine/context';
import { networkEvents, startEngineHarness, type EngineHarness } from './support/engine-harness';
import { planArb, runPlanTwice } from './support/scenario';

const engine: EngineConfig = { fraudThreshold: 0.8, deferMaxMs: 10_000, countTolerance: { units: 2, percent: 0.5 } };

let h: EngineHarness;
let runNo = 0;

beforeAll(async () => {
  h = await startEngineHarness(engine);
  await h.run(networkEvents(new Date(Date.now() - 5 * 24 * 3_600_000).toISOString()));
});

afterAll(async () => {
  await h?.close();
});

it('decides the same whatever the batch boundaries', async () => {
  await fc.assert(
    fc.asyncProperty(planArb, async (plan) => {
      runNo++;
      await runPlanTwice(h, plan, { tagA: `b${runNo}a`, tagB: `b${runNo}b`, tolerance: engine.countTolerance });
    }),
    {
      numRuns: Number(process.env.PROP_RUNS ?? 15),
      interruptAfterTimeLimit: 40_000,
      ...(process.env.PROP_SEED ? { seed: Number(process.env.PROP_SEED), path: process.env.PROP_PATH, endOnFailure: true } : {}),
    },
  );
}, 120_000);
