import type { BoardId } from './boards';

/** Something that must be looked at now: the rotation stops on its board until it clears. */
export interface HoldCondition {
	/** Stable while the same condition holds, e.g. `exception:<id>` or `lag-p99`. */
	key: string;
	board: BoardId;
	/** What the held board says holds it. */
	label: string;
}

/**
 * The war room's rotation: each board shows for `dwellMs`, then the next. A hold (a critical
 * condition) takes the screen to its board and stops the rotation; when no condition is left, the
 * rotation resumes from that board with a fresh dwell (a held board outside the rotation stays one
 * dwell, so the room sees the condition cleared, then the rotation goes on where it was). Pure: the
 * caller passes the clock.
 */
export interface RotationState {
	readonly boards: readonly BoardId[];
	readonly dwellMs: number;
	/** The rotation's position in `boards`. */
	readonly index: number;
	/** When the current board's dwell started. */
	readonly enteredAt: number;
	readonly hold: HoldCondition | null;
	/**
	 * A board shown instead until `until`: while held, one a person moved to (then back to the held
	 * board); after a hold on a board outside the rotation, that board for one more dwell.
	 */
	readonly linger: { board: BoardId; until: number } | null;
}

export function startRotation(opts: { boards: readonly BoardId[]; dwellMs: number; now: number }): RotationState {
	if (opts.boards.length === 0) throw new Error('a rotation needs at least one board');
	if (!(opts.dwellMs > 0)) throw new Error('the dwell must be positive');
	return { boards: opts.boards, dwellMs: opts.dwellMs, index: 0, enteredAt: opts.now, hold: null, linger: null };
}

/** The board on the screen. */
export function shownBoard(s: RotationState): BoardId {
	return s.linger?.board ?? s.hold?.board ?? s.boards[s.index]!;
}

/** The board the rotation moves to when the current dwell ends. */
export function upcomingBoard(s: RotationState): BoardId {
	if (s.linger && !s.hold) return s.boards[s.index]!;
	return s.boards[(s.index + 1) % s.boards.length]!;
}

/** Moves on when the dwell is over (call it on every clock tick); a held rotation stays. */
export function tick(s: RotationState, now: number): RotationState {
	if (s.linger) {
		if (now < s.linger.until) return s;
		return s.hold ? { ...s, linger: null } : { ...s, linger: null, enteredAt: now };
	}
	if (s.hold) return s;
	if (now - s.enteredAt < s.dwellMs) return s;
	// After a long pause (a sleeping tab) it moves one board, not one per dwell missed.
	return { ...s, index: (s.index + 1) % s.boards.length, enteredAt: now };
}

/** A person moves `delta` boards (keyboard): the dwell starts again; while held, for one dwell only. */
export function step(s: RotationState, delta: number, now: number): RotationState {
	const n = s.boards.length;
	if (s.hold) {
		const from = s.boards.indexOf(shownBoard(s));
		const base = from >= 0 ? from : delta > 0 ? -1 : 0;
		const board = s.boards[(((base + delta) % n) + n) % n]!;
		return { ...s, linger: board === s.hold.board ? null : { board, until: now + s.dwellMs } };
	}
	return { ...s, index: (((s.index + delta) % n) + n) % n, enteredAt: now, linger: null };
}

/**
 * Applies the conditions that hold now, most urgent first. The first one holds the screen; a new
 * first condition takes the screen back to its board. None left: the rotation resumes on the board
 * it was held on (when that board is in the rotation) with a fresh dwell.
 */
export function applyHolds(s: RotationState, conditions: readonly HoldCondition[], now: number): RotationState {
	const first = conditions[0] ?? null;
	if (!first) {
		if (!s.hold) return s;
		const at = s.boards.indexOf(s.hold.board);
		if (at >= 0) return { ...s, hold: null, linger: null, index: at, enteredAt: now };
		return { ...s, hold: null, linger: { board: s.hold.board, until: now + s.dwellMs } };
	}
	if (s.hold?.key === first.key) {
		return s.hold.label === first.label && s.hold.board === first.board ? s : { ...s, hold: first };
	}
	return { ...s, hold: first, linger: null };
}

/** When the current dwell ends (for a "next in" label); null while held. */
export function dwellEndsAt(s: RotationState): number | null {
	if (s.hold) return null;
	return s.linger ? s.linger.until : s.enteredAt + s.dwellMs;
}

/** How much of the current dwell has passed, 0–1; null while held (the rotation is stopped). */
export function dwellProgress(s: RotationState, now: number): number | null {
	const end = dwellEndsAt(s);
	if (end === null) return null;
	return Math.min(1, Math.max(0, 1 - (end - now) / s.dwellMs));
}
