import type { OrderDetail } from '../orders/order';
import type { ExceptionView } from './domain';

export type { OrderDetail, OrderLine, OrderTimelineEntry } from '../orders/order';

export interface AuditEntry {
	at: string;
	actorKind: string;
	actor: string | null;
	action: string;
	details: Record<string, unknown> | null;
}

/** The stock of the exception's SKU (`GET /api/v1/inventory?sku=`), for SKU subjects. */
export interface StockDetail {
	items: { sku: string; locationId: string; onHand: number; reserved: number; available: number; inTransit: number }[];
	backordered: Record<string, number>;
	ats: { sku: string; channel: string; ats: number }[];
}

/** The event an `invalid_event` (or another event subject) is about. */
export interface EventDetail {
	seq: string;
	source: string;
	id: string;
	type: string;
	occurredAt: string;
	appliedAt: string | null;
	applyError: string | null;
	deferReason: string | null;
	data: Record<string, unknown>;
}

/** `GET /api/v1/exceptions/:id`. */
export interface ExceptionDetail {
	exception: ExceptionView;
	order: OrderDetail | null;
	inventory?: StockDetail | null;
	event?: EventDetail | null;
	audit: AuditEntry[];
}

/** `GET /api/v1/exceptions/settings`. */
export interface ExceptionSettings {
	resolutionCodes: string[];
	decisionCodes: string[];
	undoSeconds: number;
}

/** A `details` value as one line of text. */
export function detailValue(value: unknown): string {
	if (value === null || value === undefined) return '—';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return JSON.stringify(value);
}
