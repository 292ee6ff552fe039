import { api } from '../api';
import { bulkDoneText, undoneText, type BulkAction } from './bulk';
import { EXCEPTIONS_API } from './client';
import type { BulkPreview, BulkResult } from './domain';
import { bulkFilterOf, type BulkFilter } from './filters';
import type { ExceptionQueue } from './queue.svelte';

const INFO_TOAST_MS = 5_000;

export interface QueueToast {
	testid: 'undo-toast' | 'info-toast';
	text: string;
	/** Present while the bulk action can be undone. */
	opId?: string;
	until: number;
}

/** The body of a bulk request besides action and target. */
export interface BulkParams {
	assignee?: string | null;
	code?: string;
	note?: string;
}

/** Bulk actions on the queue's selection (or its whole filter), and the undo window of the last one. */
export class BulkRunner {
	toast = $state.raw<QueueToast | null>(null);

	#queue: ExceptionQueue;
	#toastTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(queue: ExceptionQueue) {
		this.#queue = queue;
	}

	stop(): void {
		if (this.#toastTimer) clearTimeout(this.#toastTimer);
	}

	/** The selected rows, or the filter (null when nothing is selected or the filter cannot be sent). */
	target(): { ids: string[] } | { filter: BulkFilter } | null {
		const queue = this.#queue;
		if (!queue.allMatching) return queue.selected.size > 0 ? { ids: [...queue.selected] } : null;
		const filter = bulkFilterOf(queue.filter);
		return filter ? { filter } : null;
	}

	async preview(action: BulkAction, params: BulkParams = {}): Promise<BulkPreview> {
		return api<BulkPreview>(`${EXCEPTIONS_API}/bulk`, { method: 'POST', body: { action, ...this.#targetOrThrow(), ...params, preview: true } });
	}

	async run(action: BulkAction, params: BulkParams = {}): Promise<BulkResult> {
		const result = await api<BulkResult>(`${EXCEPTIONS_API}/bulk`, { method: 'POST', body: { action, ...this.#targetOrThrow(), ...params } });
		this.#queue.clearSelection();
		this.#show({
			testid: 'undo-toast',
			text: bulkDoneText(action, result.changed),
			opId: result.opId,
			until: Date.now() + this.#queue.settings.undoSeconds * 1000
		});
		// Pushes bring the rows too, but one read settles a change of many rows at once.
		void this.#queue.refresh();
		return result;
	}

	async undo(opId: string): Promise<void> {
		try {
			const result = await api<{ restored: number; skipped?: Record<string, number> | number }>(`${EXCEPTIONS_API}/bulk/${encodeURIComponent(opId)}/undo`, {
				method: 'POST',
				body: {}
			});
			this.#show({ testid: 'info-toast', text: undoneText(result), until: Date.now() + INFO_TOAST_MS });
		} catch (error) {
			this.#queue.failed(error, (message) => this.#show({ testid: 'info-toast', text: `Undo failed: ${message}`, until: Date.now() + INFO_TOAST_MS }));
		}
		void this.#queue.refresh();
	}

	dismissToast(): void {
		if (this.#toastTimer) clearTimeout(this.#toastTimer);
		this.toast = null;
	}

	#targetOrThrow(): { ids: string[] } | { filter: BulkFilter } {
		const target = this.target();
		if (!target) throw new Error('Nothing is selected.');
		return target;
	}

	#show(toast: QueueToast): void {
		if (this.#toastTimer) clearTimeout(this.#toastTimer);
		this.toast = toast;
		this.#toastTimer = setTimeout(() => {
			if (this.toast === toast) this.toast = null;
		}, Math.max(0, toast.until - Date.now()));
	}
}
