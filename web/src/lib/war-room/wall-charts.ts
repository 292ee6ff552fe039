import type { MinuteBucket } from '$domain/live/overview';
import { channelsOf } from '../buckets';
import { baseOption, timeAxis, valueAxis, type ChartOption } from '../charts/chart-option';
import { formatNumber } from '../format';
import { chartChrome, seriesPalette } from '../palette';

/** 1 at 1920 px wide (1080p), 2 at 3840 px (4K): chart text and strokes grow with the screen. */
export function wallScale(widthPx: number): number {
	if (!Number.isFinite(widthPx) || widthPx <= 0) return 1;
	return Math.min(2.5, Math.max(0.75, widthPx / 1920));
}

/** Chart text for reading across a room: 18 px at 1080p (ECharts draws on canvas, so CSS cannot scale it). */
const WALL_FONT_PX = 18;

type AxisLike = { axisLabel?: Record<string, unknown> } & Record<string, unknown>;
type SeriesLike = { lineStyle?: { width?: number } & Record<string, unknown>; barMaxWidth?: number } & Record<string, unknown>;

/** The dashboard's chart option, with text, legend and strokes sized for a wall screen at `scale`. */
export function forWall(option: ChartOption, scale: number): ChartOption {
	const font = Math.round(WALL_FONT_PX * scale);
	const axis = (a: unknown) => {
		const one = (x: AxisLike) => ({ ...x, axisLabel: { ...x.axisLabel, fontSize: font } });
		return Array.isArray(a) ? a.map(one) : a ? one(a as AxisLike) : a;
	};
	const legend = (option.legend ?? {}) as Record<string, unknown>;
	const series = (Array.isArray(option.series) ? option.series : option.series ? [option.series] : []) as SeriesLike[];
	return {
		...option,
		textStyle: { ...(option.textStyle as object), fontSize: font },
		legend: {
			...legend,
			textStyle: { ...(legend.textStyle as object), fontSize: font },
			itemWidth: Math.round(28 * scale),
			itemHeight: Math.round(16 * scale),
			itemGap: Math.round(24 * scale)
		},
		grid: { left: Math.round(12 * scale), right: Math.round(24 * scale), top: Math.round(48 * scale), bottom: Math.round(12 * scale), containLabel: true },
		xAxis: axis(option.xAxis),
		yAxis: axis(option.yAxis),
		series: series.map((s) => ({
			...s,
			...(s.lineStyle ? { lineStyle: { ...s.lineStyle, width: (s.lineStyle.width ?? 2) * scale } } : {}),
			...(s.barMaxWidth ? { barMaxWidth: Math.round(s.barMaxWidth * scale) } : {})
		}))
	} as ChartOption;
}

export type ChannelMeasure = 'orders' | 'units';

/** Orders or units per minute stacked by channel over the ring (bounded: the last 60 minutes). */
export function buildChannelBarsOption(buckets: readonly MinuteBucket[], listedChannels: readonly string[], measure: ChannelMeasure): ChartOption {
	const channels = channelsOf(buckets, listedChannels);
	return {
		...baseOption,
		color: [...seriesPalette],
		dataset: { source: buckets.map((b) => [b.t, ...channels.map((c) => b[measure][c] ?? 0)]) },
		xAxis: timeAxis,
		yAxis: valueAxis(),
		series: channels.map((channel, i) => ({
			type: 'bar',
			name: channel,
			stack: measure,
			encode: { x: 0, y: i + 1 },
			barMaxWidth: 18,
			// A panel-coloured edge tells adjacent segments apart without relying on their hues.
			itemStyle: { borderColor: chartChrome.panel, borderWidth: 1 }
		}))
	};
}

export interface ChannelTotals {
	channel: string;
	/** Over the whole ring (up to the last hour). */
	orders: number;
	units: number;
	/** Per minute, averaged over the minutes in the ring. */
	ordersPerMin: number;
	unitsPerMin: number;
}

/** Per channel over the ring, busiest first; channels the server lists come along even at zero. */
export function channelTotals(buckets: readonly MinuteBucket[], listedChannels: readonly string[]): ChannelTotals[] {
	const minutes = Math.max(1, buckets.length);
	return channelsOf(buckets, listedChannels)
		.map((channel) => {
			let orders = 0;
			let units = 0;
			for (const b of buckets) {
				orders += b.orders[channel] ?? 0;
				units += b.units[channel] ?? 0;
			}
			return { channel, orders, units, ordersPerMin: orders / minutes, unitsPerMin: units / minutes };
		})
		.sort((a, b) => b.orders - a.orders || a.channel.localeCompare(b.channel));
}

export function describeChannelBars(buckets: readonly MinuteBucket[], listedChannels: readonly string[], measure: ChannelMeasure): string {
	const latest = buckets.at(-1);
	if (!latest) return `${measure === 'orders' ? 'Orders' : 'Units'} by channel chart: no data yet.`;
	const parts = channelsOf(buckets, listedChannels).map((c) => `${c} ${formatNumber(latest[measure][c] ?? 0)}`);
	return `${measure === 'orders' ? 'Orders' : 'Units'} per minute by channel over the last ${buckets.length} minutes. Latest minute: ${parts.join(', ') || 'none'}.`;
}
