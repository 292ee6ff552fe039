import { describe, expect, it } from 'vitest';
import type { KpiSet } from '$domain/kpis/types';
import { breakdownRows, buildTrendOption, compareSeries, describeChange, elapsedOnly, METRICS, periodRanges, periodTotal, type SeriesPoint } from './trends';

const kpis = (over: Partial<KpiSet> = {}): KpiSet => ({
	orders: 0, unitsOrdered: 0, unitFillRate: null, orderFillRate: null,
	cycleTime: { p50: null, p90: null, p99: null, mean: null }, onTimeShipRate: null, backorderedUnits: 0,
	oversellExposure: { units: 0, pairs: 0 }, atRiskOrders: 0, inventoryAccuracy: null,
	returnResolution: { p50: null, p90: null }, recoveryLoss: 0, throughput: { eventsPerSecond: 0, lagP50Ms: null, lagP99Ms: null },
	...over
});
const H = 3_600_000;
const point = (fromMs: number, over: Partial<KpiSet>): SeriesPoint => ({ from: new Date(fromMs).toISOString(), to: new Date(fromMs + H).toISOString(), kpis: kpis(over) });
const metric = (id: string) => METRICS.find((m) => m.id === id)!;
const T = Date.UTC(2026, 10, 27);

describe('periodRanges', () => {
	const today = { from: '2026-11-26T23:00:00.000Z', to: '2026-11-27T23:00:00.000Z' };
	it('compares today with yesterday by hour', () => {
		expect(periodRanges('today', today)).toEqual({
			bucket: 'hour', current: today, previous: { from: '2026-11-25T23:00:00.000Z', to: '2026-11-26T23:00:00.000Z' }
		});
	});
	it('compares the last 14 days with the 14 before by day', () => {
		expect(periodRanges('14d', today)).toEqual({
			bucket: 'day',
			current: { from: '2026-11-13T23:00:00.000Z', to: today.to },
			previous: { from: '2026-10-30T23:00:00.000Z', to: '2026-11-13T23:00:00.000Z' }
		});
	});
});

describe('compareSeries', () => {
	const current = [point(T, { orders: 4 }), point(T + H, { orders: 6 })];
	const previous = [point(T - 24 * H, { orders: 2 }), point(T - 23 * H, { orders: 6 }), point(T - 22 * H, { orders: 1 })];

	it('pairs the buckets by position, with deltas where both are measured', () => {
		const rows = compareSeries(current, previous, metric('orders'), 'UTC', 'hour');
		expect(rows.map((r) => [r.label, r.current, r.previous, r.delta])).toEqual([
			['00:00', 4, 2, 2],
			['01:00', 6, 6, 0],
			['02:00', null, 1, null]
		]);
	});

	it('drops buckets that have not started and sums additive metrics only', () => {
		expect(elapsedOnly(previous, T - 23 * H)).toHaveLength(2);
		expect(periodTotal(current, metric('orders'))).toBe(10);
		expect(periodTotal(current, metric('unitFillRate'))).toBeNull();
	});
});

describe('describeChange', () => {
	it('says the direction in symbols and words, better or worse by the metric', () => {
		expect(describeChange(0.95, 0.9, metric('unitFillRate')).text).toBe('▲ 5.0 pts better');
		expect(describeChange(7200, 3600, metric('cycleP50'))).toEqual({ text: '▲ 100 % worse', direction: 'up', better: false });
		expect(describeChange(null, 1, metric('orders')).direction).toBe('none');
		expect(describeChange(3, 3, metric('orders')).text).toBe('no change');
	});
});

describe('buildTrendOption', () => {
	it('draws the current period solid with dots and the previous dashed, rates in percent', () => {
		const rows = compareSeries([point(T, { unitFillRate: 0.987 })], [point(T - 24 * H, { unitFillRate: 0.5 })], metric('unitFillRate'), 'UTC');
		const option = buildTrendOption(rows, metric('unitFillRate'), { current: 'Today', previous: 'Yesterday' });
		const series = option.series as { name: string; data: (number | null)[]; lineStyle: { type?: string }; symbol: string }[];
		expect(series.map((s) => [s.name, s.data, s.lineStyle.type ?? 'solid', s.symbol])).toEqual([
			['Today', [98.7], 'solid', 'circle'],
			['Yesterday', [50], 'dashed', 'none']
		]);
	});
});

describe('breakdownRows', () => {
	it('lists the busiest first', () => {
		expect(breakdownRows({ a: kpis({ orders: 1 }), b: kpis({ orders: 5 }) }).map((r) => r.key)).toEqual(['b', 'a']);
	});
});
