import { describe, expect, it } from 'vitest';
import { backlogChannels, backlogStatuses, buildBacklogOption, describeBacklog, type Backlog } from './backlog-option';

const backlog: Backlog = {
	total: 9,
	byStatus: { picking: 2, allocated: 4, backordered: 3 },
	byChannel: { web: { allocated: 3, backordered: 1 }, 'mkt-a': { allocated: 1, backordered: 2, picking: 2 } }
};

describe('buildBacklogOption', () => {
	it('orders statuses along the flow and channels busiest first', () => {
		expect(backlogStatuses(backlog)).toEqual(['backordered', 'allocated', 'picking']);
		expect(backlogChannels(backlog)).toEqual(['mkt-a', 'web']);
	});

	it('draws one bar per status, stacked by channel, zero where a channel has none', () => {
		const option = buildBacklogOption(backlog);
		const series = option.series as { name: string; stack: string; data: number[] }[];
		expect((option.xAxis as { data: string[] }).data).toEqual(['backordered', 'allocated', 'picking']);
		expect(series.map((s) => [s.name, s.stack, s.data])).toEqual([
			['mkt-a', 'backlog', [2, 1, 2]],
			['web', 'backlog', [1, 3, 0]]
		]);
	});

	it('has an empty chart and a text alternative without data', () => {
		expect(buildBacklogOption(null).series).toEqual([]);
		expect(describeBacklog(null)).toMatch(/no orders waiting/);
		expect(describeBacklog(backlog)).toBe('Backlog by status, stacked by channel: 9 orders waiting to ship; backordered 3, allocated 4, picking 2.');
	});
});
