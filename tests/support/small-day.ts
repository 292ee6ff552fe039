import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { TestTower } from './tower';
import { waitFor } from './wait';

/** Waits until the tower has applied (or kept as invalid) every event it accepted. */
export const allApplied = (t: TestTower, timeoutMs = 10_000) =>
  waitFor('every event applied', async () => {
    const [row] = await t.db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`;
    return row!.n === 0;
  }, timeoutMs);

/** Replays the contract's hand-worked day (tests/fixtures/small-day.ndjson) and waits until it is applied. */
export async function replaySmallDay(t: TestTower, key: string): Promise<void> {
  const day = await readFile(path.resolve(import.meta.dirname, '../fixtures/small-day.ndjson'), 'utf8');
  const res = await t.postEvents(key, day, 'application/x-ndjson');
  expect(await res.json()).toEqual({ accepted: 13, duplicates: 1, rejected: [] });
  await allApplied(t);
}

export const SMALL_DAY_SOURCES = ['erp', 'wms-east', 'wms-west', 'web', 'mkt-a'];
