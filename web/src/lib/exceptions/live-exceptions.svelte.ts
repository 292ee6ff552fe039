import { createContext } from 'svelte';
import { api, ApiError } from '../api';
import type { TowerSocket } from '../tower-socket.svelte';
import type { ExceptionSummary, ExceptionView } from './domain';

const MAX_ESCALATIONS = 20;

/**
 * What every page of the app shows about exceptions: the summary (the header badge, the counts of
 * the triage page) and, for supervisors, the exceptions that just escalated.
 */
export class LiveExceptions {
	summary = $state.raw<ExceptionSummary | null>(null);
	/** Newest first; the banner lists them until dismissed. */
	escalations = $state.raw<ExceptionView[]>([]);

	#socket: TowerSocket;
	#unsubscribe: (() => void)[] = [];
	#started = false;

	constructor(socket: TowerSocket) {
		this.#socket = socket;
	}

	start(): void {
		if (this.#started) return;
		this.#started = true;
		this.#unsubscribe = [
			this.#socket.on('exceptions.summary', (summary) => this.#applySummary(summary)),
			// The server sends these to supervisors and admins only.
			this.#socket.on('exceptions.escalated', ({ items }) => this.#addEscalations(items))
		];
		void this.#loadSummary();
	}

	stop(): void {
		this.#started = false;
		for (const off of this.#unsubscribe) off();
		this.#unsubscribe = [];
	}

	dismissEscalation(id: string): void {
		this.escalations = this.escalations.filter((e) => e.id !== id);
	}

	dismissAllEscalations(): void {
		this.escalations = [];
	}

	// The socket sends a summary on connect; this fills the badge if the socket is slow.
	async #loadSummary(): Promise<void> {
		try {
			const summary = await api<ExceptionSummary>('/api/v1/exceptions/summary');
			if (this.#started && this.summary === null) this.summary = summary;
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		}
	}

	#applySummary(summary: ExceptionSummary): void {
		// Pushes and the first read may cross; the newer one wins.
		if (this.summary && Date.parse(this.summary.asOf) > Date.parse(summary.asOf)) return;
		this.summary = summary;
	}

	#addEscalations(items: ExceptionView[]): void {
		const ids = new Set(items.map((e) => e.id));
		this.escalations = [...items, ...this.escalations.filter((e) => !ids.has(e.id))].slice(0, MAX_ESCALATIONS);
	}
}

export const [getLiveExceptions, setLiveExceptions] = createContext<LiveExceptions>();
