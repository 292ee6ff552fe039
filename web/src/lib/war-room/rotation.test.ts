import { describe, expect, it } from 'vitest';
import type { BoardId } from './boards';
import { applyHolds, dwellEndsAt, dwellProgress, shownBoard, startRotation, step, tick, upcomingBoard, type HoldCondition, type RotationState } from './rotation';

const T0 = 1_000_000;
const DWELL = 20_000;
const boards: BoardId[] = ['pipeline', 'orders', 'exceptions'];
const start = () => startRotation({ boards, dwellMs: DWELL, now: T0 });

const critical: HoldCondition = { key: 'exception:e1', board: 'exceptions', label: 'Critical oversell exposure' };
const lag: HoldCondition = { key: 'lag-p99', board: 'pipeline', label: 'Lag p99 45 s' };

/** Ticks every second from `from` to `to` like the page's clock does. */
function run(s: RotationState, from: number, to: number): RotationState {
	for (let t = from; t <= to; t += 1000) s = tick(s, t);
	return s;
}

describe('rotation with dwell', () => {
	it('starts on the first board and stays there for the dwell', () => {
		const s = run(start(), T0, T0 + DWELL - 1000);
		expect(shownBoard(s)).toBe('pipeline');
		expect(dwellProgress(s, T0 + DWELL / 2)).toBeCloseTo(0.5);
	});

	it('moves to the next board when the dwell is over, and wraps around', () => {
		let s = run(start(), T0, T0 + DWELL);
		expect(shownBoard(s)).toBe('orders');
		expect(upcomingBoard(s)).toBe('exceptions');
		expect(dwellProgress(s, T0 + DWELL)).toBe(0);
		s = run(s, T0 + DWELL, T0 + 3 * DWELL);
		expect(shownBoard(s)).toBe('pipeline');
	});

	it('moves one board, not several, after a long pause', () => {
		const s = tick(start(), T0 + 10 * DWELL);
		expect(shownBoard(s)).toBe('orders');
		expect(s.enteredAt).toBe(T0 + 10 * DWELL);
	});

	it('with one board, stays on it', () => {
		const s = run(startRotation({ boards: ['orders'], dwellMs: DWELL, now: T0 }), T0, T0 + 3 * DWELL);
		expect(shownBoard(s)).toBe('orders');
	});

	it('moves by hand both ways, restarting the dwell', () => {
		let s = run(start(), T0, T0 + 15_000);
		s = step(s, 1, T0 + 15_000);
		expect(shownBoard(s)).toBe('orders');
		expect(dwellProgress(s, T0 + 15_000)).toBe(0);
		s = step(step(s, -1, T0 + 16_000), -1, T0 + 16_000);
		expect(shownBoard(s)).toBe('exceptions');
		expect(dwellEndsAt(s)).toBe(T0 + 16_000 + DWELL);
	});

	it('refuses no boards and a non-positive dwell', () => {
		expect(() => startRotation({ boards: [], dwellMs: DWELL, now: T0 })).toThrow();
		expect(() => startRotation({ boards, dwellMs: 0, now: T0 })).toThrow();
	});
});

describe('hold on a critical condition', () => {
	it('goes to the condition\'s board at once and stops rotating', () => {
		let s = applyHolds(start(), [critical], T0 + 1000);
		expect(shownBoard(s)).toBe('exceptions');
		expect(dwellProgress(s, T0 + 1000)).toBeNull();
		expect(dwellEndsAt(s)).toBeNull();
		s = run(s, T0 + 1000, T0 + 10 * DWELL);
		expect(shownBoard(s)).toBe('exceptions');
		expect(s.hold).toEqual(critical);
	});

	it('resumes on the held board with a fresh dwell once nothing holds', () => {
		let s = applyHolds(run(start(), T0, T0 + DWELL), [critical], T0 + DWELL + 500);
		s = run(s, T0 + DWELL + 1000, T0 + 5 * DWELL);
		s = applyHolds(s, [], T0 + 5 * DWELL);
		expect(s.hold).toBeNull();
		expect(shownBoard(s)).toBe('exceptions');
		expect(dwellProgress(s, T0 + 5 * DWELL)).toBe(0);
		s = run(s, T0 + 5 * DWELL, T0 + 6 * DWELL);
		expect(shownBoard(s)).toBe('pipeline');
	});

	it('holds on the most urgent condition and moves to the next one when the first clears', () => {
		let s = applyHolds(start(), [critical, lag], T0);
		expect(shownBoard(s)).toBe('exceptions');
		s = applyHolds(s, [lag], T0 + 5000);
		expect(shownBoard(s)).toBe('pipeline');
		expect(s.hold?.key).toBe('lag-p99');
	});

	it('keeps the same hold when the same condition is reported again, updating its label', () => {
		const s = applyHolds(start(), [lag], T0);
		expect(applyHolds(s, [lag], T0 + 1000)).toBe(s);
		const relabelled = applyHolds(s, [{ ...lag, label: 'Lag p99 50 s' }], T0 + 2000);
		expect(relabelled.hold?.label).toBe('Lag p99 50 s');
	});

	it('lets a person look at other boards while held, then goes back to the held board after one dwell', () => {
		let s = applyHolds(start(), [critical], T0);
		s = step(s, 1, T0 + 1000);
		expect(shownBoard(s)).toBe('pipeline');
		s = step(s, 1, T0 + 2000);
		expect(shownBoard(s)).toBe('orders');
		s = run(s, T0 + 2000, T0 + 2000 + DWELL - 1000);
		expect(shownBoard(s)).toBe('orders');
		s = tick(s, T0 + 2000 + DWELL);
		expect(shownBoard(s)).toBe('exceptions');
		expect(dwellProgress(s, T0 + 2000 + DWELL)).toBeNull();
	});

	it('a new critical condition takes the screen back from a person looking elsewhere', () => {
		let s = step(applyHolds(start(), [lag], T0), 1, T0 + 1000);
		expect(shownBoard(s)).toBe('orders');
		s = applyHolds(s, [critical, lag], T0 + 2000);
		expect(shownBoard(s)).toBe('exceptions');
	});

	it('holds on a board outside the rotation, shows it one more dwell once cleared, then goes on where the rotation was', () => {
		let s = startRotation({ boards: ['orders', 'pipeline'], dwellMs: DWELL, now: T0 });
		s = applyHolds(tick(s, T0 + DWELL), [critical], T0 + DWELL + 1);
		expect(shownBoard(s)).toBe('exceptions');
		s = applyHolds(s, [], T0 + 2 * DWELL);
		expect(shownBoard(s)).toBe('exceptions');
		expect(upcomingBoard(s)).toBe('pipeline');
		expect(dwellProgress(s, T0 + 2 * DWELL)).toBe(0);
		expect(dwellProgress(s, T0 + 2.5 * DWELL)).toBeCloseTo(0.5);
		s = run(s, T0 + 2 * DWELL, T0 + 3 * DWELL - 1000);
		expect(shownBoard(s)).toBe('exceptions');
		s = tick(s, T0 + 3 * DWELL);
		expect(shownBoard(s)).toBe('pipeline');
		expect(dwellProgress(s, T0 + 3 * DWELL)).toBe(0);
		s = run(s, T0 + 3 * DWELL, T0 + 4 * DWELL);
		expect(shownBoard(s)).toBe('orders');
	});

	it('a person stepping during that extra dwell goes back into the rotation', () => {
		let s = startRotation({ boards: ['orders', 'pipeline'], dwellMs: DWELL, now: T0 });
		s = applyHolds(applyHolds(s, [critical], T0), [], T0 + 1000);
		expect(shownBoard(s)).toBe('exceptions');
		s = step(s, 1, T0 + 2000);
		expect(shownBoard(s)).toBe('pipeline');
	});
});
