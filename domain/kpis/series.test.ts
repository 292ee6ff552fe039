import { describe, expect, it } from 'vitest';
import { MAX_SERIES_BUCKETS, seriesBuckets } from './series';

const H = 3_600_000;
const t = (s: string) => Date.parse(s);

describe('seriesBuckets', () => {
  it('cuts hours from `from`, clipping the last one to `to`', () => {
    const b = seriesBuckets({ fromMs: t('2026-11-27T10:30:00Z'), toMs: t('2026-11-27T13:00:00Z') }, 'hour', 'UTC');
    expect(b).toEqual([
      { fromMs: t('2026-11-27T10:30:00Z'), toMs: t('2026-11-27T11:30:00Z') },
      { fromMs: t('2026-11-27T11:30:00Z'), toMs: t('2026-11-27T12:30:00Z') },
      { fromMs: t('2026-11-27T12:30:00Z'), toMs: t('2026-11-27T13:00:00Z') },
    ]);
  });

  it('cuts days at the time zone’s midnights, 25 h on the day DST ends', () => {
    const b = seriesBuckets({ fromMs: t('2026-10-23T22:00:00Z'), toMs: t('2026-10-26T23:00:00Z') }, 'day', 'Europe/Berlin');
    expect(b.map((w) => (w.toMs - w.fromMs) / H)).toEqual([24, 25, 24]);
    expect(new Date(b[2]!.fromMs).toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('stops one past the limit so callers can refuse long ranges cheaply', () => {
    const b = seriesBuckets({ fromMs: 0, toMs: 1000 * H }, 'hour', 'UTC');
    expect(b).toHaveLength(MAX_SERIES_BUCKETS + 1);
    expect(seriesBuckets({ fromMs: 0, toMs: 48 * H }, 'hour', 'UTC')).toHaveLength(48);
  });
});
