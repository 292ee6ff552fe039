import { describe, expect, it } from 'vitest';
import { bulkFilterOf, filterKey, filterParams, isDefaultFilter, makeFilter, matchesFilter, parseFilter } from './filters';
import { view } from './view-fixture';

const parse = (query: string) => parseFilter(new URLSearchParams(query));

describe('parseFilter / filterParams', () => {
	it('round-trips a filter through the URL', () => {
		const query = 'status=open%2Cescalated&type=fraud_review%2Cstockout&severity=critical&assignee=me&orderId=W-1&minAgeMinutes=60';
		const filter = parse(query);
		expect(filter).toMatchObject({
			status: ['open', 'escalated'],
			type: ['fraud_review', 'stockout'],
			severity: ['critical'],
			assignee: 'me',
			orderId: 'W-1',
			minAgeMinutes: 60,
			maxAgeMinutes: null
		});
		expect(filterParams(filter).toString()).toBe(query);
	});

	it('drops unknown values and keys, and orders lists canonically', () => {
		const filter = parse('type=stockout,nonsense,fraud_review,stockout&severity=urgent&limit=5&minAgeMinutes=-3');
		expect(filter.type).toEqual(['fraud_review', 'stockout']);
		expect(filter.severity).toEqual([]);
		expect(filter.minAgeMinutes).toBeNull();
		expect(filterKey(filter)).toBe('type=fraud_review%2Cstockout');
	});

	it('treats the unresolved statuses as the default and keeps status=all', () => {
		expect(isDefaultFilter(parse('status=escalated,open,acknowledged'))).toBe(true);
		expect(isDefaultFilter(parse(''))).toBe(true);
		expect(parse('status=all').status).toBe('all');
		expect(filterKey(parse('status=all'))).toBe('status=all');
	});

	it('accepts repeated keys as well as comma lists', () => {
		expect(parse('severity=low&severity=high').severity).toEqual(['high', 'low']);
	});
});

describe('matchesFilter', () => {
	const ctx = { me: 'ana@example.com', nowMs: Date.parse('2024-05-01T12:30:00Z') };

	it('shows only unresolved rows by default', () => {
		expect(matchesFilter(view({ status: 'escalated' }), makeFilter(), ctx)).toBe(true);
		expect(matchesFilter(view({ status: 'resolved' }), makeFilter(), ctx)).toBe(false);
		expect(matchesFilter(view({ status: 'resolved' }), makeFilter({ status: 'all' }), ctx)).toBe(true);
		expect(matchesFilter(view({ status: 'open' }), makeFilter({ status: ['resolved'] }), ctx)).toBe(false);
	});

	it('matches me, none and an email', () => {
		const mine = view({ assignee: 'Ana@example.com' });
		expect(matchesFilter(mine, makeFilter({ assignee: 'me' }), ctx)).toBe(true);
		expect(matchesFilter(mine, makeFilter({ assignee: 'me' }), { ...ctx, me: null })).toBe(false);
		expect(matchesFilter(mine, makeFilter({ assignee: 'none' }), ctx)).toBe(false);
		expect(matchesFilter(view(), makeFilter({ assignee: 'none' }), ctx)).toBe(true);
		expect(matchesFilter(mine, makeFilter({ assignee: 'bo@example.com' }), ctx)).toBe(false);
	});

	it('filters by type, severity and subject', () => {
		expect(matchesFilter(view(), makeFilter({ type: ['fraud_review'] }), ctx)).toBe(false);
		expect(matchesFilter(view(), makeFilter({ severity: ['high', 'critical'] }), ctx)).toBe(true);
		expect(matchesFilter(view(), makeFilter({ orderId: 'W-2' }), ctx)).toBe(false);
		expect(matchesFilter(view(), makeFilter({ location: 'DC-EAST', channel: 'web', sku: 'TEE' }), ctx)).toBe(true);
	});

	it('measures age from openedAt', () => {
		// Opened 90 minutes before ctx.nowMs.
		expect(matchesFilter(view(), makeFilter({ minAgeMinutes: 60 }), ctx)).toBe(true);
		expect(matchesFilter(view(), makeFilter({ minAgeMinutes: 91 }), ctx)).toBe(false);
		expect(matchesFilter(view(), makeFilter({ maxAgeMinutes: 90 }), ctx)).toBe(true);
		expect(matchesFilter(view(), makeFilter({ maxAgeMinutes: 89 }), ctx)).toBe(false);
	});
});

describe('bulkFilterOf', () => {
	it('carries the query keys a bulk action understands', () => {
		expect(bulkFilterOf(parse('status=open&type=stockout,short_pick&assignee=none&minAgeMinutes=30'))).toEqual({
			status: 'open',
			type: 'stockout,short_pick',
			assignee: 'none',
			minAgeMinutes: 30
		});
		expect(bulkFilterOf(makeFilter())).toEqual({});
	});

	it('is null for a filter on an order or a SKU', () => {
		expect(bulkFilterOf(makeFilter({ orderId: 'W-1' }))).toBeNull();
		expect(bulkFilterOf(makeFilter({ sku: 'TEE' }))).toBeNull();
	});
});
