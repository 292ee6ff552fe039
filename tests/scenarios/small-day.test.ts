import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestTower, type TestTower } from '../support/tower';
import { body } from '../support/rows';
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

it('answers the KPIs of 2026-11-27 worked out in shared/examples', async () => {
  const kpis = async (from: string, to: string, more = '') => {
    const res = await fetch(`${t.url}/api/v1/kpis?from=${from}&to=${to}${more}`, { headers: { cookie: t.adminCookie } });
    expect(res.status).toBe(200);
    return body(res);
  };
  const day = await kpis('2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z');
  // Orders 3, units 7; W-1001's first shipment held every unit: both fill rates 1 over the one shipped
  // order; cycle time 09:00 → 13:00 = 14,400 s; A-77's 3 MUG backordered.
  expect(day.kpis).toMatchObject({
    orders: 3, unitsOrdered: 7, unitFillRate: 1, orderFillRate: 1, onTimeShipRate: 1, backorderedUnits: 3,
    cycleTime: { p50: 14_400, p90: 14_400, p99: 14_400, mean: 14_400 },
    inventoryAccuracy: null, recoveryLoss: null, returnResolution: { p50: null, p90: null }, oversellExposure: { units: 0, pairs: 0 },
  });
  expect(day.byChannel['mkt-a']).toMatchObject({ orders: 1, unitsOrdered: 3, backorderedUnits: 3, unitFillRate: null });
  expect(day.byLocation['DC-EAST']).toMatchObject({ orders: 1, unitsOrdered: 3, orderFillRate: 1, backorderedUnits: null });
  expect(day.byLocation['STORE-WEST']).toMatchObject({ orders: 0, orderFillRate: null });
  // Half-open: W-1001 at 09:00 is in [09:00, 09:05), A-77 at 09:05 is not.
  expect((await kpis('2026-11-27T09:00:00Z', '2026-11-27T09:05:00Z')).kpis.orders).toBe(1);
  // A-77 (promised 2026-11-29 09:05) and the held W-1002 (2026-11-28 09:10) are at risk once within 2 h of their promise.
  const horizon = Date.now() + 2 * 3_600_000;
  const atRisk = [Date.parse('2026-11-29T09:05:00Z'), Date.parse('2026-11-28T09:10:00Z')].filter((p) => p <= horizon).length;
  expect(day.kpis.atRiskOrders).toBe(atRisk);
});
