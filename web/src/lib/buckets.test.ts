import { describe, expect, it } from 'vitest';
import type { MinuteBucket } from '$domain/live/overview';
import { channelsOf, mergeBuckets } from './buckets';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0);

function bucket(i: number, applied = i, orders: Record<string, number> = {}): MinuteBucket {
	return { t: T0 + i * MIN, accepted: applied, applied, orders, units: {} };
}

function range(from: number, to: number): MinuteBucket[] {
	return Array.from({ length: to - from + 1 }, (_, k) => bucket(from + k));
}

describe('mergeBuckets', () => {
	it('replaces a bucket with the same t and keeps order', () => {
		const ring = range(0, 4);
		const merged = mergeBuckets(ring, [bucket(2, 99)]);
		expect(merged.map((b) => b.applied)).toEqual([0, 1, 99, 3, 4]);
		expect(ring[2]?.applied).toBe(2);
	});

	it('appends new minutes and drops the oldest beyond 60', () => {
		const ring = range(0, 59);
		const merged = mergeBuckets(ring, [bucket(59, 500), bucket(60), bucket(61)]);
		expect(merged).toHaveLength(60);
		expect(merged[0]?.t).toBe(T0 + 2 * MIN);
		expect(merged.at(-1)?.t).toBe(T0 + 61 * MIN);
		expect(merged.at(-3)?.applied).toBe(500);
	});

	it('sorts out-of-order input, newest last', () => {
		const merged = mergeBuckets([], [bucket(3), bucket(1), bucket(2)]);
		expect(merged.map((b) => b.t)).toEqual([T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
	});

	it('drops minutes that fall outside the 60-minute window after a gap', () => {
		const merged = mergeBuckets(range(0, 9), [bucket(65)]);
		expect(merged.map((b) => (b.t - T0) / MIN)).toEqual([6, 7, 8, 9, 65]);
	});

	it('ignores a late delta for a minute that already left the window', () => {
		const merged = mergeBuckets(range(10, 69), [bucket(5, 7)]);
		expect(merged).toHaveLength(60);
		expect(merged[0]?.t).toBe(T0 + 10 * MIN);
	});

	it('returns an empty ring for empty input', () => {
		expect(mergeBuckets([], [])).toEqual([]);
	});

	it('honours a custom capacity', () => {
		expect(mergeBuckets(range(0, 9), [], 3).map((b) => b.t)).toEqual([
			T0 + 7 * MIN,
			T0 + 8 * MIN,
			T0 + 9 * MIN
		]);
	});
});

describe('channelsOf', () => {
	it('keeps the listed order and appends unseen channels', () => {
		const buckets = [bucket(0, 0, { web: 1, pos: 2 }), bucket(1, 0, { app: 3 })];
		expect(channelsOf(buckets, ['web'])).toEqual(['web', 'pos', 'app']);
	});
});
