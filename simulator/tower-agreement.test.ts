import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allApplied } from '../tests/support/small-day';
import { startTestTower, type TestTower } from '../tests/support/tower';
import { RetailSimulator } from './generator';
import type { RawEvent } from './raw-event';
import { parseScenarios } from './scenarios';

/**
 * The OMS mirror against the real tower: a stream with a flash sale, a warehouse disruption (short
 * picks), a marketplace outage (late events) and failing payments must apply without a single
 * invalid_event, and leave the tower's book exactly where the simulator's is.
 */
const MINUTES = 40;

let t: TestTower;
let sim: RetailSimulator;

/** t.createApiKey names the key after its sources, longer than the 100 characters a name may have here. */
async function createKey(sources: readonly string[]): Promise<string> {
  const res = await fetch(`${t.url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: t.adminCookie, origin: t.url },
    body: JSON.stringify({ name: 'retail simulator', sources }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function post(key: string, events: RawEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    const res = await t.postEvents(key, batch.map((e) => JSON.stringify(e)).join('\n'), 'application/x-ndjson');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: batch.length, duplicates: 0, rejected: [] });
  }
}

beforeAll(async () => {
  t = await startTestTower({ WORKER_CONCURRENCY: '1' });
  // Whole minutes in the past, so no event is in the tower's future.
  const startMs = Math.floor(Date.now() / 60_000) * 60_000 - (MINUTES + 2) * 60_000;
  sim = new RetailSimulator({
    seed: 20261127, runId: 'agree', startMs, ordersPerMinute: 90, skuCount: 150,
    scenarios: parseScenarios('flash-sale@1m+15m,warehouse-disruption@4m+8m,marketplace-outage:zalando@6m+5m,payment-provider-failure@3m+10m,returns-wave@25m'),
  });
  const key = await createKey(sim.sources);
  await post(key, sim.setup());
  await allApplied(t, 30_000);
  await post(key, sim.advance(startMs + MINUTES * 60_000));
  await allApplied(t, 60_000);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('the OMS mirror agrees with the tower', () => {
  it('ran the scenarios it is meant to check', () => {
    const stats = sim.stats();
    expect(stats['flash.orders']).toBeGreaterThan(50);
    expect(stats['events.fulfillment.short_picked']).toBeGreaterThan(5);
    expect(stats['outage.replayedActions']).toBeGreaterThan(5);
    expect(stats['events.order.payment_failed']).toBeGreaterThan(0);
    expect(stats['orders.backorderedOnArrival']).toBeGreaterThan(10);
  });

  it('opens no invalid_event and no invariant_breach', async () => {
    const rows = await t.db.sql`SELECT type, details FROM exceptions WHERE type IN ('invalid_event', 'invariant_breach') LIMIT 20`;
    expect(rows.map((r) => `${r.type}: ${JSON.stringify(r.details)}`)).toEqual([]);
  });

  it('has the same buckets per SKU × location', async () => {
    const tower = new Map<string, string>();
    for (const r of await t.db.sql`SELECT sku, location_id, on_hand, reserved, in_transit, returns_pending FROM inventory`) {
      tower.set(`${r.sku}@${r.location_id}`, `${r.on_hand}/${r.reserved}/${r.in_transit}/${r.returns_pending}`);
    }
    const model = new Map<string, string>();
    for (const { sku, locationId, bucket: b } of sim.oms.buckets()) {
      const value = `${b.onHand}/${b.reserved}/${b.inTransit}/${b.returnsPending}`;
      // The model creates empty buckets when it looks at one; the tower has no row for those.
      if (value !== '0/0/0/0' || tower.has(`${sku}@${locationId}`)) model.set(`${sku}@${locationId}`, value);
    }
    expect(model.size).toBeGreaterThan(300);
    const differ = [...new Set([...tower.keys(), ...model.keys()])].filter((k) => tower.get(k) !== model.get(k));
    expect(differ.map((k) => `${k}: tower ${tower.get(k)} model ${model.get(k)}`)).toEqual([]);
  });

  it('has the same reservations and backorders per order', async () => {
    const tower = new Map<string, string>();
    for (const r of await t.db.sql`SELECT order_id, location_id, sku, sum(qty)::int AS qty FROM reservations GROUP BY 1, 2, 3`) {
      tower.set(`${r.order_id} ${r.sku}@${r.location_id}`, `reserved ${r.qty}`);
    }
    for (const r of await t.db.sql`SELECT order_id, sku, sum(backordered)::int AS qty FROM order_lines WHERE backordered > 0 GROUP BY 1, 2`) {
      tower.set(`${r.order_id} ${r.sku}`, `backordered ${r.qty}`);
    }
    const model = new Map<string, string>();
    for (const order of sim.oms.orders()) {
      for (const l of order.lines) {
        for (const [locationId, qty] of l.reserved) model.set(`${order.orderId} ${l.sku}@${locationId}`, `reserved ${qty}`);
        if (l.backordered > 0) model.set(`${order.orderId} ${l.sku}`, `backordered ${l.backordered}`);
      }
    }
    expect(model.size).toBeGreaterThan(100);
    const differ = [...new Set([...tower.keys(), ...model.keys()])].filter((k) => tower.get(k) !== model.get(k));
    expect(differ.slice(0, 20).map((k) => `${k}: tower ${tower.get(k)} model ${model.get(k)}`)).toEqual([]);
  });
});
