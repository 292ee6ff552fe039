import type { MinuteBucket } from '$domain/live/overview';
import { channelsOf } from '../buckets';
import { formatNumber } from '../format';
import { chartChrome, seriesPalette } from '../palette';
import { baseOption, timeAxis, valueAxis, type ChartOption } from './chart-option';

/** Orders per minute stacked by channel; a panel-coloured border separates adjacent segments. */
export function buildOrdersByChannelOption(
	buckets: readonly MinuteBucket[],
	listedChannels: readonly string[] = []
): ChartOption {
	const channels = channelsOf(buckets, listedChannels);
	return {
		...baseOption,
		color: [...seriesPalette],
		// Dimensions are positional so a channel named like a reserved dimension cannot clash.
		dataset: {
			source: buckets.map((b) => [b.t, ...channels.map((c) => b.orders[c] ?? 0)])
		},
		xAxis: timeAxis,
		yAxis: valueAxis(),
		series: channels.map((channel, i) => ({
			type: 'bar',
			name: channel,
			stack: 'orders',
			encode: { x: 0, y: i + 1 },
			barMaxWidth: 14,
			itemStyle: { borderColor: chartChrome.panel, borderWidth: 1 }
		}))
	};
}

export function describeOrdersByChannel(buckets: readonly MinuteBucket[], listedChannels: readonly string[] = []): string {
	const latest = buckets.at(-1);
	if (!latest) return 'Orders by channel chart: no data yet.';
	const channels = channelsOf(buckets, listedChannels);
	const parts = channels.map((c) => `${c} ${formatNumber(latest.orders[c] ?? 0)}`);
	return `Orders per minute by channel over the last ${buckets.length} minutes. Latest minute: ${parts.length > 0 ? parts.join(', ') : 'no orders'}.`;
}
