import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MeasuredFacts } from '../../domain/kpis/facts';
import {
  dispositions, firstShipments, fulfilledOrders, ordersCreated, readKpis, resolvedReturns, stockCounts, type KpiQuery,
} from '../../db/queries/kpis';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The exact KPI queries over 300,000 orders spread over 30 days: a one-day window must be read through
 * the index of the time its KPI is measured at (no sequential scan of a whole table), and the whole
 * report must come back quickly. Plans first; the timing bound is generous (a loaded CI machine).
 */

const ORDERS = 300_000;
const DAYS = 30;
const END = Date.UTC(2026, 10, 28);
const START = END - DAYS * 86_400_000;
const day = (d: number) => new Date(START + d * 86_400_000);

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  const [e] = await sql`INSERT INTO events (source, event_id, type, occurred_at, data, applied_at) VALUES ('load', 'load-1', 'item.upserted', now(), '{}', now()) RETURNING seq`;
  const seq = e!.seq;
  for (const [c, i] of [['web', 1], ['mkt-a', 2], ['phone', 3]] as const) {
    await sql`INSERT INTO channels (channel, name, kind, priority, allow_split, sla_hours, updated_at, event_seq) VALUES (${c}, ${c}, 'webstore', ${i}, true, 24, now(), ${seq})`;
  }
  for (const l of ['DC-1', 'DC-2', 'STORE-1', 'STORE-2']) {
    await sql`INSERT INTO locations (location_id, name, kind, region, ships_to_customers, priority, updated_at, event_seq) VALUES (${l}, ${l}, 'dc', 'east', true, 1, now(), ${seq})`;
  }
  // Orders every ~9 s over 30 days; 90 % first shipped 1–48 h later, 80 % fully shipped; some backordered.
  await sql`
    INSERT INTO orders (order_id, channel, status, payment, ship_to, promised_ship_by, created_at, units, value, event_seq,
                        first_shipped_at, first_ship_location, first_ship_units, last_shipped_at, last_ship_location, fully_shipped_at, backordered_ever)
    SELECT 'O-' || i, (ARRAY['web', 'mkt-a', 'phone'])[1 + i % 3],
           CASE WHEN i % 10 < 8 THEN 'shipped' WHEN i % 10 = 8 THEN 'partially_shipped' ELSE 'allocated' END,
           'authorized', '{"region":"east"}', c + interval '24 hours', c, 1 + i % 4, 10, ${seq},
           CASE WHEN i % 10 < 9 THEN c + (1 + i % 47) * interval '1 hour' END,
           CASE WHEN i % 10 < 9 THEN (ARRAY['DC-1', 'DC-2', 'STORE-1', 'STORE-2'])[1 + i % 4] END,
           CASE WHEN i % 10 < 9 THEN 1 + i % 4 - (i % 7 = 0)::int END,
           CASE WHEN i % 10 < 9 THEN c + (2 + i % 47) * interval '1 hour' END,
           CASE WHEN i % 10 < 9 THEN (ARRAY['DC-1', 'DC-2', 'STORE-1', 'STORE-2'])[1 + (i / 3) % 4] END,
           CASE WHEN i % 10 < 8 THEN c + (2 + i % 47) * interval '1 hour' END,
           (i % 13 = 0)::int
    FROM generate_series(0, ${ORDERS - 1}) AS i, LATERAL (SELECT to_timestamp(${START / 1000} + i * ${(DAYS * 86_400) / ORDERS}::float8) AS c) t`;
  // A count's key is its event: one event row per count.
  await sql`
    INSERT INTO events (source, event_id, type, occurred_at, data, applied_at)
    SELECT 'count-load', 'c-' || i, 'stock.counted', now(), '{}', now() FROM generate_series(1, 40000) AS i`;
  await sql`
    INSERT INTO stock_counts (event_seq, sku, location_id, counted_qty, book_qty, within_tolerance, counted_at)
    SELECT seq, 'S' || seq, (ARRAY['DC-1', 'DC-2', 'STORE-1', 'STORE-2'])[1 + seq % 4], 10, 10, seq % 9 <> 0, to_timestamp(${START / 1000} + (seq % 40000) * 60)
    FROM events WHERE source = 'count-load'`;
  await sql`
    INSERT INTO returns (return_id, order_id, location_id, received_at, lines, inspected, channel, resolved_at)
    SELECT 'R-' || i, 'O-' || (i * 10), (ARRAY['DC-1', 'STORE-1'])[1 + i % 2], to_timestamp(${START / 1000} + i * 90),
           '[{"sku":"S","qty":1}]', '{"S":1}', (ARRAY['web', 'mkt-a', 'phone'])[1 + i % 3], to_timestamp(${START / 1000} + i * 90 + 3600 * (1 + i % 30))
    FROM generate_series(1, 25000) AS i`;
  await sql`
    INSERT INTO return_dispositions (event_seq, return_id, sku, qty, disposition, unit_cost, inspected_at)
    SELECT ${seq}, return_id, 'S', 1, (ARRAY['restock', 'refurbish', 'liquidate', 'write_off'])[1 + length(return_id) % 4], 6.5, resolved_at FROM returns`;
  await sql.unsafe('VACUUM (ANALYZE) orders, stock_counts, returns, return_dispositions');
}, 300_000);

afterAll(async () => {
  await db?.drop();
});

const oneDay: KpiQuery = { from: day(20), to: day(21), now: day(30), riskHorizonMinutes: 120 };
const empty = (): MeasuredFacts => ({ total: undefined as never, byChannel: new Map(), byLocation: new Map() });

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] }
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

/** The plan of the one statement a query function sends (captured from the wire). */
async function planOf(run: (sql: postgres.Sql) => Promise<unknown>): Promise<PlanNode> {
  const seen: { text: string; params: unknown[] }[] = [];
  const spy = postgres(db.url, { max: 1, onnotice: () => {}, transform: { undefined: null }, debug: (_c, text, params) => seen.push({ text, params }) });
  try {
    await run(spy).catch(() => undefined);
  } finally {
    await spy.end();
  }
  const { text, params } = seen.at(-1)!;
  const [row] = await db.sql.unsafe(`EXPLAIN (FORMAT JSON) ${text}`, params as never[]);
  return (row!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
}

it.each([
  ['orders created', 'orders', 'orders_created_at', ordersCreated],
  ['first shipments', 'orders', 'orders_first_shipped', firstShipments],
  ['fully shipped orders', 'orders', 'orders_fully_shipped', fulfilledOrders],
  ['cycle counts', 'stock_counts', 'stock_counts_counted_at', stockCounts],
  ['resolved returns', 'returns', 'returns_resolved', resolvedReturns],
  ['dispositions', 'return_dispositions', 'return_dispositions_inspected', dispositions],
] as const)('reads the %s of one day through their time index', async (_what, table, index, query) => {
  const plan = await planOf((spy) => query(spy, oneDay, empty()));
  const scans = nodesOf(plan).filter((n) => n['Relation Name'] === table);
  expect(scans.length).toBeGreaterThan(0);
  for (const s of scans) {
    expect(s['Node Type']).not.toBe('Seq Scan');
    expect(s['Index Name']).toBe(index);
  }
});

it('answers a day in well under a second, and thirty days within seconds', async () => {
  const started = performance.now();
  const r = await readKpis(db.sql, oneDay);
  const dayMs = performance.now() - started;
  expect(r.kpis.orders).toBe(ORDERS / DAYS);
  expect(Object.keys(r.byChannel)).toHaveLength(3);
  const allStarted = performance.now();
  const all = await readKpis(db.sql, { ...oneDay, from: day(0), to: day(30) });
  const allMs = performance.now() - allStarted;
  expect(all.kpis.orders).toBe(ORDERS);
  expect(dayMs).toBeLessThan(3_000);
  expect(allMs).toBeLessThan(15_000);
});
