/**
 * The time rules in two worker processes at once (ROLE=worker, a rules tick every 300 ms), sharing
 * one database and one Redis prefix as in production: every past-due exception escalates exactly
 * once, and an order at risk gets exactly one sla_at_risk, however many ticks both processes take.
 *
 * The API runs in this process (ROLE=api, no workers, no rules), so the events below also go through
 * the ingest route that records each source's activity.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openException } from '../../db/queries/exceptions';
import type { ExceptionType } from '../../domain/exceptions/types';
import { bullPrefix } from '../../jobs/queues';
import { RULES_QUEUE } from '../../jobs/rules-scheduler';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_REDIS_URL } from '../support/env';
import { event, masterData } from '../support/events';
import { spawnTower, stopTowers, type TowerProcess } from '../support/processes';
import { startTestTower, uniquePrefix, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

let db: TestDatabase;
let api: TestTower;
let key: string;
const prefix = uniquePrefix();
const workers: TowerProcess[] = [];
const TYPES: ExceptionType[] = ['stockout', 'split_shipment', 'payment_failed', 'oversell_exposure'];
const UP: Record<string, string> = { high: 'critical', low: 'medium', medium: 'high', critical: 'critical' };
const SEEDED = 40;

const riskyOrder = (orderId: string) =>
  event('order.created', {
    orderId, channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 1, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized',
    // Within the default 120-minute horizon, and not due while the test runs.
    promisedShipBy: new Date(Date.now() + 30 * 60_000).toISOString(),
  });

async function post(events: unknown[]): Promise<void> {
  const res = await api.postEvents(key, events);
  expect(res.status).toBe(202);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(events.length);
}

const escalatedCount = async () =>
  (await db.sql`SELECT count(*)::int AS n FROM exceptions WHERE subject LIKE 'sku:TW-%' AND escalated_at IS NOT NULL`)[0]!.n as number;
const riskExceptions = async (orderId: string) =>
  [...(await db.sql`SELECT id, status FROM exceptions WHERE type = 'sla_at_risk' AND subject = ${`order:${orderId}`}`)];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestTower({ ROLE: 'api', REDIS_PREFIX: prefix }, { db });
  key = await api.createApiKey(['web']);
  // Due two days ago: the first tick escalates them all.
  const at = new Date(Date.now() - 2 * 24 * 3_600_000);
  for (let i = 0; i < SEEDED; i++) await openException(db.sql, { type: TYPES[i % TYPES.length]!, subject: `sku:TW-${i}@DC`, at });
  const env = {
    ROLE: 'worker', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, WORKER_CONCURRENCY: '2',
    SWEEP_INTERVAL_MS: '200', SWEEP_GRACE_MS: '1000', RULES_INTERVAL_MS: '300', LOG_LEVEL: 'debug',
  };
  workers.push(spawnTower(env), spawnTower(env));
  await post(masterData());
  await post([riskyOrder('TW-ORDER-1')]);
});

afterAll(async () => {
  await stopTowers(workers);
  await api?.stop();
  await db?.drop();
});

describe('time rules in two worker processes', () => {
  it('records the ingest requests as source activity, one row per source and minute', async () => {
    const rows = await db.sql`SELECT source, sum(events)::int AS events FROM source_activity GROUP BY source`;
    expect([...rows]).toEqual([{ source: 'web', events: masterData().length + 1 }]);
  });

  it('escalates every past-due exception exactly once, one step up, however many ticks follow', async () => {
    await waitFor('every seeded exception escalated', async () => (await escalatedCount()) === SEEDED, 25_000, 100);
    // More ticks in both processes: a second at-risk order is opened only by a later tick.
    await post([riskyOrder('TW-ORDER-2')]);
    await waitFor('a later tick opened sla_at_risk for TW-ORDER-2', async () => (await riskExceptions('TW-ORDER-2')).length > 0, 15_000, 100);
    await new Promise((r) => setTimeout(r, 1500));

    const rows = await db.sql`
      SELECT e.subject, e.type, e.severity, e.status,
             count(a.id)::int AS escalations, min(a.details->>'from') AS "from", min(a.details->>'to') AS "to", bool_and((a.details->>'auto')::boolean) AS auto
      FROM exceptions e LEFT JOIN audit_log a ON a.target_kind = 'exception' AND a.target_id = e.id::text AND a.action = 'exception.escalate'
      WHERE e.subject LIKE 'sku:TW-%' GROUP BY e.id ORDER BY e.subject`;
    expect(rows).toHaveLength(SEEDED);
    for (const r of rows) {
      expect(r.escalations, r.subject).toBe(1);
      expect(r.status, r.subject).toBe('escalated');
      expect(r.to, r.subject).toBe(r.severity);
      expect(r.severity, r.subject).toBe(UP[r.from]);
      expect(r.auto, r.subject).toBe(true);
    }
  });

  it('opens exactly one sla_at_risk for an order at risk', async () => {
    await waitFor('sla_at_risk for TW-ORDER-1', async () => (await riskExceptions('TW-ORDER-1')).length > 0, 15_000, 100);
    await new Promise((r) => setTimeout(r, 1000));
    for (const orderId of ['TW-ORDER-1', 'TW-ORDER-2']) {
      const rows = await riskExceptions(orderId);
      expect(rows, orderId).toHaveLength(1);
      const audit = await db.sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'exception.open' AND target_id = ${rows[0]!.id}`;
      expect(audit[0]!.n, orderId).toBe(1);
    }
  });

  it('runs each tick once, in one of the processes', async () => {
    // Every run logs "time rules" with its job id, repeat:time-rules:<slot>.
    const runs = workers.flatMap((w) => w.output().split('\n').flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; jobId?: string };
        return entry.msg === 'time rules' && entry.jobId ? [entry.jobId] : [];
      } catch {
        return [];
      }
    }));
    expect(runs.length, 'ticks ran').toBeGreaterThanOrEqual(5);
    expect(new Set(runs).size, 'no tick ran twice').toBe(runs.length);
    const slots = runs.map((id) => Number(/^repeat:time-rules:(\d+)$/.exec(id)?.[1])).sort((a, b) => a - b);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!, 'ticks are one interval apart or more').toBeGreaterThanOrEqual(300);
  });

  it('keeps one job scheduler and at most one pending tick, whatever the number of workers', async () => {
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(RULES_QUEUE, { connection, prefix: bullPrefix(prefix) });
    try {
      expect(await queue.getJobSchedulersCount()).toBe(1);
      expect(await queue.getDelayedCount() + (await queue.getWaitingCount())).toBeLessThanOrEqual(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
