import type { MinuteBucket } from '$domain/live/overview';
import { AppliedWatch, throttle, type Throttled } from './live-refresh';
import type { TowerSocket } from './tower-socket.svelte';

/** Views that re-read PostgreSQL when events apply do so at most this often. */
export const REFRESH_INTERVAL_MS = 2000;

export interface RefreshOnAppliedOptions {
	socket: TowerSocket;
	/** The overview minutes already known, so that the first delta is not taken for news. */
	known: () => readonly MinuteBucket[];
	refresh: () => Promise<void>;
	intervalMs?: number;
}

/**
 * Re-reads a view when the overview's deltas say the tower applied events, and after a reconnect
 * (deltas may have been missed); throttled, so a busy tower costs one read per interval.
 */
export class RefreshOnApplied {
	#options: RefreshOnAppliedOptions;
	#watch = new AppliedWatch();
	#throttled: Throttled;
	#off: (() => void)[] = [];

	constructor(options: RefreshOnAppliedOptions) {
		this.#options = options;
		this.#throttled = throttle(options.refresh, options.intervalMs ?? REFRESH_INTERVAL_MS);
	}

	/** Subscribes; the view makes its first read itself. */
	start(): void {
		if (this.#off.length > 0) return;
		const { socket } = this.#options;
		this.#watch.seed(this.#options.known());
		this.#off = [
			socket.on('overview.snapshot', (snapshot) => {
				if (this.#watch.observe(snapshot.minutes)) this.#throttled.request();
			}),
			socket.on('overview.delta', (delta) => {
				if (this.#watch.observe(delta.minutes)) this.#throttled.request();
			}),
			socket.onConnect(() => this.#throttled.request())
		];
	}

	stop(): void {
		for (const off of this.#off) off();
		this.#off = [];
		this.#throttled.cancel();
	}
}
