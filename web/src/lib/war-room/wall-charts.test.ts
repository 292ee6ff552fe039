import { describe, expect, it } from 'vitest';
import type { MinuteBucket } from '$domain/live/overview';
import { buildThroughputOption } from '../charts/throughput-option';
import { buildChannelBarsOption, channelTotals, describeChannelBars, forWall, wallScale } from './wall-charts';

const T0 = Date.UTC(2025, 0, 1, 12, 0);
const buckets: MinuteBucket[] = [
	{ t: T0, accepted: 10, applied: 10, orders: { web: 3, pos: 1 }, units: { web: 6, pos: 1 } },
	{ t: T0 + 60_000, accepted: 12, applied: 12, orders: { web: 5, app: 2 }, units: { web: 9, app: 4 } }
];

describe('wallScale', () => {
	it('is 1 at 1080p, 2 at 4K, bounded either side', () => {
		expect(wallScale(1920)).toBe(1);
		expect(wallScale(3840)).toBe(2);
		expect(wallScale(800)).toBe(0.75);
		expect(wallScale(10_000)).toBe(2.5);
		expect(wallScale(Number.NaN)).toBe(1);
	});
});

describe('forWall', () => {
	it('scales text, legend and line widths and keeps the data and animation off', () => {
		const base = buildThroughputOption(buckets);
		const wall = forWall(base, 2) as Record<string, never> & { series: { lineStyle: { width: number } }[] };
		expect(wall.textStyle).toMatchObject({ fontSize: 36 });
		expect(wall.legend).toMatchObject({ textStyle: { fontSize: 36 }, itemWidth: 56 });
		expect(wall.xAxis).toMatchObject({ type: 'time', axisLabel: { fontSize: 36 } });
		expect(wall.yAxis).toMatchObject({ axisLabel: { fontSize: 36 } });
		expect(wall.series.map((s) => s.lineStyle.width)).toEqual([6, 4]);
		expect(wall.dataset).toBe(base.dataset);
		expect(wall.animation).toBe(false);
	});
});

describe('buildChannelBarsOption', () => {
	it('stacks one bar series per channel for orders or units, zero-filled', () => {
		const units = buildChannelBarsOption(buckets, ['web', 'pos'], 'units');
		expect((units.series as { name: string; stack: string }[]).map((s) => [s.name, s.stack])).toEqual([
			['web', 'units'],
			['pos', 'units'],
			['app', 'units']
		]);
		expect(units.dataset).toMatchObject({ source: [[T0, 6, 1, 0], [T0 + 60_000, 9, 0, 4]] });
		expect(units.animation).toBe(false);
	});
});

describe('channelTotals', () => {
	it('sums and averages per channel over the ring, busiest first', () => {
		expect(channelTotals(buckets, ['pos'])).toEqual([
			{ channel: 'web', orders: 8, units: 15, ordersPerMin: 4, unitsPerMin: 7.5 },
			{ channel: 'app', orders: 2, units: 4, ordersPerMin: 1, unitsPerMin: 2 },
			{ channel: 'pos', orders: 1, units: 1, ordersPerMin: 0.5, unitsPerMin: 0.5 }
		]);
		expect(channelTotals([], ['web'])).toEqual([{ channel: 'web', orders: 0, units: 0, ordersPerMin: 0, unitsPerMin: 0 }]);
	});
});

describe('describeChannelBars', () => {
	it('says the latest minute per channel', () => {
		expect(describeChannelBars(buckets, [], 'units')).toBe('Units per minute by channel over the last 2 minutes. Latest minute: web 9, pos 0, app 4.');
		expect(describeChannelBars([], [], 'orders')).toMatch(/no data/);
	});
});
