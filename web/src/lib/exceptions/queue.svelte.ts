import type { PublicUser } from '$domain/realtime-contract';
import { api, ApiError, errorMessage } from '../api';
import type { TowerSocket } from '../tower-socket.svelte';
import { bulkDoneText, undoneText, type BulkAction } from './bulk';
import { EXCEPTIONS_API, exceptionUrl, PAGE_SIZE, queueUrl } from './client';
import type { ExceptionDetail, ExceptionSettings } from './detail';
import { decisionCodes, type ActionResult, type BulkPreview, type BulkResult, type ExceptionPage, type ExceptionView, type TriageAction } from './domain';
import { bulkFilterOf, emptyFilter, filterKey, matchesFilter, type BulkFilter, type ExceptionFilter } from './filters';
import { applyChanges, mergePage, moveFocus, newerThanSeen, nextFocusId } from './queue-merge';

const HIGHLIGHT_MS = 2_500;
const DETAIL_DEBOUNCE_MS = 120;
const INFO_TOAST_MS = 5_000;
const MAX_LIMIT = 200;
const fallbackSettings: ExceptionSettings = { resolutionCodes: ['fixed', 'no_action', 'duplicate'], decisionCodes: [...decisionCodes], undoSeconds: 10 };

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

export interface QueueOptions {
	socket: TowerSocket;
	/** The signed-in user, read on use (the session may change). */
	user: () => PublicUser | null;
}

/**
 * The triage page's state: the rows a filter shows (first page by HTTP, then live pushes), the focus
 * row and its detail, the selection for bulk actions, and the undo window of the last one.
 */
export class ExceptionQueue {
	filter = $state.raw<ExceptionFilter>(emptyFilter);
	items = $state.raw<ExceptionView[]>([]);
	nextCursor = $state<string | null>(null);
	loaded = $state(false);
	loading = $state(false);
	loadingMore = $state(false);
	loadError = $state<string | null>(null);
	settings = $state.raw<ExceptionSettings>(fallbackSettings);
	/** Ticks every second for the SLA countdowns and ages. */
	now = $state(Date.now());

	focusedId = $state<string | null>(null);
	detailOpen = $state(false);
	detail = $state.raw<ExceptionDetail | null>(null);
	detailLoading = $state(false);
	detailError = $state<string | null>(null);

	selected = $state.raw<ReadonlySet<string>>(new Set());
	/** The bulk action targets the whole filter, not the selected rows. */
	allMatching = $state(false);
	highlighted = $state.raw<ReadonlySet<string>>(new Set());
	pending = $state.raw<ReadonlySet<string>>(new Set());
	actionError = $state.raw<{ id: string; message: string } | null>(null);
	/** What a decision or re-apply set in motion, for the detail pane. */
	outcome = $state.raw<{ id: string; text: string; ok: boolean } | null>(null);
	toast = $state.raw<QueueToast | null>(null);

	complete = $derived(this.nextCursor === null);
	detailId = $derived(this.detailOpen ? this.focusedId : null);
	/** The freshest copy of the focused exception: the listed row, else the detail's. */
	focused = $derived.by(() => {
		const id = this.focusedId;
		if (id === null) return null;
		const listed = this.items.find((row) => row.id === id);
		if (listed) return listed;
		return this.detail?.exception.id === id ? this.detail.exception : null;
	});

	#socket: TowerSocket;
	#user: () => PublicUser | null;
	#seen = new Map<string, number>();
	#buffer: ExceptionView[] = [];
	#loadToken = 0;
	#detailToken = 0;
	#detailTimer: ReturnType<typeof setTimeout> | null = null;
	#ticker: ReturnType<typeof setInterval> | null = null;
	#toastTimer: ReturnType<typeof setTimeout> | null = null;
	#highlightTimers = new Map<string, ReturnType<typeof setTimeout>>();
	#unsubscribe: (() => void)[] = [];

	constructor(options: QueueOptions) {
		this.#socket = options.socket;
		this.#user = options.user;
	}

	start(): void {
		if (this.#ticker) return;
		this.#ticker = setInterval(() => (this.now = Date.now()), 1_000);
		this.#unsubscribe = [
			this.#socket.on('exceptions.changed', ({ items }) => this.#receive(items, true)),
			// Pushes missed while disconnected are not replayed: read the list again.
			this.#socket.onConnect(() => {
				if (this.loaded && !this.loading) void this.refresh();
			})
		];
		void this.#loadSettings();
	}

	stop(): void {
		if (this.#ticker) clearInterval(this.#ticker);
		this.#ticker = null;
		for (const off of this.#unsubscribe) off();
		this.#unsubscribe = [];
		for (const timer of this.#highlightTimers.values()) clearTimeout(timer);
		this.#highlightTimers.clear();
		if (this.#detailTimer) clearTimeout(this.#detailTimer);
		if (this.#toastTimer) clearTimeout(this.#toastTimer);
		this.#loadToken++;
		this.#detailToken++;
	}

	get me(): string | null {
		return this.#user()?.email ?? null;
	}

	/** Shows `filter`: the first page, then live changes. A new filter clears the selection. */
	async load(filter: ExceptionFilter): Promise<void> {
		const changed = filterKey(filter) !== filterKey(this.filter) || !this.loaded;
		this.filter = filter;
		if (changed) {
			this.selected = new Set();
			this.allMatching = false;
			// A new list starts at its first row, unless a linked detail is open.
			if (!this.detailOpen) this.focusedId = null;
		}
		await this.#loadFirstPage(PAGE_SIZE);
	}

	/** Reads the list again (after a reconnect or a bulk action), as many rows as are shown. */
	refresh(): Promise<void> {
		return this.#loadFirstPage(Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, this.items.length)));
	}

	async loadMore(): Promise<void> {
		if (!this.nextCursor || this.loadingMore) return;
		const token = this.#loadToken;
		this.loadingMore = true;
		try {
			const page = await api<ExceptionPage>(queueUrl(this.filter, { cursor: this.nextCursor }));
			if (token !== this.#loadToken) return;
			newerThanSeen(page.items, this.#seen);
			this.nextCursor = page.nextCursor;
			this.#setItems(mergePage(this.items, page.items));
		} catch (error) {
			this.#failed(error, (message) => (this.loadError = message));
		} finally {
			if (token === this.#loadToken) this.loadingMore = false;
		}
	}

	async #loadFirstPage(limit: number): Promise<void> {
		const token = ++this.#loadToken;
		this.loading = true;
		this.loadError = null;
		this.#buffer = [];
		try {
			const page = await api<ExceptionPage>(queueUrl(this.filter, { limit }));
			if (token !== this.#loadToken) return;
			newerThanSeen(page.items, this.#seen);
			this.nextCursor = page.nextCursor;
			// Pushes that arrived while the page was on its way may be newer than it.
			const { items } = applyChanges(mergePage([], page.items), this.#buffer, { matches: this.#matches, complete: page.nextCursor === null });
			this.#setItems(items);
			if (this.focusedId === null && !this.detailOpen) this.focusedId = items[0]?.id ?? null;
		} catch (error) {
			if (token === this.#loadToken) this.#failed(error, (message) => (this.loadError = message));
		} finally {
			if (token === this.#loadToken) {
				this.loading = false;
				this.loaded = true;
				this.#buffer = [];
			}
		}
	}

	async #loadSettings(): Promise<void> {
		try {
			this.settings = await api<ExceptionSettings>(`${EXCEPTIONS_API}/settings`);
		} catch {
			// The defaults of the spec still let people work; the server checks every code anyway.
		}
	}

	#matches = (row: ExceptionView) => matchesFilter(row, this.filter, { me: this.me, nowMs: Date.now() });

	/** Rows from a push or an action's answer. */
	#receive(rows: ExceptionView[], live: boolean): void {
		const fresh = newerThanSeen(rows, this.#seen);
		if (fresh.length === 0) return;
		const detail = this.detail;
		const forDetail = detail ? fresh.find((row) => row.id === detail.exception.id) : undefined;
		if (detail && forDetail) {
			this.detail = { ...detail, exception: forDetail };
			// The audit trail and the order changed too.
			this.#scheduleDetail(forDetail.id);
		}
		if (this.loading) {
			this.#buffer.push(...fresh);
			return;
		}
		const result = applyChanges(this.items, fresh, { matches: this.#matches, complete: this.complete });
		if (result.items !== this.items) this.#setItems(result.items);
		if (live) for (const id of result.highlighted) this.#highlight(id);
	}

	#setItems(items: ExceptionView[]): void {
		const prev = this.items;
		this.items = items;
		// The focus follows the work: a row that left hands it to the next one.
		if (this.focusedId !== null && prev.some((row) => row.id === this.focusedId)) {
			this.focusedId = nextFocusId(prev, items, this.focusedId);
		}
		if (this.selected.size > 0) {
			const listed = new Set(items.map((row) => row.id));
			const kept = [...this.selected].filter((id) => listed.has(id));
			if (kept.length !== this.selected.size) this.selected = new Set(kept);
		}
	}

	#highlight(id: string): void {
		this.highlighted = new Set([...this.highlighted, id]);
		clearTimeout(this.#highlightTimers.get(id));
		this.#highlightTimers.set(
			id,
			setTimeout(() => {
				this.#highlightTimers.delete(id);
				const next = new Set(this.highlighted);
				next.delete(id);
				this.highlighted = next;
			}, HIGHLIGHT_MS)
		);
	}

	#failed(error: unknown, show: (message: string) => void): void {
		if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		else show(errorMessage(error));
	}

	// Focus and detail

	focus(id: string | null): void {
		this.focusedId = id;
	}

	move(delta: 1 | -1): string | null {
		this.focusedId = moveFocus(this.items, this.focusedId, delta);
		return this.focusedId;
	}

	openDetail(id: string | null = this.focusedId): void {
		if (id === null) return;
		this.focusedId = id;
		this.detailOpen = true;
	}

	closeDetail(): void {
		this.detailOpen = false;
	}

	/** Reads the detail of the focused exception (debounced, so j-j-j does not fire three reads). */
	showDetail(id: string | null): void {
		if (id === null) {
			this.#detailToken++;
			this.detail = null;
			this.detailError = null;
			return;
		}
		if (this.detail?.exception.id !== id) {
			this.detail = null;
			this.detailLoading = true;
		}
		this.#scheduleDetail(id);
	}

	#scheduleDetail(id: string): void {
		if (this.#detailTimer) clearTimeout(this.#detailTimer);
		this.#detailTimer = setTimeout(() => void this.#loadDetail(id), DETAIL_DEBOUNCE_MS);
	}

	async #loadDetail(id: string): Promise<void> {
		const token = ++this.#detailToken;
		this.detailError = null;
		try {
			const detail = await api<ExceptionDetail>(exceptionUrl(id));
			if (token !== this.#detailToken) return;
			newerThanSeen([detail.exception], this.#seen);
			// A push may have brought a newer row than this read.
			const listed = this.items.find((row) => row.id === id);
			this.detail = listed && listed.version > detail.exception.version ? { ...detail, exception: listed } : detail;
		} catch (error) {
			if (token === this.#detailToken) this.#failed(error, (message) => (this.detailError = message));
		} finally {
			if (token === this.#detailToken) this.detailLoading = false;
		}
	}

	// Selection

	toggleSelected(id: string): void {
		const next = new Set(this.selected);
		if (!next.delete(id)) next.add(id);
		this.selected = next;
		this.allMatching = false;
	}

	/** Every listed row, or none when all are already selected. */
	toggleAllListed(): void {
		const all = this.items.length > 0 && this.items.every((row) => this.selected.has(row.id));
		this.selected = all ? new Set() : new Set(this.items.map((row) => row.id));
		this.allMatching = false;
	}

	selectAllMatching(): void {
		this.selected = new Set(this.items.map((row) => row.id));
		this.allMatching = true;
	}

	clearSelection(): void {
		this.selected = new Set();
		this.allMatching = false;
	}

	// Actions

	/** One triage action; false when it failed (the message is in `actionError`). */
	async act(id: string, action: TriageAction, body?: Record<string, unknown>): Promise<boolean> {
		this.pending = new Set([...this.pending, id]);
		this.actionError = null;
		if (this.outcome?.id === id) this.outcome = null;
		try {
			const result = await api<ActionResult>(exceptionUrl(id, action), { method: 'POST', body: body ?? {} });
			this.#receive([result.exception], false);
			if (result.outcome) {
				const { state, eventSeq, error } = result.outcome;
				const text =
					state === 'applied' ? `Done: event ${eventSeq} applied.` : state === 'pending' ? `Event ${eventSeq} is queued; it applies shortly.` : `Event ${eventSeq} could not be applied: ${error ?? 'invalid'}.`;
				this.outcome = { id, text, ok: state !== 'invalid' };
			}
			if (this.detail?.exception.id === id) this.#scheduleDetail(id);
			return true;
		} catch (error) {
			this.#failed(error, (message) => (this.actionError = { id, message }));
			return false;
		} finally {
			const next = new Set(this.pending);
			next.delete(id);
			this.pending = next;
		}
	}

	/** The target of a bulk action: the selected rows, or the filter (null if it cannot be expressed). */
	bulkTarget(): { ids: string[] } | { filter: BulkFilter } | null {
		if (!this.allMatching) return this.selected.size > 0 ? { ids: [...this.selected] } : null;
		const filter = bulkFilterOf(this.filter);
		return filter ? { filter } : null;
	}

	async bulkPreview(action: BulkAction, params: BulkParams = {}): Promise<BulkPreview> {
		const target = this.bulkTarget();
		if (!target) throw new Error('Nothing is selected.');
		return api<BulkPreview>(`${EXCEPTIONS_API}/bulk`, { method: 'POST', body: { action, ...target, ...params, preview: true } });
	}

	async bulkRun(action: BulkAction, params: BulkParams = {}): Promise<BulkResult> {
		const target = this.bulkTarget();
		if (!target) throw new Error('Nothing is selected.');
		const result = await api<BulkResult>(`${EXCEPTIONS_API}/bulk`, { method: 'POST', body: { action, ...target, ...params } });
		this.clearSelection();
		this.#showToast({
			testid: 'undo-toast',
			text: bulkDoneText(action, result.changed),
			opId: result.opId,
			until: Date.now() + this.settings.undoSeconds * 1000
		});
		void this.refresh();
		return result;
	}

	async undo(opId: string): Promise<void> {
		try {
			const result = await api<{ restored: number; skipped?: Record<string, number> | number }>(`${EXCEPTIONS_API}/bulk/${encodeURIComponent(opId)}/undo`, { method: 'POST', body: {} });
			this.#showToast({ testid: 'info-toast', text: undoneText(result), until: Date.now() + INFO_TOAST_MS });
		} catch (error) {
			this.#failed(error, (message) => this.#showToast({ testid: 'info-toast', text: `Undo failed: ${message}`, until: Date.now() + INFO_TOAST_MS }));
		}
		void this.refresh();
	}

	dismissToast(): void {
		if (this.#toastTimer) clearTimeout(this.#toastTimer);
		this.toast = null;
	}

	#showToast(toast: QueueToast): void {
		if (this.#toastTimer) clearTimeout(this.#toastTimer);
		this.toast = toast;
		this.#toastTimer = setTimeout(() => {
			if (this.toast === toast) this.toast = null;
		}, Math.max(0, toast.until - Date.now()));
	}
}
