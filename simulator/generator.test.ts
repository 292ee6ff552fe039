import { describe, expect, it } from 'vitest';
import { validateEvent } from '../domain/events/validate';
import { RetailSimulator } from './generator';
import { ModelReplay } from './model-replay';
import { parseScenarios } from './scenarios';
import { runFor, START_MS } from './testing';

const ALL = parseScenarios('flash-sale@10m,marketplace-outage@20m,payment-provider-failure@25m,warehouse-disruption@30m,returns-wave@40m');

describe('RetailSimulator determinism', () => {
  it('gives the same stream for the same seed, however advance is stepped', () => {
    const options = { ordersPerMinute: 200, skuCount: 400, scenarios: ALL };
    const a = runFor({ minutes: 45, stepMs: 60_000, options });
    const b = new RetailSimulator({ seed: 1, runId: 'test', startMs: START_MS, ...options });
    const stream = [...b.setup()];
    // Uneven steps, some inside a tick, some many ticks long, one backwards.
    const steps = [1, 999, 1000, 1001, 2500, 7_000, 59_999, 120_001, 300];
    let until = START_MS;
    for (let i = 0; until < START_MS + 45 * 60_000; i++) {
      until = Math.min(START_MS + 45 * 60_000, until + steps[i % steps.length]!);
      stream.push(...b.advance(i % 7 === 3 ? until - 5_000 : until));
    }
    expect(stream.length).toBe(a.setup.length + a.events.length);
    expect(JSON.stringify(stream)).toBe(JSON.stringify([...a.setup, ...a.events]));
    expect(b.stats()).toEqual(a.sim.stats());
  });

  it('gives a different stream for a different seed', () => {
    const a = runFor({ minutes: 5, options: { skuCount: 200 } });
    const b = runFor({ minutes: 5, options: { skuCount: 200, seed: 2 } });
    expect(JSON.stringify(b.events.slice(0, 50))).not.toBe(JSON.stringify(a.events.slice(0, 50)));
    expect(b.setup.map((e) => e.data)).not.toEqual(a.setup.map((e) => e.data));
  });

  it('emits only whole ticks up to toMs', () => {
    const sim = new RetailSimulator({ seed: 3, runId: 'ticks', startMs: START_MS, skuCount: 100 });
    sim.setup();
    const first = sim.advance(START_MS + 10_500);
    expect(sim.clockMs).toBe(START_MS + 10_000);
    expect(first.every((e) => Date.parse(e.occurredAt) <= START_MS + 10_000)).toBe(true);
    expect(first.every((e) => Date.parse(e.occurredAt) > START_MS)).toBe(true);
    expect(sim.advance(START_MS + 10_999)).toEqual([]);
    expect(sim.advance(START_MS + 5_000)).toEqual([]);
  });

  it('refuses misuse with a clear message', () => {
    const sim = new RetailSimulator({ seed: 1, runId: 'm', startMs: START_MS, skuCount: 50 });
    expect(() => sim.advance(START_MS + 1000)).toThrow(/setup\(\) before advance/);
    sim.setup();
    expect(() => sim.setup()).toThrow(/called already/);
    expect(() => new RetailSimulator({ seed: 1, runId: 'bad id!', startMs: START_MS })).toThrow(/runId/);
    expect(() => new RetailSimulator({ seed: 1, runId: 'r', startMs: START_MS, skuCount: 3 })).toThrow(/skuCount/);
    expect(() => new RetailSimulator({ seed: 1, runId: 'r', startMs: START_MS, ordersPerMinute: 0 })).toThrow(/ordersPerMinute/);
  });
});

describe('RetailSimulator stream', () => {
  // Default catalogue and rate, every scenario: the stream a benchmark would send.
  const run = runFor({ minutes: 60, options: { scenarios: ALL } });
  const all = [...run.setup, ...run.events];

  it('emits only events the contract accepts', () => {
    const now = new Date(START_MS + 61 * 60_000);
    const invalid = all.map((e) => ({ e, v: validateEvent(e, now, 300_000) })).filter((x) => !x.v.ok);
    expect(invalid.slice(0, 3).map((x) => ({ event: x.e, result: x.v }))).toEqual([]);
    expect(all.length).toBeGreaterThan(60_000);
  });

  it('uses unique, run-prefixed ids and exactly the sources it declares', () => {
    expect(new Set(all.map((e) => `${e.source}/${e.id}`)).size).toBe(all.length);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.every((e) => e.id.startsWith('test-'))).toBe(true);
    expect([...new Set(all.map((e) => e.source))].sort()).toEqual([...run.sim.sources].sort());
    expect(run.sim.sources).toHaveLength(new Set(run.sim.sources).size);
  });

  it('dates events in simulated time, never after the chunk, in order except replayed outage events', () => {
    let last = START_MS;
    const late: string[] = [];
    for (const chunk of run.chunks) {
      for (const e of chunk.events) {
        const at = Date.parse(e.occurredAt);
        expect(e.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(at).toBeLessThanOrEqual(chunk.untilMs);
        if (at < last) late.push(e.source);
        else last = at;
      }
    }
    expect(late.length).toBeGreaterThan(0);
    expect(new Set(late)).toEqual(new Set(['mkt-amazon']));
  });

  it('has the shape of a retailer: every kind of event, a long tail of SKUs, bigger EDI orders', () => {
    const count = (type: string) => all.filter((e) => e.type === type).length;
    for (const type of ['order.created', 'order.payment_authorized', 'order.payment_failed', 'order.cancelled', 'fulfillment.picked', 'fulfillment.short_picked', 'fulfillment.shipped',
      'order.delivered', 'stock.received', 'stock.adjusted', 'stock.counted', 'stock.transfer_shipped', 'stock.transfer_received', 'channel.stock_snapshot',
      'return.received', 'return.inspected', 'refund.issued', 'item.upserted', 'location.upserted', 'channel.upserted']) {
      expect(count(type), type).toBeGreaterThan(0);
    }
    const orders = run.events.filter((e) => e.type === 'order.created').map((e) => e.data as { channel: string; lines: { sku: string; qty: number }[]; fraudScore?: number });
    expect(orders.length / 60).toBeGreaterThan(270);
    expect(orders.length / 60).toBeLessThan(400);
    const units = new Map<string, number>();
    for (const o of orders) for (const l of o.lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.qty);
    const sorted = [...units.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    // A few SKUs sell a lot (top 1 % over a quarter of the units), most sell rarely.
    expect(sorted.slice(0, 20).reduce((a, b) => a + b, 0) / total).toBeGreaterThan(0.25);
    expect(units.size).toBeLessThan(2000);
    const avgUnits = (channel: string) => {
      const list = orders.filter((o) => o.channel === channel);
      return list.reduce((n, o) => n + o.lines.reduce((u, l) => u + l.qty, 0), 0) / list.length;
    };
    expect(avgUnits('edi')).toBeGreaterThan(5 * avgUnits('web'));
    const held = orders.filter((o) => (o.fraudScore ?? 0) >= 0.8).length;
    expect(held).toBeGreaterThan(0);
    expect(held / orders.length).toBeLessThan(0.02);
    const lines = orders.map((o) => o.lines.length);
    expect(Math.min(...lines)).toBe(1);
    expect(Math.max(...orders.filter((o) => o.channel !== 'edi').map((o) => o.lines.length))).toBe(4);
  });

  it('ships only what its book reserved, and the stream alone rebuilds that book', () => {
    const replay = new ModelReplay(run.sim.world, { exhaustive: true });
    for (const e of all) {
      replay.apply(e);
      if (e.type === 'stock.adjusted' || e.type === 'stock.counted' || e.type === 'fulfillment.shipped') {
        const d = e.data as { sku?: string; locationId: string };
        if (d.sku) expect(replay.oms.bucket(d.sku, d.locationId).reserved).toBeLessThanOrEqual(replay.oms.bucket(d.sku, d.locationId).onHand);
      }
    }
    const book = (oms: RetailSimulator['oms']) => [...oms.buckets()].filter((b) => Object.values(b.bucket).some((v) => v !== 0)).map((b) => JSON.stringify(b)).sort();
    expect(book(replay.oms)).toEqual(book(run.sim.oms));
    const open = (oms: RetailSimulator['oms']) => [...oms.orders()]
      .filter((o) => o.lines.some((l) => l.backordered > 0 || l.reserved.size > 0))
      .map((o) => JSON.stringify([o.orderId, o.lines.map((l) => [l.sku, l.backordered, [...l.reserved].sort()])])).sort();
    expect(open(replay.oms)).toEqual(open(run.sim.oms));
    expect(open(run.sim.oms).length).toBeGreaterThan(100);
  });
});
