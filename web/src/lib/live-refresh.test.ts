import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppliedWatch, throttle } from './live-refresh';

const T = 1_800_000_000_000;

describe('AppliedWatch', () => {
	it('calls it news when a known minute applied more, or a new minute applied any', () => {
		const watch = new AppliedWatch();
		watch.seed([
			{ t: T, applied: 5 },
			{ t: T + 60_000, applied: 2 }
		]);
		expect(watch.observe([{ t: T + 60_000, applied: 2 }])).toBe(false);
		expect(watch.observe([{ t: T + 60_000, applied: 3 }])).toBe(true);
		expect(watch.observe([{ t: T + 120_000, applied: 0 }])).toBe(false);
		expect(watch.observe([{ t: T + 120_000, applied: 1 }])).toBe(true);
		expect(watch.observe([])).toBe(false);
	});

	it('takes a delta of unchanged minutes (a heartbeat) as no news', () => {
		const watch = new AppliedWatch();
		watch.seed([{ t: T, applied: 5 }]);
		expect(watch.observe([{ t: T, applied: 5 }])).toBe(false);
	});

	it('forgets old minutes, so it stays small however long the page is open', () => {
		const watch = new AppliedWatch();
		for (let i = 0; i < 500; i++) watch.observe([{ t: T + i * 60_000, applied: 1 }]);
		// The oldest minute was forgotten: seen again, it counts as news.
		expect(watch.observe([{ t: T, applied: 1 }])).toBe(true);
		expect(watch.observe([{ t: T + 499 * 60_000, applied: 1 }])).toBe(false);
	});
});

describe('throttle', () => {
	beforeEach(() => vi.useFakeTimers({ now: T }));
	afterEach(() => vi.useRealTimers());

	it('runs at once, then at most once per interval, with one trailing run for requests in between', async () => {
		const run = vi.fn();
		const t = throttle(run, 2000);
		t.request();
		await vi.advanceTimersByTimeAsync(0);
		expect(run).toHaveBeenCalledTimes(1);

		for (let i = 0; i < 10; i++) {
			t.request();
			await vi.advanceTimersByTimeAsync(100);
		}
		expect(run).toHaveBeenCalledTimes(1);
		await vi.advanceTimersByTimeAsync(1000);
		expect(run).toHaveBeenCalledTimes(2);
		await vi.advanceTimersByTimeAsync(10_000);
		expect(run).toHaveBeenCalledTimes(2);
	});

	it('never overlaps a slow run: a request during it runs once after it', async () => {
		let finish: () => void = () => {};
		const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
		const t = throttle(run, 2000);
		t.request();
		await vi.advanceTimersByTimeAsync(0);
		t.request();
		t.request();
		await vi.advanceTimersByTimeAsync(5000);
		expect(run).toHaveBeenCalledTimes(1);
		finish();
		await vi.advanceTimersByTimeAsync(0);
		expect(run).toHaveBeenCalledTimes(2);
	});

	it('keeps going after a run fails', async () => {
		const run = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue(undefined);
		const t = throttle(run, 2000);
		t.request();
		await vi.advanceTimersByTimeAsync(0);
		t.request();
		await vi.advanceTimersByTimeAsync(2000);
		expect(run).toHaveBeenCalledTimes(2);
	});

	it('does nothing more once cancelled', async () => {
		const run = vi.fn();
		const t = throttle(run, 2000);
		t.request();
		await vi.advanceTimersByTimeAsync(0);
		t.request();
		t.cancel();
		await vi.advanceTimersByTimeAsync(5000);
		expect(run).toHaveBeenCalledTimes(1);
	});
});
