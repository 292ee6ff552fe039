/** `ok` (green), `warn` (amber: under 15 minutes left), `overdue` (red, past `dueAt`). */
export type SlaBand = 'ok' | 'warn' | 'overdue';

export const WARN_UNDER_SECONDS = 15 * 60;
/** U+2212: a real minus sign, the width of a digit, so the column does not jiggle. */
export const MINUS = '−';

export interface SlaCountdown {
	/** `14:59`, `3:04:05`, `2d 03:04:05`; overdue ones start with a minus: `−04:12`. */
	text: string;
	band: SlaBand;
	/** For screen readers: "due in 14 min 59 s", "overdue by 4 min 12 s". */
	label: string;
	/** Whole seconds left (negative once overdue). */
	seconds: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

function clock(total: number): string {
	const days = Math.floor(total / 86_400);
	const hours = Math.floor((total % 86_400) / 3_600);
	const minutes = Math.floor((total % 3_600) / 60);
	const seconds = total % 60;
	if (days > 0) return `${days}d ${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
	if (hours > 0) return `${hours}:${pad(minutes)}:${pad(seconds)}`;
	return `${pad(minutes)}:${pad(seconds)}`;
}

function words(total: number): string {
	const days = Math.floor(total / 86_400);
	const hours = Math.floor((total % 86_400) / 3_600);
	const minutes = Math.floor((total % 3_600) / 60);
	const seconds = total % 60;
	const parts = [days && `${days} d`, hours && `${hours} h`, minutes && `${minutes} min`, (seconds || total === 0) && `${seconds} s`];
	return parts.filter(Boolean).join(' ');
}

/**
 * The SLA countdown to `dueAtMs` at `nowMs`. Seconds round up while time is left, so the clock
 * reads 00:00 exactly at the due instant and turns red one second later.
 */
export function slaCountdown(dueAtMs: number, nowMs: number): SlaCountdown {
	// `+ 0` turns the -0 of Math.ceil(-0.4) into 0.
	const seconds = Math.ceil((dueAtMs - nowMs) / 1000) + 0;
	if (!Number.isFinite(seconds)) return { text: '—', band: 'ok', label: 'no due time', seconds: 0 };
	const abs = Math.abs(seconds);
	if (seconds < 0) return { text: `${MINUS}${clock(abs)}`, band: 'overdue', label: `overdue by ${words(abs)}`, seconds };
	return {
		text: clock(abs),
		band: seconds < WARN_UNDER_SECONDS ? 'warn' : 'ok',
		label: seconds === 0 ? 'due now' : `due in ${words(abs)}`,
		seconds
	};
}
