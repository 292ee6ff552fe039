import type { MeasuredFacts } from './facts';
import { emptyMeasures, kpiSet } from './formulas';
import type { KpiSet, NowFigures, Throughput } from './types';

/** "Now" figures for the whole population and per channel (they have no location). */
export interface NowBreakdown {
  total: NowFigures;
  byChannel: ReadonlyMap<string, NowFigures>;
}

export const noNowFigures = (): NowFigures => ({ oversellExposure: { units: 0, pairs: 0 }, atRiskOrders: 0 });

/** Filters of the exact API: the measures passed in are already narrowed by them. */
export interface KpiFilter {
  channel?: string;
  location?: string;
}

/**
 * A KPI set for the whole population and one per channel and per location, from measures however
 * they were computed (exact or live): both APIs answer through this one function. Every channel and
 * location of `channels` / `locations` gets an entry, measured or not, so two answers list the same keys.
 */
export function kpiBreakdown(input: {
  measured: MeasuredFacts;
  now: NowBreakdown;
  throughput: Throughput | null;
  channels: readonly string[];
  locations: readonly string[];
  filter?: KpiFilter;
}): { kpis: KpiSet; byChannel: Record<string, KpiSet>; byLocation: Record<string, KpiSet> } {
  const filter = input.filter ?? {};
  const byChannel = input.channels.map((c) => [c, kpiSet({
    measures: input.measured.byChannel.get(c) ?? emptyMeasures(),
    now: input.now.byChannel.get(c) ?? noNowFigures(),
    throughput: null,
    dims: { channel: true, location: filter.location !== undefined },
  })] as const);
  const byLocation = input.locations.map((l) => [l, kpiSet({
    measures: input.measured.byLocation.get(l) ?? emptyMeasures(),
    now: noNowFigures(),
    throughput: null,
    dims: { channel: filter.channel !== undefined, location: true },
  })] as const);
  return {
    kpis: kpiSet({
      measures: input.measured.total,
      now: input.now.total,
      throughput: input.throughput,
      dims: { channel: filter.channel !== undefined, location: filter.location !== undefined },
    }),
    // Built from entries: a channel may be named like an Object.prototype member.
    byChannel: Object.fromEntries(byChannel),
    byLocation: Object.fromEntries(byLocation),
  };
}
