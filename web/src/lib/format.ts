const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export const PLACEHOLDER = '—';

/** Wall-screen friendly: one decimal for small rates, grouping up to 100k, compact above. */
export function formatNumber(value: number | null | undefined): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return PLACEHOLDER;
	const abs = Math.abs(value);
	if (abs < 10) return oneDecimal.format(value);
	if (abs < 100_000) return grouped.format(value);
	return compact.format(value);
}

/** Latency in the unit that keeps it short: ms below 10 s, then s, then min. */
export function formatDuration(ms: number | null | undefined): { value: string; unit: string } {
	if (ms === null || ms === undefined || !Number.isFinite(ms)) return { value: PLACEHOLDER, unit: '' };
	if (ms < 10_000) return { value: grouped.format(ms), unit: 'ms' };
	if (ms < 120_000) return { value: oneDecimal.format(ms / 1000), unit: 's' };
	return { value: oneDecimal.format(ms / 60_000), unit: 'min' };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** HH:MM:SS in local time, 24-hour. */
export function formatClock(input: string | number | Date | null | undefined): string {
	if (input === null || input === undefined) return PLACEHOLDER;
	const date = input instanceof Date ? input : new Date(input);
	if (Number.isNaN(date.getTime())) return PLACEHOLDER;
	return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** YYYY-MM-DD HH:MM in local time; `fallback` for null (e.g. "Never"). */
export function formatDateTime(iso: string | null | undefined, fallback = PLACEHOLDER): string {
	if (!iso) return fallback;
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return fallback;
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
