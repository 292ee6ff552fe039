import { kpiBreakdown, type NowBreakdown } from '../kpis/report';
import { LIVE_WINDOWS, type LiveKpis, type LiveWindow, type Throughput } from '../kpis/types';
import { liveRanges } from '../kpis/window';
import { liveKeys, overviewKeys } from './aggregates';
import { measuresFromFields, sumFields } from './kpi-fields';

type Hash = Record<string, string>;

/** The hashes the live KPIs read at `nowMs`: 60 KPI minutes (oldest first), today's KPI day, the last 60 complete seconds. */
export function liveKpiKeys(prefix: string, nowMs: number, timeZone: string): { minutes: string[]; day: string; seconds: string[] } {
  const keys = liveKeys(prefix);
  const ranges = liveRanges(nowMs, timeZone);
  const from = ranges['60m'].fromMs;
  return {
    minutes: Array.from({ length: 60 }, (_, i) => keys.kpiMinute(from + i * 60_000)),
    day: keys.kpiDay(ranges.today.fromMs),
    seconds: overviewKeys(prefix, nowMs).seconds,
  };
}

/** Applied events and their lag histogram over the second hashes (the overview's throughput window). */
export function throughputFromSeconds(seconds: readonly (Hash | undefined)[]): Throughput {
  let applied = 0;
  const counts = new Map<number, number>();
  for (const h of seconds) {
    for (const [field, value] of Object.entries(h ?? {})) {
      if (field === 'app') applied += Number(value);
      else if (field.startsWith('lag:')) {
        const i = Number(field.slice(4));
        counts.set(i, (counts.get(i) ?? 0) + Number(value));
      }
    }
  }
  return { applied, lag: { kind: 'buckets', counts } };
}

/**
 * The live KPIs from the hashes read for `liveKpiKeys`: the 15-minute window sums the last 15 minute
 * hashes, the 60-minute window all 60, today is the day hash. "Now" figures and the channel and
 * location lists are passed in (they are state, read from PostgreSQL).
 */
export function buildLiveKpis(input: {
  nowMs: number;
  timeZone: string;
  minutes: readonly (Hash | undefined)[];
  day: Hash | undefined;
  seconds: readonly (Hash | undefined)[];
  now: NowBreakdown;
  channels: readonly string[];
  locations: readonly string[];
}): LiveKpis {
  const ranges = liveRanges(input.nowMs, input.timeZone);
  const throughput = throughputFromSeconds(input.seconds);
  const fields: Record<LiveWindow, Map<string, number>> = {
    '15m': sumFields(input.minutes.slice(-15)),
    '60m': sumFields(input.minutes),
    today: sumFields([input.day]),
  };
  const out = { windows: {}, ranges: {}, byChannel: {}, byLocation: {} } as Pick<LiveKpis, 'windows' | 'ranges' | 'byChannel' | 'byLocation'>;
  for (const w of LIVE_WINDOWS) {
    const report = kpiBreakdown({
      measured: measuresFromFields(fields[w]),
      now: input.now,
      throughput,
      channels: input.channels,
      locations: input.locations,
    });
    out.windows[w] = report.kpis;
    out.byChannel[w] = report.byChannel;
    out.byLocation[w] = report.byLocation;
    out.ranges[w] = { from: new Date(ranges[w].fromMs).toISOString(), to: new Date(ranges[w].toMs).toISOString() };
  }
  return {
    asOf: new Date(input.nowMs).toISOString(),
    ...out,
    now: { oversellExposure: { ...input.now.total.oversellExposure }, atRiskOrders: input.now.total.atRiskOrders },
  };
}
