import { api, ApiError, errorMessage } from '../api';
import type { TowerSocket } from '../tower-socket.svelte';
import { orderUrl, type OrderDetail } from './order';

/** One order's page: read on arrival and again when the tower applies events. */
export class OrderView {
	data = $state.raw<OrderDetail | null>(null);
	error = $state<string | null>(null);
	notFound = $state(false);

	#socket: TowerSocket;
	#orderId: string | null = null;
	#token = 0;

	constructor(socket: TowerSocket) {
		this.#socket = socket;
	}

	show(orderId: string): void {
		if (orderId === this.#orderId) return;
		this.#orderId = orderId;
		this.data = null;
		this.notFound = false;
		this.error = null;
		void this.load();
	}

	async load(): Promise<void> {
		const orderId = this.#orderId;
		if (!orderId) return;
		const token = ++this.#token;
		try {
			const data = await api<OrderDetail>(orderUrl(orderId));
			if (token !== this.#token) return;
			this.data = data;
			this.error = null;
			this.notFound = false;
		} catch (error) {
			if (token !== this.#token) return;
			if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
			if (error instanceof ApiError && error.status === 404) this.notFound = true;
			else this.error = errorMessage(error);
		}
	}
}
