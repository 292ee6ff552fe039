export class ApiError extends Error {
	readonly status: number;
	readonly code: string;
	readonly details: unknown;
	/** Seconds from a Retry-After header, when the server sent one. */
	readonly retryAfterSec: number | null;

	constructor(status: number, code: string, message: string, details?: unknown, retryAfterSec: number | null = null) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.details = details;
		this.retryAfterSec = retryAfterSec;
	}
}

const fallbackMessages: Record<number, string> = {
	400: 'The request was not accepted.',
	401: 'Your session has ended. Please sign in again.',
	403: 'You do not have permission to do that.',
	404: 'Not found.',
	409: 'That conflicts with existing data.',
	429: 'Too many attempts. Please wait and try again.'
};

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
	if (!header) return null;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
	const date = Date.parse(header);
	return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Builds an ApiError from `{ error: { code, message, details? } }`, tolerating any other body. */
export function toApiError(status: number, body: unknown, retryAfter: string | null = null): ApiError {
	const error = isRecord(body) && isRecord(body.error) ? body.error : null;
	const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
	const message =
		typeof error?.message === 'string' && error.message.trim() !== ''
			? error.message
			: (fallbackMessages[status] ?? (status >= 500 ? 'The server had a problem. Please try again.' : `Request failed (${status}).`));
	return new ApiError(status, code, message, error?.details, parseRetryAfter(retryAfter));
}

export interface ApiOptions {
	method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
	body?: unknown;
	fetch?: typeof fetch;
}

/** Same-origin JSON call with the session cookie; throws ApiError on non-2xx or network failure. */
export async function api<T>(path: string, { method = 'GET', body, fetch: fetchFn = fetch }: ApiOptions = {}): Promise<T> {
	const headers: Record<string, string> = { accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';

	let response: Response;
	try {
		response = await fetchFn(path, {
			method,
			headers,
			credentials: 'same-origin',
			body: body === undefined ? undefined : JSON.stringify(body)
		});
	} catch {
		throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection and try again.');
	}

	if (response.status === 204) return undefined as T;
	const text = await response.text();
	let parsed: unknown = undefined;
	if (text) {
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = undefined;
		}
	}
	if (!response.ok) throw toApiError(response.status, parsed, response.headers.get('retry-after'));
	return parsed as T;
}

export function errorMessage(error: unknown): string {
	if (error instanceof ApiError) return error.message;
	if (error instanceof Error && error.message) return error.message;
	return 'Something went wrong.';
}
