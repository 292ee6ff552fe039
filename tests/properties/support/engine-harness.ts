/**
 * The real apply path for property tests: events validated and inserted with `insertEvents`, applied
 * with `applyEventBatch` against one PostgreSQL database and one Redis prefix per test file.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { insertEvents } from '../../../db/queries/events';
import { validateEvent } from '../../../domain/events/validate';
import { applyEventBatch, type ApplyDeps, type ApplyResult } from '../../../jobs/apply-events';
import type { EngineConfig } from '../../../jobs/engine/context';
import { LiveAggregates } from '../../../jobs/live-aggregates';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { TEST_REDIS_URL } from '../../support/env';
import { event, type RawEvent } from '../../support/events';
import { dropRedisPrefix, uniquePrefix } from '../../support/tower';

export interface EngineHarness {
  db: TestDatabase;
  deps: ApplyDeps;
  /** Validates (a generator bug must not pass as a product bug) and inserts; seq per event, undefined for a duplicate of an earlier insert. */
  ingest(events: readonly RawEvent[]): Promise<(string | undefined)[]>;
  apply(seqs: readonly string[]): Promise<ApplyResult>;
  /** Inserts and applies in one batch. */
  run(events: readonly RawEvent[]): Promise<string[]>;
  close(): Promise<void>;
}

export async function startEngineHarness(engine: EngineConfig): Promise<EngineHarness> {
  const db = await createTestDatabase();
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = uniquePrefix();
  const live = new LiveAggregates(redis, db.sql, prefix);
  await live.rebuild();
  const deps: ApplyDeps = { sql: db.sql, live, log: pino({ level: 'silent' }), engine };

  const ingest = async (events: readonly RawEvent[]) => {
    const now = new Date();
    const valid = events.map((raw) => {
      const v = validateEvent(raw, now, 300_000);
      if (!v.ok) throw new Error(`test generated an event the contract rejects: ${JSON.stringify(raw)} → ${JSON.stringify(v.errors)}`);
      return v.event;
    });
    const out: (string | undefined)[] = events.map(() => undefined);
    for (const i of await insertEvents(db.sql, valid, null)) out[i.index] = i.seq;
    return out;
  };
  const apply = (seqs: readonly string[]) => applyEventBatch(deps, [...new Set(seqs)]);
  return {
    db,
    deps,
    ingest,
    apply,
    async run(events) {
      const seqs = (await ingest(events)).filter((s): s is string => s !== undefined);
      await apply(seqs);
      return seqs;
    },
    async close() {
      redis.disconnect();
      await dropRedisPrefix(TEST_REDIS_URL, prefix);
      await db.drop();
    },
  };
}

/**
 * The shared network: three locations that ship to customers in two regions, one that does not, and
 * two channels (`split`: splits allowed, priority 1; `whole`: no splits, priority 2).
 */
export const SHIPPING = [
  { locationId: 'E1', region: 'east', priority: 1 },
  { locationId: 'W1', region: 'west', priority: 1 },
  { locationId: 'E2', region: 'east', priority: 2 },
] as const;
export const BACKROOM = 'X9';
export const SPLIT = 'split';
export const WHOLE = 'whole';

export function networkEvents(at: string): RawEvent[] {
  const o = { source: 'prop', occurredAt: at };
  return [
    ...SHIPPING.map((l) => event('location.upserted', { ...l, name: l.locationId, kind: 'dc', shipsToCustomers: true }, o)),
    event('location.upserted', { locationId: BACKROOM, name: 'back room', kind: '3pl', region: 'east', shipsToCustomers: false, priority: 1 }, o),
    event('channel.upserted', { channel: SPLIT, name: 'Split web', kind: 'webstore', priority: 1, allocationShare: 1, allowSplit: true, slaHours: 24 }, o),
    event('channel.upserted', { channel: WHOLE, name: 'Whole market', kind: 'marketplace', priority: 2, allocationShare: 1, allowSplit: false, slaHours: 48 }, o),
  ];
}

export const itemEvent = (sku: string, at: string, id?: string) =>
  event('item.upserted', { sku, name: sku, unitCost: 5, unitPrice: 10, safetyStock: 0 }, { source: 'prop', occurredAt: at, ...(id ? { id } : {}) });
