import type { ExceptionView } from './domain';

/** A plausible row for unit tests; override what the test is about. */
export function view(over: Partial<ExceptionView> = {}): ExceptionView {
	return {
		id: '00000000-0000-0000-0000-000000000001',
		type: 'stockout',
		severity: 'high',
		status: 'open',
		subject: 'order:W-1',
		orderId: 'W-1',
		sku: 'TEE',
		locationId: 'DC-EAST',
		channel: 'web',
		source: null,
		eventSeq: null,
		details: {},
		occurrences: 1,
		openedAt: '2024-05-01T11:00:00.000Z',
		lastSeenAt: '2024-05-01T11:00:00.000Z',
		dueAt: '2024-05-01T12:00:00.000Z',
		assignee: null,
		acknowledgedAt: null,
		escalatedAt: null,
		resolvedAt: null,
		resolvedBy: null,
		resolution: null,
		version: 1,
		updatedAt: '2024-05-01T11:00:00.000Z',
		...over
	};
}
