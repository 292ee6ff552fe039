import {
	exceptionStatuses,
	exceptionTypeList,
	severities,
	unresolvedStatuses,
	type ExceptionStatus,
	type ExceptionType,
	type ExceptionView,
	type Severity
} from './domain';

/** What the queue shows; mirrors the query of `GET /api/v1/exceptions`. */
export interface ExceptionFilter {
	/** `[]`: the server's default, every unresolved status. */
	status: ExceptionStatus[] | 'all';
	type: ExceptionType[];
	severity: Severity[];
	/** An email, `me` or `none`; null: anyone. */
	assignee: string | null;
	channel: string | null;
	location: string | null;
	orderId: string | null;
	sku: string | null;
	minAgeMinutes: number | null;
	maxAgeMinutes: number | null;
}

export const emptyFilter: ExceptionFilter = {
	status: [],
	type: [],
	severity: [],
	assignee: null,
	channel: null,
	location: null,
	orderId: null,
	sku: null,
	minAgeMinutes: null,
	maxAgeMinutes: null
};

export function makeFilter(partial: Partial<ExceptionFilter> = {}): ExceptionFilter {
	return { ...emptyFilter, ...partial };
}

const textKeys = ['assignee', 'channel', 'location', 'orderId', 'sku'] as const;
const minuteKeys = ['minAgeMinutes', 'maxAgeMinutes'] as const;

/** Known values of a comma list, deduplicated, in the domain's order (so equal filters serialize alike). */
function listOf<T extends string>(params: URLSearchParams, key: string, known: readonly T[]): T[] {
	const given = new Set(params.getAll(key).flatMap((v) => v.split(',')).map((v) => v.trim()));
	return known.filter((k) => given.has(k));
}

function minutes(value: string | null): number | null {
	if (value === null || !/^\d+$/.test(value.trim())) return null;
	return Number(value);
}

/** Reads a filter from a URL query; unknown keys and values are ignored. */
export function parseFilter(params: URLSearchParams): ExceptionFilter {
	const statusParam = params.get('status')?.trim();
	let status: ExceptionFilter['status'] = statusParam === 'all' ? 'all' : listOf(params, 'status', exceptionStatuses);
	// Naming exactly the default set is the default: one filter, one URL.
	if (status !== 'all' && sameSet(status, unresolvedStatuses)) status = [];
	const filter = makeFilter({
		status,
		type: listOf(params, 'type', exceptionTypeList),
		severity: listOf(params, 'severity', severities)
	});
	for (const key of textKeys) filter[key] = params.get(key)?.trim() || null;
	for (const key of minuteKeys) filter[key] = minutes(params.get(key));
	return filter;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((v) => b.includes(v));
}

/** The canonical query for a filter: defaults left out, lists comma-separated. */
export function filterParams(filter: ExceptionFilter): URLSearchParams {
	const params = new URLSearchParams();
	if (filter.status === 'all') params.set('status', 'all');
	else if (filter.status.length > 0) params.set('status', filter.status.join(','));
	if (filter.type.length > 0) params.set('type', filter.type.join(','));
	if (filter.severity.length > 0) params.set('severity', filter.severity.join(','));
	for (const key of textKeys) if (filter[key]) params.set(key, filter[key]);
	for (const key of minuteKeys) if (filter[key] !== null) params.set(key, String(filter[key]));
	return params;
}

/** Equal for filters that show the same rows (after normalisation by `parseFilter`). */
export function filterKey(filter: ExceptionFilter): string {
	return filterParams(filter).toString();
}

export function isDefaultFilter(filter: ExceptionFilter): boolean {
	return filterKey(filter) === '';
}

/**
 * Whether a row belongs in the list the filter shows, for live updates: the same tests as the
 * server's query. `me` is the signed-in user's email; ages count from `openedAt`.
 */
export function matchesFilter(view: ExceptionView, filter: ExceptionFilter, ctx: { me: string | null; nowMs: number }): boolean {
	if (filter.status === 'all') {
		// every status
	} else if (filter.status.length === 0) {
		if (view.status === 'resolved') return false;
	} else if (!filter.status.includes(view.status)) return false;
	if (filter.type.length > 0 && !filter.type.includes(view.type)) return false;
	if (filter.severity.length > 0 && !filter.severity.includes(view.severity)) return false;
	if (filter.assignee === 'none') {
		if (view.assignee !== null) return false;
	} else if (filter.assignee === 'me') {
		if (!ctx.me || view.assignee?.toLowerCase() !== ctx.me.toLowerCase()) return false;
	} else if (filter.assignee !== null && view.assignee?.toLowerCase() !== filter.assignee.toLowerCase()) return false;
	if (filter.channel !== null && view.channel !== filter.channel) return false;
	if (filter.location !== null && view.locationId !== filter.location) return false;
	if (filter.orderId !== null && view.orderId !== filter.orderId) return false;
	if (filter.sku !== null && view.sku !== filter.sku) return false;
	const ageMinutes = (ctx.nowMs - Date.parse(view.openedAt)) / 60_000;
	if (filter.minAgeMinutes !== null && !(ageMinutes >= filter.minAgeMinutes)) return false;
	if (filter.maxAgeMinutes !== null && !(ageMinutes <= filter.maxAgeMinutes)) return false;
	return true;
}

/** The `filter` of `POST /api/v1/exceptions/bulk`: the query's keys, lists comma-separated. */
export interface BulkFilter {
	status?: string;
	type?: string;
	severity?: string;
	assignee?: string;
	channel?: string;
	location?: string;
	minAgeMinutes?: number;
	maxAgeMinutes?: number;
}

/** Null when the filter names an order or a SKU, which a bulk action cannot select by. */
export function bulkFilterOf(filter: ExceptionFilter): BulkFilter | null {
	if (filter.orderId !== null || filter.sku !== null) return null;
	const bulk: BulkFilter = {};
	const params = filterParams(filter);
	for (const key of ['status', 'type', 'severity', 'assignee', 'channel', 'location'] as const) {
		const value = params.get(key);
		if (value) bulk[key] = value;
	}
	for (const key of minuteKeys) if (filter[key] !== null) bulk[key] = filter[key];
	return bulk;
}

export interface PresetFilter {
	id: string;
	label: string;
	/** Why it is built the way it is, shown as a tooltip. */
	hint?: string;
	filter: ExceptionFilter;
}

/** One-click filters. There is no "overdue" query: an overdue exception escalates on its own. */
export const presetFilters: readonly PresetFilter[] = [
	{ id: 'mine', label: 'My queue', filter: makeFilter({ assignee: 'me' }) },
	{ id: 'unassigned', label: 'Unassigned', filter: makeFilter({ assignee: 'none' }) },
	{ id: 'critical', label: 'Critical', filter: makeFilter({ severity: ['critical'] }) },
	{
		id: 'escalated',
		label: 'Escalated',
		hint: 'Overdue exceptions escalate on their own, so this is also the overdue list',
		filter: makeFilter({ status: ['escalated'] })
	},
	{ id: 'older-1h', label: 'Older than 1 h', filter: makeFilter({ minAgeMinutes: 60 }) }
];

export function typeFilter(type: ExceptionType): ExceptionFilter {
	return makeFilter({ type: [type] });
}
