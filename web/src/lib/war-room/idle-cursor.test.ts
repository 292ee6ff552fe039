import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hideCursorWhenIdle } from './idle-cursor';

describe('hideCursorWhenIdle', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('hides the pointer after 3 s without movement and shows it on the next move', () => {
		const target = new EventTarget();
		const states: boolean[] = [];
		const stop = hideCursorWhenIdle(target, (hidden) => states.push(hidden));
		vi.advanceTimersByTime(2_999);
		expect(states).toEqual([]);
		vi.advanceTimersByTime(1);
		expect(states).toEqual([true]);
		target.dispatchEvent(new Event('pointermove'));
		expect(states.at(-1)).toBe(false);
		vi.advanceTimersByTime(2_000);
		target.dispatchEvent(new Event('pointermove'));
		vi.advanceTimersByTime(2_000);
		expect(states.at(-1)).toBe(false);
		vi.advanceTimersByTime(1_000);
		expect(states.at(-1)).toBe(true);
		stop();
		expect(states.at(-1)).toBe(false);
		vi.advanceTimersByTime(10_000);
		expect(states.at(-1)).toBe(false);
	});
});
