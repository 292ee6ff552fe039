import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../../domain/roles';
import { ADMIN, startTestTower, type TestTower } from '../support/tower';
import { masterData, validData } from '../support/events';
import { waitFor } from '../support/wait';
import { adminCreateUser, apiKeyId, call, login, strongPassword, uniqueEmail } from './security-support';

/**
 * Every route of the API, walked with no credentials, with each role, and with an API key: 401 for
 * nobody, 403 below the minimum role, success at the minimum.
 */

let t: TestTower;
const cookies = {} as Record<Role, string>;
let users: Record<Role, { id: string; email: string; password: string }>;
let apiKey: string;
/** A wall screen's display-link cookie: read-only, viewer GETs only. */
let displayCookie: string;
const SOURCE = 'walk-src';

beforeAll(async () => {
  t = await startTestTower();
  users = {} as typeof users;
  for (const role of roles) {
    if (role === 'admin') continue;
    const u = await t.createUser(role);
    users[role] = u;
    cookies[role] = u.cookie;
  }
  cookies.admin = t.adminCookie;
  apiKey = await t.createApiKey([SOURCE]);
  displayCookie = await openDisplayLink();
});

async function createDisplayLink(): Promise<{ id: string; token: string }> {
  const res = await call(t, 'POST', '/api/v1/display-links', { cookie: t.adminCookie, origin: true, body: { name: `walk-display-${++seq}` } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Opens a fresh display link as a screen does and returns its cookie. */
async function openDisplayLink(): Promise<string> {
  const { token } = await createDisplayLink();
  const res = await fetch(`${t.url}/display/${token}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

afterAll(async () => {
  await t?.stop();
});

type Min = Role | 'any-signed-in-or-key' | 'api-key';
interface Prepared {
  path: string;
  body?: unknown;
  /** Checks that a refused call changed nothing. */
  unchanged?: () => Promise<void>;
}
interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  route: string;
  min: Min;
  ok: number;
  prepare: () => Promise<Prepared>;
}

let seq = 0;
const eventBody = () => ({ id: `walk-${++seq}`, type: 'order.delivered', source: SOURCE, occurredAt: new Date().toISOString(), data: validData['order.delivered'] });

let seeded: Promise<void> | undefined;
/** The item and channel the inventory reads name, applied once. */
const seedMasterData = () =>
  (seeded ??= (async () => {
    const res = await call(t, 'POST', '/api/v1/events', { bearer: apiKey, body: masterData(SOURCE) });
    expect(res.status).toBe(202);
    await waitFor('master data applied', async () => {
      const [row] = await t.db.sql`SELECT (SELECT count(*) FROM items WHERE sku = 'TEE-BLK-M') + (SELECT count(*) FROM channels WHERE channel = 'web') AS n`;
      return Number(row!.n) === 2;
    });
  })());

const routes: Route[] = [
  { method: 'GET', route: '/api/v1/auth/me', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/auth/me' }) },
  { method: 'POST', route: '/api/v1/auth/logout', min: 'viewer', ok: 204, prepare: async () => ({ path: '/api/v1/auth/logout' }) },
  { method: 'GET', route: '/api/v1/users', min: 'admin', ok: 200, prepare: async () => ({ path: '/api/v1/users' }) },
  {
    method: 'POST', route: '/api/v1/users', min: 'admin', ok: 201,
    prepare: async () => {
      const email = uniqueEmail('walk');
      return {
        path: '/api/v1/users',
        body: { email, password: strongPassword(), role: 'viewer' },
        unchanged: async () => {
          expect(await t.db.sql`SELECT 1 FROM users WHERE email = ${email}`).toHaveLength(0);
        },
      };
    },
  },
  {
    method: 'PATCH', route: '/api/v1/users/:id', min: 'admin', ok: 200,
    prepare: async () => {
      const target = await adminCreateUser(t, 'viewer');
      return {
        path: `/api/v1/users/${target.id}`,
        body: { role: 'operator' },
        unchanged: async () => {
          const [row] = await t.db.sql`SELECT role FROM users WHERE id = ${target.id}`;
          expect(row!.role).toBe('viewer');
        },
      };
    },
  },
  { method: 'GET', route: '/api/v1/api-keys', min: 'admin', ok: 200, prepare: async () => ({ path: '/api/v1/api-keys' }) },
  {
    method: 'POST', route: '/api/v1/api-keys', min: 'admin', ok: 201,
    prepare: async () => {
      const name = `walk-key-${++seq}`;
      return {
        path: '/api/v1/api-keys',
        body: { name, sources: ['walk-other'] },
        unchanged: async () => {
          expect(await t.db.sql`SELECT 1 FROM api_keys WHERE name = ${name}`).toHaveLength(0);
        },
      };
    },
  },
  {
    method: 'DELETE', route: '/api/v1/api-keys/:id', min: 'admin', ok: 204,
    prepare: async () => {
      const key = await t.createApiKey([SOURCE]);
      const id = await apiKeyId(t, key);
      return {
        path: `/api/v1/api-keys/${id}`,
        unchanged: async () => {
          const res = await call(t, 'POST', '/api/v1/events', { bearer: key, body: eventBody() });
          expect(res.status).toBe(202);
        },
      };
    },
  },
  { method: 'GET', route: '/api/v1/display-links', min: 'admin', ok: 200, prepare: async () => ({ path: '/api/v1/display-links' }) },
  {
    method: 'POST', route: '/api/v1/display-links', min: 'admin', ok: 201,
    prepare: async () => {
      const name = `walk-link-${++seq}`;
      return {
        path: '/api/v1/display-links',
        body: { name },
        unchanged: async () => {
          expect(await t.db.sql`SELECT 1 FROM display_links WHERE name = ${name}`).toHaveLength(0);
        },
      };
    },
  },
  {
    method: 'DELETE', route: '/api/v1/display-links/:id', min: 'admin', ok: 204,
    prepare: async () => {
      const { id } = await createDisplayLink();
      return {
        path: `/api/v1/display-links/${id}`,
        unchanged: async () => {
          const [row] = await t.db.sql`SELECT revoked_at FROM display_links WHERE id = ${id}`;
          expect(row!.revoked_at).toBeNull();
        },
      };
    },
  },
  { method: 'GET', route: '/api/v1/live/overview', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/live/overview' }) },
  { method: 'GET', route: '/api/v1/kpis', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/kpis' }) },
  { method: 'GET', route: '/api/v1/kpis/live', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/kpis/live' }) },
  { method: 'GET', route: '/api/v1/kpis/series', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/kpis/series?from=2026-11-27T00:00:00Z&to=2026-11-27T02:00:00Z&bucket=hour' }) },
  {
    method: 'POST', route: '/api/v1/events', min: 'api-key', ok: 202,
    prepare: async () => {
      const body = eventBody();
      return {
        path: '/api/v1/events',
        body,
        unchanged: async () => {
          const res = await call(t, 'GET', `/api/v1/events/${SOURCE}/${body.id}`, { bearer: apiKey });
          expect(res.status).toBe(404);
        },
      };
    },
  },
  {
    method: 'GET', route: '/api/v1/events/:source/:id', min: 'any-signed-in-or-key', ok: 200,
    prepare: async () => {
      const body = eventBody();
      const res = await call(t, 'POST', '/api/v1/events', { bearer: apiKey, body });
      expect(res.status).toBe(202);
      return { path: `/api/v1/events/${SOURCE}/${body.id}` };
    },
  },
  { method: 'GET', route: '/api/v1/inventory', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/inventory' }) },
  { method: 'GET', route: '/api/v1/inventory/overview', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/inventory/overview' }) },
  { method: 'GET', route: '/api/v1/orders', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/orders?q=W' }) },
  {
    method: 'GET', route: '/api/v1/inventory/explain', min: 'viewer', ok: 200,
    prepare: async () => {
      await seedMasterData();
      return { path: '/api/v1/inventory/explain?sku=TEE-BLK-M&channel=web' };
    },
  },
  {
    method: 'GET', route: '/api/v1/availability', min: 'any-signed-in-or-key', ok: 200,
    prepare: async () => {
      await seedMasterData();
      return { path: '/api/v1/availability?channel=web' };
    },
  },
  {
    method: 'GET', route: '/api/v1/orders/:orderId', min: 'viewer', ok: 200,
    prepare: async () => {
      // A stored event naming the order is enough: the order view answers 200 before it applies.
      const body = { ...eventBody(), type: 'order.created', data: { ...validData['order.created'], orderId: `WALK-${seq}` } };
      const res = await call(t, 'POST', '/api/v1/events', { bearer: apiKey, body });
      expect(res.status).toBe(202);
      return { path: `/api/v1/orders/${body.data.orderId}` };
    },
  },
  { method: 'GET', route: '/metrics', min: 'any-signed-in-or-key', ok: 200, prepare: async () => ({ path: '/metrics' }) },
  { method: 'GET', route: '/api/v1/operations', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/operations' }) },
  { method: 'GET', route: '/api/v1/exceptions', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/exceptions' }) },
  { method: 'GET', route: '/api/v1/exceptions/summary', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/exceptions/summary' }) },
  { method: 'GET', route: '/api/v1/exceptions/settings', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/exceptions/settings' }) },
  { method: 'GET', route: '/api/v1/exceptions/export.csv', min: 'viewer', ok: 200, prepare: async () => ({ path: '/api/v1/exceptions/export.csv' }) },
  { method: 'GET', route: '/api/v1/exceptions/:id', min: 'viewer', ok: 200, prepare: async () => ({ path: `/api/v1/exceptions/${await walkException()}` }) },
  ...(['ack', 'assign', 'resolve', 'reopen', 'reapply', 'escalate'] as const).map((action): Route => ({
    method: 'POST', route: `/api/v1/exceptions/:id/${action}`, min: action === 'escalate' ? 'supervisor' : 'operator', ok: 200,
    prepare: async () => {
      const id = await walkException(action === 'reopen' ? 'resolved' : 'open', action === 'reapply' ? 'invalid_event' : 'stockout');
      const body = action === 'assign' ? { assignee: users.operator.email } : action === 'resolve' ? { code: 'fixed' } : {};
      return { path: `/api/v1/exceptions/${id}/${action}`, body, unchanged: () => exceptionUnchanged(id) };
    },
  })),
  {
    method: 'POST', route: '/api/v1/exceptions/bulk', min: 'operator', ok: 200,
    prepare: async () => {
      const id = await walkException();
      return { path: '/api/v1/exceptions/bulk', body: { action: 'ack', ids: [id] }, unchanged: () => exceptionUnchanged(id) };
    },
  },
  {
    method: 'POST', route: '/api/v1/exceptions/bulk/:opId/undo', min: 'operator', ok: 200,
    prepare: async () => {
      // The operator's own bulk action: only its author may undo it.
      const id = await walkException();
      const op = await call(t, 'POST', '/api/v1/exceptions/bulk', { cookie: cookies.operator, origin: true, body: { action: 'ack', ids: [id] } });
      expect(op.status).toBe(200);
      return {
        path: `/api/v1/exceptions/bulk/${op.body.opId}/undo`,
        unchanged: async () => {
          const [row] = await t.db.sql`SELECT status FROM exceptions WHERE id = ${id}`;
          expect(row!.status).toBe('acknowledged');
        },
      };
    },
  },
];

/** A fresh exception of its own for each call, so that a refused call can be shown to change nothing. */
async function walkException(status: 'open' | 'resolved' = 'open', type = 'stockout'): Promise<string> {
  const n = ++seq;
  let eventSeq: string | null = null;
  if (type === 'invalid_event') {
    const [e] = await t.db.sql`
      INSERT INTO events (source, event_id, type, occurred_at, data, applied_at, apply_error)
      VALUES (${SOURCE}, ${`walk-invalid-${n}`}, 'order.delivered', now(), ${t.db.sql.json({ orderId: `NOPE-${n}` })}, now(), 'order unknown')
      RETURNING seq`;
    eventSeq = String(e!.seq);
  }
  const [row] = await t.db.sql`
    INSERT INTO exceptions (type, severity, subject, event_seq, opened_at, last_seen_at, due_at, status, resolution_code, resolved_at)
    VALUES (${type}, 'high', ${`walk:${n}`}, ${eventSeq}, now(), now(), now() + interval '1 hour', ${status},
            ${status === 'resolved' ? 'fixed' : null}, ${status === 'resolved' ? new Date() : null})
    RETURNING id`;
  return String(row!.id);
}

async function exceptionUnchanged(id: string): Promise<void> {
  const [row] = await t.db.sql`SELECT version FROM exceptions WHERE id = ${id}`;
  expect(row!.version).toBe(1);
}

const rank = (r: Role) => roles.indexOf(r);
const allowed = (min: Min, role: Role) =>
  min === 'api-key' ? false : min === 'any-signed-in-or-key' ? true : rank(role) >= rank(min);

describe('every API route', () => {
  it('covers each route the routers declare', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const declared = new Set<string>();
    for (const f of readdirSync('realtime/routes')) {
      const src = readFileSync(`realtime/routes/${f}`, 'utf8');
      for (const m of src.matchAll(/router\.(get|post|patch|delete|put)\(\s*'([^']+)'/g)) declared.add(`${m[1]!.toUpperCase()} ${m[2]}`);
    }
    declared.delete('GET /healthz');
    declared.delete('GET /readyz');
    // Every route the routers declare is in the walk (login is public and tested in sessions.test.ts).
    declared.delete('POST /api/v1/auth/login');
    // Opening a display link is public too: the token is the credential (tests/security/display-links.test.ts).
    declared.delete('GET /display/:token');
    expect([...declared].sort()).toEqual(routes.map((r) => `${r.method} ${r.route}`).sort());
  });

  describe.each(routes)('$method $route (minimum: $min)', (r) => {
    it('answers 401 unauthorized without credentials, and changes nothing', async () => {
      const p = await r.prepare();
      const res = await call(t, r.method, p.path, { body: p.body });
      expect(res.status, res.text).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      await p.unchanged?.();
    });

    it('answers 401 for a session cookie that does not exist', async () => {
      const p = await r.prepare();
      const res = await call(t, r.method, p.path, { body: p.body, cookie: 'tower_session=forged-token-value', origin: true });
      expect(res.status, res.text).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      await p.unchanged?.();
    });

    for (const role of roles) {
      if (allowed(r.min, role)) continue;
      it(`answers 403 forbidden to a ${role}, and changes nothing`, async () => {
        const p = await r.prepare();
        const res = await call(t, r.method, p.path, { body: p.body, cookie: cookies[role], origin: true });
        expect(res.status, res.text).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
        await p.unchanged?.();
      });
    }

    const minRole = r.min === 'api-key' ? null : r.min === 'any-signed-in-or-key' ? 'viewer' : r.min;
    if (minRole) {
      it(`succeeds for a ${minRole}`, async () => {
        const p = await r.prepare();
        // Logging out ends the session used, so that one runs on a session of its own.
        const cookie = r.route === '/api/v1/auth/logout' ? (await login(t, users.viewer.email, users.viewer.password)).cookie! : cookies[minRole];
        const res = await call(t, r.method, p.path, { body: p.body, cookie, origin: true });
        expect(res.status, res.text).toBe(r.ok);
      });
    }

    if (r.min === 'api-key' || r.min === 'any-signed-in-or-key') {
      it('succeeds with an API key', async () => {
        const p = await r.prepare();
        const res = await call(t, r.method, p.path, { body: p.body, bearer: apiKey });
        expect(res.status, res.text).toBe(r.ok);
      });
    } else {
      it('answers 403 to an API key (these routes are for people)', async () => {
        const p = await r.prepare();
        const res = await call(t, r.method, p.path, { body: p.body, bearer: apiKey });
        expect(res.status, res.text).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
        await p.unchanged?.();
      });
    }
  });

  it('does not let an API key lend a cookie request its way past CSRF and roles', async () => {
    const email = uniqueEmail('lend');
    const res = await call(t, 'POST', '/api/v1/users', {
      cookie: t.adminCookie, bearer: apiKey, body: { email, password: strongPassword(), role: 'admin' },
    });
    expect(res.status).toBe(403);
    expect(await t.db.sql`SELECT 1 FROM users WHERE email = ${email}`).toHaveLength(0);
  });
});

/**
 * A wall screen's display cookie reads what a viewer reads and nothing else: every other route,
 * and every write, is 403 (and changes nothing), even with the tower's own Origin.
 */
describe('every API route with a display-link cookie', () => {
  const displayReads = (r: Route) => r.min === 'viewer' && r.method === 'GET';

  it('has read routes and refused routes to walk', () => {
    expect(routes.filter(displayReads).length).toBeGreaterThan(5);
    expect(routes.filter((r) => !displayReads(r)).length).toBeGreaterThan(5);
  });

  describe.each(routes.filter(displayReads))('$method $route (viewer read)', (r) => {
    it(`answers ${r.ok} to a display`, async () => {
      const p = await r.prepare();
      const res = await call(t, r.method, p.path, { cookie: displayCookie });
      expect(res.status, res.text).toBe(r.ok);
    });
  });

  describe.each(routes.filter((r) => !displayReads(r)))('$method $route (minimum: $min)', (r) => {
    it('answers 403 forbidden to a display, and changes nothing', async () => {
      const p = await r.prepare();
      const res = await call(t, r.method, p.path, { body: p.body, cookie: displayCookie, origin: true });
      expect(res.status, res.text).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      await p.unchanged?.();
    });
  });

  it('answers 401 for a display cookie that does not exist', async () => {
    const res = await call(t, 'GET', '/api/v1/live/overview', { cookie: 'tower_display=forged-token-value' });
    expect(res.status).toBe(401);
  });
});

describe('Socket.IO', () => {
  const connect = (headers: Record<string, string>) =>
    new Promise<{ error?: string; snapshot?: unknown }>((resolve) => {
      const socket: Socket = io(t.url, { transports: ['websocket'], extraHeaders: headers, reconnection: false, timeout: 5000 });
      const done = (r: { error?: string; snapshot?: unknown }) => {
        socket.close();
        resolve(r);
      };
      socket.on('connect_error', (err) => done({ error: err.message }));
      socket.on('overview.snapshot', (snapshot: unknown) => done({ snapshot }));
    });

  it('refuses a connection without a cookie with connect_error "unauthorized"', async () => {
    const r = await connect({});
    expect(r.error).toBe('unauthorized');
    expect(r.snapshot).toBeUndefined();
  });

  it('refuses a connection with a forged cookie', async () => {
    const r = await connect({ cookie: 'tower_session=forged' });
    expect(r.error).toBe('unauthorized');
  });

  it('sends overview.snapshot to a signed-in viewer', async () => {
    const r = await connect({ cookie: cookies.viewer });
    expect(r.error).toBeUndefined();
    // The same shape the REST overview answers.
    const rest = await call(t, 'GET', '/api/v1/live/overview', { cookie: cookies.viewer });
    expect(Object.keys(rest.body).length).toBeGreaterThan(0);
    expect(Object.keys(r.snapshot as object).sort()).toEqual(Object.keys(rest.body).sort());
  });

  it('refuses a connection with a valid cookie from a foreign Origin (cross-site WebSocket)', async () => {
    const r = await connect({ cookie: cookies.viewer, origin: 'http://evil.example' });
    expect(r.error).toBeDefined();
    expect(r.snapshot).toBeUndefined();
  });

  it('sends overview.snapshot to a display-link cookie', async () => {
    const r = await connect({ cookie: displayCookie });
    expect(r.error).toBeUndefined();
    expect(r.snapshot).toBeDefined();
  });

  it('refuses a connection with the cookie of a signed-out session', async () => {
    const { cookie } = await login(t, users.operator.email, users.operator.password);
    expect((await connect({ cookie: cookie! })).snapshot).toBeDefined();
    expect((await call(t, 'POST', '/api/v1/auth/logout', { cookie: cookie!, origin: true })).status).toBe(204);
    expect((await connect({ cookie: cookie! })).error).toBe('unauthorized');
  });
});

describe('public probes reveal no secrets', () => {
  const secrets = () => [ADMIN.password, t.db.url, t.db.name, t.prefix, 'postgres://', 'redis://', apiKey, t.adminCookie.split('=')[1]!];

  it('/healthz answers without authentication', async () => {
    const res = await call(t, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    for (const s of secrets()) expect(res.text).not.toContain(s);
  });

  it('/readyz answers without authentication with up/down per dependency only', async () => {
    const res = await call(t, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', workers: 'ok' }, shuttingDown: false });
    for (const s of secrets()) expect(res.text).not.toContain(s);
  });

  it('/metrics needs credentials and does not expose configuration secrets to a viewer', async () => {
    expect((await call(t, 'GET', '/metrics')).status).toBe(401);
    const res = await call(t, 'GET', '/metrics', { cookie: cookies.viewer });
    expect(res.status).toBe(200);
    for (const s of secrets()) expect(res.text).not.toContain(s);
  });
});

describe('security headers (helmet)', () => {
  it.each([
    ['an API JSON response', 'GET', '/api/v1/auth/me', true],
    ['an API error response', 'GET', '/api/v1/users', false],
    ['an unknown API route', 'GET', '/api/v1/nope', true],
    ['a probe', 'GET', '/healthz', false],
  ] as const)('are set on %s', async (_what, method, path, signedIn) => {
    const res = await call(t, method, path, signedIn ? { cookie: cookies.viewer } : {});
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toMatch(/^(DENY|SAMEORIGIN)$/i);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('are set on the ingest response too', async () => {
    const res = await call(t, 'POST', '/api/v1/events', { bearer: apiKey, body: eventBody() });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).not.toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
