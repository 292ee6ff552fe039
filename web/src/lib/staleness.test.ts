import { describe, expect, it } from 'vitest';
import { ClockOffsetTracker, dataAgeMs, isStale, pulledViewStaleness, STALE_AFTER_MS } from './staleness';

describe('isStale', () => {
	it('is false without data and at the threshold, true past it', () => {
		expect(isStale(null)).toBe(false);
		expect(isStale(STALE_AFTER_MS)).toBe(false);
		expect(isStale(STALE_AFTER_MS + 1)).toBe(true);
	});
});

describe('dataAgeMs', () => {
	it('is null before any message', () => {
		expect(dataAgeMs({ now: 10, receivedAt: null, asOfMs: NaN, clockOffsetMs: null })).toBeNull();
	});

	it('uses time since receipt when asOf is unusable', () => {
		expect(dataAgeMs({ now: 9_000, receivedAt: 2_000, asOfMs: NaN, clockOffsetMs: null })).toBe(7_000);
	});

	it('is not fooled by a server clock far ahead or behind', () => {
		const tracker = new ClockOffsetTracker();
		for (const skew of [-3_600_000, 0, 3_600_000]) {
			tracker.reset();
			const receivedAt = 1_000_000;
			const asOfMs = receivedAt - 40 + skew;
			const offset = tracker.record(receivedAt, asOfMs);
			const age = dataAgeMs({ now: receivedAt + 1_000, receivedAt, asOfMs, clockOffsetMs: offset });
			expect(age).toBe(1_000);
			expect(isStale(age)).toBe(false);
		}
	});

	it('ages data whose asOf stopped advancing even though messages keep arriving', () => {
		const tracker = new ClockOffsetTracker();
		const skew = 120_000;
		let offset: number | null = null;
		for (let i = 0; i <= 8; i++) offset = tracker.record(i * 1_000, i * 1_000 + skew);
		// Server keeps re-sending the same asOf for 7 more seconds.
		const stuckAsOf = 8_000 + skew;
		for (let i = 9; i <= 15; i++) offset = tracker.record(i * 1_000, stuckAsOf);
		const age = dataAgeMs({ now: 15_000, receivedAt: 15_000, asOfMs: stuckAsOf, clockOffsetMs: offset });
		expect(age).toBe(7_000);
		expect(isStale(age)).toBe(true);
	});

	it('grows with time since the last message', () => {
		const tracker = new ClockOffsetTracker();
		const offset = tracker.record(50_000, 10_000);
		expect(dataAgeMs({ now: 55_000, receivedAt: 50_000, asOfMs: 10_000, clockOffsetMs: offset })).toBe(5_000);
		expect(isStale(dataAgeMs({ now: 55_001, receivedAt: 50_000, asOfMs: 10_000, clockOffsetMs: offset }))).toBe(true);
	});
});

describe('ClockOffsetTracker', () => {
	it('keeps the minimum offset inside the window and forgets older samples', () => {
		const tracker = new ClockOffsetTracker(10_000);
		expect(tracker.record(0, -100)).toBe(100);
		expect(tracker.record(1_000, 800)).toBe(100);
		expect(tracker.record(2_000, 1_500)).toBe(100);
		// The 100 ms sample leaves the window; 200 ms is the best left.
		expect(tracker.record(10_500, 10_000)).toBe(200);
		expect(tracker.record(30_000, 29_000)).toBe(1_000);
	});

	it('ignores an unparseable asOf', () => {
		const tracker = new ClockOffsetTracker();
		expect(tracker.record(1_000, NaN)).toBeNull();
	});
});

describe('pulledViewStaleness', () => {
	it('is fresh while connected and the last re-read answered', () => {
		expect(pulledViewStaleness({ hasData: true, connection: 'connected', error: null })).toEqual({ stale: false, reason: null });
	});

	it('is stale, saying why, when the socket is down or a re-read failed', () => {
		expect(pulledViewStaleness({ hasData: true, connection: 'reconnecting', error: null })).toEqual({ stale: true, reason: 'connection to the tower lost' });
		expect(pulledViewStaleness({ hasData: true, connection: 'offline', error: 'HTTP 503' })).toEqual({ stale: true, reason: 'connection to the tower lost' });
		expect(pulledViewStaleness({ hasData: true, connection: 'connected', error: 'HTTP 503' })).toEqual({ stale: true, reason: 'HTTP 503' });
	});

	it('is loading, not stale, before anything is shown', () => {
		expect(pulledViewStaleness({ hasData: false, connection: 'offline', error: 'HTTP 503' })).toEqual({ stale: false, reason: null });
	});
});
