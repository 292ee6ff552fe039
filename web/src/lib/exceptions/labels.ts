import type { ExceptionStatus, ExceptionType, ExceptionView, Severity } from './domain';

export const typeLabels: Record<ExceptionType, string> = {
	fraud_review: 'Fraud review',
	payment_failed: 'Payment failed',
	stockout: 'Stockout',
	split_shipment: 'Split shipment',
	short_pick: 'Short pick',
	sla_at_risk: 'SLA at risk',
	count_discrepancy: 'Count discrepancy',
	oversell_exposure: 'Oversell exposure',
	invalid_event: 'Invalid event',
	return_overdue: 'Return overdue',
	feed_stale: 'Feed stale',
	invariant_breach: 'Invariant breach'
};

export const severityLabels: Record<Severity, string> = {
	critical: 'Critical',
	high: 'High',
	medium: 'Medium',
	low: 'Low'
};

export const statusLabels: Record<ExceptionStatus, string> = {
	open: 'Open',
	acknowledged: 'Acknowledged',
	escalated: 'Escalated',
	resolved: 'Resolved'
};

const codeLabels: Record<string, string> = {
	fixed: 'Fixed',
	no_action: 'No action needed',
	duplicate: 'Duplicate',
	approve: 'Approve',
	reject: 'Reject',
	reapplied: 'Re-applied',
	auto_resolved: 'Cleared by itself'
};

/** `needs_supervisor` → `needs supervisor`. */
export function humanize(code: string): string {
	return code.replace(/[_-]+/g, ' ').trim();
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Tolerates a type the server knows and this build does not. */
export function typeLabel(type: string): string {
	return (typeLabels as Record<string, string>)[type] ?? capitalized(humanize(type));
}

export function codeLabel(code: string): string {
	return codeLabels[code] ?? capitalized(humanize(code));
}

/** Compact age: `45s`, `12m`, `3h 05m`, `2d 4h`. */
export function formatAge(ms: number): string {
	if (!Number.isFinite(ms)) return '—';
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 60) return `${s}s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m}m`;
	const h = Math.floor(m / 60);
	if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
	return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** What the subject column shows: an order id (a link to the detail) or the raw subject. */
export function subjectOf(view: Pick<ExceptionView, 'subject' | 'orderId' | 'sku' | 'locationId' | 'source' | 'channel'>): {
	kind: 'order' | 'sku' | 'source' | 'other';
	text: string;
} {
	if (view.orderId) return { kind: 'order', text: view.orderId };
	if (view.sku) return { kind: 'sku', text: view.locationId ? `${view.sku} @ ${view.locationId}` : view.sku };
	if (view.source) return { kind: 'source', text: view.source };
	return { kind: 'other', text: view.subject };
}
