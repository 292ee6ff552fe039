import type { ExceptionView } from '../exceptions/domain';
import { typeLabel } from '../exceptions/labels';
import { holdsRotation } from './criticals';
import type { HoldCondition } from './rotation';

export interface HoldInput {
	/** Unresolved criticals (any order). */
	criticals: readonly ExceptionView[];
	/** The overview's lag p99, null when nothing was applied lately. */
	lagP99Ms: number | null;
	/** Null: lag never holds. */
	lagHoldMs: number | null;
}

/** A lag for a sentence: `850 ms`, `6.8 s`, `45 s`, `2.5 min`. */
export function lagText(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 10_000) return `${String(Math.round(ms / 100) / 10)} s`;
	if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
	return `${String(Math.round(ms / 6000) / 10)} min`;
}

/**
 * What holds the rotation now, most urgent first: unacknowledged critical exceptions (the soonest
 * due first) on the exceptions board, then a pipeline lag p99 above the threshold on the pipeline board.
 */
export function holdConditions({ criticals, lagP99Ms, lagHoldMs }: HoldInput): HoldCondition[] {
	const holds: HoldCondition[] = criticals
		.filter(holdsRotation)
		.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id))
		.map((e) => ({
			key: `exception:${e.id}`,
			board: 'exceptions' as const,
			label: `Critical ${typeLabel(e.type).toLowerCase()} (${e.subject}) ${e.status === 'escalated' ? 'escalated' : 'not acknowledged'}`
		}));
	if (lagHoldMs !== null && lagP99Ms !== null && lagP99Ms > lagHoldMs) {
		holds.push({ key: 'lag-p99', board: 'pipeline', label: `Pipeline lag p99 ${lagText(lagP99Ms)}, over ${lagText(lagHoldMs)}` });
	}
	return holds;
}
