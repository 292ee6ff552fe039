import { describe, expect, it } from 'vitest';
import type { ExceptionView } from '../exceptions/domain';
import { view as exceptionView } from '../exceptions/view-fixture';
import { CriticalTracker, holdsRotation, isOpenCritical } from './criticals';
import { holdConditions, lagText } from './holds';

const critical = (id: string, over: Partial<ExceptionView> = {}): ExceptionView =>
	exceptionView({ id, type: 'oversell_exposure', severity: 'critical', status: 'open', version: 1, dueAt: '2025-01-01T12:15:00Z', subject: `sku:${id}`, ...over });

describe('which criticals count', () => {
	it('lists unresolved criticals; only open or escalated ones hold the rotation', () => {
		expect(isOpenCritical(critical('a'))).toBe(true);
		expect(isOpenCritical(critical('a', { status: 'acknowledged' }))).toBe(true);
		expect(isOpenCritical(critical('a', { status: 'resolved' }))).toBe(false);
		expect(isOpenCritical(critical('a', { severity: 'high' }))).toBe(false);
		expect(holdsRotation(critical('a'))).toBe(true);
		expect(holdsRotation(critical('a', { status: 'escalated' }))).toBe(true);
		expect(holdsRotation(critical('a', { status: 'acknowledged' }))).toBe(false);
	});
});

describe('CriticalTracker', () => {
	it('adds, updates and drops by version, soonest due first', () => {
		const t = new CriticalTracker();
		expect(t.apply([critical('b', { dueAt: '2025-01-01T12:30:00Z' }), critical('a'), exceptionView({ id: 'h', severity: 'high' })], 0)).toBe(true);
		expect(t.list().map((e) => e.id)).toEqual(['a', 'b']);
		t.apply([critical('a', { status: 'acknowledged', version: 2 })], 1);
		expect(t.list()[0]).toMatchObject({ id: 'a', status: 'acknowledged' });
		// A late, older copy changes nothing.
		expect(t.apply([critical('a', { status: 'open', version: 1 })], 2)).toBe(false);
		t.apply([critical('a', { status: 'resolved', version: 3 })], 3);
		expect(t.list().map((e) => e.id)).toEqual(['b']);
		// Nor does an older copy bring a resolved one back.
		t.apply([critical('a', { version: 2 })], 4);
		expect(t.list().map((e) => e.id)).toEqual(['b']);
	});

	it('drops what a reload no longer lists, but keeps what was pushed while the reload ran', () => {
		const t = new CriticalTracker();
		t.apply([critical('old'), critical('during')], 100);
		t.apply([critical('during', { version: 2 })], 600);
		t.reload([critical('fresh')], 500);
		expect(t.list().map((e) => e.id).sort()).toEqual(['during', 'fresh']);
	});

	it('a reload does not undo a newer pushed version', () => {
		const t = new CriticalTracker();
		t.apply([critical('a', { version: 3, status: 'resolved' })], 10);
		t.reload([critical('a', { version: 2 })], 5);
		expect(t.list()).toEqual([]);
	});
});

describe('holdConditions', () => {
	it('holds on unacknowledged criticals, soonest due first, then on lag over the threshold', () => {
		const holds = holdConditions({
			criticals: [
				critical('late', { dueAt: '2025-01-01T13:00:00Z' }),
				critical('acked', { status: 'acknowledged' }),
				critical('soon', { dueAt: '2025-01-01T12:05:00Z', status: 'escalated' })
			],
			lagP99Ms: 45_000,
			lagHoldMs: 30_000
		});
		expect(holds.map((h) => [h.key, h.board])).toEqual([
			['exception:soon', 'exceptions'],
			['exception:late', 'exceptions'],
			['lag-p99', 'pipeline']
		]);
		expect(holds[0]!.label).toBe('Critical oversell exposure (sku:soon) escalated');
		expect(holds[1]!.label).toMatch(/not acknowledged/);
		expect(holds[2]!.label).toBe('Pipeline lag p99 45 s, over 30 s');
	});

	it('does not hold on lag at or under the threshold, with no lag, or when lag holds are off', () => {
		for (const [lagP99Ms, lagHoldMs] of [[30_000, 30_000], [null, 30_000], [90_000, null]] as const) {
			expect(holdConditions({ criticals: [], lagP99Ms, lagHoldMs })).toEqual([]);
		}
	});
});

describe('lagText', () => {
	it('says a lag in the unit a sentence needs', () => {
		expect(lagText(850)).toBe('850 ms');
		expect(lagText(2000)).toBe('2 s');
		expect(lagText(6843)).toBe('6.8 s');
		expect(lagText(45_000)).toBe('45 s');
		expect(lagText(150_000)).toBe('2.5 min');
	});
});
