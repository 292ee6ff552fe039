import { describe, expect, it } from 'vitest';
import type { MinuteBucket } from '$domain/live/overview';
import { buildOrdersByChannelOption, describeOrdersByChannel } from './orders-by-channel-option';

const T0 = Date.UTC(2025, 0, 1, 12, 0);
const buckets: MinuteBucket[] = [
	{ t: T0, accepted: 0, applied: 0, orders: { web: 3, pos: 1 }, units: {} },
	{ t: T0 + 60_000, accepted: 0, applied: 0, orders: { web: 5, app: 2 }, units: {} }
];

describe('buildOrdersByChannelOption', () => {
	const option = buildOrdersByChannelOption(buckets, ['web', 'pos']);
	const series = option.series as { type: string; name: string; stack: string; encode: { x: number; y: number } }[];

	it('stacks one bar series per channel, listed channels first', () => {
		expect(series.map((s) => s.name)).toEqual(['web', 'pos', 'app']);
		expect(new Set(series.map((s) => s.stack))).toEqual(new Set(['orders']));
		expect(series.map((s) => s.type)).toEqual(['bar', 'bar', 'bar']);
		expect(series.map((s) => s.encode)).toEqual([
			{ x: 0, y: 1 },
			{ x: 0, y: 2 },
			{ x: 0, y: 3 }
		]);
	});

	it('fills missing channels with zero', () => {
		expect(option.dataset).toMatchObject({
			source: [
				[T0, 3, 1, 0],
				[T0 + 60_000, 5, 0, 2]
			]
		});
	});

	it('is static and time-based', () => {
		expect(option.animation).toBe(false);
		expect(option.xAxis).toMatchObject({ type: 'time' });
	});

	it('copes with no buckets and no channels', () => {
		const empty = buildOrdersByChannelOption([]);
		expect(empty.series).toEqual([]);
		expect(empty.dataset).toMatchObject({ source: [] });
	});
});

describe('describeOrdersByChannel', () => {
	it('lists the latest minute per channel', () => {
		expect(describeOrdersByChannel(buckets, ['web', 'pos'])).toBe(
			'Orders per minute by channel over the last 2 minutes. Latest minute: web 5, pos 0, app 2.'
		);
	});
});
