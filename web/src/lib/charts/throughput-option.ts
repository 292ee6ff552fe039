import type { MinuteBucket } from '$domain/live/overview';
import { formatNumber } from '../format';
import { okabeIto } from '../palette';
import { baseOption, timeAxis, valueAxis, type ChartOption } from './chart-option';

/** Applied vs accepted events per minute over the ring; the two lines differ by dash too, not only colour. */
export function buildThroughputOption(buckets: readonly MinuteBucket[]): ChartOption {
	return {
		...baseOption,
		color: [okabeIto.skyBlue, okabeIto.orange],
		dataset: {
			dimensions: [
				{ name: 't', type: 'time' },
				{ name: 'applied', type: 'number' },
				{ name: 'accepted', type: 'number' }
			],
			source: buckets.map((b) => [b.t, b.applied, b.accepted])
		},
		xAxis: timeAxis,
		yAxis: valueAxis(),
		series: [
			{
				type: 'line',
				name: 'Applied',
				encode: { x: 't', y: 'applied' },
				showSymbol: false,
				symbol: 'circle',
				lineStyle: { width: 3 }
			},
			{
				type: 'line',
				name: 'Accepted',
				encode: { x: 't', y: 'accepted' },
				showSymbol: false,
				symbol: 'diamond',
				lineStyle: { width: 2, type: 'dashed' }
			}
		]
	};
}

export function describeThroughput(buckets: readonly MinuteBucket[]): string {
	const latest = buckets.at(-1);
	if (!latest) return 'Throughput chart: no data yet.';
	return `Throughput over the last ${buckets.length} minutes. Latest minute: ${formatNumber(latest.applied)} events applied, ${formatNumber(latest.accepted)} accepted.`;
}
