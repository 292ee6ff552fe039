import { describe, expect, it } from 'vitest';
import { OPERATIONS_POLL_MS, OPERATIONS_STALE_AFTER_MS, operationsStale } from './refresh';

describe('operationsStale', () => {
	it('is fresh within two polls and stale after, or as soon as a read fails', () => {
		expect(OPERATIONS_STALE_AFTER_MS).toBeGreaterThan(2 * OPERATIONS_POLL_MS);
		expect(operationsStale(1000, 1000 + OPERATIONS_STALE_AFTER_MS, false)).toBe(false);
		expect(operationsStale(1000, 1001 + OPERATIONS_STALE_AFTER_MS, false)).toBe(true);
		expect(operationsStale(1000, 2000, true)).toBe(true);
	});

	it('is loading, not stale, before the first read unless it failed', () => {
		expect(operationsStale(null, 99_999_999, false)).toBe(false);
		expect(operationsStale(null, 0, true)).toBe(true);
	});
});
