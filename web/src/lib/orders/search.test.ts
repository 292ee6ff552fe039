import { describe, expect, it } from 'vitest';
import {
	emptyOrderFilter,
	filterFromInput,
	inputProblems,
	isFiltered,
	orderStatuses,
	ordersPageUrl,
	parseOrderFilter,
	searchUrl,
	statusLabel
} from './search';
import { orderPageUrl, shipToText, triageUrl } from './order';

describe('the order filter', () => {
	it('reads q, sku, channel and statuses from the URL, dropping what the API would refuse', () => {
		expect(parseOrderFilter(new URLSearchParams('q=W-10&sku=TEE-BLK-M&channel=web&status=shipped,on_hold,lost'))).toEqual({
			q: 'W-10',
			sku: 'TEE-BLK-M',
			channel: 'web',
			// In the domain's order, whatever the URL's.
			status: ['on_hold', 'shipped']
		});
		expect(parseOrderFilter(new URLSearchParams('q=bad%20id&sku=&channel=%2A'))).toEqual(emptyOrderFilter);
	});

	it('round-trips through the page URL', () => {
		const filter = { q: 'W-1', sku: null, channel: 'mkt-a', status: orderStatuses.slice(0, 2) };
		const url = ordersPageUrl(filter);
		expect(url).toBe('/orders?q=W-1&channel=mkt-a&status=on_hold%2Callocated');
		expect(parseOrderFilter(new URL(url, 'http://x').searchParams)).toEqual(filter);
		expect(ordersPageUrl(emptyOrderFilter)).toBe('/orders');
	});

	it('builds the API query with the page size and cursor', () => {
		expect(searchUrl(emptyOrderFilter)).toBe('/api/v1/orders?limit=50');
		expect(searchUrl({ ...emptyOrderFilter, sku: 'MUG-RED' }, { cursor: 'abc', limit: 10 })).toBe('/api/v1/orders?sku=MUG-RED&limit=10&cursor=abc');
	});

	it('says whether anything narrows the search', () => {
		expect(isFiltered(emptyOrderFilter)).toBe(false);
		expect(isFiltered({ ...emptyOrderFilter, status: ['shipped'] })).toBe(true);
	});
});

describe('what was typed', () => {
	it('names each field that cannot be sent', () => {
		expect(inputProblems({ q: 'W 10', sku: '', channel: 'web' })).toEqual({ q: expect.stringMatching(/letters/i) });
		expect(inputProblems({ q: ' W-10 ', sku: 'x'.repeat(65), channel: '' })).toEqual({ sku: expect.any(String) });
	});

	it('trims, and blank is no filter', () => {
		expect(filterFromInput({ q: ' W-10 ', sku: '', channel: ' ' }, ['backordered'])).toEqual({
			q: 'W-10',
			sku: null,
			channel: null,
			status: ['backordered']
		});
	});
});

describe('order links and words', () => {
	it('links to the order page and to triage with the exception open', () => {
		expect(orderPageUrl('W-1001')).toBe('/orders/W-1001');
		expect(orderPageUrl('A:1')).toBe('/orders/A%3A1');
		expect(triageUrl('W-1002', 'abc')).toBe('/exceptions?status=all&orderId=W-1002&open=abc');
		expect(triageUrl('W-1002')).toBe('/exceptions?status=all&orderId=W-1002');
	});

	it('spells statuses and destinations', () => {
		expect(statusLabel('partially_shipped')).toBe('partially shipped');
		expect(shipToText({ region: 'east', country: 'US', postalCode: '10001' })).toBe('east, US 10001');
		expect(shipToText({ region: 'west' })).toBe('west');
		expect(shipToText(null)).toBe('—');
	});
});
