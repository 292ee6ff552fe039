import { api, ApiError, errorMessage } from '../api';
import type { TowerSocket } from '../tower-socket.svelte';
import { overviewUrl, type InventoryFilter, type InventoryOverview } from './overview';

/** The inventory view's data: one read of the overview per filter, re-read when the tower applies events. */
export class InventoryView {
	data = $state.raw<InventoryOverview | null>(null);
	error = $state<string | null>(null);
	loading = $state(false);
	/** When the shown data was read (local clock), for the "updated" note. */
	readAt = $state<number | null>(null);

	#socket: TowerSocket;
	#filter: InventoryFilter = { sku: null, location: null };
	#token = 0;

	constructor(socket: TowerSocket) {
		this.#socket = socket;
	}

	get filter(): InventoryFilter {
		return this.#filter;
	}

	/** A new filter: what is shown no longer matches it, so it goes until the read answers. */
	setFilter(filter: InventoryFilter): void {
		if (filter.sku === this.#filter.sku && filter.location === this.#filter.location) return;
		this.#filter = filter;
		this.data = null;
	}

	async load(): Promise<void> {
		const token = ++this.#token;
		const filter = this.#filter;
		this.loading = true;
		try {
			const data = await api<InventoryOverview>(overviewUrl(filter));
			if (token !== this.#token) return;
			this.data = data;
			this.error = null;
			this.readAt = Date.now();
		} catch (error) {
			if (token !== this.#token) return;
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
			// Keep the last data on a failed refresh: stale figures with a warning beat an empty page.
			this.error = errorMessage(error);
		} finally {
			if (token === this.#token) this.loading = false;
		}
	}
}
