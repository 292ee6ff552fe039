import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exceptionSummary, queueQuery } from '../db/queries/exceptions-read';
import { parseConfig } from '../domain/config';
import { unresolvedStatuses } from '../domain/exceptions/types';
import { createLogger } from '../realtime/logger';
import { startTower, type Tower } from '../realtime/tower';
import { loadExceptions, settleExceptions } from '../tests/support/exception-load';
import type { BenchContext, Benchmark } from './support/benchmark';
import { createBenchDatabase, type BenchDatabase } from './support/database';
import { createUser, getText, signIn } from './support/http';
import { formatNumber, markdownTable } from './support/markdown';
import { dropRedisPrefix } from '../tests/support/redis';
import { measure, summarize, type LatencyStats } from './support/stats';
import { barChartSvg } from './support/svg-chart';

/**
 * The exception queue's read API over HTTP at 10,000 and at 1,000,000 exceptions (the same mix, see
 * tests/support/exception-load.ts), in one database that grows between the two rounds: the 10k round
 * is the baseline, and each query is reported as figures and as the ratio 1M / 10k.
 */

const SMALL = 10_000;
const LARGE = 1_000_000;
const LOAD_STEP = 100_000;
const WARMUP = 20;
/** Requests before the first measurement, so that the first query measured does not pay for JIT warm-up. */
const PROCESS_WARMUP = 300;
const EXPORT_RUNS = 10;
const PAGE_DEPTH = 20;
const EXPORT_PATH = '/api/v1/exceptions/export.csv?severity=critical,high';

interface Query {
  name: string;
  /** The HTTP path, or null for the direct SQL measurement. */
  path: string | null;
  note?: string;
}

interface Round {
  rows: number;
  unresolved: number;
  latency: Record<string, LatencyStats>;
  paths: Record<string, string>;
  cursorPage: number;
  export: { rows: number; p50Ms: number; rowsPerSecond: number };
}

interface Session {
  origin: string;
  cookie: string;
  email: string;
}

const queries: Query[] = [
  { name: 'first page (default queue)', path: '/api/v1/exceptions' },
  { name: `page ${PAGE_DEPTH} (cursor)`, path: '/api/v1/exceptions?cursor=' },
  { name: 'type=stockout', path: '/api/v1/exceptions?type=stockout' },
  { name: 'assignee=me', path: '/api/v1/exceptions?assignee=me' },
  { name: 'assignee=none', path: '/api/v1/exceptions?assignee=none' },
  { name: 'severity=critical', path: '/api/v1/exceptions?severity=critical' },
  { name: 'status=all', path: '/api/v1/exceptions?status=all' },
  { name: 'summary (HTTP)', path: '/api/v1/exceptions/summary', note: 'served from Redis, recomputed when older than 5 s' },
  { name: 'summary query (SQL)', path: null, note: 'exceptionSummary on the pool, uncached' },
];
const BASELINE = queries[0]!.name;

async function startBenchTower(db: BenchDatabase, ctx: BenchContext, prefix: string) {
  const admin = { email: 'bench-admin@bench.local', password: `pw-${randomBytes(12).toString('hex')}` };
  const config = parseConfig({
    DATABASE_URL: db.url,
    REDIS_URL: ctx.redisUrl,
    REDIS_PREFIX: prefix,
    ROLE: 'api',
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    LOG_LEVEL: 'silent',
  });
  const tower = await startTower(config, createLogger('silent', { pretty: false }), { print: () => {} });
  const origin = tower.url!;
  const adminCookie = await signIn(origin, admin.email, admin.password);
  const supervisor = { email: 'supervisor@bench.local', password: `pw-${randomBytes(12).toString('hex')}`, role: 'supervisor' };
  await createUser(origin, adminCookie, supervisor);
  const session: Session = { origin, email: supervisor.email, cookie: await signIn(origin, supervisor.email, supervisor.password) };
  return { tower, session, redisUrl: config.REDIS_URL ?? 'redis://127.0.0.1:6379' };
}

async function load(db: BenchDatabase, ctx: BenchContext, range: { from: number; to: number; assignees: string[] }): Promise<number> {
  const started = performance.now();
  const now = new Date();
  for (let from = range.from; from <= range.to; from += LOAD_STEP) {
    const to = Math.min(range.to, from + LOAD_STEP - 1);
    await loadExceptions(db.sql, { from, to, now, assignees: range.assignees, parallel: 2 });
    ctx.progress(`  loaded ${to.toLocaleString('en-US')} exceptions (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  await settleExceptions(db.sql);
  // The load's dirty pages are written now, not by the checkpointer in the middle of the measurements.
  await db.sql`CHECKPOINT`.catch(() => ctx.progress('  (CHECKPOINT needs a superuser or pg_checkpoint: skipped)'));
  ctx.progress(`  vacuumed, analyzed and checkpointed (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return (performance.now() - started) / 1000;
}

/** The cursor of page `depth` (or of the last page, when there are fewer), as a client pages to it. */
async function cursorPath(s: Session, depth: number): Promise<{ path: string; page: number }> {
  let cursor: string | null = null;
  let page = 1;
  while (page < depth) {
    const next: string | null = JSON.parse(await getText(s.origin, `/api/v1/exceptions${cursor ? `?cursor=${cursor}` : ''}`, s.cookie)).nextCursor;
    if (!next) break;
    cursor = next;
    page++;
  }
  return { path: cursor ? `/api/v1/exceptions?cursor=${cursor}` : '/api/v1/exceptions', page };
}

/** Every query of the suite at the database's current size; `warmup` requests over all of them first. */
async function measureRound(opts: { db: BenchDatabase; tower: Tower; session: Session; ctx: BenchContext; rows: number; warmup: number }): Promise<Round> {
  const { db, tower, session: s, ctx } = opts;
  // The summary in Redis still counts the previous round's rows.
  await tower.deps.exceptionLive.refresh();
  const [counted] = await db.sql`SELECT count(*)::int AS unresolved FROM exceptions WHERE status <> 'resolved'`;
  const unresolved = counted!.unresolved as number;
  const cursor = await cursorPath(s, PAGE_DEPTH);
  const pathOf = (q: Query) => (q.path === null ? null : q.path.endsWith('cursor=') ? cursor.path : q.path);
  const httpPaths = queries.map(pathOf).filter((p): p is string => p !== null);
  for (let i = 0; i < opts.warmup; i++) await getText(s.origin, httpPaths[i % httpPaths.length]!, s.cookie);
  const latency: Record<string, LatencyStats> = {};
  const paths: Record<string, string> = {};
  for (const q of queries) {
    const p = pathOf(q);
    const once = p === null
      ? async () => void (await exceptionSummary(db.sql, new Date()))
      : async () => void (await getText(s.origin, p, s.cookie));
    latency[q.name] = summarize(await measure({ n: ctx.samples, warmup: WARMUP, once }));
    paths[q.name] = p ?? 'SQL';
    ctx.progress(`  ${opts.rows.toLocaleString('en-US')} rows · ${q.name}: p50 ${latency[q.name]!.p50} ms, p99 ${latency[q.name]!.p99} ms`);
  }
  const exportRows = (await getText(s.origin, EXPORT_PATH, s.cookie)).split('\r\n').filter(Boolean).length - 1;
  const exp = summarize(await measure({ n: EXPORT_RUNS, warmup: 2, once: async () => void (await getText(s.origin, EXPORT_PATH, s.cookie)) }));
  const rowsPerSecond = Math.round(exportRows / (exp.p50 / 1000));
  ctx.progress(`  ${opts.rows.toLocaleString('en-US')} rows · CSV export: ${exportRows} rows, p50 ${exp.p50} ms, ${rowsPerSecond} rows/s`);
  return { rows: opts.rows, unresolved, latency, paths, cursorPage: cursor.page, export: { rows: exportRows, p50Ms: exp.p50, rowsPerSecond } };
}

async function explainDefaultPage(db: BenchDatabase): Promise<string> {
  const rows = await db.sql`EXPLAIN (ANALYZE, BUFFERS) ${queueQuery(db.sql, { statuses: unresolvedStatuses }, 51)}`;
  return rows.map((r) => r['QUERY PLAN'] as string).join('\n');
}

const ratio = (large: number, small: number) => `${(large / small).toFixed(2)}×`;

function report(small: Round, large: Round, meta: { date: string; machine: string; explain: string }): string {
  const rows = queries.map((q) => {
    const a = small.latency[q.name]!;
    const b = large.latency[q.name]!;
    return [q.name, formatNumber(a.p50), formatNumber(a.p95), formatNumber(a.p99), formatNumber(b.p50), formatNumber(b.p95), formatNumber(b.p99), ratio(b.p50, a.p50), ratio(b.p99, a.p99)];
  });
  const base = small.latency[BASELINE]!;
  const first = large.latency[BASELINE]!;
  return [
    `## exceptions-queue (${meta.date}, ${meta.machine})`,
    '',
    `Latency in ms over ${base.n} sequential requests each as a signed-in supervisor, after ${WARMUP} warm-up requests.`,
    `10k: ${small.rows.toLocaleString('en-US')} exceptions (${small.unresolved} unresolved); 1M: ${large.rows.toLocaleString('en-US')} (${large.unresolved.toLocaleString('en-US')} unresolved).`,
    `Baseline: ${BASELINE} at 10k, p50 ${formatNumber(base.p50)} ms; the same at 1M: p50 ${formatNumber(first.p50)} ms (${ratio(first.p50, base.p50)}), p99 ${ratio(first.p99, base.p99)}.`,
    `The cursor page is page ${large.cursorPage} at 1M and page ${small.cursorPage} (the last) at 10k.`,
    '',
    markdownTable(['query', '10k p50', '10k p95', '10k p99', '1M p50', '1M p95', '1M p99', 'p50 1M/10k', 'p99 1M/10k'], rows),
    '',
    markdownTable(['CSV export (severity=critical,high)', 'rows', 'p50 ms', 'rows/s'], [
      ['10k', small.export.rows, formatNumber(small.export.p50Ms), small.export.rowsPerSecond.toLocaleString('en-US')],
      ['1M', large.export.rows, formatNumber(large.export.p50Ms), large.export.rowsPerSecond.toLocaleString('en-US')],
    ]),
    '',
    'EXPLAIN (ANALYZE, BUFFERS) of the default queue page at 1M:',
    '',
    '```',
    meta.explain,
    '```',
  ].join('\n');
}

function chart(small: Round, large: Round): string {
  return barChartSvg({
    title: 'Exception queue latency at 10k and 1M exceptions',
    unit: 'ms',
    categories: queries.map((q) => q.name),
    series: [
      { name: 'p50 · 10k', color: '#93c5fd', values: queries.map((q) => small.latency[q.name]!.p50) },
      { name: 'p99 · 10k', color: '#2563eb', values: queries.map((q) => small.latency[q.name]!.p99) },
      { name: 'p50 · 1M', color: '#fdba74', values: queries.map((q) => large.latency[q.name]!.p50) },
      { name: 'p99 · 1M', color: '#ea580c', values: queries.map((q) => large.latency[q.name]!.p99) },
    ],
  });
}

async function run(ctx: BenchContext): Promise<string> {
  ctx.progress('exceptions-queue: creating the benchmark database');
  const db = await createBenchDatabase(ctx.postgresUrl);
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  let started: Awaited<ReturnType<typeof startBenchTower>> | null = null;
  try {
    ctx.progress(`  ${db.name}: migrated; starting the tower (ROLE=api)`);
    started = await startBenchTower(db, ctx, prefix);
    const { tower, session } = started;
    const assignees = [session.email, 'op1@bench.local', 'op2@bench.local', 'op3@bench.local', 'op4@bench.local'];

    ctx.progress(`loading ${SMALL.toLocaleString('en-US')} exceptions (baseline)`);
    await load(db, ctx, { from: 1, to: SMALL, assignees });
    const small = await measureRound({ db, tower, session, ctx, rows: SMALL, warmup: PROCESS_WARMUP });

    ctx.progress(`loading up to ${LARGE.toLocaleString('en-US')} exceptions`);
    const loadSeconds = await load(db, ctx, { from: SMALL + 1, to: LARGE, assignees });
    const explain = await explainDefaultPage(db);
    const large = await measureRound({ db, tower, session, ctx, rows: LARGE, warmup: 0 });

    const [pg] = await db.sql`SHOW server_version`;
    const cpus = os.cpus();
    const machine = `${cpus.length} CPU cores (${cpus[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, PostgreSQL ${pg!.server_version}`;
    const date = new Date().toISOString();
    const result = {
      benchmark: 'exceptions-queue', date, machine, samples: ctx.samples, warmup: WARMUP, baseline: BASELINE,
      // Client and tower share one Node process (and its event loop); requests are sequential.
      towerInProcess: true,
      loadSecondsTo1M: Math.round(loadSeconds * 10) / 10,
      queries: queries.map((q) => ({
        name: q.name, note: q.note ?? null, path: { small: small.paths[q.name], large: large.paths[q.name] },
        small: small.latency[q.name], large: large.latency[q.name],
        ratioP50: large.latency[q.name]!.p50 / small.latency[q.name]!.p50,
        ratioP99: large.latency[q.name]!.p99 / small.latency[q.name]!.p99,
      })),
      rounds: [small, large].map((r) => ({ rows: r.rows, unresolved: r.unresolved, cursorPage: r.cursorPage, export: r.export })),
      exportPath: EXPORT_PATH,
      explainDefaultPage1M: explain,
    };
    await writeFile(path.join(ctx.resultsDir, 'exceptions-queue.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(path.join(ctx.resultsDir, 'exceptions-queue.svg'), chart(small, large));
    return report(small, large, { date: date.slice(0, 10), machine, explain });
  } finally {
    await started?.tower.stop();
    await db.drop();
    if (started) await dropRedisPrefix(started.redisUrl, prefix);
  }
}

export const exceptionsQueue: Benchmark = {
  name: 'exceptions-queue',
  description: 'the exception queue read API over HTTP at 10k and 1M exceptions (p50/p95/p99, 1M/10k ratios, CSV export rows/s)',
  run,
};
