import { describe, expect, it } from 'vitest';
import { businessDay, liveRanges, windowProblems } from './window';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('business day', () => {
  it('is the UTC calendar day by default', () => {
    const d = businessDay(at('2026-11-27T23:59:59.999Z'), 'UTC');
    expect([iso(d.fromMs), iso(d.toMs)]).toEqual(['2026-11-27T00:00:00.000Z', '2026-11-28T00:00:00.000Z']);
  });

  it('starts at local midnight in the business time zone', () => {
    // 01:30 UTC is 02:30 in Berlin (winter, UTC+1): the day began at 23:00 UTC the day before.
    const d = businessDay(at('2026-11-27T01:30:00Z'), 'Europe/Berlin');
    expect([iso(d.fromMs), iso(d.toMs)]).toEqual(['2026-11-26T23:00:00.000Z', '2026-11-27T23:00:00.000Z']);
    const ny = businessDay(at('2026-11-27T03:00:00Z'), 'America/New_York');
    expect(iso(ny.fromMs)).toBe('2026-11-26T05:00:00.000Z');
  });

  it('lasts 23 h and 25 h on the days the clocks change', () => {
    const spring = businessDay(at('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect((spring.toMs - spring.fromMs) / 3_600_000).toBe(23);
    const autumn = businessDay(at('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    expect((autumn.toMs - autumn.fromMs) / 3_600_000).toBe(25);
  });

  it('handles offsets that are not whole hours', () => {
    const d = businessDay(at('2026-11-27T12:00:00Z'), 'Asia/Kathmandu');
    expect(iso(d.fromMs)).toBe('2026-11-26T18:15:00.000Z');
  });

  it('puts the instant of midnight in the new day, and the instant before in the old one', () => {
    const midnight = at('2026-11-26T23:00:00Z');
    expect(businessDay(midnight, 'Europe/Berlin').fromMs).toBe(midnight);
    expect(businessDay(midnight - 1, 'Europe/Berlin').toMs).toBe(midnight);
  });
});

describe('live ranges', () => {
  it('end with the current minute and cover 15 and 60 minutes, and today', () => {
    const r = liveRanges(at('2026-11-27T10:30:20Z'), 'UTC');
    expect(iso(r['15m'].fromMs)).toBe('2026-11-27T10:16:00.000Z');
    expect(iso(r['15m'].toMs)).toBe('2026-11-27T10:31:00.000Z');
    expect(iso(r['60m'].fromMs)).toBe('2026-11-27T09:31:00.000Z');
    expect([iso(r.today.fromMs), iso(r.today.toMs)]).toEqual(['2026-11-27T00:00:00.000Z', '2026-11-28T00:00:00.000Z']);
  });
});

describe('window problems', () => {
  it('wants from before to, and at most 366 days', () => {
    expect(windowProblems({ fromMs: 0, toMs: 1 })).toEqual([]);
    expect(windowProblems({ fromMs: 1, toMs: 1 })).toEqual([{ path: 'to', message: 'must be later than from' }]);
    expect(windowProblems({ fromMs: 0, toMs: 366 * 86_400_000 })).toEqual([]);
    expect(windowProblems({ fromMs: 0, toMs: 366 * 86_400_000 + 1 })[0]!.path).toBe('to');
  });
});
