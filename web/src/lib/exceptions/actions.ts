import type { Role } from '$domain/realtime-contract';
import { decisionCodes, isDecisionType, mayAct, REAPPLIED_CODE, type ExceptionView } from './domain';

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
