import type { KpiSet } from '$domain/kpis/types';
import { chartChrome, okabeIto } from '../palette';
import { formatNumber, PLACEHOLDER } from '../format';
import { baseOption, valueAxis, type ChartOption } from '../charts/chart-option';
import { formatRate, formatSeconds } from '../war-room/kpi-format';

/** One bucket of `GET /api/v1/kpis/series`. */
export interface SeriesPoint {
	from: string;
	to: string;
	kpis: KpiSet;
}
export interface KpiSeries {
	bucket: 'hour' | 'day';
	points: SeriesPoint[];
}

export type PeriodId = 'today' | '14d';
export const periodLabels: Record<PeriodId, { current: string; previous: string; title: string }> = {
	today: { current: 'Today', previous: 'Yesterday', title: 'Today vs yesterday, by hour' },
	'14d': { current: 'Last 14 days', previous: 'The 14 days before', title: '14 days vs the 14 before, by day' }
};

export interface Range {
	from: string;
	to: string;
}
export interface PeriodRanges {
	bucket: 'hour' | 'day';
	current: Range;
	previous: Range;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The ranges to compare, from today's business day as the server answers it (`GET /api/v1/kpis`):
 * today and yesterday by hour, or the 14 days up to the end of today and the 14 before by day.
 */
export function periodRanges(period: PeriodId, today: Range): PeriodRanges {
	const fromMs = Date.parse(today.from);
	const toMs = Date.parse(today.to);
	if (period === 'today') {
		return { bucket: 'hour', current: { from: iso(fromMs), to: iso(toMs) }, previous: { from: iso(fromMs - DAY), to: iso(fromMs) } };
	}
	const start = toMs - 14 * DAY;
	return { bucket: 'day', current: { from: iso(start), to: iso(toMs) }, previous: { from: iso(start - 14 * DAY), to: iso(start) } };
}

export type MetricId = 'orders' | 'unitFillRate' | 'orderFillRate' | 'onTimeShipRate' | 'cycleP50' | 'recoveryLoss';

export interface Metric {
	id: MetricId;
	label: string;
	/** What the heading says the unit is. */
	unit: string;
	value: (k: KpiSet) => number | null;
	format: (v: number | null) => string;
	/** Whether the period's figure is the sum of its buckets (counts, money) or needs the whole period's query (rates, percentiles). */
	additive: boolean;
	/** Higher is better (a rise reads as an improvement). */
	higherIsBetter: boolean;
}

const money = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const METRICS: readonly Metric[] = [
	{ id: 'orders', label: 'Orders', unit: 'orders', value: (k) => k.orders, format: formatNumber, additive: true, higherIsBetter: true },
	{ id: 'unitFillRate', label: 'Unit fill rate', unit: '%', value: (k) => k.unitFillRate, format: formatRate, additive: false, higherIsBetter: true },
	{ id: 'orderFillRate', label: 'Order fill rate', unit: '%', value: (k) => k.orderFillRate, format: formatRate, additive: false, higherIsBetter: true },
	{ id: 'onTimeShipRate', label: 'On-time ship rate', unit: '%', value: (k) => k.onTimeShipRate, format: formatRate, additive: false, higherIsBetter: true },
	{ id: 'cycleP50', label: 'Cycle time p50', unit: 'hours', value: (k) => k.cycleTime.p50, format: formatSeconds, additive: false, higherIsBetter: false },
	{
		id: 'recoveryLoss',
		label: 'Recovery loss',
		unit: 'currency',
		value: (k) => k.recoveryLoss,
		format: (v) => (v === null || !Number.isFinite(v) ? PLACEHOLDER : money.format(v)),
		additive: true,
		higherIsBetter: false
	}
];

/** The label of a bucket on the shared axis: the hour (`14:00`) or the date (`Nov 27`), in the viewer's time zone. */
export function bucketLabel(fromIso: string, bucket: 'hour' | 'day', timeZone?: string): string {
	const d = new Date(fromIso);
	return bucket === 'hour'
		? new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone }).format(d)
		: new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone }).format(d);
}

export interface ComparisonRow {
	/** The position in the period (hour of the day, day 1–14). */
	index: number;
	label: string;
	current: number | null;
	previous: number | null;
	/** current − previous, null when either is unmeasured. */
	delta: number | null;
}

/** The two periods side by side, bucket by bucket (the previous period's i-th bucket against the current one's). */
export function compareSeries(current: readonly SeriesPoint[], previous: readonly SeriesPoint[], metric: Metric, timeZone?: string, bucket: 'hour' | 'day' = 'hour'): ComparisonRow[] {
	const n = Math.max(current.length, previous.length);
	const rows: ComparisonRow[] = [];
	for (let i = 0; i < n; i++) {
		const c = current[i] ? metric.value(current[i]!.kpis) : null;
		const p = previous[i] ? metric.value(previous[i]!.kpis) : null;
		const at = current[i]?.from ?? previous[i]!.from;
		const label = bucket === 'hour' ? bucketLabel(at, 'hour', timeZone) : current[i] ? bucketLabel(at, 'day', timeZone) : `Day ${i + 1}`;
		rows.push({ index: i, label, current: c, previous: p, delta: c === null || p === null ? null : c - p });
	}
	return rows;
}

/** Buckets still in the future (the rest of today) are not drawn for the current period: they are not zero, they have not happened. */
export function elapsedOnly(points: readonly SeriesPoint[], nowMs: number): SeriesPoint[] {
	return points.filter((p) => Date.parse(p.from) <= nowMs);
}

/** A whole period's figure for an additive metric (the sum of its buckets), else null: rates come from the period's own query. */
export function periodTotal(points: readonly SeriesPoint[], metric: Metric): number | null {
	if (!metric.additive) return null;
	let total: number | null = null;
	for (const p of points) {
		const v = metric.value(p.kpis);
		if (v !== null) total = (total ?? 0) + v;
	}
	return total;
}

/** Change as words and a sign, so it never depends on colour: `▲ 12.5 % better`. */
export function describeChange(current: number | null, previous: number | null, metric: Metric): { text: string; direction: 'up' | 'down' | 'flat' | 'none'; better: boolean | null } {
	if (current === null || previous === null) return { text: 'no comparison', direction: 'none', better: null };
	if (current === previous) return { text: 'no change', direction: 'flat', better: null };
	const up = current > previous;
	const better = up === metric.higherIsBetter;
	const diff = metric.unit === '%' ? `${(Math.abs(current - previous) * 100).toFixed(1)} pts` : previous === 0 ? metric.format(Math.abs(current - previous)) : `${((Math.abs(current - previous) / Math.abs(previous)) * 100).toFixed(0)} %`;
	return { text: `${up ? '▲' : '▼'} ${diff} ${better ? 'better' : 'worse'}`, direction: up ? 'up' : 'down', better };
}

/** Values on the chart's axis: rates as percent, cycle time in hours, the rest as is. */
function plotted(metric: Metric, v: number | null): number | null {
	if (v === null) return null;
	if (metric.unit === '%') return Math.round(v * 1000) / 10;
	if (metric.id === 'cycleP50') return Math.round((v / 3600) * 100) / 100;
	return v;
}

/** The current period as a solid line with dots, the previous one dashed without: told apart by shape and legend, not colour alone. */
export function buildTrendOption(rows: readonly ComparisonRow[], metric: Metric, names: { current: string; previous: string }): ChartOption {
	const axis = valueAxis();
	return {
		...baseOption,
		grid: { ...baseOption.grid, left: 8, containLabel: true },
		xAxis: {
			type: 'category',
			data: rows.map((r) => r.label),
			boundaryGap: false,
			axisLine: { lineStyle: { color: chartChrome.axis } },
			axisLabel: { color: chartChrome.muted, fontSize: 12, hideOverlap: true }
		},
		yAxis: { ...axis, minInterval: metric.id === 'orders' ? 1 : 0, ...(metric.unit === '%' ? { max: 100, min: (v: { min: number }) => Math.max(0, Math.floor(v.min / 10) * 10) } : {}) },
		series: [
			{
				type: 'line',
				name: names.current,
				data: rows.map((r) => plotted(metric, r.current)),
				connectNulls: false,
				symbol: 'circle',
				symbolSize: 6,
				lineStyle: { width: 3, color: okabeIto.skyBlue },
				itemStyle: { color: okabeIto.skyBlue }
			},
			{
				type: 'line',
				name: names.previous,
				data: rows.map((r) => plotted(metric, r.previous)),
				connectNulls: false,
				symbol: 'none',
				lineStyle: { width: 2, type: 'dashed', color: okabeIto.orange },
				itemStyle: { color: okabeIto.orange }
			}
		]
	};
}

/** The chart's text alternative. */
export function describeTrend(rows: readonly ComparisonRow[], metric: Metric, names: { current: string; previous: string }): string {
	const shown = rows.filter((r) => r.current !== null || r.previous !== null);
	if (shown.length === 0) return `${metric.label}: nothing to measure in either period.`;
	return `${metric.label}, ${names.current} against ${names.previous}: ${shown.map((r) => `${r.label} ${metric.format(r.current)} vs ${metric.format(r.previous)}`).join('; ')}.`;
}

export interface BreakdownRow {
	key: string;
	orders: number | null;
	unitFillRate: number | null;
	orderFillRate: number | null;
	onTimeShipRate: number | null;
	cycleP50: number | null;
	recoveryLoss: number | null;
}

/** One row per channel or location of the period's report, busiest first. */
export function breakdownRows(by: Record<string, KpiSet> | undefined): BreakdownRow[] {
	return Object.entries(by ?? {})
		.map(([key, k]) => ({
			key,
			orders: k.orders,
			unitFillRate: k.unitFillRate,
			orderFillRate: k.orderFillRate,
			onTimeShipRate: k.onTimeShipRate,
			cycleP50: k.cycleTime.p50,
			recoveryLoss: k.recoveryLoss
		}))
		.sort((a, b) => (b.orders ?? 0) - (a.orders ?? 0) || a.key.localeCompare(b.key));
}
