import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryVerdict, readHeap, startMemoryGuard } from './memory-guard';

const MB = 1024 * 1024;

describe('memoryVerdict', () => {
	it('reloads only above the bound', () => {
		expect(memoryVerdict({ usedBytes: 512 * MB }, 512)).toMatchObject({ reload: false, usedMb: 512 });
		const over = memoryVerdict({ usedBytes: 513 * MB }, 512);
		expect(over).toMatchObject({ reload: true, usedMb: 513 });
		expect(over.message).toMatch(/513 MB is over 512 MB; reloading/);
	});

	it('does nothing where the browser does not report its heap', () => {
		expect(memoryVerdict(null, 512)).toMatchObject({ reload: false, usedMb: null });
		expect(memoryVerdict({ usedBytes: Number.NaN }, 512).reload).toBe(false);
	});
});

describe('readHeap', () => {
	it('reads performance.memory where there is one', () => {
		expect(readHeap({ memory: { usedJSHeapSize: 42 } })).toEqual({ usedBytes: 42 });
		expect(readHeap({})).toBeNull();
		expect(readHeap(undefined)).toBeNull();
	});
});

describe('startMemoryGuard', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('checks once a minute, logs each check, and reloads once when over the bound', () => {
		let used = 100 * MB;
		const reload = vi.fn();
		const log = vi.fn();
		const stop = startMemoryGuard({ limitMb: 512, read: () => ({ usedBytes: used }), reload, log });
		vi.advanceTimersByTime(59_999);
		expect(log).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(log).toHaveBeenCalledTimes(1);
		expect(reload).not.toHaveBeenCalled();
		used = 600 * MB;
		vi.advanceTimersByTime(60_000);
		expect(reload).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(10 * 60_000);
		expect(reload).toHaveBeenCalledTimes(1);
		stop();
	});

	it('stops checking when stopped', () => {
		const log = vi.fn();
		const stop = startMemoryGuard({ limitMb: 512, read: () => null, reload: vi.fn(), log, everyMs: 1000 });
		stop();
		vi.advanceTimersByTime(5000);
		expect(log).not.toHaveBeenCalled();
	});
});
