import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../tests/support/browser';
import { freePort, spawnTower, stopTowers, type TowerProcess } from '../tests/support/processes';
import { dropRedisPrefix } from '../tests/support/redis';
import { EventSimulator } from '../tests/support/simulated-events';
import type { BenchContext, Benchmark } from './support/benchmark';
import { createBenchDatabase } from './support/database';
import { signIn } from './support/http';
import { markdownTable } from './support/markdown';
import { lineChartSvg } from './support/svg-chart';

/**
 * The war room left running like a wall screen: a tower of its own (own database, own Redis prefix),
 * a display link opened in headless Chromium at 1920×1080 with the boards rotating, and simulated
 * events streaming in at a steady rate. Every 30 s it samples the page's JS heap (raw, and after a
 * forced GC: what is really retained), its DOM size and the tower's RSS. A leak shows as a slope.
 */

const DEFAULT_MINUTES = 60;
const DEFAULT_RATE = 50;
const SAMPLE_EVERY_MS = 30_000;
/** Rotation in the soak: every board mounts and unmounts its charts many times an hour. */
const DWELL_SECONDS = 20;
const SEND_EVERY_MS = 100;
const SOURCE = 'soak';
const MB = 1024 * 1024;
/** Start-up (first load, first data, JIT) is not a leak: slopes leave out the first minute. */
const WARM_UP_SECONDS = 60;

interface Sample {
  /** Seconds since the stream started. */
  t: number;
  heapUsedMb: number;
  heapAfterGcMb: number;
  domNodes: number;
  towerRssMb: number | null;
  eventsSent: number;
  board: string | null;
  connection: string | null;
  staleTiles: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The tower process' resident set size from /proc (Linux), or `ps` elsewhere. */
async function rssMb(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? round1(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** Least-squares slope of y over x (per unit of x). */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

async function sample(page: Page, cdp: CDPSession, tower: TowerProcess, t: number, eventsSent: number): Promise<Sample> {
  const metric = async (name: string) => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    return metrics.find((m) => m.name === name)?.value ?? NaN;
  };
  const heapUsed = await metric('JSHeapUsedSize');
  await cdp.send('HeapProfiler.collectGarbage');
  const heapAfterGc = await metric('JSHeapUsedSize');
  const state = await page.evaluate(() => {
    const d = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): { getAttribute(a: string): string | null; textContent: string | null } | null } }).document;
    return {
      domNodes: d.querySelectorAll('*').length,
      board: d.querySelector('[data-testid="war-room"]')?.getAttribute('data-board') ?? null,
      connection: d.querySelector('[data-testid="connection-status"]')?.textContent?.trim() ?? null,
      staleTiles: d.querySelectorAll('[data-stale="true"]').length,
    };
  });
  return {
    t: Math.round(t),
    heapUsedMb: round1(heapUsed / MB),
    heapAfterGcMb: round1(heapAfterGc / MB),
    towerRssMb: await rssMb(tower.child.pid),
    eventsSent,
    ...state,
  };
}

async function soak(ctx: BenchContext): Promise<string> {
  const minutes = ctx.minutes ?? DEFAULT_MINUTES;
  const rate = ctx.rate ?? DEFAULT_RATE;
  const redisUrl = ctx.redisUrl ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const admin = { email: 'soak@bench.local', password: randomBytes(12).toString('hex') };
  const db = await createBenchDatabase(ctx.postgresUrl);
  let tower: TowerProcess | null = null;
  let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
  try {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    tower = spawnTower({
      PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, REDIS_URL: redisUrl, REDIS_PREFIX: prefix,
      ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password,
    });
    const started = Date.now();
    while (!tower.output().includes('control tower listening')) {
      if (tower.child.exitCode !== null || Date.now() - started > 120_000) throw new Error(`the tower did not start:\n${tower.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    ctx.progress(`war-room-soak: tower pid ${tower.child.pid} on ${origin}, database ${db.name}, Redis prefix ${prefix}`);

    const cookie = await signIn(origin, admin.email, admin.password);
    const adminPost = async (route: string, body: unknown) => {
      const res = await fetch(`${origin}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin }, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`POST ${route}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, string>>;
    };
    const key = (await adminPost('/api/v1/api-keys', { name: 'soak simulator', sources: [SOURCE] })).key!;
    const link = await adminPost('/api/v1/display-links', { name: 'Soak wall' });

    let postErrors = 0;
    const send = async (events: unknown[]) => {
      const res = await fetch(`${origin}/api/v1/events`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(events),
      }).catch(() => null);
      if (res?.status !== 202) postErrors++;
      await res?.arrayBuffer();
    };
    const sim = new EventSimulator({ source: SOURCE, runId: prefix });
    await send(sim.masterData(new Date(Date.now() - 3_600_000)));

    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => {
      if (consoleLines.length < 200) consoleLines.push(`${m.type()}: ${m.text()}`);
    });
    await page.goto(`${link.url}`);
    await page.waitForURL(/\/war-room/);
    // The link landed; now the soak's own rotation settings (the display cookie is set).
    await page.goto(`${origin}/war-room?dwell=${DWELL_SECONDS}`);
    await page.getByTestId('war-room').waitFor();
    await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');

    // Steady rate without drift: each tick sends what the clock says is due.
    const streamStart = Date.now();
    let sent = 0;
    let sending: Promise<void> = Promise.resolve();
    const stream = setInterval(() => {
      const due = Math.floor(((Date.now() - streamStart) / 1000) * rate) - sent;
      if (due <= 0) return;
      sent += due;
      sending = sending.then(() => send(sim.next(due, new Date())));
    }, SEND_EVERY_MS);

    const samples: Sample[] = [];
    const end = streamStart + minutes * 60_000;
    try {
      for (let next = streamStart; ; next += SAMPLE_EVERY_MS) {
        const wait = Math.min(next, end) - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const s = await sample(page, cdp, tower, (Date.now() - streamStart) / 1000, sent);
        samples.push(s);
        ctx.progress(
          `war-room-soak ${(s.t / 60).toFixed(1)}/${minutes} min: heap ${s.heapUsedMb} MB (after GC ${s.heapAfterGcMb} MB), ` +
            `DOM ${s.domNodes} nodes, tower RSS ${s.towerRssMb ?? '?'} MB, ${s.eventsSent.toLocaleString('en-US')} events sent ` +
            `(${(s.eventsSent / Math.max(1, s.t)).toFixed(1)}/s, ${postErrors} failed posts), board ${s.board}, ${s.connection}, ${s.staleTiles} stale`,
        );
        if (Date.now() >= end) break;
      }
    } finally {
      clearInterval(stream);
      await sending;
    }

    const hours = (x: Sample) => x.t / 3600;
    const settled = samples.filter((x) => x.t >= WARM_UP_SECONDS);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const max = (f: (x: Sample) => number) => Math.max(...samples.map(f));
    const summary = {
      samples: samples.length,
      eventsSent: sent,
      eventsPerSecond: round1(sent / Math.max(1, last.t)),
      postErrors,
      heapAfterGcMb: { first: first.heapAfterGcMb, last: last.heapAfterGcMb, max: max((x) => x.heapAfterGcMb), slopeMbPerHour: round1(slope(settled.map((x) => [hours(x), x.heapAfterGcMb]))) },
      heapUsedMb: { first: first.heapUsedMb, last: last.heapUsedMb, max: max((x) => x.heapUsedMb) },
      domNodes: { first: first.domNodes, last: last.domNodes, max: max((x) => x.domNodes) },
      towerRssMb: { first: first.towerRssMb, last: last.towerRssMb, max: max((x) => x.towerRssMb ?? NaN), slopeMbPerHour: round1(slope(settled.filter((x) => x.towerRssMb !== null).map((x) => [hours(x), x.towerRssMb!]))) },
      staleSamples: samples.filter((x) => x.staleTiles > 0).length,
      disconnectedSamples: samples.filter((x) => x.connection !== 'Connected').length,
    };
    const cpus = os.cpus();
    const machine = `${cpus.length} CPU cores (${cpus[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, Chromium ${browser.version()}`;
    const date = new Date().toISOString();
    await writeFile(
      path.join(ctx.resultsDir, 'war-room-soak.json'),
      `${JSON.stringify({ benchmark: 'war-room-soak', date, machine, minutes, rate, dwellSeconds: DWELL_SECONDS, sampleEverySeconds: SAMPLE_EVERY_MS / 1000, summary, samples, console: consoleLines }, null, 2)}\n`,
    );
    await writeFile(
      path.join(ctx.resultsDir, 'war-room-soak.svg'),
      lineChartSvg({
        title: `War room soak: page JS heap over ${minutes} min at ${rate} events/s`,
        unit: 'MB',
        xLabel: 'minutes',
        series: [
          { name: 'JS heap used', color: '#0072B2', points: samples.map((x) => [x.t / 60, x.heapUsedMb]) },
          { name: 'JS heap after GC', color: '#D55E00', dashed: true, points: samples.map((x) => [x.t / 60, x.heapAfterGcMb]) },
        ],
      }),
    );
    return [
      `## war-room-soak (${date.slice(0, 10)}, ${machine})`,
      '',
      `${minutes} min, ${sent.toLocaleString('en-US')} events at ${summary.eventsPerSecond}/s (${postErrors} failed posts), boards rotating every ${DWELL_SECONDS} s, ${samples.length} samples.`,
      '',
      markdownTable(
        ['measure', 'first', 'last', 'max', `slope / h (after ${WARM_UP_SECONDS} s)`],
        [
          ['page JS heap after GC (MB)', first.heapAfterGcMb, last.heapAfterGcMb, summary.heapAfterGcMb.max, summary.heapAfterGcMb.slopeMbPerHour],
          ['page JS heap used (MB)', first.heapUsedMb, last.heapUsedMb, summary.heapUsedMb.max, '–'],
          ['DOM nodes', first.domNodes, last.domNodes, summary.domNodes.max, '–'],
          ['tower RSS (MB)', first.towerRssMb ?? '–', last.towerRssMb ?? '–', summary.towerRssMb.max, summary.towerRssMb.slopeMbPerHour],
        ],
      ),
      '',
      `Samples with a stale tile: ${summary.staleSamples}; not connected: ${summary.disconnectedSamples}.`,
    ].join('\n');
  } finally {
    await browser?.close().catch(() => {});
    if (tower) await stopTowers([tower]);
    await dropRedisPrefix(redisUrl, prefix).catch(() => {});
    await db.drop().catch((err) => ctx.progress(`war-room-soak: could not drop ${db.name}: ${String(err)}`));
  }
}

export const warRoomSoak: Benchmark = {
  name: 'war-room-soak',
  description: 'the war room on a wall screen for an hour (--minutes N) under a steady event stream (--rate N, default 50/s): page heap, DOM size, tower RSS',
  onlyWhenNamed: true,
  run: soak,
};
