import { formatNumber } from '../format';
import type { InventoryOverview } from '../inventory/overview';
import { stockGrid } from '../inventory/overview';
import { chartChrome, viridis } from '../palette';
import { baseOption, type ChartOption } from './chart-option';
import { readableOn, sampleRamp } from './sequential';

export interface HeatmapScale {
	/** The top of the colour scale: the largest available in view, at least 1. */
	max: number;
}

export function heatmapScale(overview: Pick<InventoryOverview, 'cells'>): HeatmapScale {
	return { max: Math.max(1, ...overview.cells.map((c) => c.available)) };
}

/** The swatch of a value: 0 (or over-reserved, below 0) is the dark end, `max` the bright end. */
export const cellColor = (available: number, scale: HeatmapScale) => sampleRamp(viridis, available / scale.max);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Available stock per SKU (rows) × location (columns). Every cell carries its number as a label, so
 * the colour only repeats what the text says; a missing stock record is left blank.
 */
export function buildInventoryHeatmapOption(overview: Pick<InventoryOverview, 'skus' | 'locations' | 'cells'>): ChartOption {
	const grid = stockGrid(overview);
	const scale = heatmapScale(overview);
	const data = grid.values.flatMap((row, r) =>
		row.flatMap((cell, c) => {
			if (!cell) return [];
			const color = cellColor(cell.available, scale);
			return [{ value: [c, r, cell.available], itemStyle: { color }, label: { color: readableOn(color) } }];
		})
	);
	return {
		...baseOption,
		legend: { show: false },
		tooltip: {
			...baseOption.tooltip,
			trigger: 'item',
			formatter: (params) => {
				const p = Array.isArray(params) ? params[0] : params;
				const [c, r] = (p?.value as number[] | undefined) ?? [];
				const cell = r === undefined || c === undefined ? null : grid.values[r]?.[c];
				if (!cell) return '';
				return `<strong>${escapeHtml(cell.sku)}</strong> at ${escapeHtml(cell.locationId)}<br>${formatNumber(cell.available)} available (${formatNumber(cell.onHand)} on hand, ${formatNumber(cell.reserved)} reserved)`;
			}
		},
		// Room above for the location names: the x-axis sits on top, next to the first SKUs.
		grid: { left: 8, right: 16, top: 28, bottom: 8 },
		xAxis: {
			type: 'category',
			position: 'top',
			data: grid.locations,
			axisLine: { lineStyle: { color: chartChrome.axis } },
			axisTick: { show: false },
			axisLabel: { color: chartChrome.text, fontSize: 13, interval: 0 },
			splitArea: { show: false }
		},
		yAxis: {
			type: 'category',
			inverse: true,
			data: grid.skus,
			axisLine: { lineStyle: { color: chartChrome.axis } },
			axisTick: { show: false },
			axisLabel: { color: chartChrome.text, fontSize: 13, interval: 0 },
			splitArea: { show: false }
		},
		series: [
			{
				type: 'heatmap',
				name: 'Available',
				data,
				label: { show: true, fontSize: 13, fontWeight: 600 },
				itemStyle: { borderColor: chartChrome.panel, borderWidth: 2 },
				emphasis: { itemStyle: { borderColor: '#f0e442', borderWidth: 3 } }
			}
		]
	};
}

/** The chart's text alternative: what it shows and where stock is lowest. */
export function describeInventoryHeatmap(overview: Pick<InventoryOverview, 'skus' | 'locations' | 'cells'>): string {
	if (overview.cells.length === 0) return 'Available stock heat map: no stock records match.';
	const lowest = [...overview.cells].sort((a, b) => a.available - b.available).slice(0, 3);
	return `Available stock heat map of ${overview.skus.length} SKUs at ${overview.locations.length} locations, ${overview.cells.length} stock records. Lowest: ${lowest
		.map((c) => `${c.sku} at ${c.locationId} ${formatNumber(c.available)}`)
		.join(', ')}. The same figures are in the table below the chart.`;
}
