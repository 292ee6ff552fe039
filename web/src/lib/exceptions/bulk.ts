import type { Role } from '$domain/realtime-contract';
import { decisionCodes, mayAct, type BulkPreview } from './domain';
import { humanize } from './labels';

export const bulkActions = ['ack', 'assign', 'resolve', 'escalate', 'reopen'] as const;
export type BulkAction = (typeof bulkActions)[number];

export const bulkActionLabels: Record<BulkAction, string> = {
	ack: 'Acknowledge',
	assign: 'Assign…',
	resolve: 'Resolve…',
	escalate: 'Escalate',
	reopen: 'Reopen'
};

const done: Record<BulkAction, string> = {
	ack: 'Acknowledged',
	assign: 'Assigned',
	resolve: 'Resolved',
	escalate: 'Escalated',
	reopen: 'Reopened'
};

/** Whether `role` may run `action` on ordinary exceptions (the server skips the rows it may not touch). */
export function bulkAllowed(role: Role, action: BulkAction): boolean {
	return mayAct(role, action, 'stockout');
}

/** Resolution codes a bulk resolve offers: never approve/reject, which act on orders and stock one by one. */
export function bulkCodes(ordinaryCodes: readonly string[]): string[] {
	return ordinaryCodes.filter((code) => !(decisionCodes as readonly string[]).includes(code));
}

/** `3 skipped: needs supervisor`, or with several reasons `4 skipped: 3 needs supervisor, 1 already resolved`. */
export function skippedText(skipped: Record<string, number> | number | undefined): string {
	if (typeof skipped === 'number') return skipped > 0 ? `${skipped} skipped` : '';
	const reasons = Object.entries(skipped ?? {})
		.filter(([, n]) => n > 0)
		.sort(([, a], [, b]) => b - a);
	const total = reasons.reduce((sum, [, n]) => sum + n, 0);
	if (total === 0) return '';
	if (reasons.length === 1) return `${total} skipped: ${humanize(reasons[0]![0])}`;
	return `${total} skipped: ${reasons.map(([reason, n]) => `${n} ${humanize(reason)}`).join(', ')}`;
}

/** `12 will change, 3 skipped: needs supervisor`. */
export function describePreview(preview: BulkPreview): string {
	const skipped = skippedText(preview.skipped);
	return [`${preview.willChange} will change`, skipped].filter(Boolean).join(', ');
}

/** The undo toast: `Resolved 12`. */
export function bulkDoneText(action: BulkAction, changed: number): string {
	return `${done[action]} ${changed}`;
}

export function undoneText(result: { restored: number; skipped?: Record<string, number> | number }): string {
	const skipped = skippedText(result.skipped);
	return [`Undone: ${result.restored} restored`, skipped].filter(Boolean).join(', ');
}
