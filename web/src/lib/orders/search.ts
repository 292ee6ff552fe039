// Relative, not $domain: these are values, and the root vitest run resolves no SvelteKit aliases.
import { orderStatuses, type OrderStatus } from '../../../../domain/orders/status';

export { orderStatuses, type OrderStatus };

/** What the order search narrows to; mirrors the query of `GET /api/v1/orders`. */
export interface OrderFilter {
	/** The order id starts with this (case-sensitive). */
	q: string | null;
	sku: string | null;
	channel: string | null;
	status: OrderStatus[];
}

/** A search row: the order's header and its lines summed. */
export interface OrderSummary {
	orderId: string;
	channel: string;
	status: OrderStatus;
	payment: string;
	held: boolean;
	createdAt: string;
	promisedShipBy: string | null;
	lines: number;
	units: number;
	value: number;
	backordered: number;
	shipped: number;
}

export interface OrderPage {
	items: OrderSummary[];
	nextCursor: string | null;
}

export const ORDERS_API = '/api/v1/orders';
export const ORDERS_PAGE_SIZE = 50;
const IDENTIFIER = /^[A-Za-z0-9._:-]{1,64}$/;
const textKeys = ['q', 'sku', 'channel'] as const;

export const emptyOrderFilter: OrderFilter = { q: null, sku: null, channel: null, status: [] };

/** Reads the filter from the page URL; values the API would refuse are dropped. */
export function parseOrderFilter(params: URLSearchParams): OrderFilter {
	const filter: OrderFilter = { ...emptyOrderFilter, status: [] };
	for (const key of textKeys) {
		const value = params.get(key)?.trim() ?? '';
		filter[key] = IDENTIFIER.test(value) ? value : null;
	}
	const given = new Set(params.getAll('status').flatMap((v) => v.split(',')).map((v) => v.trim()));
	filter.status = orderStatuses.filter((s) => given.has(s));
	return filter;
}

export function orderFilterParams(filter: OrderFilter): URLSearchParams {
	const params = new URLSearchParams();
	for (const key of textKeys) if (filter[key]) params.set(key, filter[key]);
	if (filter.status.length > 0) params.set('status', filter.status.join(','));
	return params;
}

export function searchUrl(filter: OrderFilter, page: { cursor?: string | null; limit?: number } = {}): string {
	const params = orderFilterParams(filter);
	params.set('limit', String(page.limit ?? ORDERS_PAGE_SIZE));
	if (page.cursor) params.set('cursor', page.cursor);
	return `${ORDERS_API}?${params}`;
}

export function ordersPageUrl(filter: OrderFilter): string {
	const query = orderFilterParams(filter).toString();
	return `/orders${query ? `?${query}` : ''}`;
}

export const isFiltered = (filter: OrderFilter) => textKeys.some((k) => filter[k] !== null) || filter.status.length > 0;

/** Problems with what was typed, per field, in words; empty when the search can be sent. */
export function inputProblems(input: Record<(typeof textKeys)[number], string>): Partial<Record<(typeof textKeys)[number], string>> {
	const problems: Partial<Record<(typeof textKeys)[number], string>> = {};
	for (const key of textKeys) {
		const value = input[key].trim();
		if (value !== '' && !IDENTIFIER.test(value)) problems[key] = 'Letters, digits and . _ : - only (at most 64).';
	}
	return problems;
}

/** From what was typed to a filter (blank fields are no filter). */
export function filterFromInput(input: Record<(typeof textKeys)[number], string>, status: OrderStatus[]): OrderFilter {
	const text = (v: string) => v.trim() || null;
	return { q: text(input.q), sku: text(input.sku), channel: text(input.channel), status };
}

export const statusLabel = (status: string) => status.replace(/_/g, ' ');
