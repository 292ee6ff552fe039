import { randomBytes } from 'node:crypto';
import type { TestTower } from '../support/tower';

/** Small HTTP helpers for the security tests: every call says exactly which credentials it carries. */

export interface CallOptions {
  cookie?: string;
  /** The Origin header; `true` means the tower's own origin. */
  origin?: string | true;
  bearer?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
  headers: Headers;
}

export async function call(t: TestTower, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin === true ? t.url : opts.origin;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(`${t.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

/** POST /api/v1/auth/login; returns the raw response pieces and the `name=value` of the cookie, if any. */
export async function login(t: TestTower, email: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  const setCookie = res.headers.get('set-cookie');
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body: any = text ? JSON.parse(text) : null;
  return { status: res.status, body, headers: res.headers, setCookie, cookie: setCookie?.split(';')[0] ?? null };
}

export const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@test.local`;
export const strongPassword = () => `pw-${randomBytes(10).toString('hex')}`;

/** Creates a user through the API as the first admin and returns its id (no sign-in). */
export async function adminCreateUser(t: TestTower, role: string, email = uniqueEmail(role), password = strongPassword()) {
  const res = await call(t, 'POST', '/api/v1/users', { cookie: t.adminCookie, origin: true, body: { email, password, role } });
  if (res.status !== 201) throw new Error(`create user: ${res.status} ${res.text}`);
  return { id: res.body.user.id as string, email, password };
}

/** The id of the API key `key` (found through its public prefix). */
export async function apiKeyId(t: TestTower, key: string): Promise<string> {
  const res = await call(t, 'GET', '/api/v1/api-keys', { cookie: t.adminCookie });
  const found = (res.body.apiKeys as { id: string; keyPrefix: string }[]).find((k) => key.startsWith(`${k.keyPrefix}_`));
  if (!found) throw new Error('API key not listed');
  return found.id;
}
