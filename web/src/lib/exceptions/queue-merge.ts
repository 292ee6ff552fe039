import type { ExceptionView } from './domain';

type Row = Pick<ExceptionView, 'id' | 'dueAt'>;

/** The server's order: oldest `dueAt` first, then id (the cursor is `(due_at, id)`). */
export function compareDue(a: Row, b: Row): number {
	const byDue = Date.parse(a.dueAt) - Date.parse(b.dueAt);
	if (byDue !== 0) return byDue;
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Keeps, per id, only a row newer than any version seen before (pages and pushes may arrive out of
 * order), and records what it keeps in `seen`.
 */
export function newerThanSeen(rows: readonly ExceptionView[], seen: Map<string, number>): ExceptionView[] {
	const newest = new Map<string, ExceptionView>();
	for (const row of rows) {
		const best = newest.get(row.id);
		if (!best || row.version > best.version) newest.set(row.id, row);
	}
	const fresh: ExceptionView[] = [];
	for (const row of newest.values()) {
		if ((seen.get(row.id) ?? 0) >= row.version) continue;
		seen.set(row.id, row.version);
		fresh.push(row);
	}
	return fresh;
}

/**
 * A page's rows less any older than a version already seen (a push can overtake a page read), with
 * the newer versions recorded in `seen`.
 */
export function notOlderThanSeen(rows: readonly ExceptionView[], seen: Map<string, number>): ExceptionView[] {
	return rows.filter((row) => {
		const known = seen.get(row.id) ?? 0;
		if (row.version > known) seen.set(row.id, row.version);
		return row.version >= known;
	});
}

/** Adds a page to the rows already loaded; a row already there keeps its higher version. */
export function mergePage(items: readonly ExceptionView[], page: readonly ExceptionView[]): ExceptionView[] {
	const byId = new Map(items.map((row) => [row.id, row]));
	for (const row of page) {
		const known = byId.get(row.id);
		if (!known || row.version > known.version) byId.set(row.id, row);
	}
	return [...byId.values()].sort(compareDue);
}

export interface ChangeResult {
	/** The same array when nothing visible changed. */
	items: ExceptionView[];
	/** Rows that appeared, or changed status, assignee or severity: worth a brief highlight. */
	highlighted: string[];
	removed: string[];
}

/**
 * Applies pushed rows to the list a filter shows: a row that no longer matches leaves, a newly
 * matching one takes its place in due order. While more pages are to come (`complete` false), a new
 * row that sorts after the last loaded one is left for its page, so that it is not listed twice.
 */
export function applyChanges(
	items: readonly ExceptionView[],
	changes: readonly ExceptionView[],
	opts: { matches: (row: ExceptionView) => boolean; complete: boolean }
): ChangeResult {
	const byId = new Map(items.map((row) => [row.id, row]));
	const last = items.at(-1);
	const highlighted: string[] = [];
	const removed: string[] = [];
	let touched = false;
	for (const row of changes) {
		const known = byId.get(row.id);
		if (known && known.version >= row.version) continue;
		if (!opts.matches(row)) {
			if (known) {
				byId.delete(row.id);
				removed.push(row.id);
				touched = true;
			}
			continue;
		}
		if (!known && !opts.complete && last && compareDue(row, last) > 0) continue;
		if (!known || known.status !== row.status || known.assignee !== row.assignee || known.severity !== row.severity) {
			highlighted.push(row.id);
		}
		byId.set(row.id, row);
		touched = true;
	}
	return { items: touched ? [...byId.values()].sort(compareDue) : (items as ExceptionView[]), highlighted, removed };
}

/**
 * Where the focus goes when the list changes: it stays on its row while that is listed; a row that
 * left hands it to the next row still listed (the next one to work on), else the one before.
 */
export function nextFocusId(prev: readonly Row[], next: readonly Row[], focusedId: string | null): string | null {
	if (next.length === 0) return null;
	if (focusedId === null) return null;
	const present = new Set(next.map((row) => row.id));
	if (present.has(focusedId)) return focusedId;
	const at = prev.findIndex((row) => row.id === focusedId);
	if (at < 0) return next[0]!.id;
	for (let i = at + 1; i < prev.length; i++) if (present.has(prev[i]!.id)) return prev[i]!.id;
	for (let i = at - 1; i >= 0; i--) if (present.has(prev[i]!.id)) return prev[i]!.id;
	return next[0]!.id;
}

/** `j` / `k`: one row down or up, staying at the ends; from no focus, the first row. */
export function moveFocus(items: readonly Row[], focusedId: string | null, delta: 1 | -1): string | null {
	if (items.length === 0) return null;
	const at = focusedId === null ? -1 : items.findIndex((row) => row.id === focusedId);
	if (at < 0) return items[0]!.id;
	return items[Math.min(items.length - 1, Math.max(0, at + delta))]!.id;
}
