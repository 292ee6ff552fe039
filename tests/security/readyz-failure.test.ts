import { afterAll, beforeAll, expect, it } from 'vitest';
import { PG_ADMIN_URL, TEST_REDIS_URL } from '../support/env';
import { startTestTower, type TestTower } from '../support/tower';

/**
 * /readyz is public on purpose (an orchestrator cannot sign in) and is documented to reveal only
 * up/down per dependency. That must hold when a dependency is down too, which is when an outsider
 * is most interested. This file's tower loses its own PostgreSQL and Redis connections.
 */

let t: TestTower;

beforeAll(async () => {
  t = await startTestTower();
});

afterAll(async () => {
  await t?.stop();
});

it('answers 503 with Retry-After and only up/down per dependency when PostgreSQL and Redis are unreachable', async () => {
  const healthy = await fetch(`${t.url}/readyz`);
  expect(healthy.status).toBe(200);

  t.tower.deps.redis.disconnect();
  await t.tower.deps.sql.end({ timeout: 1 });

  const res = await fetch(`${t.url}/readyz`);
  const text = await res.text();
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  const body = JSON.parse(text) as { status: string; checks: Record<string, string> };
  expect(body.status).toBe('not_ready');
  expect(body.checks.postgres).not.toBe('ok');
  expect(body.checks.redis).not.toBe('ok');

  // No host names, ports, driver error texts: just the verdict.
  const pg = new URL(PG_ADMIN_URL);
  const redis = new URL(TEST_REDIS_URL);
  for (const secret of [`${pg.hostname}:${pg.port || 5432}`, `${redis.hostname}:${redis.port || 6379}`, t.db.name, t.prefix]) {
    expect(text).not.toContain(secret);
  }
  for (const [dependency, verdict] of Object.entries(body.checks)) {
    expect(['ok', 'down'], `${dependency}: ${verdict}`).toContain(verdict);
  }
});
