/**
 * The KPI set of the spec (shared/spec/kpis.md), the same in the exact API (PostgreSQL) and the live
 * one (Redis). Rates are fractions 0–1, times are seconds, money is in the tower's currency. A KPI
 * with nothing to measure, or with no meaning in a breakdown, is null; a compound KPI keeps its shape
 * and has null members instead.
 */
export interface KpiSet {
  orders: number | null;
  unitsOrdered: number | null;
  unitFillRate: number | null;
  orderFillRate: number | null;
  cycleTime: { p50: number | null; p90: number | null; p99: number | null; mean: number | null };
  onTimeShipRate: number | null;
  backorderedUnits: number | null;
  oversellExposure: { units: number | null; pairs: number | null };
  atRiskOrders: number | null;
  inventoryAccuracy: number | null;
  returnResolution: { p50: number | null; p90: number | null };
  recoveryLoss: number | null;
  throughput: { eventsPerSecond: number | null; lagP50Ms: number | null; lagP99Ms: number | null };
}

/** `GET /api/v1/kpis`. */
export interface KpiReport {
  from: string;
  to: string;
  kpis: KpiSet;
  byChannel: Record<string, KpiSet>;
  byLocation: Record<string, KpiSet>;
}

export const LIVE_WINDOWS = ['15m', '60m', 'today'] as const;
export type LiveWindow = (typeof LIVE_WINDOWS)[number];

/** `GET /api/v1/kpis/live` and the `kpis.live` push. */
export interface LiveKpis {
  asOf: string;
  windows: Record<LiveWindow, KpiSet>;
  /** The half-open range `[from, to)` each window covers: the exact API answers the same for it. */
  ranges: Record<LiveWindow, { from: string; to: string }>;
  byChannel: Record<LiveWindow, Record<string, KpiSet>>;
  byLocation: Record<LiveWindow, Record<string, KpiSet>>;
  /** The "now" figures, also inside every set: they do not depend on the window. */
  now: { oversellExposure: { units: number; pairs: number }; atRiskOrders: number };
}

/**
 * A distribution of durations in milliseconds, in whichever form a path has it: every value (the
 * reference), the nearest-rank quantiles PostgreSQL computed (exact), or 5 % histogram buckets (live).
 */
export type Samples =
  | { kind: 'values'; values: number[] }
  | { kind: 'quantiles'; quantiles: Record<string, number | null> }
  | { kind: 'buckets'; counts: Map<number, number> };

/**
 * What the formulas need for one population (the whole window, one channel or one location): counts
 * and sums, which both paths compute exactly, and distributions.
 */
export interface KpiMeasures {
  /** Orders created in the window, and the units they ordered. */
  orders: number;
  unitsOrdered: number;
  /** Orders whose first shipment falls in the window: units on it, units ordered, and how many held every unit. */
  firstShipped: { orders: number; units: number; orderedUnits: number; complete: number };
  /** Orders whose last unit shipped in the window: how many, how many by their promise, cycle times. */
  fulfilled: { orders: number; onTime: number; sumMs: number; cycle: Samples };
  /** Units ever backordered by orders created in the window. */
  backorderedUnits: number;
  /** Cycle counts in the window, and those within tolerance. */
  counts: { total: number; withinTolerance: number };
  /** Returns resolved (fully inspected) in the window, and how long each took. */
  returns: { resolved: number; resolution: Samples };
  /** Disposition lines inspected in the window, and the cost of the units that left stock. */
  dispositions: { lines: number; lossCents: number };
}

/** Figures measured now, whatever the window. */
export interface NowFigures {
  oversellExposure: { units: number; pairs: number };
  atRiskOrders: number;
}

/** Applied events over the last minute and their ingest-to-applied lag. */
export interface Throughput {
  applied: number;
  lag: Samples;
}

/** Which dimensions a population is narrowed by (a breakdown entry, or the API's filters). */
export interface Dimensions {
  channel: boolean;
  location: boolean;
}
