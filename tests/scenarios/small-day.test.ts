import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestTower, type TestTower } from '../support/tower';
import { replaySmallDay, SMALL_DAY_SOURCES } from '../support/small-day';

/** The hand-worked day of the contract (shared/examples), replayed through the API and the workers. */
let t: TestTower;

beforeAll(async () => {
  t = await startTestTower();
  await replaySmallDay(t, await t.createApiKey(SMALL_DAY_SOURCES));
});

afterAll(async () => {
  await t?.stop();
});

const buckets = async (sku: string, location: string) => {
  const [row] = await t.db.sql`SELECT on_hand, reserved FROM inventory WHERE sku = ${sku} AND location_id = ${location}`;
  return row;
};
const status = async (orderId: string) => (await t.db.sql`SELECT status FROM orders WHERE order_id = ${orderId}`)[0]?.status;

it('reserves W-1001 whole at DC-EAST and ships it', async () => {
  expect(await status('W-1001')).toBe('shipped');
  expect(await buckets('TEE-BLK-M', 'DC-EAST')).toEqual({ on_hand: 8, reserved: 0 });
  expect(await buckets('MUG-RED', 'DC-EAST')).toEqual({ on_hand: 2, reserved: 0 });
});

it('backorders all of A-77 (no split, no location holds 3 MUG-RED) and opens a stockout', async () => {
  expect(await status('A-77')).toBe('backordered');
  const [line] = await t.db.sql`SELECT backordered FROM order_lines WHERE order_id = 'A-77'`;
  expect(line!.backordered).toBe(3);
  const ex = await t.db.sql`SELECT type, status FROM exceptions WHERE sku = 'MUG-RED'`;
  expect(ex).toEqual([{ type: 'stockout', status: 'open' }]);
});

it('holds W-1002 (fraud score 0.91) reserved at STORE-WEST behind a fraud review', async () => {
  expect(await status('W-1002')).toBe('on_hold');
  expect(await buckets('TEE-BLK-M', 'STORE-WEST')).toEqual({ on_hand: 4, reserved: 1 });
  const ex = await t.db.sql`SELECT type, severity FROM exceptions WHERE order_id = 'W-1002'`;
  expect(ex).toEqual([{ type: 'fraud_review', severity: 'high' }]);
});

it('ignores the duplicate of (web, o-1) and leaves every invariant intact', async () => {
  const lines = await t.db.sql`SELECT count(*)::int AS n FROM order_lines WHERE order_id = 'W-1001'`;
  expect(lines[0]!.n).toBe(2);
  const breaches = await t.db.sql`SELECT * FROM exceptions WHERE type IN ('invariant_breach', 'invalid_event')`;
  expect(breaches).toEqual([]);
  const ledger = await t.db.sql`
    SELECT i.sku, i.location_id, i.on_hand, coalesce(sum(l.delta) FILTER (WHERE l.bucket = 'onHand'), 0)::int AS ledger
    FROM inventory i LEFT JOIN inventory_ledger l USING (sku, location_id) GROUP BY 1, 2, 3`;
  for (const row of ledger) expect(row.on_hand).toBe(row.ledger);
});
