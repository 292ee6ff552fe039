import { describe, expect, it } from 'vitest';
import { exceptionTypeList } from './domain';
import { codeLabel, formatAge, humanize, subjectOf, typeLabel, typeLabels } from './labels';

describe('typeLabel', () => {
	it('has a label for every type of the domain', () => {
		for (const type of exceptionTypeList) expect(typeLabels[type]).toBeTruthy();
	});

	it('spells out an unknown type instead of failing', () => {
		expect(typeLabel('carrier_delay')).toBe('Carrier delay');
		expect(typeLabel('stockout')).toBe('Stockout');
	});
});

describe('humanize', () => {
	it('spells out snake case and camel case', () => {
		expect(humanize('needs_supervisor')).toBe('needs supervisor');
		expect(humanize('lastOrderId')).toBe('last order id');
		expect(humanize('exception.ack')).toBe('exception.ack');
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

	it('prefers the order, with its SKU beside it', () => {
		expect(subjectOf({ ...base, subject: 'order:W-1', orderId: 'W-1' })).toEqual({ kind: 'order', text: 'W-1', extra: null });
		expect(subjectOf({ ...base, subject: 'sku:TEE', orderId: 'W-1', sku: 'TEE', channel: 'web' })).toEqual({ kind: 'order', text: 'W-1', extra: 'TEE' });
		expect(subjectOf({ ...base, orderId: 'W-1', sku: 'TEE', locationId: 'DC-EAST' })).toEqual({ kind: 'order', text: 'W-1', extra: 'TEE @ DC-EAST' });
	});

	it('shows a SKU with its location or channel', () => {
		expect(subjectOf({ ...base, sku: 'TEE', locationId: 'DC-EAST' })).toEqual({ kind: 'sku', text: 'TEE @ DC-EAST', extra: null });
		expect(subjectOf({ ...base, sku: 'TEE', channel: 'web' })).toEqual({ kind: 'sku', text: 'TEE · web', extra: null });
	});

	it('falls back to the source, then the raw subject', () => {
		expect(subjectOf({ ...base, source: 'shop-web' })).toEqual({ kind: 'source', text: 'shop-web', extra: null });
		expect(subjectOf({ ...base, subject: 'event:shop-web/evt-1' })).toEqual({ kind: 'other', text: 'event:shop-web/evt-1', extra: null });
	});
});
