import { describe, expect, it } from 'vitest';
import type { KpiSet } from '$domain/kpis/types';
import { channelKpiRows, formatRate, formatSeconds } from './kpi-format';

const set = (over: Partial<KpiSet>): KpiSet => ({
	orders: null,
	unitsOrdered: null,
	unitFillRate: null,
	orderFillRate: null,
	cycleTime: { p50: null, p90: null, p99: null, mean: null },
	onTimeShipRate: null,
	backorderedUnits: null,
	oversellExposure: { units: null, pairs: null },
	atRiskOrders: null,
	inventoryAccuracy: null,
	returnResolution: { p50: null, p90: null },
	recoveryLoss: null,
	throughput: { eventsPerSecond: null, lagP50Ms: null, lagP99Ms: null },
	...over
});

describe('formatRate', () => {
	it('shows a fraction as a percentage, and nothing to measure as a dash', () => {
		expect(formatRate(0.9754)).toBe('97.5%');
		expect(formatRate(1)).toBe('100.0%');
		expect(formatRate(null)).toBe('—');
		expect(formatRate(Number.NaN)).toBe('—');
	});
});

describe('formatSeconds', () => {
	it('picks the unit that reads at a glance', () => {
		expect(formatSeconds(45)).toBe('45 s');
		expect(formatSeconds(720)).toBe('12 min');
		expect(formatSeconds(3 * 3600 + 5 * 60)).toBe('3 h 05 min');
		expect(formatSeconds(52 * 3600)).toBe('2 d 4 h');
		expect(formatSeconds(null)).toBe('—');
	});
});

describe('channelKpiRows', () => {
	it('lists channels busiest first, with the board\'s figures', () => {
		const rows = channelKpiRows({
			pos: set({ orders: 2, unitFillRate: 1 }),
			web: set({ orders: 9, onTimeShipRate: 0.5, cycleTime: { p50: 600, p90: null, p99: null, mean: null }, atRiskOrders: 3 })
		});
		expect(rows).toEqual([
			{ channel: 'web', orders: 9, unitFillRate: null, onTimeShipRate: 0.5, cycleP50: 600, atRiskOrders: 3 },
			{ channel: 'pos', orders: 2, unitFillRate: 1, onTimeShipRate: null, cycleP50: null, atRiskOrders: null }
		]);
		expect(channelKpiRows(undefined)).toEqual([]);
	});
});
