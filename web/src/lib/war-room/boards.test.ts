import { describe, expect, it } from 'vitest';
import { DEFAULT_BOARDS, parseWarRoomQuery } from './boards';

const parse = (query: string) => parseWarRoomQuery(new URLSearchParams(query));

describe('parseWarRoomQuery', () => {
	it('has sensible defaults: every board, 20 s dwell, kiosk, 30 s lag hold, 512 MB heap', () => {
		expect(parse('')).toEqual({
			boards: [...DEFAULT_BOARDS],
			dwellMs: 20_000,
			kiosk: true,
			lagHoldMs: 30_000,
			heapLimitMb: 512,
			problems: []
		});
	});

	it('takes boards in the given order, without repeats, case-insensitively', () => {
		expect(parse('boards=exceptions,Pipeline,exceptions').boards).toEqual(['exceptions', 'pipeline']);
	});

	it('ignores unknown boards and says so', () => {
		const s = parse('boards=orders,weather');
		expect(s.boards).toEqual(['orders']);
		expect(s.problems).toEqual([expect.stringContaining('"weather"')]);
	});

	it('falls back to every board when none is known', () => {
		const s = parse('boards=weather,,');
		expect(s.boards).toEqual([...DEFAULT_BOARDS]);
		expect(s.problems).toHaveLength(2);
	});

	it('reads dwell in seconds within 5 s to 1 h', () => {
		expect(parse('dwell=45').dwellMs).toBe(45_000);
		for (const bad of ['2', '4000', '1.5', 'soon', '-10']) {
			const s = parse(`dwell=${bad}`);
			expect(s.dwellMs, bad).toBe(20_000);
			expect(s.problems[0]).toMatch(/dwell/);
		}
	});

	it('has an escape hatch out of kiosk mode', () => {
		for (const off of ['0', 'false', 'off', 'NO']) expect(parse(`kiosk=${off}`).kiosk).toBe(false);
		expect(parse('kiosk=1').kiosk).toBe(true);
	});

	it('reads the lag hold threshold in seconds, or off', () => {
		expect(parse('lagHold=5').lagHoldMs).toBe(5_000);
		expect(parse('lagHold=off').lagHoldMs).toBeNull();
		expect(parse('lagHold=0').lagHoldMs).toBe(30_000);
	});

	it('reads the heap bound in MB', () => {
		expect(parse('heapMb=1024').heapLimitMb).toBe(1024);
		expect(parse('heapMb=1').heapLimitMb).toBe(512);
	});
});
