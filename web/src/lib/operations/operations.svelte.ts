import type { LiveKpis } from '$domain/kpis/types';

import { api, ApiError } from '../api';
import type { LiveOverview } from '../live-overview.svelte';
import { RefreshOnApplied } from '../refresh-on-applied';
import type { TowerSocket } from '../tower-socket.svelte';
import { OPERATIONS_POLL_MS, operationsStale, type OperationsView } from './refresh';

const TICK_MS = 1000;

/**
 * The operations view's own data: `GET /api/v1/operations` (re-read when events apply, throttled,
 * and at least every 30 s), the live KPIs (`kpis.live`), and a one-second clock for the countdowns.
 */
export class OperationsData {
	view = $state.raw<OperationsView | null>(null);
	kpis = $state.raw<LiveKpis | null>(null);
	now = $state(Date.now());
	readAt = $state<number | null>(null);
	failed = $state(false);
	#socket: TowerSocket;

	#refresher: RefreshOnApplied;
	#timers: ReturnType<typeof setInterval>[] = [];
	#off: (() => void)[] = [];

	constructor(socket: TowerSocket, overview: LiveOverview) {
		this.#socket = socket;
		this.#refresher = new RefreshOnApplied({ socket, known: () => overview.minutes, refresh: () => this.refresh() });
	}

	/** Stale once a read fails or grows old, and at once when the socket drops (no re-read would come). */
	get stale(): boolean {
		return operationsStale(this.readAt, this.now, this.failed) || (this.readAt !== null && this.#socket.connection !== 'connected');
	}

	start(): void {
		if (this.#timers.length > 0) return;
		this.#timers = [setInterval(() => (this.now = Date.now()), TICK_MS), setInterval(() => void this.refresh(), OPERATIONS_POLL_MS)];
		this.#off = [this.#socket.on('kpis.live', (kpis) => (this.kpis = kpis))];
		this.#refresher.start();
		void this.refresh();
		void this.#loadKpis();
	}

	stop(): void {
		for (const t of this.#timers) clearInterval(t);
		this.#timers = [];
		for (const off of this.#off) off();
		this.#off = [];
		this.#refresher.stop();
	}

	async refresh(): Promise<void> {
		try {
			this.view = await api<OperationsView>('/api/v1/operations?limit=25');
			this.readAt = Date.now();
			this.failed = false;
		} catch (error) {
			this.failed = true;
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		}
	}

	async #loadKpis(): Promise<void> {
		try {
			const kpis = await api<LiveKpis>('/api/v1/kpis/live');
			if (this.kpis === null || Date.parse(kpis.asOf) >= Date.parse(this.kpis.asOf)) this.kpis = kpis;
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		}
	}
}
