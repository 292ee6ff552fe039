import type { Role } from '$domain/realtime-contract';
import { decisionCodes, isDecisionType, mayAct, REAPPLIED_CODE, type ActionResult, type ExceptionView } from './domain';
import { codeLabel, subjectOf, typeLabel } from './labels';

/** The buttons the detail pane shows for one exception. */
export interface AvailableActions {
	ack: boolean;
	assign: boolean;
	/** Resolve with an ordinary code. */
	resolve: boolean;
	/** Approve or reject (fraud_review, count_discrepancy). */
	decide: boolean;
	escalate: boolean;
	reopen: boolean;
	reapply: boolean;
}

export const noActions: AvailableActions = {
	ack: false,
	assign: false,
	resolve: false,
	decide: false,
	escalate: false,
	reopen: false,
	reapply: false
};

/**
 * What `role` may do to `view` now: the role decides (`mayAct`, the server's own rule), the state
 * hides what would change nothing. A row someone else claimed still offers Acknowledge: the server
 * answers with who has it.
 */
export function availableActions(view: Pick<ExceptionView, 'type' | 'status' | 'assignee' | 'resolution'>, role: Role, me: string | null): AvailableActions {
	const may = (action: Parameters<typeof mayAct>[1]) => mayAct(role, action, view.type);
	if (view.status === 'resolved') {
		const code = view.resolution?.code ?? '';
		// Decisions acted on orders or stock, and a re-applied event cannot be taken back.
		const final = (isDecisionType(view.type) && (decisionCodes as readonly string[]).includes(code)) || code === REAPPLIED_CODE;
		return { ...noActions, reopen: may('reopen') && !final };
	}
	const mine = me !== null && view.assignee?.toLowerCase() === me.toLowerCase();
	return {
		ack: may('ack') && !(mine && view.status === 'acknowledged'),
		assign: may('assign'),
		resolve: may('resolve') && !isDecisionType(view.type),
		decide: may('resolve') && isDecisionType(view.type),
		escalate: may('escalate') && view.status !== 'escalated',
		reopen: false,
		reapply: may('reapply')
	};
}

/** What a decision or a re-apply set in motion: `Fraud review · W-1002 (reject): done, event 812 applied.` */
export function outcomeText(view: ExceptionView, outcome: NonNullable<ActionResult['outcome']>): string {
	const what = `${typeLabel(view.type)} · ${subjectOf(view).text}${view.resolution ? ` (${codeLabel(view.resolution.code).toLowerCase()})` : ''}`;
	const { state, eventSeq, error } = outcome;
	if (state === 'applied') return `${what}: done, event ${eventSeq} applied.`;
	if (state === 'pending') return `${what}: event ${eventSeq} is queued and applies shortly.`;
	return `${what}: event ${eventSeq} could not be applied: ${error ?? 'invalid'}.`;
}
