import { emptyMeasures } from './formulas';
import type { KpiMeasures } from './types';

/**
 * The facts KPIs are measured from, as the worker records them when an event changes something a
 * KPI counts (and as the rebuild reads them back from PostgreSQL). Times are event times (epoch ms).
 * Every number is additive, so facts can be grouped, and a correction is a fact with negative numbers.
 */
export type KpiFact =
  /** Orders created, with the units they ordered. */
  | { kind: 'order'; occurredAtMs: number; channel: string; units: number; count: number }
  /**
   * An order's first shipment: units on it against units ordered. Counted at the shipment's time;
   * the order (and its units) also count at the location, at the order's time. When an earlier
   * shipment arrives late, the one it displaces comes back with negative numbers.
   */
  | {
      kind: 'firstShipment';
      shippedAtMs: number;
      createdAtMs: number;
      channel: string;
      locationId: string;
      orders: number;
      units: number;
      orderedUnits: number;
      complete: number;
    }
  /** An order whose last unit shipped: at its last shipment's time and location. */
  | { kind: 'fulfilled'; shippedAtMs: number; channel: string; locationId: string; cycleMs: number; onTime: number; count: number }
  /** Units of an order that went to backorder for the first time (never more than the line ordered). */
  | { kind: 'backordered'; createdAtMs: number; channel: string; units: number }
  /** Cycle counts, and how many were within tolerance. */
  | { kind: 'counted'; countedAtMs: number; locationId: string; withinTolerance: number; count: number }
  /** A return whose last received unit was inspected: at that inspection's time. */
  | { kind: 'returnResolved'; resolvedAtMs: number; channel: string; locationId: string; resolutionMs: number; count: number }
  /** Disposition lines inspected, and the cost of their units that left stock (not restocked). */
  | { kind: 'disposition'; inspectedAtMs: number; channel: string; locationId: string; lossCents: number; count: number };

/** A half-open window `[fromMs, toMs)` of event time. */
export interface Window {
  fromMs: number;
  toMs: number;
}

export const inWindow = (atMs: number, w: Window) => atMs >= w.fromMs && atMs < w.toMs;

/** A duration between two event times, never below 0 (systems' clocks differ; a negative time is not a time). */
export const durationMs = (fromMs: number, toMs: number) => Math.max(0, toMs - fromMs);

export interface MeasuredFacts {
  total: KpiMeasures;
  byChannel: Map<string, KpiMeasures>;
  byLocation: Map<string, KpiMeasures>;
}

const push = (samples: KpiMeasures['fulfilled']['cycle'], value: number, times: number) => {
  if (samples.kind !== 'values') throw new Error('reference measures hold every value');
  for (let i = 0; i < times; i++) samples.values.push(value);
};

/**
 * The reference definition of which facts count in a window, for the whole and per channel and
 * location. The exact queries and the live aggregates compute the same measures at scale; the tests
 * hold both to this.
 */
export function measureFacts(facts: Iterable<KpiFact>, w: Window): MeasuredFacts {
  const total = emptyMeasures();
  const byChannel = new Map<string, KpiMeasures>();
  const byLocation = new Map<string, KpiMeasures>();
  const of = (map: Map<string, KpiMeasures>, key: string) => {
    let m = map.get(key);
    if (!m) map.set(key, (m = emptyMeasures()));
    return m;
  };
  for (const f of facts) {
    switch (f.kind) {
      case 'order':
        if (!inWindow(f.occurredAtMs, w)) break;
        for (const m of [total, of(byChannel, f.channel)]) {
          m.orders += f.count;
          m.unitsOrdered += f.units;
        }
        break;
      case 'firstShipment':
        if (inWindow(f.shippedAtMs, w)) {
          for (const m of [total, of(byChannel, f.channel), of(byLocation, f.locationId)]) {
            m.firstShipped.orders += f.orders;
            m.firstShipped.units += f.units;
            m.firstShipped.orderedUnits += f.orderedUnits;
            m.firstShipped.complete += f.complete;
          }
        }
        if (inWindow(f.createdAtMs, w)) {
          const m = of(byLocation, f.locationId);
          m.orders += f.orders;
          m.unitsOrdered += f.orderedUnits;
        }
        break;
      case 'fulfilled':
        if (!inWindow(f.shippedAtMs, w)) break;
        for (const m of [total, of(byChannel, f.channel), of(byLocation, f.locationId)]) {
          m.fulfilled.orders += f.count;
          m.fulfilled.onTime += f.onTime;
          m.fulfilled.sumMs += f.cycleMs * f.count;
          push(m.fulfilled.cycle, f.cycleMs, f.count);
        }
        break;
      case 'backordered':
        if (!inWindow(f.createdAtMs, w)) break;
        for (const m of [total, of(byChannel, f.channel)]) m.backorderedUnits += f.units;
        break;
      case 'counted':
        if (!inWindow(f.countedAtMs, w)) break;
        for (const m of [total, of(byLocation, f.locationId)]) {
          m.counts.total += f.count;
          m.counts.withinTolerance += f.withinTolerance;
        }
        break;
      case 'returnResolved':
        if (!inWindow(f.resolvedAtMs, w)) break;
        for (const m of [total, of(byChannel, f.channel), of(byLocation, f.locationId)]) {
          m.returns.resolved += f.count;
          push(m.returns.resolution, f.resolutionMs, f.count);
        }
        break;
      case 'disposition':
        if (!inWindow(f.inspectedAtMs, w)) break;
        for (const m of [total, of(byChannel, f.channel), of(byLocation, f.locationId)]) {
          m.dispositions.lines += f.count;
          m.dispositions.lossCents += f.lossCents;
        }
        break;
    }
  }
  return { total, byChannel, byLocation };
}
