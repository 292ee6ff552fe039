import { describe, expect, it } from 'vitest';
import { availableActions, noActions, outcomeText, type AvailableActions } from './actions';
import { view } from './view-fixture';

const me = 'ana@example.com';
const shown = (actions: AvailableActions) => (Object.keys(actions) as (keyof AvailableActions)[]).filter((k) => actions[k]);

describe('availableActions', () => {
	it('gives a viewer nothing', () => {
		expect(availableActions(view(), 'viewer', me)).toEqual(noActions);
	});

	it('lets an operator claim, assign and resolve an ordinary type, not escalate', () => {
		expect(shown(availableActions(view({ type: 'stockout' }), 'operator', me))).toEqual(['ack', 'assign', 'resolve']);
	});

	it('leaves decisions and escalation to supervisors', () => {
		expect(shown(availableActions(view({ type: 'fraud_review' }), 'operator', me))).toEqual([]);
		expect(shown(availableActions(view({ type: 'fraud_review' }), 'supervisor', me))).toEqual(['ack', 'assign', 'decide', 'escalate']);
		expect(shown(availableActions(view({ type: 'count_discrepancy', status: 'escalated' }), 'admin', me))).toEqual(['ack', 'assign', 'decide']);
	});

	it('offers Re-apply only for an invalid event', () => {
		expect(availableActions(view({ type: 'invalid_event' }), 'operator', me).reapply).toBe(true);
		expect(availableActions(view({ type: 'stockout' }), 'admin', me).reapply).toBe(false);
	});

	it('hides Acknowledge once I hold it, keeps it when someone else does', () => {
		expect(availableActions(view({ status: 'acknowledged', assignee: 'Ana@example.com' }), 'operator', me).ack).toBe(false);
		expect(availableActions(view({ status: 'acknowledged', assignee: 'bo@example.com' }), 'operator', me).ack).toBe(true);
	});

	it('offers only Reopen on a resolved exception, unless it was decided or re-applied', () => {
		const resolved = (type: 'stockout' | 'fraud_review' | 'invalid_event', code: string) => view({ type, status: 'resolved', resolution: { code, note: null } });
		expect(shown(availableActions(resolved('stockout', 'fixed'), 'operator', me))).toEqual(['reopen']);
		expect(shown(availableActions(resolved('fraud_review', 'approve'), 'admin', me))).toEqual([]);
		expect(shown(availableActions(resolved('invalid_event', 'reapplied'), 'admin', me))).toEqual([]);
		expect(shown(availableActions(resolved('fraud_review', 'auto_resolved'), 'supervisor', me))).toEqual(['reopen']);
	});
});

describe('outcomeText', () => {
	const rejected = view({ type: 'fraud_review', orderId: 'W-1002', status: 'resolved', resolution: { code: 'reject', note: null } });

	it('says what the decision set in motion and how it went', () => {
		expect(outcomeText(rejected, { eventSeq: '812', state: 'applied' })).toBe('Fraud review · W-1002 (reject): done, event 812 applied.');
		expect(outcomeText(rejected, { eventSeq: '812', state: 'pending' })).toBe('Fraud review · W-1002 (reject): event 812 is queued and applies shortly.');
		expect(outcomeText(view({ type: 'invalid_event', orderId: null, sku: null, source: 'shop-web' }), { eventSeq: '9', state: 'invalid', error: 'unknown order' })).toBe(
			'Invalid event · shop-web: event 9 could not be applied: unknown order.'
		);
	});
});
