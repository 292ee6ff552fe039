import { createHash } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertException } from '../support/exceptions';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';
import { call } from './security-support';

/**
 * Display links: a revocable, read-only credential for a wall screen. Made and revoked by admins
 * (audited), stored hashed, opened once on the screen (cookie), read-only everywhere, and closed at
 * once on revocation, sockets included.
 */

let t: TestTower;
let viewerCookie: string;

beforeAll(async () => {
  t = await startTestTower();
  viewerCookie = (await t.createUser('viewer')).cookie;
});

afterAll(async () => {
  await t?.stop();
});

const admin = (method: string, path: string, body?: unknown) => call(t, method, path, { cookie: t.adminCookie, origin: true, body });

async function createLink(name = 'Lobby wall'): Promise<{ id: string; name: string; url: string; token: string }> {
  const res = await admin('POST', '/api/v1/display-links', { name });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Opens the link as a screen would and returns its `tower_display=...` cookie. */
async function open(token: string): Promise<{ status: number; cookie: string | null; setCookie: string | null; location: string | null; text: string }> {
  const res = await fetch(`${t.url}/display/${token}`, { redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, setCookie, cookie: setCookie?.split(';')[0] ?? null, location: res.headers.get('location'), text: await res.text() };
}

function connect(cookie: string): Promise<{ socket: Socket; error?: string }> {
  return new Promise((resolve) => {
    const socket = io(t.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, timeout: 5000 });
    socket.on('connect', () => resolve({ socket }));
    socket.on('connect_error', (err) => resolve({ socket, error: err.message }));
  });
}

describe('creating, listing and revoking', () => {
  it('creates a link: 201 with a 256-bit token shown once and its URL; only the SHA-256 is stored', async () => {
    const link = await createLink('Ops floor');
    expect(link).toMatchObject({ id: expect.any(String), name: 'Ops floor' });
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(link.token, 'base64url')).toHaveLength(32);
    expect(link.url).toBe(`${t.url}/display/${link.token}`);

    const [row] = await t.db.sql`SELECT * FROM display_links WHERE id = ${link.id}`;
    expect(row!.token_hash).toBe(createHash('sha256').update(link.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(link.token);

    const list = await admin('GET', '/api/v1/display-links');
    expect(list.status).toBe(200);
    const listed = list.body.displayLinks.find((l: { id: string }) => l.id === link.id);
    expect(listed).toEqual({ id: link.id, name: 'Ops floor', createdAt: expect.any(String), lastSeenAt: null, revokedAt: null });
    expect(list.text).not.toContain(link.token);
    expect(list.text).not.toMatch(/hash/i);
  });

  it('two links never share a token', async () => {
    const a = await createLink();
    const b = await createLink();
    expect(a.token).not.toBe(b.token);
  });

  it.each([
    ['an empty name', { name: '  ' }],
    ['a name over 100 characters', { name: 'x'.repeat(101) }],
    ['an unknown field', { name: 'ok', role: 'admin' }],
  ])('refuses %s with 400', async (_what, body) => {
    const res = await admin('POST', '/api/v1/display-links', body);
    expect(res.status).toBe(400);
  });

  it('revokes idempotently (204 twice, the first time kept) and 404s an unknown id', async () => {
    const link = await createLink();
    expect((await admin('DELETE', `/api/v1/display-links/${link.id}`)).status).toBe(204);
    const [first] = await t.db.sql`SELECT revoked_at FROM display_links WHERE id = ${link.id}`;
    expect(first!.revoked_at).not.toBeNull();
    expect((await admin('DELETE', `/api/v1/display-links/${link.id}`)).status).toBe(204);
    const [second] = await t.db.sql`SELECT revoked_at FROM display_links WHERE id = ${link.id}`;
    expect(second!.revoked_at).toEqual(first!.revoked_at);
    expect((await admin('DELETE', '/api/v1/display-links/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin('DELETE', '/api/v1/display-links/not-a-uuid')).status).toBe(404);
  });

  it('audits every create, revoke and opening, with who and from where', async () => {
    const link = await createLink('Audited');
    await open(link.token);
    await admin('DELETE', `/api/v1/display-links/${link.id}`);
    await admin('DELETE', `/api/v1/display-links/${link.id}`);
    const rows = await t.db.sql`
      SELECT action, actor_kind, actor_label, details, ip FROM audit_log
      WHERE target_kind = 'display_link' AND target_id = ${link.id} ORDER BY id`;
    expect(rows.map((r) => [r.action, r.actor_kind, r.actor_label])).toEqual([
      ['display_link.create', 'user', 'admin@test.local'],
      ['display_link.open', 'display', 'Audited'],
      ['display_link.revoke', 'user', 'admin@test.local'],
      ['display_link.revoke', 'user', 'admin@test.local'],
    ]);
    expect(rows.map((r) => r.details.alreadyRevoked)).toEqual([undefined, undefined, false, true]);
    expect(rows.every((r) => r.ip)).toBe(true);
    // No audit row carries the token.
    const all = await t.db.sql`SELECT details::text AS d FROM audit_log`;
    expect(all.map((r) => r.d).join()).not.toContain(link.token);
  });

  it('only admins manage links', async () => {
    for (const [method, path, body] of [['GET', '/api/v1/display-links'], ['POST', '/api/v1/display-links', { name: 'x' }]] as const) {
      const res = await call(t, method, path, { cookie: viewerCookie, origin: true, body });
      expect(res.status).toBe(403);
    }
  });
});

describe('opening a link on a screen', () => {
  it('sets a long-lived HttpOnly, SameSite=Lax display cookie and redirects to the war room', async () => {
    const link = await createLink();
    const res = await open(link.token);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/war-room');
    expect(res.setCookie).toMatch(new RegExp(`^tower_display=${link.token};`));
    expect(res.setCookie).toMatch(/HttpOnly/i);
    expect(res.setCookie).toMatch(/SameSite=Lax/i);
    expect(res.setCookie).toMatch(/Path=\//i);
    const maxAge = Number(/Max-Age=(\d+)/i.exec(res.setCookie!)![1]);
    expect(maxAge).toBeGreaterThanOrEqual(30 * 24 * 3600);

    const me = await call(t, 'GET', '/api/v1/auth/me', { cookie: res.cookie! });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: null, display: { id: link.id, name: link.name } });
    const [row] = await t.db.sql`SELECT last_seen_at FROM display_links WHERE id = ${link.id}`;
    expect(row!.last_seen_at).not.toBeNull();
  });

  it.each([
    ['an unknown token', 'A'.repeat(43)],
    ['a malformed token', 'not-a-token'],
  ])('answers %s with a 401 page and no cookie', async (_what, token) => {
    const res = await open(token);
    expect(res.status).toBe(401);
    expect(res.setCookie).toBeNull();
    expect(res.text).toMatch(/not valid/i);
  });

  it('a revoked link stops working: the page says so, the cookie gets 401 everywhere', async () => {
    const link = await createLink();
    const { cookie } = await open(link.token);
    expect((await call(t, 'GET', '/api/v1/live/overview', { cookie: cookie! })).status).toBe(200);
    expect((await admin('DELETE', `/api/v1/display-links/${link.id}`)).status).toBe(204);

    const again = await open(link.token);
    expect(again.status).toBe(401);
    expect(again.setCookie).toBeNull();
    for (const path of ['/api/v1/live/overview', '/api/v1/auth/me', '/api/v1/exceptions/summary']) {
      const res = await call(t, 'GET', path, { cookie: cookie! });
      expect(res.status, path).toBe(401);
    }
  });

  it('updates lastSeenAt at most once a minute', async () => {
    const link = await createLink();
    const { cookie } = await open(link.token);
    const seen = async () => (await t.db.sql`SELECT last_seen_at FROM display_links WHERE id = ${link.id}`)[0]!.last_seen_at as Date;
    const first = await seen();
    await call(t, 'GET', '/api/v1/live/overview', { cookie: cookie! });
    await new Promise((r) => setTimeout(r, 100));
    expect(await seen()).toEqual(first);
    await t.db.sql`UPDATE display_links SET last_seen_at = now() - interval '2 minutes' WHERE id = ${link.id}`;
    await call(t, 'GET', '/api/v1/live/overview', { cookie: cookie! });
    await waitFor('lastSeenAt moved', async () => Date.now() - (await seen()).getTime() < 30_000);
  });
});

describe('a display cookie may only read', () => {
  let cookie: string;
  let exceptionId: string;

  beforeAll(async () => {
    cookie = (await open((await createLink('Reader')).token)).cookie!;
    exceptionId = await insertException(t.db.sql, { type: 'stockout' });
  });

  it.each(['/api/v1/live/overview', '/api/v1/exceptions', '/api/v1/exceptions?assignee=me', '/api/v1/exceptions/summary', '/api/v1/inventory'])(
    'reads GET %s',
    async (path) => {
      const res = await call(t, 'GET', path, { cookie });
      expect(res.status, res.text).toBe(200);
    },
  );

  it('is nobody: assignee=me lists nothing, however exceptions are assigned', async () => {
    await insertException(t.db.sql, { type: 'stockout', assignee: 'admin@test.local' });
    expect((await call(t, 'GET', '/api/v1/exceptions', { cookie })).body.items.length).toBeGreaterThan(1);
    const res = await call(t, 'GET', '/api/v1/exceptions?assignee=me', { cookie });
    expect(res.body.items).toEqual([]);
  });

  it('cannot acknowledge an exception, even with the right Origin', async () => {
    const res = await call(t, 'POST', `/api/v1/exceptions/${exceptionId}/ack`, { cookie, origin: true, body: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    const [row] = await t.db.sql`SELECT status, version FROM exceptions WHERE id = ${exceptionId}`;
    expect(row).toMatchObject({ status: 'open', version: 1 });
  });

  it('is held to CSRF like a session: a cross-site write is refused as csrf', async () => {
    const res = await call(t, 'POST', `/api/v1/exceptions/${exceptionId}/ack`, { cookie, origin: 'http://evil.example', body: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf');
  });

  it.each([
    ['GET', '/api/v1/users'],
    ['GET', '/api/v1/api-keys'],
    ['GET', '/api/v1/display-links'],
    ['POST', '/api/v1/display-links'],
    ['POST', '/api/v1/auth/logout'],
    ['GET', '/metrics'],
  ])('is refused %s %s with 403', async (method, path) => {
    const res = await call(t, method, path, { cookie, origin: true, body: method === 'POST' ? { name: 'sneaky' } : undefined });
    expect(res.status, res.text).toBe(403);
  });

  it('cannot send events', async () => {
    const res = await call(t, 'POST', '/api/v1/events', { cookie, origin: true, body: [] });
    expect(res.status).toBe(403);
  });

  it('gives way to a live session sent alongside it', async () => {
    const me = await call(t, 'GET', '/api/v1/auth/me', { cookie: `${cookie}; ${viewerCookie}` });
    expect(me.body.user.role).toBe('viewer');
  });
});

describe('Socket.IO with a display cookie', () => {
  it('connects, gets the overview snapshot and exception summary, and is closed at once when the link is revoked', async () => {
    const link = await createLink('Socket wall');
    const { cookie } = await open(link.token);
    const snapshot = new Promise<unknown>((resolve) => setTimeout(() => resolve(null), 5000));
    const { socket, error } = await connect(cookie!);
    expect(error).toBeUndefined();
    const got = await Promise.race([new Promise((r) => socket.once('overview.snapshot', r)), snapshot]);
    expect(got).not.toBeNull();

    const ended = new Promise<{ reason: string }>((resolve) => socket.once('session.ended', resolve));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const started = Date.now();
    expect((await admin('DELETE', `/api/v1/display-links/${link.id}`)).status).toBe(204);
    expect((await ended).reason).toMatch(/revoked/);
    expect(await disconnected).toBe('io server disconnect');
    // At once: well before the 30 s recheck.
    expect(Date.now() - started).toBeLessThan(5000);

    const again = await connect(cookie!);
    expect(again.error).toBe('unauthorized');
    again.socket.close();
  });

  it('refuses a revoked display cookie and one from a foreign Origin', async () => {
    const link = await createLink();
    const { cookie } = await open(link.token);
    const foreign = await new Promise<{ error?: string }>((resolve) => {
      const s = io(t.url, { transports: ['websocket'], extraHeaders: { cookie: cookie!, origin: 'http://evil.example' }, reconnection: false });
      s.on('connect', () => { s.close(); resolve({}); });
      s.on('connect_error', (err) => { s.close(); resolve({ error: err.message }); });
    });
    expect(foreign.error).toBeDefined();
    await admin('DELETE', `/api/v1/display-links/${link.id}`);
    const r = await connect(cookie!);
    expect(r.error).toBe('unauthorized');
    r.socket.close();
  });

  it('does not join the supervisors room: escalations are not sent to a display', async () => {
    const { cookie } = await open((await createLink()).token);
    const { socket } = await connect(cookie!);
    const escalated: unknown[] = [];
    const changed: unknown[] = [];
    socket.on('exceptions.escalated', (e) => escalated.push(e));
    socket.on('exceptions.changed', (e) => changed.push(e));
    await insertException(t.db.sql, { type: 'stockout', status: 'escalated', severity: 'critical' });
    await waitFor('the change pushed', () => changed.length > 0);
    await new Promise((r) => setTimeout(r, 400));
    expect(escalated).toEqual([]);
    socket.close();
  });
});
