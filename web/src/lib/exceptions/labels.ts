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

/** `needs_supervisor` → `needs supervisor`, `lastOrderId` → `last order id`. */
export function humanize(code: string): string {
	return code
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/[_-]+/g, ' ')
		.trim()
		.toLowerCase();
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

/**
 * What the subject column shows: an order id (a link to the detail) or the raw subject, and the SKU
 * or channel it is about as a second part (`W-1003` · `MUG-RED`).
 */
export function subjectOf(view: Pick<ExceptionView, 'subject' | 'orderId' | 'sku' | 'locationId' | 'source' | 'channel'>): {
	kind: 'order' | 'sku' | 'source' | 'other';
	text: string;
	extra: string | null;
} {
	const at = view.locationId ? ` @ ${view.locationId}` : '';
	// An order already names its channel; a SKU alone is told apart by where it is.
	if (view.orderId) return { kind: 'order', text: view.orderId, extra: view.sku ? `${view.sku}${at}` : null };
	const sku = view.sku ? (at ? `${view.sku}${at}` : view.channel ? `${view.sku} · ${view.channel}` : view.sku) : null;
	if (sku) return { kind: 'sku', text: sku, extra: null };
	if (view.source) return { kind: 'source', text: view.source, extra: null };
	return { kind: 'other', text: view.subject, extra: null };
}
