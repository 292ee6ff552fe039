import type { Window } from './facts';
import { businessDay } from './window';

/** The most buckets `GET /api/v1/kpis/series` answers for: each is one exact KPI query. */
export const MAX_SERIES_BUCKETS = 48;

export const SERIES_BUCKETS = ['hour', 'day'] as const;
export type SeriesBucket = (typeof SERIES_BUCKETS)[number];

const HOUR = 3_600_000;

/**
 * `[from, to)` cut into hours (from `from`, an hour each) or business days (at the midnights of
 * `timeZone`, so 23 or 25 h on DST days); the first and last bucket are clipped to the range. Stops
 * once more than `max` buckets are found, so a caller can refuse without building a long list.
 */
export function seriesBuckets(range: Window, bucket: SeriesBucket, timeZone: string, max = MAX_SERIES_BUCKETS): Window[] {
  const out: Window[] = [];
  let fromMs = range.fromMs;
  while (fromMs < range.toMs && out.length <= max) {
    const end = bucket === 'hour' ? fromMs + HOUR : businessDay(fromMs, timeZone).toMs;
    const toMs = Math.min(end, range.toMs);
    out.push({ fromMs, toMs });
    fromMs = toMs;
  }
  return out;
}
