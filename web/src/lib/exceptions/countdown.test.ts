import { describe, expect, it } from 'vitest';
import { slaCountdown } from './countdown';

const due = Date.parse('2024-05-01T12:00:00Z');
const at = (offsetSeconds: number) => slaCountdown(due, due - offsetSeconds * 1000);

describe('slaCountdown', () => {
	it('is green with 15 minutes or more left', () => {
		expect(at(15 * 60)).toMatchObject({ text: '15:00', band: 'ok', label: 'due in 15 min' });
		expect(at(2 * 3600 + 5)).toMatchObject({ text: '2:00:05', band: 'ok', label: 'due in 2 h 5 s' });
	});

	it('turns amber under 15 minutes', () => {
		expect(at(15 * 60 - 1)).toMatchObject({ text: '14:59', band: 'warn', label: 'due in 14 min 59 s' });
		expect(at(1)).toMatchObject({ text: '00:01', band: 'warn' });
	});

	it('reads 00:00 at the due instant and is not yet overdue', () => {
		expect(at(0)).toMatchObject({ text: '00:00', band: 'warn', label: 'due now', seconds: 0 });
		// Less than a second past due still rounds to zero, never to "−00:00".
		expect(slaCountdown(due, due + 400)).toMatchObject({ text: '00:00', band: 'warn', seconds: 0 });
	});

	it('is red with a minus sign once overdue', () => {
		expect(at(-(4 * 60 + 12))).toMatchObject({ text: '−04:12', band: 'overdue', label: 'overdue by 4 min 12 s', seconds: -252 });
		expect(at(-1)).toMatchObject({ text: '−00:01', band: 'overdue' });
		expect(at(-(3 * 3600))).toMatchObject({ text: '−3:00:00', band: 'overdue', label: 'overdue by 3 h' });
	});

	it('rounds partial seconds up while time is left', () => {
		expect(slaCountdown(due, due - 59_001)).toMatchObject({ text: '01:00' });
		expect(slaCountdown(due, due - 58_999)).toMatchObject({ text: '00:59' });
	});

	it('shows days for long SLAs', () => {
		expect(at(26 * 3600 + 61)).toMatchObject({ text: '1d 02:01:01', label: 'due in 1 d 2 h 1 min 1 s' });
	});

	it('copes with an unparseable due time', () => {
		expect(slaCountdown(Number.NaN, due)).toMatchObject({ text: '—', band: 'ok' });
	});
});
