import { describe, expect, it } from 'vitest';
import type { MinuteBucket } from '$domain/live/overview';
import { buildThroughputOption, describeThroughput } from './throughput-option';

const T0 = Date.UTC(2025, 0, 1, 12, 0);
const buckets: MinuteBucket[] = [
	{ t: T0, accepted: 10, applied: 8, orders: {}, units: {} },
	{ t: T0 + 60_000, accepted: 12, applied: 12, orders: {}, units: {} }
];

describe('buildThroughputOption', () => {
	const option = buildThroughputOption(buckets);

	it('turns off animation and uses a time x-axis', () => {
		expect(option.animation).toBe(false);
		expect(option.xAxis).toMatchObject({ type: 'time' });
	});

	it('puts one row per minute in the dataset, oldest first', () => {
		expect(option.dataset).toMatchObject({
			source: [
				[T0, 8, 10],
				[T0 + 60_000, 12, 12]
			]
		});
	});

	it('draws applied and accepted as distinguishable lines', () => {
		const series = option.series as { type: string; name: string; encode: unknown; lineStyle: { type?: string } }[];
		expect(series.map((s) => s.type)).toEqual(['line', 'line']);
		expect(series.map((s) => s.encode)).toEqual([
			{ x: 't', y: 'applied' },
			{ x: 't', y: 'accepted' }
		]);
		expect(series[0]?.lineStyle.type).toBeUndefined();
		expect(series[1]?.lineStyle.type).toBe('dashed');
	});

	it('uses Okabe–Ito colours', () => {
		expect(option.color).toEqual(['#56B4E9', '#E69F00']);
	});

	it('handles an empty ring', () => {
		expect(buildThroughputOption([]).dataset).toMatchObject({ source: [] });
	});
});

describe('describeThroughput', () => {
	it('summarises the latest minute for screen readers', () => {
		expect(describeThroughput(buckets)).toBe(
			'Throughput over the last 2 minutes. Latest minute: 12 events applied, 12 accepted.'
		);
		expect(describeThroughput([])).toMatch(/no data/);
	});
});
