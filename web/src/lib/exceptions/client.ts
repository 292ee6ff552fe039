import { filterParams, type ExceptionFilter } from './filters';

export const EXCEPTIONS_API = '/api/v1/exceptions';
export const PAGE_SIZE = 100;

/** The queue query: the filter's keys, then the page. */
export function queueUrl(filter: ExceptionFilter, page: { cursor?: string | null; limit?: number } = {}): string {
	const params = filterParams(filter);
	params.set('limit', String(page.limit ?? PAGE_SIZE));
	if (page.cursor) params.set('cursor', page.cursor);
	return `${EXCEPTIONS_API}?${params}`;
}

/** A plain link: the browser downloads the CSV with the session cookie. */
export function exportUrl(filter: ExceptionFilter): string {
	const query = filterParams(filter).toString();
	return `${EXCEPTIONS_API}/export.csv${query ? `?${query}` : ''}`;
}

export function exceptionUrl(id: string, action?: string): string {
	return `${EXCEPTIONS_API}/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
}

/** The page's own URL for a filter, with the exception whose detail is open. */
export function pageUrl(filter: ExceptionFilter, openId: string | null = null): string {
	const params = filterParams(filter);
	if (openId) params.set('open', openId);
	const query = params.toString();
	return `/exceptions${query ? `?${query}` : ''}`;
}
