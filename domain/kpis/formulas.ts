import { percentileExact, percentileFromBuckets } from '../live/histogram';
import type { Dimensions, KpiMeasures, KpiSet, NowFigures, Samples, Throughput } from './types';

/**
 * The KPI formulas: pure functions from measures (counts, sums, distributions) to figures. The exact
 * path (PostgreSQL) and the live path (Redis) compute the same measures their own way and both call
 * `kpiSet`, so a figure cannot be defined twice.
 */

/** Nearest-rank quantile of a distribution, in its unit (ms); null when it is empty. */
export function quantile(samples: Samples, q: number): number | null {
  switch (samples.kind) {
    case 'values':
      return percentileExact(samples.values, q);
    case 'buckets':
      return percentileFromBuckets(samples.counts, q);
    case 'quantiles':
      return samples.quantiles[String(q)] ?? null;
  }
}

const round = (value: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};
/** A share of a population; null when the population is empty (nothing to measure). */
const ratio = (part: number, whole: number) => (whole > 0 ? round(part / whole, 4) : null);
/** Milliseconds as seconds with millisecond precision. */
const seconds = (ms: number | null) => (ms === null ? null : round(ms / 1000, 3));
/** Money is summed in whole cents (no float error) and reported with 2 decimals. */
export const centsToMoney = (cents: number) => Math.round(cents) / 100;
/** The cost of `qty` units at a unit cost with at most 2 decimals, in cents. */
export const lossCents = (unitCost: number, qty: number) => Math.round(unitCost * 100) * qty;

export const ordersKpi = (m: KpiMeasures) => m.orders;
export const unitsOrderedKpi = (m: KpiMeasures) => m.unitsOrdered;

/** Units on first shipments ÷ units those orders ordered. */
export const unitFillRate = (m: KpiMeasures) =>
  m.firstShipped.orders > 0 ? ratio(m.firstShipped.units, m.firstShipped.orderedUnits) : null;

/** Orders whose first shipment held every ordered unit ÷ orders first shipped. */
export const orderFillRate = (m: KpiMeasures) => ratio(m.firstShipped.complete, m.firstShipped.orders);

export function cycleTime(m: KpiMeasures): KpiSet['cycleTime'] {
  const { orders, sumMs, cycle } = m.fulfilled;
  if (orders <= 0) return { p50: null, p90: null, p99: null, mean: null };
  return {
    p50: seconds(quantile(cycle, 0.5)),
    p90: seconds(quantile(cycle, 0.9)),
    p99: seconds(quantile(cycle, 0.99)),
    mean: seconds(sumMs / orders),
  };
}

/** Orders fully shipped by their promise ÷ orders fully shipped. */
export const onTimeShipRate = (m: KpiMeasures) => ratio(m.fulfilled.onTime, m.fulfilled.orders);

export const backorderedUnitsKpi = (m: KpiMeasures) => m.backorderedUnits;

/** Counts within tolerance ÷ all counts. */
export const inventoryAccuracy = (m: KpiMeasures) => ratio(m.counts.withinTolerance, m.counts.total);

export function returnResolution(m: KpiMeasures): KpiSet['returnResolution'] {
  if (m.returns.resolved <= 0) return { p50: null, p90: null };
  return { p50: seconds(quantile(m.returns.resolution, 0.5)), p90: seconds(quantile(m.returns.resolution, 0.9)) };
}

/** Cost of returned units that left stock; null when nothing was dispositioned, 0 when all went back on the shelf. */
export const recoveryLoss = (m: KpiMeasures) => (m.dispositions.lines > 0 ? centsToMoney(m.dispositions.lossCents) : null);

/** Events applied per second over the last minute, and the lag percentiles (null when nothing applied). */
export function throughput(t: Throughput): KpiSet['throughput'] {
  const lag = (q: number) => {
    const v = quantile(t.lag, q);
    return v === null ? null : round(v, 1);
  };
  return { eventsPerSecond: round(t.applied / 60, 1), lagP50Ms: lag(0.5), lagP99Ms: lag(0.99) };
}

type KpiName = keyof KpiSet;

/**
 * The dimensions each KPI has a meaning in. Orders belong to a channel, and to the location that
 * shipped them (the first shipment's for orders, units and fill rates; the last one's for cycle time
 * and on time); backorders and at-risk orders have not shipped from anywhere; a listing belongs to a
 * channel, a count to a location; a return to its order's channel and the location that took it back.
 * Throughput is the pipeline's, not a channel's or a location's.
 */
export const kpiDimensions: Record<KpiName, Dimensions> = {
  orders: { channel: true, location: true },
  unitsOrdered: { channel: true, location: true },
  unitFillRate: { channel: true, location: true },
  orderFillRate: { channel: true, location: true },
  cycleTime: { channel: true, location: true },
  onTimeShipRate: { channel: true, location: true },
  backorderedUnits: { channel: true, location: false },
  oversellExposure: { channel: true, location: false },
  atRiskOrders: { channel: true, location: false },
  inventoryAccuracy: { channel: false, location: true },
  returnResolution: { channel: true, location: true },
  recoveryLoss: { channel: true, location: true },
  throughput: { channel: false, location: false },
};

/** Whether a KPI means something for a population narrowed by `dims`. */
export const meaningful = (kpi: KpiName, dims: Dimensions) =>
  (!dims.channel || kpiDimensions[kpi].channel) && (!dims.location || kpiDimensions[kpi].location);

export const emptyMeasures = (): KpiMeasures => ({
  orders: 0,
  unitsOrdered: 0,
  firstShipped: { orders: 0, units: 0, orderedUnits: 0, complete: 0 },
  fulfilled: { orders: 0, onTime: 0, sumMs: 0, cycle: { kind: 'values', values: [] } },
  backorderedUnits: 0,
  counts: { total: 0, withinTolerance: 0 },
  returns: { resolved: 0, resolution: { kind: 'values', values: [] } },
  dispositions: { lines: 0, lossCents: 0 },
});

/**
 * One KPI set. `dims` says how the population is narrowed (by a breakdown or a filter): KPIs without a
 * meaning there are null. `now` is measured for the same population; `throughput` only for the whole.
 */
export function kpiSet(input: { measures: KpiMeasures; now: NowFigures; throughput: Throughput | null; dims: Dimensions }): KpiSet {
  const { measures: m, now, dims } = input;
  const has = (kpi: KpiName) => meaningful(kpi, dims);
  const t = input.throughput && has('throughput') ? throughput(input.throughput) : { eventsPerSecond: null, lagP50Ms: null, lagP99Ms: null };
  return {
    orders: has('orders') ? ordersKpi(m) : null,
    unitsOrdered: has('unitsOrdered') ? unitsOrderedKpi(m) : null,
    unitFillRate: has('unitFillRate') ? unitFillRate(m) : null,
    orderFillRate: has('orderFillRate') ? orderFillRate(m) : null,
    cycleTime: has('cycleTime') ? cycleTime(m) : { p50: null, p90: null, p99: null, mean: null },
    onTimeShipRate: has('onTimeShipRate') ? onTimeShipRate(m) : null,
    backorderedUnits: has('backorderedUnits') ? backorderedUnitsKpi(m) : null,
    oversellExposure: has('oversellExposure') ? { ...now.oversellExposure } : { units: null, pairs: null },
    atRiskOrders: has('atRiskOrders') ? now.atRiskOrders : null,
    inventoryAccuracy: has('inventoryAccuracy') ? inventoryAccuracy(m) : null,
    returnResolution: has('returnResolution') ? returnResolution(m) : { p50: null, p90: null },
    recoveryLoss: has('recoveryLoss') ? recoveryLoss(m) : null,
    throughput: t,
  };
}
