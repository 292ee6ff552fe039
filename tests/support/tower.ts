import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestHandler } from 'express';
import { parseConfig, type Config } from '../../domain/config';
import type { Role } from '../../domain/roles';
import { createLogger } from '../../realtime/logger';
import { startTower, type Tower } from '../../realtime/tower';
import { createTestDatabase, type TestDatabase } from './database';
import { dropRedisPrefix } from './redis';
import { TEST_REDIS_URL } from './env';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-123' };

export interface TestTower {
  url: string;
  tower: Tower;
  db: TestDatabase;
  config: Config;
  prefix: string;
  /** A session cookie header value for the first admin. */
  adminCookie: string;
  login(email: string, password: string): Promise<string>;
  createUser(role: Role): Promise<{ email: string; password: string; cookie: string; id: string }>;
  createApiKey(sources: string[]): Promise<string>;
  postEvents(key: string, body: unknown, contentType?: string): Promise<Response>;
  stop(): Promise<void>;
}

export const uniquePrefix = () => `t${randomBytes(5).toString('hex')}`;

export { dropRedisPrefix };

/** The built dashboard (`npm run build` makes it; `npm test` builds before the tests run). */
async function loadWebHandler(): Promise<RequestHandler> {
  const handlerPath = path.resolve(import.meta.dirname, '../../web/build/handler.js');
  if (!existsSync(handlerPath)) throw new Error(`${handlerPath} is missing: run npm run build first`);
  return (await import(pathToFileURL(handlerPath).href)).handler as RequestHandler;
}

/** A whole tower on port 0 with its own database and Redis prefix, signed in as admin; `web` also serves the built dashboard. */
export async function startTestTower(env: Record<string, string> = {}, opts: { db?: TestDatabase; web?: boolean } = {}): Promise<TestTower> {
  const db = opts.db ?? (await createTestDatabase());
  const prefix = env.REDIS_PREFIX ?? uniquePrefix();
  const config = parseConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    SWEEP_INTERVAL_MS: '200',
    SWEEP_GRACE_MS: '500',
    PUSH_INTERVAL_MS: '100',
    // Events whose prerequisite never comes become invalid_event after 2 s instead of 5 minutes.
    DEFER_MAX_SECONDS: '2',
    // The time rules (escalation, sla_at_risk, ...) would act on the fixtures' past dates mid-test;
    // their first tick comes one interval after start, so an hour keeps them out of a test's way.
    RULES_INTERVAL_MS: '3600000',
    ...env,
  });
  const webHandler = opts.web ? await loadWebHandler() : undefined;
  const tower = await startTower(config, createLogger('silent', { pretty: false }), { print: () => {}, webHandler });
  const url = tower.url!;

  const login = async (email: string, password: string) => {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };
  const adminCookie = await login(ADMIN.email, ADMIN.password);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const adminPost = async (path: string, body: unknown): Promise<any> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: adminCookie, origin: url },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  return {
    url,
    tower,
    db,
    config,
    prefix,
    adminCookie,
    login,
    async createUser(role) {
      const email = `${role}-${randomBytes(3).toString('hex')}@test.local`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const { user } = await adminPost('/api/v1/users', { email, password, role });
      return { email, password, id: user.id, cookie: await login(email, password) };
    },
    async createApiKey(sources) {
      return (await adminPost('/api/v1/api-keys', { name: `key-${sources.join('-')}`, sources })).key;
    },
    postEvents(key, body, contentType = 'application/json') {
      return fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async stop() {
      await tower.stop();
      if (!opts.db) await db.drop();
      await dropRedisPrefix(TEST_REDIS_URL, prefix);
    },
  };
}
