import type { MinuteBucket } from '$domain/live/overview';

/** Minutes remembered: the overview's ring is 60, and a slow push may straddle one more. */
const KEPT_MINUTES = 64;

/**
 * Tells from the overview's minute buckets whether the tower applied events since it last looked:
 * a minute whose `applied` count grew, or a new minute that applied any.
 */
export class AppliedWatch {
	#applied = new Map<number, number>();

	/** Remembers what is known now, without calling it news. */
	seed(minutes: readonly Pick<MinuteBucket, 't' | 'applied'>[]): void {
		for (const m of minutes) this.#applied.set(m.t, m.applied);
		this.#prune();
	}

	/** True when any minute applied more than last seen. */
	observe(minutes: readonly Pick<MinuteBucket, 't' | 'applied'>[]): boolean {
		let grew = false;
		for (const m of minutes) {
			if (m.applied > (this.#applied.get(m.t) ?? 0)) grew = true;
			this.#applied.set(m.t, m.applied);
		}
		this.#prune();
		return grew;
	}

	#prune(): void {
		if (this.#applied.size <= KEPT_MINUTES) return;
		const keep = [...this.#applied.keys()].sort((a, b) => b - a).slice(0, KEPT_MINUTES);
		this.#applied = new Map(keep.map((t) => [t, this.#applied.get(t)!]));
	}
}

export interface Throttled {
	/** Runs now if the last run started at least `intervalMs` ago and none is running; else once, later. */
	request(): void;
	cancel(): void;
}

export interface Clock {
	now: () => number;
	setTimeout: (fn: () => void, ms: number) => unknown;
	clearTimeout: (handle: unknown) => void;
}

const realClock: Clock = {
	now: () => Date.now(),
	setTimeout: (fn, ms) => setTimeout(fn, ms),
	clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

/**
 * At most one run per `intervalMs` (start to start) and never two at once; requests in between
 * collapse into one trailing run, so the last change is always fetched.
 */
export function throttle(run: () => Promise<void> | void, intervalMs: number, clock: Clock = realClock): Throttled {
	let lastStart = Number.NEGATIVE_INFINITY;
	let running = false;
	let pending = false;
	let timer: unknown = null;
	let cancelled = false;

	const fire = () => {
		timer = null;
		if (cancelled) return;
		pending = false;
		running = true;
		lastStart = clock.now();
		void Promise.resolve()
			.then(run)
			.catch(() => {})
			.finally(() => {
				running = false;
				if (pending && !cancelled) schedule();
			});
	};

	const schedule = () => {
		if (timer !== null) return;
		timer = clock.setTimeout(fire, Math.max(0, lastStart + intervalMs - clock.now()));
	};

	return {
		request() {
			cancelled = false;
			if (running) pending = true;
			else schedule();
		},
		cancel() {
			cancelled = true;
			pending = false;
			if (timer !== null) clock.clearTimeout(timer);
			timer = null;
		}
	};
}
