import type { ExceptionView } from '../exceptions/domain';

/** The most critical exceptions the war room keeps; more than this many is a crisis shown by the count. */
export const MAX_CRITICALS = 200;
/** Versions remembered for exceptions that left the list, so an older copy arriving late cannot bring one back. */
const MAX_REMEMBERED = 2_000;

/** Critical and not resolved: what the exceptions board lists. */
export function isOpenCritical(e: Pick<ExceptionView, 'severity' | 'status'>): boolean {
	return e.severity === 'critical' && e.status !== 'resolved';
}

/** Critical and nobody has acknowledged it (open, or escalated again): what holds the rotation. */
export function holdsRotation(e: Pick<ExceptionView, 'severity' | 'status'>): boolean {
	return e.severity === 'critical' && (e.status === 'open' || e.status === 'escalated');
}

const byDue = (a: ExceptionView, b: ExceptionView) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id);

/**
 * The unresolved critical exceptions, from a first read (`reload`) and the live pushes (`apply`).
 * Per id the highest `version` wins, so pushes and reads may cross in any order.
 */
export class CriticalTracker {
	#items = new Map<string, ExceptionView>();
	#versions = new Map<string, number>();
	/** Local time each id last came by push: a reload must not drop what arrived while it ran. */
	#pushedAt = new Map<string, number>();

	/** Live changes (any severity): returns whether the list changed. */
	apply(changes: readonly ExceptionView[], now: number): boolean {
		let changed = false;
		for (const e of changes) {
			if (!this.#accept(e)) continue;
			this.#pushedAt.set(e.id, now);
			changed = this.#place(e) || changed;
		}
		return changed;
	}

	/**
	 * A fresh read of every unresolved critical (after a (re)connect). What the read lacks is gone,
	 * unless a push brought it after the read began (`startedAt`, local clock).
	 */
	reload(current: readonly ExceptionView[], startedAt: number): void {
		const listed = new Set(current.map((e) => e.id));
		for (const id of [...this.#items.keys()]) {
			if (!listed.has(id) && (this.#pushedAt.get(id) ?? -Infinity) < startedAt) this.#items.delete(id);
		}
		for (const e of current) if (this.#accept(e)) this.#place(e);
	}

	list(): ExceptionView[] {
		return [...this.#items.values()].sort(byDue).slice(0, MAX_CRITICALS);
	}

	#accept(e: ExceptionView): boolean {
		const seen = this.#versions.get(e.id);
		if (seen !== undefined && seen >= e.version) return false;
		this.#versions.delete(e.id);
		this.#versions.set(e.id, e.version);
		// Map order is insertion order: the first keys are the least recently changed.
		while (this.#versions.size > MAX_REMEMBERED) {
			const oldest = this.#versions.keys().next().value as string;
			this.#versions.delete(oldest);
			this.#pushedAt.delete(oldest);
		}
		return true;
	}

	#place(e: ExceptionView): boolean {
		if (isOpenCritical(e)) {
			this.#items.set(e.id, e);
			return true;
		}
		return this.#items.delete(e.id);
	}
}
