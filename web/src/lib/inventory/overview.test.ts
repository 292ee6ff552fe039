import { describe, expect, it } from 'vitest';
import {
	bySoonestStockout,
	defaultChannel,
	explainUrl,
	formatHoursToStockout,
	formatRate,
	inventoryPageUrl,
	listingsByExposure,
	listingsShown,
	overviewUrl,
	parseInventoryFilter,
	stockGrid,
	stockoutBand,
	type Listing,
	type SkuOutlook
} from './overview';

describe('the inventory filter', () => {
	it('reads sku and location from the URL, dropping what the API would refuse', () => {
		expect(parseInventoryFilter(new URLSearchParams('sku=TEE&location=DC-EAST'))).toEqual({ sku: 'TEE', location: 'DC-EAST' });
		expect(parseInventoryFilter(new URLSearchParams('sku=bad%20sku&location='))).toEqual({ sku: null, location: null });
		expect(parseInventoryFilter(new URLSearchParams(' '))).toEqual({ sku: null, location: null });
	});

	it('builds the API and page URLs with only the keys set', () => {
		expect(overviewUrl({ sku: null, location: null })).toBe('/api/v1/inventory/overview');
		expect(overviewUrl({ sku: 'TEE', location: 'DC-EAST' })).toBe('/api/v1/inventory/overview?sku=TEE&location=DC-EAST');
		expect(inventoryPageUrl({ sku: null, location: 'STORE-WEST' })).toBe('/inventory?location=STORE-WEST');
		expect(explainUrl('TEE-BLK-M', 'mkt-a')).toBe('/api/v1/inventory/explain?sku=TEE-BLK-M&channel=mkt-a');
	});
});

describe('time to stockout', () => {
	it('bands hours: none without sales, out at 0, soon within a day', () => {
		expect(stockoutBand(null)).toBe('none');
		expect(stockoutBand(0)).toBe('out');
		expect(stockoutBand(23.9)).toBe('soon');
		expect(stockoutBand(24)).toBe('later');
	});

	it('reads as a dash, minutes, hours or days', () => {
		expect(formatHoursToStockout(null)).toBe('—');
		expect(formatHoursToStockout(0)).toBe('out now');
		expect(formatHoursToStockout(0.25)).toBe('15 min');
		expect(formatHoursToStockout(0.001)).toBe('1 min');
		expect(formatHoursToStockout(6.54)).toBe('6.5 h');
		expect(formatHoursToStockout(96)).toBe('4 d');
		expect(formatHoursToStockout(128)).toBe('5.3 d');
	});

	it('shows slow rates with two decimals', () => {
		expect(formatRate(0)).toBe('0 / h');
		expect(formatRate(0.08)).toBe('0.08 / h');
		expect(formatRate(12.25)).toBe('12.3 / h');
	});
});

describe('stockGrid', () => {
	it('places each cell by SKU row and location column, null where there is no record', () => {
		const grid = stockGrid({
			skus: [{ sku: 'A' }, { sku: 'B' }] as never,
			locations: [{ locationId: 'X' }, { locationId: 'Y' }] as never,
			cells: [
				{ sku: 'B', locationId: 'Y', onHand: 3, reserved: 1, available: 2 },
				{ sku: 'A', locationId: 'X', onHand: 1, reserved: 0, available: 1 },
				{ sku: 'C', locationId: 'X', onHand: 9, reserved: 0, available: 9 }
			]
		});
		expect(grid.skus).toEqual(['A', 'B']);
		expect(grid.locations).toEqual(['X', 'Y']);
		expect(grid.values.map((row) => row.map((c) => c?.available ?? null))).toEqual([
			[1, null],
			[null, 2]
		]);
	});
});

describe('listings', () => {
	const listings: Listing[] = [
		{ sku: 'B', channel: 'web', ats: 5, listedQty: null, exposure: null },
		{ sku: 'A', channel: 'web', ats: 1, listedQty: 4, exposure: 3 },
		{ sku: 'A', channel: 'mkt', ats: 0, listedQty: 7, exposure: 7 },
		{ sku: 'B', channel: 'mkt', ats: 2, listedQty: 2, exposure: 0 }
	];

	it('puts the most exposed first, then by SKU and channel', () => {
		expect(listingsByExposure(listings).map((l) => `${l.sku}/${l.channel}`)).toEqual(['A/mkt', 'A/web', 'B/mkt', 'B/web']);
	});

	it('shows listed pairs only, unless asked or unless nothing is listed', () => {
		expect(listingsShown(listings, false).map((l) => `${l.sku}/${l.channel}`)).toEqual(['A/mkt', 'A/web', 'B/mkt']);
		expect(listingsShown(listings, true)).toHaveLength(4);
		const unlisted = listings.map((l) => ({ ...l, listedQty: null, exposure: null }));
		expect(listingsShown(unlisted, false)).toHaveLength(4);
	});

	it('explains the most exposed channel of a SKU first', () => {
		expect(defaultChannel(listings, 'A')).toBe('mkt');
		expect(defaultChannel(listings, 'B')).toBe('mkt');
		expect(defaultChannel(listings, 'Z')).toBeNull();
	});
});

describe('bySoonestStockout', () => {
	it('puts what runs out first on top and SKUs without sales last', () => {
		const outlook = (sku: string, hoursToStockout: number | null) => ({ sku, hoursToStockout }) as SkuOutlook;
		const sorted = bySoonestStockout([outlook('D', null), outlook('C', 80), outlook('B', 0), outlook('A', null), outlook('E', 3)]);
		expect(sorted.map((s) => s.sku)).toEqual(['B', 'E', 'C', 'A', 'D']);
	});
});
