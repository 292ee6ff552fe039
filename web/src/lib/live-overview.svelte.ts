import { createContext } from 'svelte';
import { io, type Socket } from 'socket.io-client';
import type { MinuteBucket, OverviewDelta, OverviewSnapshot, OverviewTiles } from '$domain/live/overview';
import type { ClientToServerEvents, ServerToClientEvents } from '$domain/realtime-contract';
import { api, ApiError } from './api';
import { mergeBuckets } from './buckets';
import { connectionStatus } from './connection-status';
import { ClockOffsetTracker, dataAgeMs, isStale } from './staleness';

type TowerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveOverviewOptions {
	/** Called once when the server says the session is over; the caller navigates to /login. */
	onSessionEnded: (reason: string) => void;
	tickMs?: number;
	/** A server-initiated disconnect stops Socket.IO's own retries; we retry after this delay. */
	serverDisconnectRetryMs?: number;
}

export class LiveOverview {
	tiles = $state.raw<OverviewTiles | null>(null);
	minutes = $state.raw<MinuteBucket[]>([]);
	channels = $state.raw<string[]>([]);
	asOf = $state<string | null>(null);
	/** Local clock, ticked so staleness re-evaluates without new messages. */
	now = $state(Date.now());

	#receivedAt = $state<number | null>(null);
	#clockOffsetMs = $state<number | null>(null);
	#connected = $state(false);
	#retrying = $state(true);
	#browserOnline = $state(true);
	#failedAttempts = $state(0);

	connection = $derived(
		connectionStatus({
			connected: this.#connected,
			retrying: this.#retrying,
			browserOnline: this.#browserOnline,
			failedAttempts: this.#failedAttempts
		})
	);
	ageMs = $derived(
		dataAgeMs({
			now: this.now,
			receivedAt: this.#receivedAt,
			asOfMs: this.asOf ? Date.parse(this.asOf) : Number.NaN,
			clockOffsetMs: this.#clockOffsetMs
		})
	);
	stale = $derived(isStale(this.ageMs));

	#options: Required<LiveOverviewOptions>;
	#socket: TowerSocket | null = null;
	#offsets = new ClockOffsetTracker();
	#timers: ReturnType<typeof setTimeout>[] = [];
	#ticker: ReturnType<typeof setInterval> | null = null;
	#ended = false;

	constructor(options: LiveOverviewOptions) {
		this.#options = { tickMs: 500, serverDisconnectRetryMs: 2_000, ...options };
	}

	start(): void {
		if (this.#socket) return;
		this.#ended = false;
		this.#browserOnline = navigator.onLine;
		window.addEventListener('online', this.#onOnline);
		window.addEventListener('offline', this.#onOffline);
		this.#ticker = setInterval(() => (this.now = Date.now()), this.#options.tickMs);

		const socket: TowerSocket = io({ path: '/socket.io', withCredentials: true });
		this.#socket = socket;

		socket.on('connect', () => {
			this.#connected = true;
			this.#retrying = true;
			this.#failedAttempts = 0;
		});
		socket.on('disconnect', (reason) => {
			this.#connected = false;
			this.#retrying = socket.active;
			if (reason === 'io server disconnect' && !this.#ended) {
				this.#timers.push(setTimeout(() => this.#socket?.connect(), this.#options.serverDisconnectRetryMs));
				this.#retrying = true;
			}
		});
		socket.on('connect_error', (error) => {
			this.#connected = false;
			if (error.message === 'unauthorized') {
				this.#end('unauthorized');
				return;
			}
			this.#failedAttempts += 1;
			this.#retrying = socket.active;
		});
		socket.on('overview.snapshot', (snapshot) => this.#applySnapshot(snapshot));
		socket.on('overview.delta', (delta) => this.#applyDelta(delta));
		socket.on('session.ended', ({ reason }) => this.#end(reason));

		void this.#loadInitialSnapshot();
	}

	stop(): void {
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers = [];
		if (this.#ticker) clearInterval(this.#ticker);
		this.#ticker = null;
		window.removeEventListener('online', this.#onOnline);
		window.removeEventListener('offline', this.#onOffline);
		this.#socket?.removeAllListeners();
		this.#socket?.disconnect();
		this.#socket = null;
		this.#connected = false;
		this.#retrying = false;
	}

	// Fills the page even when the socket is slow to connect (or WebSockets are blocked and polling is slow).
	async #loadInitialSnapshot(): Promise<void> {
		try {
			const snapshot = await api<OverviewSnapshot>('/api/v1/live/overview');
			if (this.#socket && this.#receivedAt === null) this.#applySnapshot(snapshot);
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.#end('unauthorized');
		}
	}

	#onOnline = () => {
		this.#browserOnline = true;
		// Socket.IO may be sitting in a long back-off; an online event is a good moment to try now.
		if (this.#socket && !this.#socket.connected) this.#socket.connect();
	};

	#onOffline = () => {
		this.#browserOnline = false;
	};

	#end(reason: string): void {
		if (this.#ended) return;
		this.#ended = true;
		this.stop();
		this.#options.onSessionEnded(reason);
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
