import { describe, expect, it } from 'vitest';
import { formatClock, formatDateTime, formatDuration, formatNumber } from './format';

describe('formatNumber', () => {
	it.each([
		[0, '0'],
		[3.46, '3.5'],
		[7, '7'],
		[12.6, '13'],
		[12345, '12,345'],
		[99_999, '99,999'],
		[123_456, '123.5K'],
		[2_500_000, '2.5M'],
		[-4.25, '-4.3']
	])('%s → %s', (input, expected) => {
		expect(formatNumber(input)).toBe(expected);
	});

	it('shows a placeholder for missing or non-finite values', () => {
		expect(formatNumber(null)).toBe('—');
		expect(formatNumber(undefined)).toBe('—');
		expect(formatNumber(Number.NaN)).toBe('—');
		expect(formatNumber(Infinity)).toBe('—');
	});
});

describe('formatDuration', () => {
	it('keeps ms below 10 s', () => {
		expect(formatDuration(0)).toEqual({ value: '0', unit: 'ms' });
		expect(formatDuration(1234.4)).toEqual({ value: '1,234', unit: 'ms' });
	});
	it('switches to seconds then minutes', () => {
		expect(formatDuration(12_340)).toEqual({ value: '12.3', unit: 's' });
		expect(formatDuration(300_000)).toEqual({ value: '5', unit: 'min' });
	});
	it('shows a placeholder for null', () => {
		expect(formatDuration(null)).toEqual({ value: '—', unit: '' });
	});
});

describe('formatClock', () => {
	it('pads local time to HH:MM:SS', () => {
		expect(formatClock(new Date(2025, 0, 2, 9, 5, 3))).toBe('09:05:03');
	});
	it('accepts ISO strings and epoch ms', () => {
		const d = new Date(2025, 5, 1, 23, 59, 58);
		expect(formatClock(d.toISOString())).toBe('23:59:58');
		expect(formatClock(d.getTime())).toBe('23:59:58');
	});
	it('shows a placeholder for invalid input', () => {
		expect(formatClock('nope')).toBe('—');
		expect(formatClock(null)).toBe('—');
	});
});

describe('formatDateTime', () => {
	it('formats local date and time', () => {
		expect(formatDateTime(new Date(2025, 2, 4, 7, 8).toISOString())).toBe('2025-03-04 07:08');
	});
	it('uses the fallback for null', () => {
		expect(formatDateTime(null, 'Never')).toBe('Never');
	});
});
