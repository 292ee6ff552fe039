/**
 * The war room's boards and its URL settings (`/war-room?boards=pipeline,orders&dwell=20`). A new
 * board is an id here with its label, a component in components/war-room/, and its case in
 * routes/war-room/+page.svelte: rotation, holds and staleness work per board id.
 */
export const boardIds = ['pipeline', 'orders', 'exceptions', 'kpis'] as const;
export type BoardId = (typeof boardIds)[number];

export const boardLabels: Record<BoardId, string> = {
	pipeline: 'Pipeline',
	orders: 'Orders',
	exceptions: 'Exceptions',
	kpis: 'KPIs'
};

export const DEFAULT_BOARDS: readonly BoardId[] = ['pipeline', 'orders', 'exceptions', 'kpis'];
export const DEFAULT_DWELL_SECONDS = 20;
export const MIN_DWELL_SECONDS = 5;
export const MAX_DWELL_SECONDS = 3600;
/** Lag p99 above this holds the rotation on the pipeline board. */
export const DEFAULT_LAG_HOLD_SECONDS = 30;
export const DEFAULT_HEAP_LIMIT_MB = 512;
export const MIN_HEAP_LIMIT_MB = 64;
export const MAX_HEAP_LIMIT_MB = 16_384;

export interface WarRoomSettings {
	/** In rotation order; never empty, no repeats. */
	boards: BoardId[];
	dwellMs: number;
	/** Kiosk unless `kiosk=0`; the page honours the escape hatch for signed-in users only. */
	kiosk: boolean;
	/** Null when `lagHold=off`. */
	lagHoldMs: number | null;
	heapLimitMb: number;
	/** What was ignored in the URL, and why; logged to the console, never fatal to a wall screen. */
	problems: string[];
}

export function isBoardId(value: string): value is BoardId {
	return (boardIds as readonly string[]).includes(value);
}

function wholeNumber(raw: string | null, name: string, fallback: number, min: number, max: number, problems: string[]): number {
	if (raw === null || raw.trim() === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < min || n > max) {
		problems.push(`${name}=${raw} ignored: a whole number from ${min} to ${max} is expected; using ${fallback}`);
		return fallback;
	}
	return n;
}

/** Reads the settings from the query; anything unreadable falls back to its default and is reported. */
export function parseWarRoomQuery(params: URLSearchParams): WarRoomSettings {
	const problems: string[] = [];

	let boards: BoardId[] = [...DEFAULT_BOARDS];
	const rawBoards = params.get('boards');
	if (rawBoards !== null) {
		const picked: BoardId[] = [];
		for (const name of rawBoards.split(',').map((b) => b.trim().toLowerCase()).filter(Boolean)) {
			if (!isBoardId(name)) problems.push(`board "${name}" ignored: the boards are ${boardIds.join(', ')}`);
			else if (!picked.includes(name)) picked.push(name);
		}
		if (picked.length > 0) boards = picked;
		else problems.push(`boards=${rawBoards} names no board; showing ${DEFAULT_BOARDS.join(', ')}`);
	}

	const dwell = wholeNumber(params.get('dwell'), 'dwell', DEFAULT_DWELL_SECONDS, MIN_DWELL_SECONDS, MAX_DWELL_SECONDS, problems);
	const heapLimitMb = wholeNumber(params.get('heapMb'), 'heapMb', DEFAULT_HEAP_LIMIT_MB, MIN_HEAP_LIMIT_MB, MAX_HEAP_LIMIT_MB, problems);

	const rawLag = params.get('lagHold');
	const lagHoldMs =
		rawLag !== null && rawLag.trim().toLowerCase() === 'off'
			? null
			: wholeNumber(rawLag, 'lagHold', DEFAULT_LAG_HOLD_SECONDS, 1, 3600, problems) * 1000;

	const rawKiosk = params.get('kiosk');
	const kiosk = !(rawKiosk !== null && ['0', 'false', 'off', 'no'].includes(rawKiosk.trim().toLowerCase()));

	return { boards, dwellMs: dwell * 1000, kiosk, lagHoldMs, heapLimitMb, problems };
}
