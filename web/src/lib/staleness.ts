import type { ConnectionStatus } from './connection-status';

export const STALE_AFTER_MS = 5_000;
const OFFSET_WINDOW_MS = 60_000;

/**
 * Estimates `local clock − server clock + minimal network delay` as the smallest
 * `receivedAt − asOf` seen over a sliding window. Comparing `asOf` with the local clock
 * directly would call everything stale (or nothing) when the clocks disagree; the windowed
 * minimum cancels skew yet still ages data whose `asOf` stopped advancing, and recovers
 * within a window if the server clock jumps.
 */
export class ClockOffsetTracker {
	#samples: { receivedAt: number; offset: number }[] = [];
	readonly #windowMs: number;

	constructor(windowMs = OFFSET_WINDOW_MS) {
		this.#windowMs = windowMs;
	}

	/** Records one message and returns the current offset estimate. */
	record(receivedAt: number, asOfMs: number): number | null {
		if (Number.isFinite(asOfMs)) {
			const offset = receivedAt - asOfMs;
			// Monotonic deque: later samples with a smaller offset make earlier ones irrelevant.
			while (this.#samples.length > 0 && (this.#samples.at(-1)?.offset ?? -Infinity) >= offset) {
				this.#samples.pop();
			}
			this.#samples.push({ receivedAt, offset });
		}
		while (this.#samples.length > 0 && (this.#samples[0]?.receivedAt ?? Infinity) < receivedAt - this.#windowMs) {
			this.#samples.shift();
		}
		return this.#samples[0]?.offset ?? null;
	}

	reset(): void {
		this.#samples = [];
	}
}

export interface FreshnessInput {
	now: number;
	/** Local time the last message arrived; null when nothing arrived yet. */
	receivedAt: number | null;
	/** Server `asOf` of the last message in epoch ms (NaN when unparseable). */
	asOfMs: number;
	/** From `ClockOffsetTracker`; null when unknown. */
	clockOffsetMs: number | null;
}

/** Age of the shown data on the local clock, or null when there is no data. */
export function dataAgeMs({ now, receivedAt, asOfMs, clockOffsetMs }: FreshnessInput): number | null {
	if (receivedAt === null) return null;
	const sinceReceived = now - receivedAt;
	if (clockOffsetMs === null || !Number.isFinite(asOfMs)) return Math.max(0, sinceReceived);
	return Math.max(0, sinceReceived, now - (asOfMs + clockOffsetMs));
}

export function isStale(ageMs: number | null, thresholdMs = STALE_AFTER_MS): boolean {
	return ageMs !== null && ageMs > thresholdMs;
}

export interface PulledViewFacts {
	/** Something is on screen (a read answered once). */
	hasData: boolean;
	/** The app's socket: pulled views re-read when its deltas say events applied. */
	connection: ConnectionStatus;
	/** The last re-read failed with this message; null when it answered. */
	error: string | null;
}

/**
 * Views that re-read PostgreSQL when events apply (inventory, orders) cannot know they missed a
 * change while the socket is down or a re-read fails: what they show is then stale, and says why.
 */
export function pulledViewStaleness({ hasData, connection, error }: PulledViewFacts): { stale: boolean; reason: string | null } {
	if (!hasData) return { stale: false, reason: null };
	if (connection !== 'connected') return { stale: true, reason: 'connection to the tower lost' };
	if (error !== null) return { stale: true, reason: error };
	return { stale: false, reason: null };
}
