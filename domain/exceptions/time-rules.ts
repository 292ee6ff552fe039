import type { OrderStatus } from '../orders/status';

/**
 * The pure parts of the time-driven exception rules (docs/exception-rules.md): which orders still
 * await shipment, and when a feed counts as silent for too long.
 */

/**
 * Orders that can still miss their ship-by promise. A partly shipped order still owes units; a
 * (partly) returned one has shipped, so it is no longer at risk.
 */
export const awaitingShipment = [
  'on_hold', 'allocated', 'backordered', 'partially_allocated', 'picking', 'partially_shipped',
] as const satisfies readonly OrderStatus[];

/** The window a source's cadence is learned from. */
export const FEED_HISTORY_MINUTES = 24 * 60;
/** A source "usually sends" when it was active in at least this many distinct minutes of the window. */
export const FEED_MIN_ACTIVE_MINUTES = 10;
/** No learned threshold is longer than a day: a source silent that long no longer "usually sends". */
export const FEED_THRESHOLD_CAP_MINUTES = 24 * 60;
/** Activity older than this is pruned (each source's newest minute is kept: its last-seen time). */
export const FEED_ACTIVITY_RETENTION_MINUTES = 48 * 60;

const SOURCE = /^[a-z0-9._-]{1,64}$/;

/** Parses `source=minutes,...` (FEED_STALE_MINUTES); returns the problems instead of throwing. */
export function parseFeedThresholds(text: string): { value: Record<string, number>; problems: string[] } {
  const value: Record<string, number> = {};
  const problems: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*(\d+)$/.exec(part);
    if (!m) {
      problems.push(`"${part}" must look like source=minutes, e.g. shop-web=10`);
      continue;
    }
    const source = m[1]!;
    const minutes = Number(m[2]);
    if (!SOURCE.test(source)) {
      problems.push(`"${source}" is not a source name (1-64 characters of a-z 0-9 . _ -)`);
      continue;
    }
    if (Object.hasOwn(value, source)) {
      problems.push(`"${source}" is named twice`);
      continue;
    }
    if (minutes < 1) {
      problems.push(`"${source}" needs a threshold of at least 1 minute`);
      continue;
    }
    value[source] = minutes;
  }
  return { value, problems };
}

/** The nearest-rank percentile (0 < p ≤ 1) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * The silence after which a source counts as stale, learned from the minutes it was active in
 * (whole minutes since the epoch, over the last FEED_HISTORY_MINUTES): three times the 90th
 * percentile of the gaps between consecutive active minutes, at least `minMinutes`, at most a day.
 * Null when the source was active in fewer than FEED_MIN_ACTIVE_MINUTES minutes (it does not
 * usually send, so its silence means nothing).
 */
export function learnedThresholdMinutes(activeMinutes: readonly number[], minMinutes: number): number | null {
  const minutes = [...new Set(activeMinutes)].sort((a, b) => a - b);
  if (minutes.length < FEED_MIN_ACTIVE_MINUTES) return null;
  const gaps = minutes.slice(1).map((m, i) => m - minutes[i]!);
  return Math.min(FEED_THRESHOLD_CAP_MINUTES, Math.max(minMinutes, 3 * percentile(gaps, 0.9)));
}

export interface FeedThreshold {
  minutes: number;
  /** False when configured (FEED_STALE_MINUTES), true when learned from the cadence. */
  learned: boolean;
}

/** A configured threshold wins; otherwise the learned one, or none for a source that does not usually send. */
export function feedThreshold(
  source: string,
  activeMinutes: readonly number[],
  settings: { configured: Readonly<Record<string, number>>; minMinutes: number },
): FeedThreshold | null {
  const configured = Object.hasOwn(settings.configured, source) ? settings.configured[source] : undefined;
  if (configured !== undefined) return { minutes: configured, learned: false };
  const learned = learnedThresholdMinutes(activeMinutes, settings.minMinutes);
  return learned === null ? null : { minutes: learned, learned: true };
}

/** Silent for longer than the threshold (exactly the threshold is not stale yet). */
export function isStale(lastSeenAt: Date, now: Date, thresholdMinutes: number): boolean {
  return now.getTime() - lastSeenAt.getTime() > thresholdMinutes * 60_000;
}

export interface StaleFeed {
  source: string;
  lastSeenAt: Date;
  thresholdMinutes: number;
  learned: boolean;
}

/** The sources silent at `now` for longer than their threshold (configured, or learned from their cadence). */
export function staleFeeds(
  activity: readonly { source: string; lastSeenAt: Date; activeMinutes: readonly number[] }[],
  settings: { configured: Readonly<Record<string, number>>; minMinutes: number },
  now: Date,
): StaleFeed[] {
  const stale: StaleFeed[] = [];
  for (const a of activity) {
    const threshold = feedThreshold(a.source, a.activeMinutes, settings);
    if (threshold && isStale(a.lastSeenAt, now, threshold.minutes)) {
      stale.push({ source: a.source, lastSeenAt: a.lastSeenAt, thresholdMinutes: threshold.minutes, learned: threshold.learned });
    }
  }
  return stale;
}
