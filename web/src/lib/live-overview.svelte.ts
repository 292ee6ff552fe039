import { createContext } from 'svelte';
import type { MinuteBucket, OverviewDelta, OverviewSnapshot, OverviewTiles } from '$domain/live/overview';
import { api, ApiError } from './api';
import { mergeBuckets } from './buckets';
import { ClockOffsetTracker, dataAgeMs, isStale } from './staleness';
import type { TowerSocket } from './tower-socket.svelte';

export interface LiveOverviewOptions {
	tickMs?: number;
}

/** The overview's figures from the shared socket: a snapshot on connect, then deltas. */
export class LiveOverview {
	tiles = $state.raw<OverviewTiles | null>(null);
	minutes = $state.raw<MinuteBucket[]>([]);
	channels = $state.raw<string[]>([]);
	asOf = $state<string | null>(null);
	/** Local clock, ticked so staleness re-evaluates without new messages. */
	now = $state(Date.now());

	#receivedAt = $state<number | null>(null);
	#clockOffsetMs = $state<number | null>(null);

	ageMs = $derived(
		dataAgeMs({
			now: this.now,
			receivedAt: this.#receivedAt,
			asOfMs: this.asOf ? Date.parse(this.asOf) : Number.NaN,
			clockOffsetMs: this.#clockOffsetMs
		})
	);
	stale = $derived(isStale(this.ageMs));

	#socket: TowerSocket;
	#tickMs: number;
	#offsets = new ClockOffsetTracker();
	#ticker: ReturnType<typeof setInterval> | null = null;
	#unsubscribe: (() => void)[] = [];

	constructor(socket: TowerSocket, options: LiveOverviewOptions = {}) {
		this.#socket = socket;
		this.#tickMs = options.tickMs ?? 500;
	}

	get connection() {
		return this.#socket.connection;
	}

	start(): void {
		if (this.#ticker) return;
		this.#ticker = setInterval(() => (this.now = Date.now()), this.#tickMs);
		this.#unsubscribe = [
			this.#socket.on('overview.snapshot', (snapshot) => this.#applySnapshot(snapshot)),
			this.#socket.on('overview.delta', (delta) => this.#applyDelta(delta))
		];
		void this.#loadInitialSnapshot();
	}

	stop(): void {
		if (this.#ticker) clearInterval(this.#ticker);
		this.#ticker = null;
		for (const off of this.#unsubscribe) off();
		this.#unsubscribe = [];
	}

	/**
	 * Reads the whole overview again over HTTP, e.g. after a reconnect, so that a delta missed while
	 * away cannot leave a gap; a socket snapshot that arrived meanwhile is kept if it is newer.
	 */
	async refresh(): Promise<void> {
		try {
			const snapshot = await api<OverviewSnapshot>('/api/v1/live/overview');
			if (!this.#ticker) return;
			if (this.asOf === null || Date.parse(snapshot.asOf) >= Date.parse(this.asOf)) this.#applySnapshot(snapshot);
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		}
	}

	// Fills the page even when the socket is slow to connect (or WebSockets are blocked and polling is slow).
	async #loadInitialSnapshot(): Promise<void> {
		try {
			const snapshot = await api<OverviewSnapshot>('/api/v1/live/overview');
			if (this.#ticker && this.#receivedAt === null) this.#applySnapshot(snapshot);
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		}
	}

	#markReceived(asOf: string): void {
		const receivedAt = Date.now();
		this.#clockOffsetMs = this.#offsets.record(receivedAt, Date.parse(asOf));
		this.#receivedAt = receivedAt;
		this.now = receivedAt;
		this.asOf = asOf;
	}

	#applySnapshot(snapshot: OverviewSnapshot): void {
		// A new connection may follow a server clock change, so the skew estimate starts over.
		this.#offsets.reset();
		this.tiles = snapshot.tiles;
		this.minutes = mergeBuckets([], snapshot.minutes);
		this.channels = snapshot.channels;
		this.#markReceived(snapshot.asOf);
	}

	#applyDelta(delta: OverviewDelta): void {
		this.tiles = delta.tiles;
		if (delta.minutes.length > 0) this.minutes = mergeBuckets(this.minutes, delta.minutes);
		this.channels = delta.channels;
		this.#markReceived(delta.asOf);
	}
}

export const [getLiveOverview, setLiveOverview] = createContext<LiveOverview>();
