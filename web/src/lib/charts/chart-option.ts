import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import type {
	DatasetComponentOption,
	GridComponentOption,
	LegendComponentOption,
	TooltipComponentOption
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { chartChrome } from '../palette';

/** Only what `echarts-setup.ts` registers, so an option using anything else fails to type-check. */
export type ChartOption = ComposeOption<
	| LineSeriesOption
	| BarSeriesOption
	| HeatmapSeriesOption
	| GridComponentOption
	| TooltipComponentOption
	| LegendComponentOption
	| DatasetComponentOption
>;

const fontFamily = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const baseOption = {
	animation: false,
	backgroundColor: 'transparent',
	textStyle: { color: chartChrome.text, fontFamily, fontSize: 13 },
	legend: {
		top: 0,
		left: 0,
		type: 'scroll',
		itemGap: 16,
		textStyle: { color: chartChrome.text, fontSize: 13 },
		pageTextStyle: { color: chartChrome.text },
		inactiveColor: chartChrome.axis
	},
	tooltip: {
		trigger: 'axis',
		backgroundColor: chartChrome.panel,
		borderColor: chartChrome.axis,
		textStyle: { color: chartChrome.text },
		axisPointer: { type: 'line', lineStyle: { color: chartChrome.muted } }
	},
	grid: { left: 8, right: 16, top: 36, bottom: 8 }
} satisfies ChartOption;

export const timeAxis = {
	type: 'time',
	axisLine: { lineStyle: { color: chartChrome.axis } },
	axisTick: { lineStyle: { color: chartChrome.axis } },
	axisLabel: { color: chartChrome.muted, fontSize: 13, hideOverlap: true },
	splitLine: { show: false }
} as const;

// Units live in the panel heading: an axis name would collide with the legend on narrow screens.
export function valueAxis() {
	return {
		type: 'value',
		minInterval: 1,
		axisLabel: { color: chartChrome.muted, fontSize: 13 },
		splitLine: { lineStyle: { color: chartChrome.grid } }
	} as const;
}
