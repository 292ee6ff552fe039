import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCursor, exceptionSummary, idsMatching, listExceptions, queueQuery, type ExceptionFilter, type QueueCursor,
} from '../../db/queries/exceptions-read';
import { exceptionStatuses, unresolvedStatuses } from '../../domain/exceptions/types';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { loadExceptions, settleExceptions } from '../support/exception-load';

/**
 * The queries the exception API runs, planned over a million exceptions (2 % unresolved): each queue
 * page must walk an index in queue order and stop after the page, never scan or sort the table.
 * Plans, not timings: timings belong to the benchmark (npm run bench).
 */

const ROWS = 1_000_000;
const PAGE = 51; // listExceptions asks for limit + 1 rows
const ME = 'sup@scale.test';
const NOW = new Date();

let db: TestDatabase;
let unresolvedCount = 0;
let tablePages = 0;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];
const onExceptions = (n: PlanNode) => n['Relation Name'] === 'exceptions';
const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/** Rows the scans of `exceptions` looked at: returned plus thrown away by a filter, over all loops. */
const rowsRead = (plan: PlanNode) =>
  nodesOf(plan).filter((n) => onExceptions(n) && SCANS.has(n['Node Type']))
    .reduce((sum, n) => sum + (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * n['Actual Loops'], 0);
const buffers = (plan: PlanNode) => plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
const describePlan = (plan: PlanNode, depth = 0): string =>
  [`${'  '.repeat(depth)}${plan['Node Type']}${plan['Index Name'] ? ` using ${plan['Index Name']}` : ''}${plan['Relation Name'] ? ` on ${plan['Relation Name']}` : ''} (rows=${plan['Actual Rows']} loops=${plan['Actual Loops']} removed=${plan['Rows Removed by Filter'] ?? 0} buffers=${buffers(plan)})`,
    ...(plan.Plans ?? []).map((p) => describePlan(p, depth + 1))].join('\n');

async function explain<T extends readonly postgres.MaybeRow[]>(query: postgres.PendingQuery<T>): Promise<PlanNode> {
  const [row] = await db.sql`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query}`;
  return (row!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
}

/** The SQL a query function sends (captured from the wire, so the test plans the real statement). */
async function capture(run: (sql: postgres.Sql) => Promise<unknown>): Promise<{ text: string; params: unknown[] }> {
  const seen: { text: string; params: unknown[] }[] = [];
  const spy = postgres(db.url, { max: 1, onnotice: () => {}, transform: { undefined: null }, debug: (_c, text, params) => seen.push({ text, params }) });
  try {
    await run(spy);
  } finally {
    await spy.end();
  }
  return seen.at(-1)!;
}

const unresolved: ExceptionFilter = { statuses: unresolvedStatuses };

/** The cursor that opens page `page` of a filter, found by paging like a client does. */
async function cursorOfPage(f: ExceptionFilter, page: number): Promise<QueueCursor> {
  let cursor: QueueCursor | null = null;
  for (let p = 1; p < page; p++) {
    const next: string | null = (await listExceptions(db.sql, f, PAGE - 1, cursor)).nextCursor;
    if (!next) throw new Error(`the queue has fewer than ${page} pages`);
    cursor = decodeCursor(next);
  }
  return cursor!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const assignees = [ME, 'op1@scale.test', 'op2@scale.test', 'op3@scale.test', 'op4@scale.test'];
  await loadExceptions(db.sql, { from: 1, to: ROWS, now: NOW, assignees, parallel: 2 });
  await settleExceptions(db.sql);
  const [counts] = await db.sql`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE status <> 'resolved')::int AS unresolved,
           (SELECT relpages FROM pg_class WHERE relname = 'exceptions')::int AS pages
    FROM exceptions`;
  expect(counts!.total).toBe(ROWS);
  unresolvedCount = counts!.unresolved;
  tablePages = counts!.pages;
}, 180_000);

afterAll(async () => {
  await db?.drop();
});

describe('the generated data', () => {
  it('is a realistic mix: ~2 % unresolved over every type, severity and status', async () => {
    expect(unresolvedCount).toBeGreaterThan(ROWS * 0.018);
    expect(unresolvedCount).toBeLessThan(ROWS * 0.022);
    const mix = await db.sql`
      SELECT count(DISTINCT type)::int AS types, count(DISTINCT severity)::int AS severities, count(DISTINCT status)::int AS statuses,
             count(DISTINCT assignee)::int AS assignees, count(*) FILTER (WHERE assignee = ${ME})::int AS mine,
             extract(epoch FROM max(due_at) - min(due_at)) / 86400 AS due_days
      FROM exceptions WHERE status <> 'resolved'`;
    expect(mix[0]).toMatchObject({ types: 12, severities: 4, statuses: 3, assignees: 5 });
    expect(mix[0]!.mine).toBeGreaterThan(1000);
    expect(Number(mix[0]!.due_days)).toBeGreaterThan(29);
  });
});

describe('queue pages at 1M exceptions', () => {
  const cases: [string, () => Promise<{ f: ExceptionFilter; cursor?: QueueCursor }>][] = [
    ['the default unresolved queue, first page', async () => ({ f: unresolved })],
    ['the default queue, page 20 by cursor', async () => ({ f: unresolved, cursor: await cursorOfPage(unresolved, 20) })],
    ['one type', async () => ({ f: { ...unresolved, types: ['stockout'] } })],
    ['one type, page 20 by cursor', async () => {
      const f = { ...unresolved, types: ['short_pick' as const] };
      return { f, cursor: await cursorOfPage(f, 20) };
    }],
    ['two types', async () => ({ f: { ...unresolved, types: ['stockout', 'fraud_review'] } })],
    ['one assignee (assignee=me)', async () => ({ f: { ...unresolved, assignee: ME } })],
    ['unassigned (assignee=none)', async () => ({ f: { ...unresolved, assignee: null } })],
    ['severity=critical', async () => ({ f: { ...unresolved, severities: ['critical'] } })],
    ['status=open', async () => ({ f: { statuses: ['open'] } })],
    ['status=resolved', async () => ({ f: { statuses: ['resolved'] } })],
    ['status=resolved, page 20 by cursor', async () => {
      const f: ExceptionFilter = { statuses: ['resolved'] };
      return { f, cursor: await cursorOfPage(f, 20) };
    }],
    ['status=all', async () => ({ f: { statuses: exceptionStatuses } })],
    ['status=all, one type', async () => ({ f: { statuses: exceptionStatuses, types: ['stockout'] } })],
    ['status=all, page 20 by cursor', async () => {
      const f: ExceptionFilter = { statuses: exceptionStatuses };
      return { f, cursor: await cursorOfPage(f, 20) };
    }],
  ];

  it.each(cases)('%s: an index walk in queue order that stops after the page', async (_name, build) => {
    const { f, cursor } = await build();
    const plan = await explain(queueQuery(db.sql, f, PAGE, cursor));
    const nodes = nodesOf(plan);
    const shown = describePlan(plan);
    expect(nodes.filter((n) => onExceptions(n) && n['Node Type'] === 'Seq Scan'), shown).toEqual([]);
    expect(nodes.some((n) => onExceptions(n) && (n['Node Type'] === 'Index Scan' || n['Node Type'] === 'Index Only Scan')), shown).toBe(true);
    // The index gives the order: no Sort node at all, so nothing is sorted, let alone the table.
    expect(nodes.filter((n) => n['Node Type'].includes('Sort')), shown).toEqual([]);
    expect(plan['Node Type'], shown).toBe('Limit');
    expect(plan['Actual Rows'], shown).toBe(PAGE);
    // A page reads a page's worth of rows (a few hundred with a filter the index cannot apply).
    expect(rowsRead(plan), shown).toBeLessThan(2_000);
    expect(buffers(plan), shown).toBeLessThan(1_000);
  });
});

describe('the other reads at 1M exceptions', () => {
  it('the summary reads only the unresolved rows, from an index', async () => {
    const { text, params } = await capture((spy) => exceptionSummary(spy, NOW));
    expect(text).toMatch(/FROM exceptions WHERE status <> 'resolved'/);
    const [row] = await db.sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, params as never[]);
    const plan = (row!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
    const shown = describePlan(plan);
    const nodes = nodesOf(plan);
    expect(nodes.filter((n) => onExceptions(n) && n['Node Type'] === 'Seq Scan'), shown).toEqual([]);
    expect(nodes.some((n) => onExceptions(n) && n['Index Name']), shown).toBe(true);
    expect(rowsRead(plan), shown).toBeLessThanOrEqual(unresolvedCount);
    // Covered by an index: not one heap page per unresolved row.
    expect(buffers(plan), shown).toBeLessThan(Math.min(2_000, tablePages / 20));
  });

  it('the bulk id lookup of a filter (idsMatching) plans like a queue page', async () => {
    const { text, params } = await capture((spy) => idsMatching(spy, { ...unresolved, types: ['stockout'], severities: ['critical'] }, 5001));
    const [row] = await db.sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, params as never[]);
    const plan = (row!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
    const shown = describePlan(plan);
    expect(nodesOf(plan).filter((n) => onExceptions(n) && n['Node Type'] === 'Seq Scan'), shown).toEqual([]);
    expect(rowsRead(plan), shown).toBeLessThanOrEqual(unresolvedCount);
  });
});
