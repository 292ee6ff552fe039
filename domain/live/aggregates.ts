import type { KpiFact } from '../kpis/facts';
import { businessDay } from '../kpis/window';
import { bucketIndex, percentileFromBuckets } from './histogram';
import { kpiIncrements } from './kpi-fields';
import type { MinuteBucket, OverviewDelta, OverviewSnapshot, OverviewTiles } from './overview';

/**
 * The live aggregates' one definition: which Redis hash field each fact increments. The worker
 * (per batch) and the rebuild (from PostgreSQL) both go through `liveWrites`, so they cannot disagree.
 */
export type LiveFact =
  | { kind: 'accepted'; atMs: number; count: number }
  | { kind: 'applied'; atMs: number; lagMs: number; count: number }
  | KpiFact;

export interface LiveWrite {
  key: string;
  field: string;
  by: number;
  /** Epoch seconds at which the key may expire. */
  expireAt: number;
}

export const SECOND_RETENTION_S = 180;
export const MINUTE_RETENTION_S = 2 * 3600;
/** Order minutes are kept longer: the "today" window of any business time zone fits in 26 h. */
export const ORDER_MINUTE_RETENTION_S = 26 * 3600;
/** A business day's KPI hash outlives its day by this much (it is read only during its day). */
export const KPI_DAY_GRACE_S = 3600;

export const liveKeys = (prefix: string) => ({
  ready: `${prefix}:live:ready`,
  rebuildLock: `${prefix}:live:rebuild-lock`,
  done: (batchId: string | number) => `${prefix}:live:done:${batchId}`,
  second: (sec: number) => `${prefix}:live:s:${sec}`,
  minute: (minuteStartMs: number) => `${prefix}:live:m:${minuteStartMs}`,
  orderMinute: (minuteStartMs: number) => `${prefix}:live:o:${minuteStartMs}`,
  /** KPI measures of one minute (the 15 and 60 minute windows) and of one business day ("today"). */
  kpiMinute: (minuteStartMs: number) => `${prefix}:live:k:${minuteStartMs}`,
  kpiDay: (dayStartMs: number) => `${prefix}:live:d:${dayStartMs}`,
  pattern: `${prefix}:live:[smokd]:*`,
});

const minuteStart = (ms: number) => Math.floor(ms / 60_000) * 60_000;

/**
 * Writes for `facts`, merged by key and field; writes whose key would already be expired at `nowMs` are
 * dropped. KPI facts go to their minute and to their business day in `timeZone`.
 */
export function liveWrites(prefix: string, facts: Iterable<LiveFact>, nowMs: number, opts: { timeZone?: string } = {}): LiveWrite[] {
  const timeZone = opts.timeZone ?? 'UTC';
  const keys = liveKeys(prefix);
  const merged = new Map<string, LiveWrite>();
  const add = (key: string, field: string, by: number, expireAt: number) => {
    if (expireAt * 1000 <= nowMs || by === 0) return;
    const id = `${key}\u0000${field}`;
    const prev = merged.get(id);
    if (prev) prev.by += by;
    else merged.set(id, { key, field, by, expireAt });
  };
  for (const f of facts) {
    if (f.kind === 'accepted' || f.kind === 'applied') {
      const sec = Math.floor(f.atMs / 1000);
      const min = minuteStart(f.atMs);
      const field = f.kind === 'accepted' ? 'acc' : 'app';
      add(keys.second(sec), field, f.count, sec + SECOND_RETENTION_S);
      add(keys.minute(min), field, f.count, min / 1000 + MINUTE_RETENTION_S);
      if (f.kind === 'applied') add(keys.second(sec), `lag:${bucketIndex(f.lagMs)}`, f.count, sec + SECOND_RETENTION_S);
      continue;
    }
    if (f.kind === 'order') {
      const min = minuteStart(f.occurredAtMs);
      const expireAt = min / 1000 + ORDER_MINUTE_RETENTION_S;
      add(keys.orderMinute(min), `o:${f.channel}`, f.count, expireAt);
      add(keys.orderMinute(min), `u:${f.channel}`, f.units, expireAt);
    }
    for (const inc of kpiIncrements(f)) {
      const min = minuteStart(inc.atMs);
      add(keys.kpiMinute(min), inc.field, inc.by, min / 1000 + MINUTE_RETENTION_S);
      const day = businessDay(inc.atMs, timeZone);
      add(keys.kpiDay(day.fromMs), inc.field, inc.by, day.toMs / 1000 + KPI_DAY_GRACE_S);
    }
  }
  return [...merged.values()];
}

/** The keys the overview reads at `nowMs`, in the order `buildOverview` expects their hashes. */
export function overviewKeys(prefix: string, nowMs: number): { seconds: string[]; minutes: string[]; orderMinutes: string[]; minuteStarts: number[] } {
  const keys = liveKeys(prefix);
  const nowSec = Math.floor(nowMs / 1000);
  // The last 60 complete seconds: the current second is still filling and would read low.
  const seconds = Array.from({ length: 60 }, (_, i) => keys.second(nowSec - 60 + i));
  const current = minuteStart(nowMs);
  const minuteStarts = Array.from({ length: 60 }, (_, i) => current - (59 - i) * 60_000);
  return {
    seconds,
    minutes: minuteStarts.map(keys.minute),
    orderMinutes: minuteStarts.map(keys.orderMinute),
    minuteStarts,
  };
}

type Hash = Record<string, string>;
const num = (h: Hash | undefined, f: string) => Number(h?.[f] ?? 0);

/** Turns the hashes read for `overviewKeys` into what the dashboard shows. Pure: `nowMs` and `backlog` are passed in. */
export function buildOverview(input: {
  nowMs: number;
  minuteStarts: number[];
  seconds: Hash[];
  minutes: Hash[];
  orderMinutes: Hash[];
  backlog: number;
}): OverviewSnapshot {
  const channels = new Set<string>();
  const minutes: MinuteBucket[] = input.minuteStarts.map((t, i) => {
    const orders: Record<string, number> = {};
    const units: Record<string, number> = {};
    for (const [field, value] of Object.entries(input.orderMinutes[i] ?? {})) {
      const channel = field.slice(2);
      channels.add(channel);
      if (field.startsWith('o:')) orders[channel] = Number(value);
      else if (field.startsWith('u:')) units[channel] = Number(value);
    }
    return { t, accepted: num(input.minutes[i], 'acc'), applied: num(input.minutes[i], 'app'), orders, units };
  });

  let applied = 0;
  let accepted = 0;
  const lag = new Map<number, number>();
  for (const h of input.seconds) {
    applied += num(h, 'app');
    accepted += num(h, 'acc');
    for (const [field, value] of Object.entries(h ?? {})) {
      if (field.startsWith('lag:')) {
        const idx = Number(field.slice(4));
        lag.set(idx, (lag.get(idx) ?? 0) + Number(value));
      }
    }
  }

  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const cur = minutes[minutes.length - 1];
  const prev = minutes[minutes.length - 2];
  // Sliding-window estimate: all of this minute plus the share of the previous one still inside the trailing 60 s.
  const prevWeight = 1 - (input.nowMs - (cur?.t ?? input.nowMs)) / 60_000;
  const trailing = (pick: (b: MinuteBucket) => number) =>
    round1((cur ? pick(cur) : 0) + (prev ? pick(prev) * prevWeight : 0));

  const tiles: OverviewTiles = {
    ordersPerMin: trailing((b) => sum(b.orders)),
    unitsPerMin: trailing((b) => sum(b.units)),
    eventsPerSecond: round1(applied / 60),
    acceptedPerSecond: round1(accepted / 60),
    lagP50Ms: roundOrNull(percentileFromBuckets(lag, 0.5)),
    lagP99Ms: roundOrNull(percentileFromBuckets(lag, 0.99)),
    backlog: input.backlog,
  };
  return { asOf: new Date(input.nowMs).toISOString(), tiles, minutes, channels: [...channels].sort() };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const roundOrNull = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

const sameBucket = (a: MinuteBucket, b: MinuteBucket) =>
  a.accepted === b.accepted && a.applied === b.applied &&
  JSON.stringify(a.orders) === JSON.stringify(b.orders) && JSON.stringify(a.units) === JSON.stringify(b.units);

/** What changed between two snapshots; null when nothing the dashboard shows did (the clock alone is no change). */
export function diffOverview(prev: OverviewSnapshot | null, next: OverviewSnapshot): OverviewDelta | null {
  if (!prev) return { asOf: next.asOf, tiles: next.tiles, minutes: next.minutes, channels: next.channels };
  const before = new Map(prev.minutes.map((m) => [m.t, m]));
  const minutes = next.minutes.filter((m) => {
    const old = before.get(m.t);
    return !old || !sameBucket(old, m);
  });
  const tilesChanged = JSON.stringify(prev.tiles) !== JSON.stringify(next.tiles);
  const channelsChanged = prev.channels.join() !== next.channels.join();
  if (!tilesChanged && !channelsChanged && minutes.length === 0) return null;
  return { asOf: next.asOf, tiles: next.tiles, minutes, channels: next.channels };
}
