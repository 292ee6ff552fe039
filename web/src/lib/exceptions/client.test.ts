import { describe, expect, it } from 'vitest';
import { exceptionUrl, exportUrl, pageUrl, queueUrl } from './client';
import { makeFilter } from './filters';

describe('URLs', () => {
	const filter = makeFilter({ type: ['stockout'], assignee: 'me' });

	it('builds the queue query with a page', () => {
		expect(queueUrl(filter, { cursor: 'abc', limit: 50 })).toBe('/api/v1/exceptions?type=stockout&assignee=me&limit=50&cursor=abc');
		expect(queueUrl(makeFilter())).toBe('/api/v1/exceptions?limit=100');
	});

	it('exports with the same filter', () => {
		expect(exportUrl(filter)).toBe('/api/v1/exceptions/export.csv?type=stockout&assignee=me');
		expect(exportUrl(makeFilter())).toBe('/api/v1/exceptions/export.csv');
	});

	it('addresses one exception and its actions', () => {
		expect(exceptionUrl('a/b')).toBe('/api/v1/exceptions/a%2Fb');
		expect(exceptionUrl('x1', 'ack')).toBe('/api/v1/exceptions/x1/ack');
	});

	it('keeps the open exception in the page URL', () => {
		expect(pageUrl(filter, 'x1')).toBe('/exceptions?type=stockout&assignee=me&open=x1');
		expect(pageUrl(makeFilter())).toBe('/exceptions');
	});
});
