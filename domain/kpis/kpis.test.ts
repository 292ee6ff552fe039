import { describe, expect, it } from 'vitest';
import { measureFacts, type KpiFact, type Window } from './facts';
import { centsToMoney, kpiSet, lossCents, meaningful, quantile } from './formulas';
import { noNowFigures } from './report';
import type { KpiSet, NowFigures, Throughput } from './types';

/**
 * One test per KPI of shared/spec/kpis.md, each over plain facts with hand-computed expectations,
 * the null case, and the window's edges: a fact at `from` counts, one at `to` does not.
 */
const T = (hhmmss: string) => Date.parse(`2026-11-27T${hhmmss}Z`);
const W: Window = { fromMs: T('10:00:00'), toMs: T('11:00:00') };
const EDGE_IN = W.fromMs;
const EDGE_OUT = W.toMs;
const LAST_IN = W.toMs - 1;
const BEFORE = W.fromMs - 1;
const HOUR = 3_600_000;

function kpis(facts: KpiFact[], opts: { now?: NowFigures; throughput?: Throughput } = {}): KpiSet {
  return kpiSet({
    measures: measureFacts(facts, W).total,
    now: opts.now ?? noNowFigures(),
    throughput: opts.throughput ?? { applied: 0, lag: { kind: 'values', values: [] } },
    dims: { channel: false, location: false },
  });
}

const order = (at: number, units: number, channel = 'web'): KpiFact => ({ kind: 'order', occurredAtMs: at, channel, units, count: 1 });
const first = (shippedAt: number, units: number, orderedUnits: number, over: Partial<Extract<KpiFact, { kind: 'firstShipment' }>> = {}): KpiFact => ({
  kind: 'firstShipment', shippedAtMs: shippedAt, createdAtMs: shippedAt - HOUR, channel: 'web', locationId: 'DC', orders: 1, units, orderedUnits,
  complete: units === orderedUnits ? 1 : 0, ...over,
});
const fulfilled = (shippedAt: number, cycleS: number, onTime: boolean): KpiFact => ({
  kind: 'fulfilled', shippedAtMs: shippedAt, channel: 'web', locationId: 'DC', cycleMs: cycleS * 1000, onTime: onTime ? 1 : 0, count: 1,
});

describe('orders and units ordered', () => {
  it('count order.created events in [from, to) and the units on them', () => {
    const k = kpis([order(EDGE_IN, 3), order(LAST_IN, 2, 'mkt-a'), order(EDGE_OUT, 5), order(BEFORE, 7)]);
    expect(k.orders).toBe(2);
    expect(k.unitsOrdered).toBe(5);
  });

  it('are 0, not null, for a window without orders (a count of nothing is a measurement)', () => {
    expect(kpis([order(EDGE_OUT, 1)])).toMatchObject({ orders: 0, unitsOrdered: 0 });
  });
});

describe('unit fill rate', () => {
  it('is units on first shipments ÷ units those orders ordered, for first shipments in the window', () => {
    // 2 of 3 and 4 of 4 in the window: 6 / 7; the one at `to` and the one before do not count.
    const k = kpis([first(EDGE_IN, 2, 3), first(LAST_IN, 4, 4), first(EDGE_OUT, 0 + 1, 9), first(BEFORE, 1, 9)]);
    expect(k.unitFillRate).toBe(0.8571);
  });

  it('counts the orders of the window by their first shipment, not by when they were created', () => {
    const k = kpis([first(EDGE_IN + 60_000, 1, 2, { createdAtMs: BEFORE - HOUR })]);
    expect(k.unitFillRate).toBe(0.5);
  });

  it('drops a first shipment displaced by an earlier one that arrived late (the correction cancels it)', () => {
    const k = kpis([first(EDGE_IN + 60_000, 1, 2), { ...(first(EDGE_IN + 60_000, 1, 2) as object), orders: -1, units: -1, orderedUnits: -2, complete: 0 } as KpiFact, first(EDGE_IN, 2, 2)]);
    expect(k.unitFillRate).toBe(1);
  });

  it('is null when no first shipment falls in the window', () => {
    expect(kpis([order(EDGE_IN, 2), first(EDGE_OUT, 1, 1)]).unitFillRate).toBeNull();
  });
});

describe('order fill rate', () => {
  it('is orders whose first shipment held every ordered unit ÷ orders first shipped in the window', () => {
    const k = kpis([first(EDGE_IN, 3, 3), first(LAST_IN, 1, 2), first(T('10:30:00'), 5, 5), first(EDGE_OUT, 1, 1)]);
    expect(k.orderFillRate).toBe(0.6667);
  });

  it('is null when nothing was first shipped in the window', () => {
    expect(kpis([first(BEFORE, 1, 1)]).orderFillRate).toBeNull();
  });
});

describe('cycle time', () => {
  it('reports nearest-rank p50, p90, p99 and the mean, in seconds, of orders whose last unit shipped in the window', () => {
    // Ten orders of 1..10 h: p50 = 5th = 5 h, p90 = 9th = 9 h, p99 = 10th = 10 h, mean 5.5 h.
    const facts = Array.from({ length: 10 }, (_, i) => fulfilled(EDGE_IN + i * 60_000, (i + 1) * 3600, true));
    const k = kpis([...facts, fulfilled(EDGE_OUT, 99_999, true), fulfilled(BEFORE, 99_999, true)]);
    expect(k.cycleTime).toEqual({ p50: 18_000, p90: 32_400, p99: 36_000, mean: 19_800 });
  });

  it('keeps millisecond precision', () => {
    const k = kpis([{ ...(fulfilled(LAST_IN, 0, true) as object), cycleMs: 1_234 } as KpiFact]);
    expect(k.cycleTime).toEqual({ p50: 1.234, p90: 1.234, p99: 1.234, mean: 1.234 });
  });

  it('has null members when no order finished shipping in the window', () => {
    expect(kpis([fulfilled(EDGE_OUT, 10, true)]).cycleTime).toEqual({ p50: null, p90: null, p99: null, mean: null });
  });
});

describe('on-time ship rate', () => {
  it('is the share of orders fully shipped in the window that shipped by their promise', () => {
    const k = kpis([fulfilled(EDGE_IN, 10, true), fulfilled(LAST_IN, 10, false), fulfilled(T('10:10:00'), 10, true), fulfilled(T('10:20:00'), 10, true), fulfilled(EDGE_OUT, 10, false)]);
    expect(k.onTimeShipRate).toBe(0.75);
  });

  it('is null when no order finished shipping in the window', () => {
    expect(kpis([]).onTimeShipRate).toBeNull();
  });
});

describe('backordered units', () => {
  it('sums units backordered by orders created in the window, whenever the backorder happened', () => {
    const k = kpis([
      { kind: 'backordered', createdAtMs: EDGE_IN, channel: 'web', units: 3 },
      { kind: 'backordered', createdAtMs: LAST_IN, channel: 'mkt-a', units: 1 },
      { kind: 'backordered', createdAtMs: EDGE_OUT, channel: 'web', units: 4 },
    ]);
    expect(k.backorderedUnits).toBe(4);
  });

  it('is 0 when nothing was backordered', () => {
    expect(kpis([order(EDGE_IN, 1)]).backorderedUnits).toBe(0);
  });
});

describe('oversell exposure and at-risk orders', () => {
  it('are the "now" figures, whatever the window', () => {
    const now = { oversellExposure: { units: 7, pairs: 2 }, atRiskOrders: 3 };
    expect(kpis([], { now })).toMatchObject({ oversellExposure: { units: 7, pairs: 2 }, atRiskOrders: 3 });
  });

  it('have no meaning by location (null), and keep their meaning by channel', () => {
    const now = { oversellExposure: { units: 7, pairs: 2 }, atRiskOrders: 3 };
    const byLocation = kpiSet({ measures: measureFacts([], W).total, now, throughput: null, dims: { channel: false, location: true } });
    expect(byLocation).toMatchObject({ oversellExposure: { units: null, pairs: null }, atRiskOrders: null });
    const byChannel = kpiSet({ measures: measureFacts([], W).total, now, throughput: null, dims: { channel: true, location: false } });
    expect(byChannel).toMatchObject({ oversellExposure: { units: 7, pairs: 2 }, atRiskOrders: 3 });
  });
});

describe('inventory accuracy', () => {
  it('is counts within tolerance ÷ all counts in the window', () => {
    const count = (at: number, within: boolean): KpiFact => ({ kind: 'counted', countedAtMs: at, locationId: 'DC', withinTolerance: within ? 1 : 0, count: 1 });
    const k = kpis([count(EDGE_IN, true), count(LAST_IN, false), count(T('10:30:00'), true), count(EDGE_OUT, false), count(BEFORE, false)]);
    expect(k.inventoryAccuracy).toBe(0.6667);
  });

  it('is null without counts, and by channel (a count has no channel)', () => {
    expect(kpis([]).inventoryAccuracy).toBeNull();
    expect(meaningful('inventoryAccuracy', { channel: true, location: false })).toBe(false);
  });
});

describe('return resolution time', () => {
  const resolved = (at: number, hours: number): KpiFact => ({ kind: 'returnResolved', resolvedAtMs: at, channel: 'web', locationId: 'DC', resolutionMs: hours * HOUR, count: 1 });

  it('reports p50 and p90 in seconds of returns resolved in the window', () => {
    // 2, 4, 6, 8, 24 h: p50 = 3rd = 6 h, p90 = 5th = 24 h.
    const k = kpis([resolved(EDGE_IN, 2), resolved(T('10:10:00'), 4), resolved(T('10:20:00'), 6), resolved(T('10:30:00'), 8), resolved(LAST_IN, 24), resolved(EDGE_OUT, 1)]);
    expect(k.returnResolution).toEqual({ p50: 21_600, p90: 86_400 });
  });

  it('has null members when no return was resolved in the window', () => {
    expect(kpis([resolved(EDGE_OUT, 1)]).returnResolution).toEqual({ p50: null, p90: null });
  });
});

describe('recovery loss', () => {
  const disposition = (at: number, unitCost: number, qty: number, restock = false): KpiFact => ({
    kind: 'disposition', inspectedAtMs: at, channel: 'web', locationId: 'DC', lossCents: restock ? 0 : lossCents(unitCost, qty), count: 1,
  });

  it('sums unit cost × qty of units not restocked, in cents, with 2 decimals', () => {
    // 3 × 0.10 + 1 × 0.20 = 0.50 exactly (in floats 0.1 × 3 + 0.2 is 0.5000000000000001).
    const k = kpis([disposition(EDGE_IN, 0.1, 3), disposition(LAST_IN, 0.2, 1), disposition(T('10:30:00'), 6.5, 4, true), disposition(EDGE_OUT, 100, 1)]);
    expect(k.recoveryLoss).toBe(0.5);
  });

  it('is 0 when every inspected unit went back on the shelf, and null when nothing was inspected', () => {
    expect(kpis([disposition(EDGE_IN, 6.5, 2, true)]).recoveryLoss).toBe(0);
    expect(kpis([disposition(EDGE_OUT, 6.5, 2)]).recoveryLoss).toBeNull();
    expect(centsToMoney(1999)).toBe(19.99);
  });
});

describe('throughput', () => {
  it('is events applied per second over the last minute and the lag percentiles', () => {
    const values = [...Array(98).fill(10), 400, 900];
    const k = kpis([], { throughput: { applied: 120, lag: { kind: 'values', values } } });
    expect(k.throughput).toEqual({ eventsPerSecond: 2, lagP50Ms: 10, lagP99Ms: 400 });
  });

  it('reports a rate of 0 and null lag when nothing was applied; null in any breakdown', () => {
    expect(kpis([]).throughput).toEqual({ eventsPerSecond: 0, lagP50Ms: null, lagP99Ms: null });
    const t = kpiSet({ measures: measureFacts([], W).total, now: noNowFigures(), throughput: { applied: 60, lag: { kind: 'values', values: [1] } }, dims: { channel: true, location: false } });
    expect(t.throughput).toEqual({ eventsPerSecond: null, lagP50Ms: null, lagP99Ms: null });
  });
});

describe('breakdowns', () => {
  it('count an order at its channel, and at the location of its first shipment by the order\'s own time', () => {
    const facts: KpiFact[] = [
      order(EDGE_IN, 3, 'web'),
      first(T('12:00:00'), 3, 3, { createdAtMs: EDGE_IN, locationId: 'DC-EAST' }),
      order(T('10:05:00'), 1, 'mkt-a'),
    ];
    const m = measureFacts(facts, W);
    expect(m.byChannel.get('web')!.orders).toBe(1);
    expect(m.byChannel.get('mkt-a')!.unitsOrdered).toBe(1);
    expect(m.byLocation.get('DC-EAST')).toMatchObject({ orders: 1, unitsOrdered: 3 });
    // The shipment itself is outside the window: no fill rate at DC-EAST for it.
    expect(m.byLocation.get('DC-EAST')!.firstShipped.orders).toBe(0);
  });
});

describe('quantile', () => {
  it('reads the same nearest rank from every form of a distribution', () => {
    expect(quantile({ kind: 'values', values: [5, 1, 3] }, 0.5)).toBe(3);
    expect(quantile({ kind: 'quantiles', quantiles: { '0.5': 3 } }, 0.5)).toBe(3);
    expect(quantile({ kind: 'quantiles', quantiles: {} }, 0.9)).toBeNull();
    expect(quantile({ kind: 'buckets', counts: new Map() }, 0.5)).toBeNull();
  });
});
