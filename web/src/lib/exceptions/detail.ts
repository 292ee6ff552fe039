import type { LineQuantities } from '$domain/orders/status';
import type { ExceptionView } from './domain';

/** One line of the order (`GET /api/v1/orders/:orderId`), units by state and where its reserve is. */
export interface OrderLine extends LineQuantities {
	lineNo: number;
	sku: string;
	allocations: { locationId: string; qty: number }[];
}

export type OrderTimelineEntry =
	| {
			at: string;
			kind: 'event';
			type: string;
			source: string;
			id: string;
			seq: string;
			state: 'applied' | 'invalid' | 'waiting' | 'queued';
			applyError?: string;
			deferReason?: string;
	  }
	| { at: string; kind: 'exception'; type: string; status: string; severity: string; id: string };

/** `status` is null for an order whose events never applied: its timeline says why. */
export interface OrderDetail {
	orderId: string;
	channel: string | null;
	status: string | null;
	payment: string | null;
	held: boolean | null;
	promisedShipBy: string | null;
	createdAt: string | null;
	lines: OrderLine[];
	shipments?: { shipmentId: string; locationId: string; shippedAt: string; units: number }[];
	timeline: OrderTimelineEntry[];
}

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
