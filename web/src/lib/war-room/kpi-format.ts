import type { KpiSet } from '$domain/kpis/types';
import { PLACEHOLDER } from '../format';

const percent = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A 0–1 rate as a percentage with one decimal; null (nothing to measure) as a dash. */
export function formatRate(rate: number | null | undefined): string {
	return rate === null || rate === undefined || !Number.isFinite(rate) ? PLACEHOLDER : percent.format(rate);
}

/** A duration in seconds in the unit that reads at a glance: `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`. */
export function formatSeconds(seconds: number | null | undefined): string {
	if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return PLACEHOLDER;
	const s = Math.max(0, Math.round(seconds));
	if (s < 60) return `${s} s`;
	const m = Math.round(s / 60);
	if (m < 60) return `${m} min`;
	const h = Math.floor(m / 60);
	if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
	return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export interface ChannelKpis {
	channel: string;
	orders: number | null;
	unitFillRate: number | null;
	onTimeShipRate: number | null;
	cycleP50: number | null;
	atRiskOrders: number | null;
}

/** One row per channel of a window's breakdown, busiest first. */
export function channelKpiRows(byChannel: Record<string, KpiSet> | undefined): ChannelKpis[] {
	return Object.entries(byChannel ?? {})
		.map(([channel, k]) => ({
			channel,
			orders: k.orders,
			unitFillRate: k.unitFillRate,
			onTimeShipRate: k.onTimeShipRate,
			cycleP50: k.cycleTime.p50,
			atRiskOrders: k.atRiskOrders
		}))
		.sort((a, b) => (b.orders ?? 0) - (a.orders ?? 0) || a.channel.localeCompare(b.channel));
}
