import { describe, expect, it } from 'vitest';
import type { InventoryOverview } from '../inventory/overview';
import { viridis } from '../palette';
import { buildInventoryHeatmapOption, cellColor, describeInventoryHeatmap, heatmapScale } from './inventory-heatmap-option';
import { contrastRatio } from './sequential';

const overview: Pick<InventoryOverview, 'skus' | 'locations' | 'cells'> = {
	skus: [{ sku: 'MUG-RED' }, { sku: 'TEE-BLK-M' }] as InventoryOverview['skus'],
	locations: [
		{ locationId: 'DC-EAST', name: 'East DC', shipsToCustomers: true },
		{ locationId: 'STORE-WEST', name: 'West store', shipsToCustomers: true }
	],
	cells: [
		{ sku: 'MUG-RED', locationId: 'DC-EAST', onHand: 2, reserved: 0, available: 2 },
		{ sku: 'TEE-BLK-M', locationId: 'DC-EAST', onHand: 8, reserved: 0, available: 8 },
		{ sku: 'TEE-BLK-M', locationId: 'STORE-WEST', onHand: 4, reserved: 6, available: -2 }
	]
};

type Item = { value: number[]; itemStyle: { color: string }; label: { color: string } };

describe('buildInventoryHeatmapOption', () => {
	const option = buildInventoryHeatmapOption(overview);
	const series = option.series as { type: string; data: Item[]; label: { show: boolean } }[];

	it('draws one heat-map series with a labelled cell per stock record, none where there is no record', () => {
		expect(series).toHaveLength(1);
		expect(series[0]!.type).toBe('heatmap');
		expect(series[0]!.label.show).toBe(true);
		expect(series[0]!.data.map((d) => d.value)).toEqual([
			[0, 0, 2],
			[0, 1, 8],
			[1, 1, -2]
		]);
	});

	it('puts SKUs down and locations across, first SKU on top', () => {
		expect(option.xAxis).toMatchObject({ type: 'category', data: ['DC-EAST', 'STORE-WEST'] });
		expect(option.yAxis).toMatchObject({ type: 'category', data: ['MUG-RED', 'TEE-BLK-M'], inverse: true });
		expect(option.animation).toBe(false);
	});

	it('colours from viridis, brightest at the largest value, and labels every cell legibly', () => {
		const [mug, tee, over] = series[0]!.data;
		expect(tee!.itemStyle.color).toBe(viridis.at(-1));
		expect(over!.itemStyle.color).toBe(viridis[0]);
		expect(mug!.itemStyle.color).toBe(cellColor(2, heatmapScale(overview)));
		for (const item of series[0]!.data) expect(contrastRatio(item.itemStyle.color, item.label.color)).toBeGreaterThanOrEqual(4.5);
	});

	it('scales to at least 1 so an all-empty view does not divide by 0', () => {
		expect(heatmapScale({ cells: [] }).max).toBe(1);
		expect(heatmapScale({ cells: [{ available: -3 }] as never }).max).toBe(1);
	});

	it('tells the cell in the tooltip, with on hand and reserved', () => {
		const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
		expect(formatter({ value: [1, 1, -2] })).toBe('<strong>TEE-BLK-M</strong> at STORE-WEST<br>-2 available (4 on hand, 6 reserved)');
		expect(formatter({ value: [1, 0, 0] })).toBe('');
	});
});

describe('describeInventoryHeatmap', () => {
	it('summarises the chart and names the lowest cells', () => {
		expect(describeInventoryHeatmap(overview)).toBe(
			'Available stock heat map of 2 SKUs at 2 locations, 3 stock records. Lowest: TEE-BLK-M at STORE-WEST -2, MUG-RED at DC-EAST 2, TEE-BLK-M at DC-EAST 8. The same figures are in the table below the chart.'
		);
		expect(describeInventoryHeatmap({ skus: [], locations: [], cells: [] })).toMatch(/no stock records/);
	});
});
