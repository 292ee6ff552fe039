import type { PublicUser } from '$domain/realtime-contract';
import { api, ApiError, errorMessage } from '../api';
import type { TowerSocket } from '../tower-socket.svelte';
import { EXCEPTIONS_API, exceptionUrl, PAGE_SIZE, queueUrl } from './client';
import type { ExceptionSettings } from './detail';
import { DetailLoader } from './detail-loader.svelte';
import { decisionCodes, type ActionResult, type ExceptionPage, type ExceptionView, type TriageAction } from './domain';
import { emptyFilter, filterKey, matchesFilter, type ExceptionFilter } from './filters';
import { outcomeText } from './actions';
import { applyChanges, mergePage, moveFocus, newerThanSeen, nextFocusId, notOlderThanSeen } from './queue-merge';

const HIGHLIGHT_MS = 2_500;
const MAX_LIMIT = 200;
const fallbackSettings: ExceptionSettings = { resolutionCodes: ['fixed', 'no_action', 'duplicate'], decisionCodes: [...decisionCodes], undoSeconds: 10 };

export interface QueueOptions {
	socket: TowerSocket;
	/** The signed-in user, read on use (the session may change). */
	user: () => PublicUser | null;
}

/**
 * The triage page's state: the rows a filter shows (first page by HTTP, then live pushes), the focus
 * row and its detail, and the selection that `BulkRunner` acts on.
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
	detail: DetailLoader = new DetailLoader({
		onRead: (row) => this.#receive([row], 'detail'),
		latest: (id) => this.items.find((row) => row.id === id),
		failed: (error, show) => this.failed(error, show)
	});

	selected = $state.raw<ReadonlySet<string>>(new Set());
	/** The bulk action targets the whole filter, not the selected rows. */
	allMatching = $state(false);
	highlighted = $state.raw<ReadonlySet<string>>(new Set());
	pending = $state.raw<ReadonlySet<string>>(new Set());
	actionError = $state.raw<{ id: string; message: string } | null>(null);
	/** What a decision or re-apply set in motion, for the detail pane. */
	outcome = $state.raw<{ id: string; text: string; ok: boolean } | null>(null);

	complete = $derived(this.nextCursor === null);
	detailId = $derived(this.detailOpen ? this.focusedId : null);
	/** The freshest copy of the focused exception: the listed row, else the detail's. */
	focused = $derived.by(() => {
		const id = this.focusedId;
		if (id === null) return null;
		const listed = this.items.find((row) => row.id === id);
		if (listed) return listed;
		const shown = this.detail.data?.exception;
		return shown?.id === id ? shown : null;
	});

	#socket: TowerSocket;
	#user: () => PublicUser | null;
	#seen = new Map<string, number>();
	#buffer: ExceptionView[] = [];
	#loadToken = 0;
	#ticker: ReturnType<typeof setInterval> | null = null;
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
			this.#socket.on('exceptions.changed', ({ items }) => this.#receive(items, 'push')),
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
		this.detail.stop();
		this.#loadToken++;
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
			this.nextCursor = page.nextCursor;
			this.#setItems(mergePage(this.items, notOlderThanSeen(page.items, this.#seen)));
		} catch (error) {
			this.failed(error, (message) => (this.loadError = message));
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
			this.nextCursor = page.nextCursor;
			// Pushes that arrived while the page was on its way may be newer than it.
			const { items } = applyChanges(mergePage([], notOlderThanSeen(page.items, this.#seen)), this.#buffer, { matches: this.#matches, complete: page.nextCursor === null });
			this.#setItems(items);
			if (this.focusedId === null && !this.detailOpen) this.focusedId = items[0]?.id ?? null;
		} catch (error) {
			if (token === this.#loadToken) this.failed(error, (message) => (this.loadError = message));
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

	/**
	 * Rows from a push, an action's answer or a detail read. Every row goes through here, so that a
	 * version is never recorded as seen without the list being brought up to it.
	 */
	#receive(rows: ExceptionView[], source: 'push' | 'action' | 'detail'): void {
		const fresh = newerThanSeen(rows, this.#seen);
		if (fresh.length === 0) return;
		if (source !== 'detail') for (const row of fresh) this.detail.update(row);
		if (this.loading) {
			this.#buffer.push(...fresh);
			return;
		}
		const result = applyChanges(this.items, fresh, { matches: this.#matches, complete: this.complete });
		if (result.items !== this.items) this.#setItems(result.items);
		if (source === 'push') for (const id of result.highlighted) this.#highlight(id);
	}

	#setItems(items: ExceptionView[]): void {
		const prev = this.items;
		this.items = items;
		// The focus follows the work: a row that left hands it to the next one. With none left, an
		// open detail keeps showing the row that left (its new state comes with the push).
		if (this.focusedId !== null && prev.some((row) => row.id === this.focusedId)) {
			const next = nextFocusId(prev, items, this.focusedId);
			if (next !== null || !this.detailOpen) this.focusedId = next;
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

	/** A 401 ends the session (the app goes to sign-in); anything else is shown. */
	failed(error: unknown, show: (message: string) => void): void {
		if (error instanceof ApiError && error.status === 401) this.#socket.endSession('unauthorized');
		else show(errorMessage(error));
	}

	// Focus and detail

	focus(id: string | null): void {
		this.focusedId = id;
		this.#forgetMessagesOf(id);
	}

	move(delta: 1 | -1): string | null {
		this.focus(moveFocus(this.items, this.focusedId, delta));
		return this.focusedId;
	}

	openDetail(id: string | null = this.focusedId): void {
		if (id === null) return;
		this.focus(id);
		this.detailOpen = true;
	}

	closeDetail(): void {
		this.detailOpen = false;
		this.#forgetMessagesOf(null);
	}

	/**
	 * An action's error is about its row: it goes when the focus leaves that row. An outcome stays
	 * (a decided row often leaves the list, and the focus with it) until the next action.
	 */
	#forgetMessagesOf(keptId: string | null): void {
		if (this.actionError && this.actionError.id !== keptId) this.actionError = null;
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
		this.outcome = null;
		try {
			const result = await api<ActionResult>(exceptionUrl(id, action), { method: 'POST', body: body ?? {} });
			this.#receive([result.exception], 'action');
			if (result.outcome) this.outcome = { id, text: outcomeText(result.exception, result.outcome), ok: result.outcome.state !== 'invalid' };
			if (this.detail.data?.exception.id === id) this.detail.reload(id);
			return true;
		} catch (error) {
			this.failed(error, (message) => (this.actionError = { id, message }));
			return false;
		} finally {
			const next = new Set(this.pending);
			next.delete(id);
			this.pending = next;
		}
	}
}
