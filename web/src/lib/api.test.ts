import { describe, expect, it } from 'vitest';
import { api, ApiError, errorMessage, parseRetryAfter, toApiError } from './api';

function fakeFetch(status: number, body: string, headers: Record<string, string> = {}): typeof fetch {
	return async () => new Response(status === 204 ? null : body, { status, headers });
}

describe('toApiError', () => {
	it('takes code, message and details from the error envelope', () => {
		const err = toApiError(401, { error: { code: 'invalid_credentials', message: 'Wrong email or password', details: { a: 1 } } });
		expect(err).toBeInstanceOf(ApiError);
		expect(err.code).toBe('invalid_credentials');
		expect(err.message).toBe('Wrong email or password');
		expect(err.details).toEqual({ a: 1 });
	});
	it('falls back to a readable message for unexpected bodies', () => {
		expect(toApiError(502, '<html>').message).toMatch(/server had a problem/);
		expect(toApiError(429, null).code).toBe('http_429');
	});
});

describe('parseRetryAfter', () => {
	it('reads seconds and HTTP dates', () => {
		expect(parseRetryAfter('30')).toBe(30);
		expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60);
		expect(parseRetryAfter(null)).toBeNull();
		expect(parseRetryAfter('soon')).toBeNull();
	});
});

describe('api', () => {
	it('returns parsed JSON on success', async () => {
		await expect(api('/x', { fetch: fakeFetch(200, '{"ok":true}') })).resolves.toEqual({ ok: true });
	});
	it('returns undefined on 204', async () => {
		await expect(api('/x', { method: 'DELETE', fetch: fakeFetch(204, '') })).resolves.toBeUndefined();
	});
	it('throws ApiError with Retry-After on 429', async () => {
		const body = JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down' } });
		const error = await api('/x', { fetch: fakeFetch(429, body, { 'retry-after': '12' }) }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ApiError);
		expect((error as ApiError).retryAfterSec).toBe(12);
		expect(errorMessage(error)).toBe('Slow down');
	});
	it('sends JSON bodies with the session cookie', async () => {
		let seen: RequestInit | undefined;
		const fetchFn: typeof fetch = async (_url, init) => {
			seen = init;
			return new Response('{}', { status: 201 });
		};
		await api('/x', { method: 'POST', body: { a: 1 }, fetch: fetchFn });
		expect(seen?.credentials).toBe('same-origin');
		expect(seen?.body).toBe('{"a":1}');
		expect((seen?.headers as Record<string, string>)['content-type']).toBe('application/json');
	});
	it('maps network failures to a readable ApiError', async () => {
		const fetchFn: typeof fetch = async () => {
			throw new TypeError('Failed to fetch');
		};
		const error = await api('/x', { fetch: fetchFn }).catch((e: unknown) => e);
		expect((error as ApiError).code).toBe('network_error');
	});
});
