import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validData } from '../support/events';
import { ADMIN, startTestTower, type TestTower } from '../support/tower';
import { adminCreateUser, apiKeyId, call, login, strongPassword, uniqueEmail } from './security-support';

/** User administration, API keys, and the audit trail of every state-changing action. */

let t: TestTower;
let adminId: string;

beforeAll(async () => {
  t = await startTestTower({ LOGIN_MAX_ATTEMPTS: '25' });
  adminId = (await call(t, 'GET', '/api/v1/auth/me', { cookie: t.adminCookie })).body.user.id;
});

afterAll(async () => {
  await t?.stop();
});

const admin = (method: string, path: string, body?: unknown) => call(t, method, path, { cookie: t.adminCookie, origin: true, body });
const ingestOne = (key: string, source: string, id: string) =>
  call(t, 'POST', '/api/v1/events', {
    bearer: key, body: { id, type: 'order.delivered', source, occurredAt: new Date().toISOString(), data: validData['order.delivered'] },
  });

describe('users', () => {
  it('admin creates a user: 201 with the public user, who can then sign in with that role', async () => {
    const email = uniqueEmail('new');
    const password = strongPassword();
    const res = await admin('POST', '/api/v1/users', { email, password, role: 'supervisor' });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ id: expect.any(String), email, role: 'supervisor', disabled: false });
    expect(res.text).not.toContain(password);
    expect(res.text).not.toMatch(/hash/i);
    const signedIn = await login(t, email, password);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.role).toBe('supervisor');

    const list = await admin('GET', '/api/v1/users');
    expect(list.body.users.map((u: { email: string }) => u.email)).toContain(email);
    expect(list.text).not.toMatch(/argon|password/i);
  });

  it('refuses a duplicate email in any case with 409', async () => {
    const email = uniqueEmail('dup');
    expect((await admin('POST', '/api/v1/users', { email, password: strongPassword(), role: 'viewer' })).status).toBe(201);
    for (const variant of [email, email.toUpperCase(), email.replace(/^./, (c) => c.toUpperCase())]) {
      const res = await admin('POST', '/api/v1/users', { email: variant, password: strongPassword(), role: 'admin' });
      expect(res.status, variant).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
    const rows = await t.db.sql`SELECT role FROM users WHERE lower(email) = ${email}`;
    expect(rows.map((r) => r.role)).toEqual(['viewer']);
  });

  it.each([
    ['a password of 11 characters', { password: 'a'.repeat(11) }, 'password'],
    ['an invalid role', { role: 'root' }, 'role'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['an unknown field', { isAdmin: true }, '(root)'],
  ])('refuses %s with 400 and the path of the problem', async (_what, over, path) => {
    const body = { email: uniqueEmail('bad'), password: strongPassword(), role: 'viewer', ...over };
    const res = await admin('POST', '/api/v1/users', body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toEqual(expect.any(String));
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await t.db.sql`SELECT 1 FROM users WHERE email = ${body.email}`).toHaveLength(0);
  });

  it('accepts a password of exactly 12 characters', async () => {
    const res = await admin('POST', '/api/v1/users', { email: uniqueEmail('twelve'), password: 'abcdefghijkl', role: 'viewer' });
    expect(res.status).toBe(201);
  });

  it('refuses invalid patches with 400 and an unknown user with 404', async () => {
    const u = await adminCreateUser(t, 'viewer');
    expect((await admin('PATCH', `/api/v1/users/${u.id}`, {})).status).toBe(400);
    expect((await admin('PATCH', `/api/v1/users/${u.id}`, { role: 'root' })).status).toBe(400);
    expect((await admin('PATCH', `/api/v1/users/${u.id}`, { email: 'x@y.z' })).status).toBe(400);
    expect((await admin('PATCH', '/api/v1/users/00000000-0000-4000-8000-000000000000', { role: 'viewer' })).status).toBe(404);
    expect((await admin('PATCH', '/api/v1/users/not-a-uuid', { role: 'viewer' })).status).toBe(404);
    const [row] = await t.db.sql`SELECT role, disabled FROM users WHERE id = ${u.id}`;
    expect(row).toEqual({ role: 'viewer', disabled: false });
  });

  it('never lets the last active admin be demoted or disabled (409 last_admin), but allows it while another admin is active', async () => {
    const admins = await t.db.sql`SELECT id FROM users WHERE role = 'admin' AND NOT disabled`;
    expect(admins.map((a) => a.id)).toEqual([adminId]);

    for (const patch of [{ role: 'supervisor' }, { disabled: true }, { role: 'viewer', disabled: true }]) {
      const res = await admin('PATCH', `/api/v1/users/${adminId}`, patch);
      expect(res.status, JSON.stringify(patch)).toBe(409);
      expect(res.body.error.code).toBe('last_admin');
    }
    const [row] = await t.db.sql`SELECT role, disabled FROM users WHERE id = ${adminId}`;
    expect(row).toEqual({ role: 'admin', disabled: false });
    expect((await call(t, 'GET', '/api/v1/auth/me', { cookie: t.adminCookie })).body.user.role).toBe('admin');

    // With a second active admin, that one may be disabled; then the first is the last again.
    const second = await adminCreateUser(t, 'admin');
    const disabled = await admin('PATCH', `/api/v1/users/${second.id}`, { disabled: true });
    expect(disabled.status).toBe(200);
    const again = await admin('PATCH', `/api/v1/users/${adminId}`, { role: 'operator' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('last_admin');
  });

  it('stores passwords as salted argon2id hashes, never the password', async () => {
    const password = strongPassword();
    const a = await adminCreateUser(t, 'viewer', uniqueEmail('hash-a'), password);
    const b = await adminCreateUser(t, 'viewer', uniqueEmail('hash-b'), password);
    const rows = await t.db.sql`SELECT id, password_hash FROM users WHERE id IN (${a.id}, ${b.id})`;
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^\$argon2id\$/);
      expect(r.password_hash).not.toContain(password);
    }
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
    const [first] = await t.db.sql`SELECT password_hash FROM users WHERE lower(email) = ${ADMIN.email}`;
    expect(first!.password_hash).toMatch(/^\$argon2id\$/);
    expect(first!.password_hash).not.toContain(ADMIN.password);
  });
});

describe('API keys', () => {
  it('shows the key once on create, never again in the list, and stores only its hash', async () => {
    const res = await admin('POST', '/api/v1/api-keys', { name: 'once', sources: ['once-src', 'once-src'] });
    expect(res.status).toBe(201);
    const { id, key } = res.body;
    expect(res.body).toMatchObject({ id: expect.any(String), name: 'once', sources: ['once-src'] });
    expect(key).toMatch(/^ct_/);
    expect(key.length).toBeGreaterThanOrEqual(40);

    const list = await admin('GET', '/api/v1/api-keys');
    expect(list.status).toBe(200);
    const entry = list.body.apiKeys.find((k: { id: string }) => k.id === id);
    expect(entry).toMatchObject({ id, name: 'once', sources: ['once-src'], revokedAt: null });
    expect(entry).not.toHaveProperty('key');
    expect(list.text).not.toContain(key);

    const rows = await t.db.sql`SELECT * FROM api_keys WHERE id = ${id}`;
    expect(rows).toHaveLength(1);
    for (const [column, value] of Object.entries(rows[0]!)) {
      expect(String(value), column).not.toContain(key);
    }
    expect(await t.db.sql`SELECT 1 FROM audit_log WHERE details::text LIKE ${'%' + key + '%'}`).toHaveLength(0);

    // And the key works.
    expect((await ingestOne(key, 'once-src', 'once-1')).status).toBe(202);
  });

  it('refuses invalid keys with 400', async () => {
    expect((await admin('POST', '/api/v1/api-keys', { name: 'x', sources: [] })).status).toBe(400);
    const upper = await admin('POST', '/api/v1/api-keys', { name: 'x', sources: ['Shop-Web'] });
    expect(upper.status).toBe(400);
    expect(upper.body.error.details.map((d: { path: string }) => d.path)).toContain('sources.0');
    expect((await admin('POST', '/api/v1/api-keys', { name: '', sources: ['a'] })).status).toBe(400);
  });

  it('revoking makes the key 401 at once, and the list shows it revoked', async () => {
    const key = await t.createApiKey(['revoke-src']);
    expect((await ingestOne(key, 'revoke-src', 'rv-1')).status).toBe(202);
    const id = await apiKeyId(t, key);
    expect((await admin('DELETE', `/api/v1/api-keys/${id}`)).status).toBe(204);

    const after = await ingestOne(key, 'revoke-src', 'rv-2');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    // Reads with it are refused too.
    expect((await call(t, 'GET', '/api/v1/events/revoke-src/rv-1', { bearer: key })).status).toBe(401);
    const entry = (await admin('GET', '/api/v1/api-keys')).body.apiKeys.find((k: { id: string }) => k.id === id);
    expect(entry.revokedAt).toEqual(expect.any(String));
  });

  it('answers 404 for revoking an unknown key', async () => {
    expect((await admin('DELETE', '/api/v1/api-keys/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin('DELETE', '/api/v1/api-keys/nope')).status).toBe(404);
  });
});

describe('audit log', () => {
  const auditRows = (action: string, since: number) =>
    t.db.sql`SELECT * FROM audit_log WHERE action = ${action} AND id > ${since} ORDER BY id`;
  const lastId = async () => Number((await t.db.sql`SELECT coalesce(max(id), 0) AS id FROM audit_log`)[0]!.id);

  it('records user.create and user.update with the admin as actor and the user as target', async () => {
    const since = await lastId();
    const password = strongPassword();
    const u = await adminCreateUser(t, 'viewer', uniqueEmail('audited'), password);
    await admin('PATCH', `/api/v1/users/${u.id}`, { role: 'operator' });

    const [created] = await auditRows('user.create', since);
    expect(created).toMatchObject({ actor_kind: 'user', actor_id: adminId, actor_label: ADMIN.email, target_kind: 'user', target_id: u.id });
    expect(created!.details).toMatchObject({ email: u.email, role: 'viewer' });
    expect(JSON.stringify(created)).not.toContain(password);

    const [updated] = await auditRows('user.update', since);
    expect(updated).toMatchObject({ actor_label: ADMIN.email, actor_id: adminId, target_kind: 'user', target_id: u.id });
    expect(JSON.stringify(updated!.details)).toContain('operator');
  });

  it('records api_key.create and api_key.revoke with the admin as actor and the key as target', async () => {
    const since = await lastId();
    const key = await t.createApiKey(['audit-src']);
    const id = await apiKeyId(t, key);
    await admin('DELETE', `/api/v1/api-keys/${id}`);

    const [created] = await auditRows('api_key.create', since);
    expect(created).toMatchObject({ actor_label: ADMIN.email, actor_id: adminId, target_kind: 'api_key', target_id: id });
    expect(JSON.stringify(created)).not.toContain(key);
    const [revoked] = await auditRows('api_key.revoke', since);
    expect(revoked).toMatchObject({ actor_label: ADMIN.email, actor_id: adminId, target_kind: 'api_key', target_id: id });
  });

  it('records sign-in and sign-out with the user as actor, and a failed sign-in with the attempted email', async () => {
    const since = await lastId();
    const u = await adminCreateUser(t, 'operator');
    const { cookie } = await login(t, u.email, u.password);
    expect((await call(t, 'POST', '/api/v1/auth/logout', { cookie: cookie!, origin: true })).status).toBe(204);
    expect((await login(t, u.email, 'wrong-password-here')).status).toBe(401);

    const [signedIn] = await auditRows('auth.login', since);
    expect(signedIn).toMatchObject({ actor_kind: 'user', actor_id: u.id, actor_label: u.email });
    const [signedOut] = await auditRows('auth.logout', since);
    expect(signedOut).toMatchObject({ actor_kind: 'user', actor_id: u.id, actor_label: u.email });
    const [failed] = await auditRows('auth.login_failed', since);
    expect(failed).toMatchObject({ actor_label: u.email });
    expect(JSON.stringify(failed)).not.toContain('wrong-password-here');
  });

  it('names the signed-in user as the target of sign-in and sign-out rows (a user\'s trail by target is complete)', async () => {
    const since = await lastId();
    const u = await adminCreateUser(t, 'viewer');
    const { cookie } = await login(t, u.email, u.password);
    await call(t, 'POST', '/api/v1/auth/logout', { cookie: cookie!, origin: true });
    const rows = await t.db.sql`
      SELECT action FROM audit_log WHERE id > ${since} AND target_kind = 'user' AND target_id = ${u.id} ORDER BY id`;
    expect(rows.map((r) => r.action)).toEqual(['user.create', 'auth.login', 'auth.logout']);
  });

  it('writes nothing for a refused action', async () => {
    const since = await lastId();
    const viewer = await t.createUser('viewer');
    await call(t, 'POST', '/api/v1/users', { cookie: viewer.cookie, origin: true, body: { email: uniqueEmail('x'), password: strongPassword(), role: 'admin' } });
    await call(t, 'POST', '/api/v1/users', { cookie: t.adminCookie, body: { email: uniqueEmail('x'), password: strongPassword(), role: 'admin' } });
    const rows = await t.db.sql`SELECT action FROM audit_log WHERE id > ${since} AND action NOT IN ('auth.login') ORDER BY id`;
    // Only the creation of the viewer itself.
    expect(rows.map((r) => r.action)).toEqual(['user.create']);
  });
});
