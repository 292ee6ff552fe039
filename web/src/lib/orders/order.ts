import type { LineQuantities } from '$domain/orders/status';

/** One line of an order (`GET /api/v1/orders/:orderId`): units by state and where its reserve is. */
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

export interface OrderShipment {
	shipmentId: string;
	locationId: string;
	shippedAt: string;
	units: number;
	lines?: { sku: string; qty: number }[];
}

/** `status` is null for an order whose events never applied: its timeline says why. */
export interface OrderDetail {
	orderId: string;
	channel: string | null;
	status: string | null;
	payment: string | null;
	held: boolean | null;
	promisedShipBy: string | null;
	createdAt: string | null;
	shipTo?: { region: string; country?: string; postalCode?: string } | null;
	lines: OrderLine[];
	shipments?: OrderShipment[];
	timeline: OrderTimelineEntry[];
}

export const orderUrl = (orderId: string) => `/api/v1/orders/${encodeURIComponent(orderId)}`;
export const orderPageUrl = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

/** The triage page narrowed to the order, with one of its exceptions open (resolved ones too). */
export function triageUrl(orderId: string, exceptionId?: string): string {
	const params = new URLSearchParams({ status: 'all', orderId });
	if (exceptionId) params.set('open', exceptionId);
	return `/exceptions?${params}`;
}

/** The destination in words: `east, US 10001`. */
export function shipToText(shipTo: OrderDetail['shipTo']): string {
	if (!shipTo) return '—';
	return [shipTo.region, [shipTo.country, shipTo.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}
