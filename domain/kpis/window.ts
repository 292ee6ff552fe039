import type { Window } from './facts';
import { LIVE_WINDOWS, type LiveWindow } from './types';

/** The longest window `GET /api/v1/kpis` answers for. */
export const MAX_WINDOW_DAYS = 366;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The calendar date at `ms` in `timeZone`, as yyyymmdd. */
function localDate(ms: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Number(p.year) * 10_000 + Number(p.month) * 100 + Number(p.day);
}

/** The first minute whose date in `timeZone` is the date at `ms` (midnight, or later when a DST jump skips it). */
function dayStartOf(ms: number, timeZone: string): number {
  const target = localDate(ms, timeZone);
  // A day lasts at most 25 h, so 26 h earlier is another date; every offset in use is whole minutes.
  let lo = Math.floor(ms / MINUTE) * MINUTE - 26 * HOUR;
  let hi = Math.floor(ms / MINUTE) * MINUTE;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (localDate(mid, timeZone) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

const dayCache = new Map<string, Window[]>();

/** The business day containing `ms` in `timeZone`: `[midnight, next midnight)` (23 or 25 h on DST days). */
export function businessDay(ms: number, timeZone: string): Window {
  if (timeZone === 'UTC') {
    const fromMs = Math.floor(ms / DAY) * DAY;
    return { fromMs, toMs: fromMs + DAY };
  }
  // The live aggregates ask for a day per fact: a few recent days answer almost every call.
  const cached = dayCache.get(timeZone) ?? [];
  const hit = cached.find((d) => ms >= d.fromMs && ms < d.toMs);
  if (hit) return hit;
  const fromMs = dayStartOf(ms, timeZone);
  // 25.5 h after a day starts is always inside the next day (days last 23 to 25 h).
  const day = { fromMs, toMs: dayStartOf(fromMs + 25 * HOUR + 30 * MINUTE, timeZone) };
  cached.unshift(day);
  cached.length = Math.min(cached.length, 16);
  dayCache.set(timeZone, cached);
  return day;
}

/**
 * The live windows at `nowMs`: the last 15 and 60 minutes up to the end of the current minute (minute
 * buckets), and today in the business time zone.
 */
export function liveRanges(nowMs: number, timeZone: string): Record<LiveWindow, Window> {
  const toMs = Math.floor(nowMs / MINUTE) * MINUTE + MINUTE;
  const ranges = {
    '15m': { fromMs: toMs - 15 * MINUTE, toMs },
    '60m': { fromMs: toMs - 60 * MINUTE, toMs },
    today: businessDay(nowMs, timeZone),
  };
  return Object.fromEntries(LIVE_WINDOWS.map((w) => [w, ranges[w]])) as Record<LiveWindow, Window>;
}

/** What is wrong with a requested window, as `{ path, message }` for a 400; empty when it is fine. */
export function windowProblems(w: Window): { path: string; message: string }[] {
  if (!(w.fromMs < w.toMs)) return [{ path: 'to', message: 'must be later than from' }];
  if (w.toMs - w.fromMs > MAX_WINDOW_DAYS * DAY) return [{ path: 'to', message: `must be at most ${MAX_WINDOW_DAYS} days after from` }];
  return [];
}
