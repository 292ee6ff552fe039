import { describe, expect, it } from 'vitest';
import { orderStatuses } from '../orders/status';
import {
  awaitingShipment, FEED_THRESHOLD_CAP_MINUTES, feedThreshold, isStale, learnedThresholdMinutes, parseFeedThresholds, percentile, staleFeeds,
} from './time-rules';

/** Active minutes starting at minute 1000, one every `every` minutes, `count` of them. */
const every = (everyMinutes: number, count: number, start = 1000) => Array.from({ length: count }, (_, i) => start + i * everyMinutes);

describe('parseFeedThresholds', () => {
  it('reads source=minutes pairs, ignoring blanks and spaces', () => {
    expect(parseFeedThresholds(' shop-web = 10 , edi.acme=240,, ')).toEqual({ value: { 'shop-web': 10, 'edi.acme': 240 }, problems: [] });
    expect(parseFeedThresholds('')).toEqual({ value: {}, problems: [] });
  });

  it('lists every problem instead of stopping at the first', () => {
    const { value, problems } = parseFeedThresholds('web=10,web=20,Shop=5,pos=0,erp,erp=ten,wms=15');
    expect(value).toEqual({ web: 10, wms: 15 });
    expect(problems).toEqual([
      '"web" is named twice',
      '"Shop" is not a source name (1-64 characters of a-z 0-9 . _ -)',
      '"pos" needs a threshold of at least 1 minute',
      '"erp" must look like source=minutes, e.g. shop-web=10',
      '"erp=ten" must look like source=minutes, e.g. shop-web=10',
    ]);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(ten, 0.9)).toBe(9);
    expect(percentile(ten, 1)).toBe(10);
    expect(percentile(ten, 0.5)).toBe(5);
    expect(percentile([4], 0.9)).toBe(4);
    expect(() => percentile([], 0.9)).toThrow(RangeError);
  });
});

describe('learnedThresholdMinutes', () => {
  it('needs activity in at least 10 distinct minutes', () => {
    expect(learnedThresholdMinutes(every(5, 9), 15)).toBeNull();
    // Repeats of one minute are one active minute.
    expect(learnedThresholdMinutes([...every(5, 9), 1000, 1005], 15)).toBeNull();
    expect(learnedThresholdMinutes(every(5, 10), 15)).toBe(15);
  });

  it('is three times the 90th percentile of the gaps, in any order of input', () => {
    expect(learnedThresholdMinutes(every(10, 20).reverse(), 15)).toBe(30);
    // Nine gaps of 1 and one of 60: the 90th percentile (nearest rank, 9th of 10 gaps) is 1, so one
    // long pause in a day does not make the source look slow.
    const mostlyBusy = [...every(1, 10), 1009 + 60];
    expect(learnedThresholdMinutes(mostlyBusy, 1)).toBe(3);
    // Two long pauses among ten gaps: the 90th percentile is a long one.
    const twoPauses = [...every(1, 9), 1008 + 60, 1008 + 120];
    expect(learnedThresholdMinutes(twoPauses, 1)).toBe(180);
  });

  it('is at least the minimum and at most a day', () => {
    expect(learnedThresholdMinutes(every(1, 100), 15)).toBe(15);
    expect(learnedThresholdMinutes(every(1, 100), 1)).toBe(3);
    expect(learnedThresholdMinutes(every(600, 10), 15)).toBe(FEED_THRESHOLD_CAP_MINUTES);
  });
});

describe('feedThreshold', () => {
  const settings = { configured: { edi: 240 }, minMinutes: 15 };

  it('takes a configured source as usually sending, however little history it has', () => {
    expect(feedThreshold('edi', [], settings)).toEqual({ minutes: 240, learned: false });
    expect(feedThreshold('edi', every(1, 100), settings)).toEqual({ minutes: 240, learned: false });
  });

  it('learns the others, and has none for a source that does not usually send', () => {
    expect(feedThreshold('web', every(10, 20), settings)).toEqual({ minutes: 30, learned: true });
    expect(feedThreshold('web', every(10, 3), settings)).toBeNull();
    // Object prototype names are sources like any other, not configuration.
    expect(feedThreshold('constructor', [], settings)).toBeNull();
  });
});

describe('isStale', () => {
  it('is stale only after more than the threshold of silence', () => {
    const seen = new Date('2026-01-01T10:00:00Z');
    expect(isStale(seen, new Date('2026-01-01T10:30:00Z'), 30)).toBe(false);
    expect(isStale(seen, new Date('2026-01-01T10:30:00.001Z'), 30)).toBe(true);
  });
});

describe('staleFeeds', () => {
  it('lists the sources silent longer than their threshold, saying how it was set', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    const activity = [
      { source: 'web', lastSeenAt: ago(31), activeMinutes: every(10, 20) },
      { source: 'pos', lastSeenAt: ago(29), activeMinutes: every(10, 20) },
      { source: 'edi', lastSeenAt: ago(61), activeMinutes: [1000] },
      { source: 'rare', lastSeenAt: ago(600), activeMinutes: every(1, 3) },
    ];
    expect(staleFeeds(activity, { configured: { edi: 60 }, minMinutes: 15 }, now)).toEqual([
      { source: 'web', lastSeenAt: ago(31), thresholdMinutes: 30, learned: true },
      { source: 'edi', lastSeenAt: ago(61), thresholdMinutes: 60, learned: false },
    ]);
  });
});

describe('awaitingShipment', () => {
  it('names order statuses, and none after shipment or cancellation', () => {
    for (const s of awaitingShipment) expect(orderStatuses).toContain(s);
    for (const s of ['shipped', 'delivered', 'cancelled', 'returned', 'partially_returned']) {
      expect(awaitingShipment as readonly string[]).not.toContain(s);
    }
  });
});
