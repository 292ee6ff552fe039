import { api } from '../api';
import { exceptionUrl } from './client';
import type { ExceptionDetail } from './detail';
import type { ExceptionView } from './domain';

const DEBOUNCE_MS = 120;

export interface DetailLoaderOptions {
	/** Every exception read goes to the queue too: the read may be newer than its list. */
	onRead: (row: ExceptionView) => void;
	/** The queue's freshest copy of a row, if it has one. */
	latest: (id: string) => ExceptionView | undefined;
	failed: (error: unknown, show: (message: string) => void) => void;
}

/** The detail of one exception (its order, stock or event, and the audit trail), read on demand. */
export class DetailLoader {
	data = $state.raw<ExceptionDetail | null>(null);
	loading = $state(false);
	error = $state<string | null>(null);

	#options: DetailLoaderOptions;
	#token = 0;
	#timer: ReturnType<typeof setTimeout> | null = null;

	constructor(options: DetailLoaderOptions) {
		this.#options = options;
	}

	/** Shows `id` (null: nothing); debounced, so that j-j-j does not fire three reads. */
	show(id: string | null): void {
		if (id === null) {
			this.#token++;
			this.data = null;
			this.error = null;
			return;
		}
		if (this.data?.exception.id !== id) {
			this.data = null;
			this.loading = true;
		}
		this.reload(id);
	}

	/** Reads again (the audit trail and the order change with the exception). */
	reload(id: string): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.#load(id), DEBOUNCE_MS);
	}

	/** A newer row of the shown exception: shown at once, and the rest read again. */
	update(row: ExceptionView): void {
		if (!this.data || this.data.exception.id !== row.id) return;
		this.data = { ...this.data, exception: row };
		this.reload(row.id);
	}

	stop(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#token++;
	}

	async #load(id: string): Promise<void> {
		const token = ++this.#token;
		this.error = null;
		try {
			const detail = await api<ExceptionDetail>(exceptionUrl(id));
			if (token !== this.#token) return;
			this.#options.onRead(detail.exception);
			const latest = this.#options.latest(id);
			this.data = latest && latest.version > detail.exception.version ? { ...detail, exception: latest } : detail;
		} catch (error) {
			if (token === this.#token) this.#options.failed(error, (message) => (this.error = message));
		} finally {
			if (token === this.#token) this.loading = false;
		}
	}
}
