import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../realtime/auth/credentials';
import { validData } from '../support/events';
import { ADMIN, startTestTower, type TestTower } from '../support/tower';
import { adminCreateUser, apiKeyId, call, login, strongPassword, uniqueEmail } from './security-support';

/** Sign-in, sessions and their end; CSRF protection of cookie-authenticated writes. */

let t: TestTower;

beforeAll(async () => {
  // Many sign-ins come from 127.0.0.1 in this file: room for them under the per-address limit (4x this).
  t = await startTestTower({ LOGIN_MAX_ATTEMPTS: '25' });
});

afterAll(async () => {
  await t?.stop();
});

const me = (cookie: string) => call(t, 'GET', '/api/v1/auth/me', { cookie });

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax, Path=/ session cookie that signs the user in', async () => {
    const u = await adminCreateUser(t, 'operator');
    const res = await login(t, u.email, u.password);
    expect(res.status).toBe(200);
    const attrs = res.setCookie!.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs[0]).toMatch(/^tower_session=[^;]{20,}$/);
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).toContain('path=/');
    expect(res.body.user).toMatchObject({ id: u.id, email: u.email, role: 'operator' });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon/i);

    const who = await me(res.cookie!);
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({ id: u.id, email: u.email, role: 'operator' });
  });

  it('marks the cookie Secure when served over https through the local reverse proxy', async () => {
    const u = await adminCreateUser(t, 'viewer');
    const res = await login(t, u.email, u.password, { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(res.setCookie!.split(';').map((a) => a.trim().toLowerCase())).toContain('secure');
  });

  it('signs in whatever the case of the email', async () => {
    const u = await adminCreateUser(t, 'viewer');
    const res = await login(t, u.email.toUpperCase(), u.password);
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(u.email);
  });

  it('stores only a hash of the session token', async () => {
    const u = await adminCreateUser(t, 'viewer');
    const { cookie } = await login(t, u.email, u.password);
    const token = decodeURIComponent(cookie!.split('=')[1]!);
    const rows = await t.db.sql`SELECT * FROM sessions WHERE user_id = ${u.id}`;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.token_hash).toBe(sha256(token));
  });

  it('answers a wrong password and an unknown email with the same 401 invalid_credentials', async () => {
    const u = await adminCreateUser(t, 'viewer');
    const wrong = await login(t, u.email, `${u.password}x`);
    const unknown = await login(t, uniqueEmail('nobody'), u.password);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.setCookie).toBeNull();
      expect(res.body.error.code).toBe('invalid_credentials');
    }
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('refuses a malformed sign-in body with 400', async () => {
    const res = await call(t, 'POST', '/api/v1/auth/login', { body: { email: ADMIN.email } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toEqual(expect.any(String));
  });

  it.each([
    ['malformed JSON', { 'content-type': 'application/json' }, '{"email":', 400],
    ['a body over 100 kB', { 'content-type': 'application/json' }, JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(200_000) }), 413],
    ['an unknown charset', { 'content-type': 'application/json; charset=klingon' }, '{}', null],
    ['an unknown Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'klingon' }, '{}', null],
  ] as const)('answers a sign-in with %s with a 4xx, never a 500', async (_what, headers, body, status) => {
    const res = await call(t, 'POST', '/api/v1/auth/login', { headers: { ...headers }, body });
    expect(res.status, res.text).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text).toBeLessThan(500);
    if (status !== null) expect(res.status).toBe(status);
    expect(res.body.error.code).toEqual(expect.any(String));
  });
});

describe('end of a session', () => {
  it('logout ends the session: the old cookie then gets 401', async () => {
    const u = await adminCreateUser(t, 'supervisor');
    const { cookie } = await login(t, u.email, u.password);
    const other = (await login(t, u.email, u.password)).cookie!;
    expect((await me(cookie!)).status).toBe(200);

    const out = await call(t, 'POST', '/api/v1/auth/logout', { cookie: cookie!, origin: true });
    expect(out.status).toBe(204);
    // The browser is told to drop the cookie.
    expect(out.headers.get('set-cookie')).toMatch(/^tower_session=;.*Max-Age=0/i);

    const after = await me(cookie!);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    // Only that session ended: the user's other session is still signed in.
    expect((await me(other)).status).toBe(200);
  });

  it('a disabled user cannot sign in, and their existing session stops working at once', async () => {
    const u = await adminCreateUser(t, 'operator');
    const { cookie } = await login(t, u.email, u.password);
    expect((await me(cookie!)).status).toBe(200);

    const patch = await call(t, 'PATCH', `/api/v1/users/${u.id}`, { cookie: t.adminCookie, origin: true, body: { disabled: true } });
    expect(patch.status).toBe(200);
    expect(patch.body.user.disabled).toBe(true);

    expect((await me(cookie!)).status).toBe(401);
    expect((await call(t, 'GET', '/api/v1/live/overview', { cookie: cookie! })).status).toBe(401);
    const again = await login(t, u.email, u.password);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_credentials');
    expect(again.setCookie).toBeNull();

    // Enabled again, the user can sign in again (the old session stays ended).
    await call(t, 'PATCH', `/api/v1/users/${u.id}`, { cookie: t.adminCookie, origin: true, body: { disabled: false } });
    expect((await me(cookie!)).status).toBe(401);
    expect((await login(t, u.email, u.password)).status).toBe(200);
  });

  it('a role change takes effect: the old session is revoked and a new one carries the new role', async () => {
    const u = await adminCreateUser(t, 'supervisor');
    const { cookie } = await login(t, u.email, u.password);
    expect((await me(cookie!)).body.user.role).toBe('supervisor');

    const patch = await call(t, 'PATCH', `/api/v1/users/${u.id}`, { cookie: t.adminCookie, origin: true, body: { role: 'viewer' } });
    expect(patch.status).toBe(200);
    expect(patch.body.user.role).toBe('viewer');

    expect((await me(cookie!)).status).toBe(401);
    const fresh = await login(t, u.email, u.password);
    expect((await me(fresh.cookie!)).body.user.role).toBe('viewer');
  });

  it('a promotion to admin also takes effect only on a new session, which then has admin rights', async () => {
    const u = await adminCreateUser(t, 'viewer');
    const { cookie } = await login(t, u.email, u.password);
    expect((await call(t, 'GET', '/api/v1/users', { cookie: cookie! })).status).toBe(403);
    await call(t, 'PATCH', `/api/v1/users/${u.id}`, { cookie: t.adminCookie, origin: true, body: { role: 'admin' } });
    expect((await call(t, 'GET', '/api/v1/users', { cookie: cookie! })).status).toBe(401);
    const fresh = await login(t, u.email, u.password);
    expect((await call(t, 'GET', '/api/v1/users', { cookie: fresh.cookie! })).status).toBe(200);
    // Back to viewer, so this file keeps exactly one active admin (other tests rely on it).
    const back = await call(t, 'PATCH', `/api/v1/users/${u.id}`, { cookie: t.adminCookie, origin: true, body: { role: 'viewer' } });
    expect(back.status).toBe(200);
  });
});

describe('CSRF: cookie-authenticated writes need our own Origin', () => {
  const foreignOrigins: [string, string | undefined][] = [
    ['no Origin header', undefined],
    ['a foreign Origin', 'http://evil.example'],
    ['the same host over https', 'https://SAME_HOST'],
    ['the same host on another port', 'http://127.0.0.1:1'],
    ['Origin: null', 'null'],
  ];
  const originFor = (o: string | undefined) => o?.replace('https://SAME_HOST', t.url.replace('http://', 'https://'));

  it.each(foreignOrigins)('refuses creating a user with %s (403 csrf, no user created)', async (_what, origin) => {
    const email = uniqueEmail('csrf');
    const res = await call(t, 'POST', '/api/v1/users', {
      cookie: t.adminCookie, origin: originFor(origin), body: { email, password: strongPassword(), role: 'admin' },
    });
    expect(res.status, res.text).toBe(403);
    expect(res.body.error.code).toBe('csrf');
    expect(await t.db.sql`SELECT 1 FROM users WHERE lower(email) = ${email}`).toHaveLength(0);
  });

  it.each(foreignOrigins)('refuses changing a role with %s (403 csrf, role unchanged)', async (_what, origin) => {
    const u = await adminCreateUser(t, 'viewer');
    const res = await call(t, 'PATCH', `/api/v1/users/${u.id}`, { cookie: t.adminCookie, origin: originFor(origin), body: { role: 'admin' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf');
    const [row] = await t.db.sql`SELECT role FROM users WHERE id = ${u.id}`;
    expect(row!.role).toBe('viewer');
  });

  it.each(foreignOrigins)('refuses revoking an API key with %s (403 csrf, key still works)', async (_what, origin) => {
    const key = await t.createApiKey(['csrf-src']);
    const id = await apiKeyId(t, key);
    const res = await call(t, 'DELETE', `/api/v1/api-keys/${id}`, { cookie: t.adminCookie, origin: originFor(origin) });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf');
    const ingest = await call(t, 'POST', '/api/v1/events', {
      bearer: key, body: { id: `csrf-${id}-${Math.random()}`, type: 'order.delivered', source: 'csrf-src', occurredAt: new Date().toISOString(), data: validData['order.delivered'] },
    });
    expect(ingest.status).toBe(202);
  });

  it('refuses a cross-site logout (the session stays)', async () => {
    const u = await adminCreateUser(t, 'viewer');
    const { cookie } = await login(t, u.email, u.password);
    const res = await call(t, 'POST', '/api/v1/auth/logout', { cookie: cookie!, origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf');
    expect((await me(cookie!)).status).toBe(200);
  });

  it('accepts the same writes with the tower\'s own Origin', async () => {
    const email = uniqueEmail('own-origin');
    const created = await call(t, 'POST', '/api/v1/users', { cookie: t.adminCookie, origin: true, body: { email, password: strongPassword(), role: 'viewer' } });
    expect(created.status).toBe(201);
    const patched = await call(t, 'PATCH', `/api/v1/users/${created.body.user.id}`, { cookie: t.adminCookie, origin: true, body: { role: 'operator' } });
    expect(patched.status).toBe(200);
    expect(patched.body.user.role).toBe('operator');
    const key = await t.createApiKey(['own-origin']);
    const revoked = await call(t, 'DELETE', `/api/v1/api-keys/${await apiKeyId(t, key)}`, { cookie: t.adminCookie, origin: true });
    expect(revoked.status).toBe(204);
  });

  it('does not need an Origin for API-key requests', async () => {
    const key = await t.createApiKey(['no-origin']);
    const res = await call(t, 'POST', '/api/v1/events', {
      bearer: key, body: { id: 'no-origin-1', type: 'order.delivered', source: 'no-origin', occurredAt: new Date().toISOString(), data: validData['order.delivered'] },
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
  });

  it('does not need an Origin for reads with a cookie', async () => {
    const res = await call(t, 'GET', '/api/v1/users', { cookie: t.adminCookie });
    expect(res.status).toBe(200);
  });
});
