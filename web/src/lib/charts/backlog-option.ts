import { formatNumber } from '../format';
import { chartChrome, seriesPalette } from '../palette';
import { baseOption, valueAxis, type ChartOption } from './chart-option';

/** The backlog of `GET /api/v1/operations`: orders still to ship, by channel × status. */
export interface Backlog {
	total: number;
	byStatus: Record<string, number>;
	byChannel: Record<string, Record<string, number>>;
}

/** The order the statuses move in; unknown ones follow, alphabetically. */
const STATUS_ORDER = ['on_hold', 'backordered', 'partially_allocated', 'allocated', 'picking', 'partially_shipped'];

export function backlogStatuses(backlog: Backlog | null): string[] {
	const present = Object.keys(backlog?.byStatus ?? {});
	const rank = (s: string) => (STATUS_ORDER.includes(s) ? STATUS_ORDER.indexOf(s) : STATUS_ORDER.length);
	return present.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Busiest channel first, so the largest segment sits on the axis. */
export function backlogChannels(backlog: Backlog | null): string[] {
	const total = (c: string) => Object.values(backlog?.byChannel[c] ?? {}).reduce((n, v) => n + v, 0);
	return Object.keys(backlog?.byChannel ?? {}).sort((a, b) => total(b) - total(a) || a.localeCompare(b));
}

/** One bar per status, stacked by channel; a panel-coloured border separates adjacent segments. */
export function buildBacklogOption(backlog: Backlog | null): ChartOption {
	const statuses = backlogStatuses(backlog);
	const channels = backlogChannels(backlog);
	return {
		...baseOption,
		color: [...seriesPalette],
		grid: { ...baseOption.grid, left: 8, containLabel: true },
		xAxis: {
			type: 'category',
			data: statuses.map((s) => s.replaceAll('_', ' ')),
			axisLine: { lineStyle: { color: chartChrome.axis } },
			axisLabel: { color: chartChrome.muted, fontSize: 13, interval: 0, hideOverlap: true }
		},
		yAxis: valueAxis(),
		tooltip: { ...baseOption.tooltip, trigger: 'axis', axisPointer: { type: 'shadow' } },
		series: channels.map((channel) => ({
			type: 'bar',
			name: channel,
			stack: 'backlog',
			barMaxWidth: 48,
			data: statuses.map((s) => backlog?.byChannel[channel]?.[s] ?? 0),
			itemStyle: { borderColor: chartChrome.panel, borderWidth: 1 }
		}))
	};
}

/** The chart's text alternative: the total and each status's count. */
export function describeBacklog(backlog: Backlog | null): string {
	if (!backlog || backlog.total === 0) return 'Backlog by status: no orders waiting to ship.';
	const parts = backlogStatuses(backlog).map((s) => `${s.replaceAll('_', ' ')} ${formatNumber(backlog.byStatus[s])}`);
	return `Backlog by status, stacked by channel: ${formatNumber(backlog.total)} orders waiting to ship; ${parts.join(', ')}.`;
}
