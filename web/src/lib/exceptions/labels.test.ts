import { describe, expect, it } from 'vitest';
import { exceptionTypeList } from './domain';
import { codeLabel, formatAge, subjectOf, typeLabel, typeLabels } from './labels';

describe('typeLabel', () => {
	it('has a label for every type of the domain', () => {
		for (const type of exceptionTypeList) expect(typeLabels[type]).toBeTruthy();
	});

	it('spells out an unknown type instead of failing', () => {
		expect(typeLabel('carrier_delay')).toBe('Carrier delay');
		expect(typeLabel('stockout')).toBe('Stockout');
	});
});

describe('codeLabel', () => {
	it('names known codes and humanizes others', () => {
		expect(codeLabel('no_action')).toBe('No action needed');
		expect(codeLabel('wrong_address')).toBe('Wrong address');
	});
});

describe('formatAge', () => {
	it.each([
		[0, '0s'],
		[45_900, '45s'],
		[12 * 60_000 + 5_000, '12m'],
		[3 * 3_600_000 + 5 * 60_000, '3h 05m'],
		[52 * 3_600_000, '2d 4h'],
		[-5_000, '0s'],
		[Number.NaN, '—']
	])('%s ms → %s', (ms, text) => {
		expect(formatAge(ms)).toBe(text);
	});
});

describe('subjectOf', () => {
	const base = { subject: 'x', orderId: null, sku: null, locationId: null, source: null, channel: null };

	it('prefers the order', () => {
		expect(subjectOf({ ...base, subject: 'order:W-1', orderId: 'W-1', sku: 'TEE' })).toEqual({ kind: 'order', text: 'W-1' });
	});

	it('shows a SKU with its location', () => {
		expect(subjectOf({ ...base, sku: 'TEE', locationId: 'DC-EAST' })).toEqual({ kind: 'sku', text: 'TEE @ DC-EAST' });
	});

	it('falls back to the source, then the raw subject', () => {
		expect(subjectOf({ ...base, source: 'shop-web' })).toEqual({ kind: 'source', text: 'shop-web' });
		expect(subjectOf({ ...base, subject: 'event:shop-web/evt-1' })).toEqual({ kind: 'other', text: 'event:shop-web/evt-1' });
	});
});
