export type TriageKey = 'down' | 'up' | 'ack' | 'resolve' | 'escalate' | 'toggle' | 'help' | 'close' | 'open';

/** The parts of a KeyboardEvent and its target that decide what a key does. */
export interface KeyInput {
	key: string;
	ctrlKey?: boolean;
	metaKey?: boolean;
	altKey?: boolean;
	target: { tagName?: string; type?: string; isContentEditable?: boolean } | null;
}

const letters: Record<string, TriageKey> = {
	j: 'down',
	k: 'up',
	a: 'ack',
	r: 'resolve',
	e: 'escalate',
	x: 'toggle',
	o: 'open'
};

/** Input types that take no typing, so shortcuts still work while one has the focus. */
const nonTextInputs = new Set(['checkbox', 'radio', 'button', 'submit', 'reset']);
/** Elements whose own Enter (follow a link, press a button) must win over "open the detail". */
const enterOwners = new Set(['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'SUMMARY']);

export function isTypingTarget(target: KeyInput['target']): boolean {
	if (!target) return false;
	if (target.isContentEditable) return true;
	const tag = target.tagName?.toUpperCase();
	if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
	return tag === 'INPUT' && !nonTextInputs.has((target.type ?? 'text').toLowerCase());
}

/** The triage action of a key press, or null when the key is not a shortcut here (or the user types). */
export function triageKey(e: KeyInput): TriageKey | null {
	if (e.ctrlKey || e.metaKey || e.altKey) return null;
	if (e.key === 'Escape') return 'close';
	if (isTypingTarget(e.target)) return null;
	if (e.key === '?') return 'help';
	if (e.key === 'Enter') return enterOwners.has(e.target?.tagName?.toUpperCase() ?? '') ? null : 'open';
	// Shift+J and the like stay free for the browser and assistive technology.
	return letters[e.key] ?? null;
}

/** The help overlay's list. */
export const keyHelp: readonly { keys: readonly string[]; does: string }[] = [
	{ keys: ['j'], does: 'Next exception' },
	{ keys: ['k'], does: 'Previous exception' },
	{ keys: ['Enter', 'o'], does: 'Open the detail pane' },
	{ keys: ['a'], does: 'Acknowledge (claim)' },
	{ keys: ['r'], does: 'Resolve…' },
	{ keys: ['e'], does: 'Escalate (supervisors)' },
	{ keys: ['x'], does: 'Select or unselect for a bulk action' },
	{ keys: ['?'], does: 'Show this help' },
	{ keys: ['Esc'], does: 'Close the dialog or the detail pane' }
];
