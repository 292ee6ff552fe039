import type { LiveKpis } from '$domain/kpis/types';
import { api, ApiError } from '../api';
import type { ExceptionPage, ExceptionSummary, ExceptionView } from '../exceptions/domain';
import { LiveOverview } from '../live-overview.svelte';
import { ClockOffsetTracker, dataAgeMs, isStale } from '../staleness';
import type { TowerSocket } from '../tower-socket.svelte';
import type { BoardId, WarRoomSettings } from './boards';
import { CriticalTracker, holdsRotation, MAX_CRITICALS } from './criticals';
import { holdConditions } from './holds';
import { applyHolds, dwellEndsAt, dwellProgress, shownBoard, startRotation, step, tick, upcomingBoard, type RotationState } from './rotation';

/** The server sends the exception summary at least every 5 s while connected; older than this is stale. */
export const SUMMARY_STALE_AFTER_MS = 15_000;
const TICK_MS = 500;
const CRITICALS_PATH = `/api/v1/exceptions?severity=critical&status=unresolved&limit=${MAX_CRITICALS}`;

/**
 * Everything the war room shows and decides: the overview (snapshot + deltas), the exception
 * summary, the unresolved criticals, and the board rotation with its holds. One socket, shared.
 */
export class WarRoom {
	readonly overview: LiveOverview;
	readonly settings: WarRoomSettings;

	summary = $state.raw<ExceptionSummary | null>(null);
	criticals = $state.raw<ExceptionView[]>([]);
	/** The live KPIs (`kpis.live`); pushed only when a figure changes, so their freshness is the overview's (same broadcaster, 2 s heartbeat). */
	kpis = $state.raw<LiveKpis | null>(null);
	rotation = $state.raw<RotationState>(null as unknown as RotationState);
	/** Local clock, ticked so dwell, countdowns and staleness move without messages. */
	now = $state(Date.now());
	/** The socket has connected at least once since the page opened. */
	everConnected = $state(false);

	#summaryReceivedAt = $state<number | null>(null);
	#summaryOffsetMs = $state<number | null>(null);
	#summaryOffsets = new ClockOffsetTracker();

	summaryAgeMs = $derived(
		dataAgeMs({
			now: this.now,
			receivedAt: this.#summaryReceivedAt,
			asOfMs: this.summary ? Date.parse(this.summary.asOf) : Number.NaN,
			clockOffsetMs: this.#summaryOffsetMs
		})
	);
	summaryStale = $derived(isStale(this.summaryAgeMs, SUMMARY_STALE_AFTER_MS));

	holds = $derived.by(() =>
		holdConditions({ criticals: this.criticals, lagP99Ms: this.overview.tiles?.lagP99Ms ?? null, lagHoldMs: this.settings.lagHoldMs })
	);
	board = $derived<BoardId>(shownBoard(this.rotation));
	upcoming = $derived<BoardId>(upcomingBoard(this.rotation));
	progress = $derived(dwellProgress(this.rotation, this.now));
	nextAt = $derived(dwellEndsAt(this.rotation));
	holding = $derived(this.criticals.filter(holdsRotation).length);

	#socket: TowerSocket;
	#tracker = new CriticalTracker();
	#ticker: ReturnType<typeof setInterval> | null = null;
	#unsubscribe: (() => void)[] = [];
	#connects = 0;

	constructor(socket: TowerSocket, settings: WarRoomSettings) {
		this.#socket = socket;
		this.settings = settings;
		this.overview = new LiveOverview(socket);
		this.rotation = startRotation({ boards: settings.boards, dwellMs: settings.dwellMs, now: Date.now() });
	}

	get connection() {
		return this.#socket.connection;
	}

	start(): void {
		if (this.#ticker) return;
		this.overview.start();
		this.#ticker = setInterval(() => this.#advance(), TICK_MS);
		this.#unsubscribe = [
			this.#socket.on('exceptions.summary', (summary) => this.#applySummary(summary)),
			this.#socket.on('kpis.live', (kpis) => this.#applyKpis(kpis)),
			this.#socket.on('exceptions.changed', ({ items }) => {
				if (this.#tracker.apply(items, Date.now())) this.#publishCriticals();
			}),
			this.#socket.onConnect(() => {
				this.everConnected = true;
				// After a reconnect, read everything again: pushes made while away may be lost for good.
				if (++this.#connects > 1) void this.#reloadAll();
			})
		];
		void this.#reloadExceptions();
		void this.#reloadKpis();
	}

	stop(): void {
		if (this.#ticker) clearInterval(this.#ticker);
		this.#ticker = null;
		this.overview.stop();
		for (const off of this.#unsubscribe) off();
		this.#unsubscribe = [];
	}

	/** Keyboard: the next (1) or previous (-1) board. */
	move(delta: number): void {
		this.now = Date.now();
		this.rotation = step(this.rotation, delta, this.now);
	}

	#advance(): void {
		this.now = Date.now();
		this.rotation = tick(applyHolds(this.rotation, this.holds, this.now), this.now);
	}

	async #reloadAll(): Promise<void> {
		await Promise.all([this.overview.refresh(), this.#reloadExceptions(), this.#reloadKpis()]);
	}

	async #reloadKpis(): Promise<void> {
		try {
			const kpis = await api<LiveKpis>('/api/v1/kpis/live');
			if (this.#ticker) this.#applyKpis(kpis);
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		}
	}

	#applyKpis(kpis: LiveKpis): void {
		if (this.kpis && Date.parse(this.kpis.asOf) > Date.parse(kpis.asOf)) return;
		this.kpis = kpis;
	}

	async #reloadExceptions(): Promise<void> {
		const startedAt = Date.now();
		try {
			const [summary, page] = await Promise.all([api<ExceptionSummary>('/api/v1/exceptions/summary'), api<ExceptionPage>(CRITICALS_PATH)]);
			if (!this.#ticker) return;
			this.#applySummary(summary);
			this.#tracker.reload(page.items, startedAt);
			this.#publishCriticals();
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		}
	}

	#applySummary(summary: ExceptionSummary): void {
		// Pushes and reads may cross; the newer one wins.
		if (this.summary && Date.parse(this.summary.asOf) > Date.parse(summary.asOf)) return;
		const receivedAt = Date.now();
		this.#summaryOffsetMs = this.#summaryOffsets.record(receivedAt, Date.parse(summary.asOf));
		this.#summaryReceivedAt = receivedAt;
		this.summary = summary;
	}

	#publishCriticals(): void {
		this.criticals = this.#tracker.list();
		// A new critical holds the screen now, not at the next tick.
		this.now = Date.now();
		this.rotation = applyHolds(this.rotation, this.holds, this.now);
	}
}
