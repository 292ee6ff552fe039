import { api, ApiError, errorMessage } from '../api';
import type { TowerSocket } from '../tower-socket.svelte';
import { searchUrl, type OrderFilter, type OrderPage, type OrderSummary } from './search';

/** The order search's results: the first page per filter, then more pages on request. */
export class OrderSearch {
	items = $state.raw<OrderSummary[]>([]);
	nextCursor = $state<string | null>(null);
	loading = $state(false);
	loadingMore = $state(false);
	error = $state<string | null>(null);
	/** True once a search answered for the current filter (so "no orders" is not said too early). */
	answered = $state(false);
	/** When the shown page was read (local clock). */
	readAt = $state<number | null>(null);
	/** More pages were loaded: a live re-read would pull the rows from under the reader, so it waits. */
	paged = $state(false);

	#socket: TowerSocket;
	#filter: OrderFilter | null = null;
	#token = 0;

	constructor(socket: TowerSocket) {
		this.#socket = socket;
	}

	async load(filter: OrderFilter): Promise<void> {
		const token = ++this.#token;
		this.#filter = filter;
		this.loading = true;
		this.answered = false;
		this.error = null;
		this.paged = false;
		await this.#readFirstPage(token, filter);
	}

	/** Re-reads the first page in place when events applied (the results stay up meanwhile). */
	async refresh(): Promise<void> {
		const filter = this.#filter;
		if (!filter || this.paged || this.loading) return;
		await this.#readFirstPage(++this.#token, filter);
	}

	async #readFirstPage(token: number, filter: OrderFilter): Promise<void> {
		try {
			const page = await api<OrderPage>(searchUrl(filter));
			if (token !== this.#token) return;
			this.items = page.items;
			this.nextCursor = page.nextCursor;
			this.answered = true;
			this.error = null;
			this.readAt = Date.now();
		} catch (error) {
			if (token === this.#token) this.#fail(error);
		} finally {
			if (token === this.#token) this.loading = false;
		}
	}

	async loadMore(): Promise<void> {
		const cursor = this.nextCursor;
		const filter = this.#filter;
		if (!cursor || !filter || this.loadingMore) return;
		const token = this.#token;
		this.loadingMore = true;
		try {
			const page = await api<OrderPage>(searchUrl(filter, { cursor }));
			if (token !== this.#token) return;
			this.items = [...this.items, ...page.items];
			this.nextCursor = page.nextCursor;
			this.paged = true;
		} catch (error) {
			if (token === this.#token) this.#fail(error);
		} finally {
			this.loadingMore = false;
		}
	}

	#fail(error: unknown): void {
		if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		this.error = errorMessage(error);
	}
}
