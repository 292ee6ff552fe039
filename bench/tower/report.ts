import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatNumber, markdownTable } from '../support/markdown';
import { barChartSvg } from '../support/svg-chart';
import type { Baselines } from './baselines';
import type { FanOutResult, RateResult } from './phases';

export interface TowerBenchResult {
  benchmark: 'tower';
  date: string;
  quick: boolean;
  machine: string;
  topology: { workers: number; concurrency: number; skus: number };
  baselines: Baselines;
  throughput: { events: number; eventsPerSecond: number; ingestPerSecond: number; seconds: number };
  rates: RateResult[];
  rebuild: { events: number; seconds: number; eventsPerSecond: number };
  fanOut: FanOutResult;
  memoryPeakMb: Record<string, number>;
  simulator: Record<string, number>;
}

/** What the team works toward (issue 6): reported as met or not, never failing the run. */
export const TARGETS = { sustainedEventsPerSecond: 25_000, overBullmq: 1.4, socketP99AtRateMs: { rate: 5000, ms: 250 }, rebuildEventsPerSecond: 100_000 };

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const met = (ok: boolean) => (ok ? 'met' : 'not met');

export async function report(r: TowerBenchResult, resultsDir: string): Promise<string> {
  const b = r.baselines;
  const t = r.throughput;
  const at5000 = r.rates.find((x) => x.rate === TARGETS.socketP99AtRateMs.rate);
  const lines: string[] = [
    `## tower (${r.date.slice(0, 10)}, ${r.machine}${r.quick ? ', --quick: sizes too small for the figures to mean much' : ''})`,
    '',
    `${r.topology.workers} worker processes × concurrency ${r.topology.concurrency}, one API process; simulated retailer with ${r.topology.skus} SKUs, 8 locations, 5 channels.`,
    '',
    markdownTable(['measure', 'per second', 'tower applied ÷ this'], [
      ['baseline: BullMQ, one no-op job per event (addBulk 1,000, concurrency 50)', formatNumber(b.bullmqJobsPerSecond), ratio(t.eventsPerSecond, b.bullmqJobsPerSecond)],
      ['baseline: PostgreSQL multi-row insert of event-sized rows (the inbox\'s indexes)', formatNumber(b.postgresRowsPerSecond), ratio(t.eventsPerSecond, b.postgresRowsPerSecond)],
      ['baseline: Redis pipelined HINCRBY', formatNumber(b.redisOpsPerSecond), ratio(t.eventsPerSecond, b.redisOpsPerSecond)],
      [`**tower: events applied** (${formatNumber(t.events)} mixed events, durable in PostgreSQL and aggregated in Redis)`, `**${formatNumber(t.eventsPerSecond)}**`, '1.00×'],
      ['tower: events accepted by the ingest API meanwhile', formatNumber(t.ingestPerSecond), ratio(t.eventsPerSecond, t.ingestPerSecond)],
      ['rebuild of the Redis aggregates from PostgreSQL (events)', formatNumber(r.rebuild.eventsPerSecond), ratio(t.eventsPerSecond, r.rebuild.eventsPerSecond)],
    ]),
    '',
    markdownTable(['rate (events/s)', 'events', 'POST→applied p50', 'p99', 'POST→socket p50', 'p99'], r.rates.map((x) => [
      `${formatNumber(x.rate)}${x.aboveSustained ? ' (above sustained)' : ''}`, formatNumber(x.events),
      ms(x.postToApplied.p50), ms(x.postToApplied.p99), ms(x.postToSocket.p50), ms(x.postToSocket.p99),
    ])),
    '',
    `Fan-out: ${r.fanOut.sockets} dashboard sockets in ${r.fanOut.clientProcesses} client processes at ${formatNumber(r.fanOut.rate)} events/s for ${r.fanOut.seconds} s: ${formatNumber(r.fanOut.messages)} pushes, push latency p50 ${ms(r.fanOut.pushLatency.p50)} ms, p99 ${ms(r.fanOut.pushLatency.p99)} ms; API RSS ${r.fanOut.apiRssMb === null ? '–' : r.fanOut.apiRssMb.toFixed(0)} MB; the clients' own event-loop delay (worst process) p99 ${ms(r.fanOut.clientLoopDelay.p99)} ms, max ${ms(r.fanOut.clientLoopDelay.max)} ms.`,
    '',
    markdownTable(['process', 'peak RSS (MB)'], Object.entries(r.memoryPeakMb).map(([name, mb]) => [name, mb.toFixed(0)])),
    '',
    markdownTable(['target', 'measured', ''], [
      [`sustained ≥ ${formatNumber(TARGETS.sustainedEventsPerSecond)} events/s`, formatNumber(t.eventsPerSecond), met(t.eventsPerSecond >= TARGETS.sustainedEventsPerSecond)],
      [`≥ ${TARGETS.overBullmq}× the BullMQ baseline`, ratio(t.eventsPerSecond, b.bullmqJobsPerSecond), met(t.eventsPerSecond >= TARGETS.overBullmq * b.bullmqJobsPerSecond)],
      [`p99 POST→socket ≤ ${TARGETS.socketP99AtRateMs.ms} ms at ${formatNumber(TARGETS.socketP99AtRateMs.rate)} events/s`, at5000 ? `${ms(at5000.postToSocket.p99)} ms` : 'not run', met(!!at5000 && at5000.postToSocket.p99 <= TARGETS.socketP99AtRateMs.ms)],
      [`rebuild ≥ ${formatNumber(TARGETS.rebuildEventsPerSecond)} events/s`, formatNumber(r.rebuild.eventsPerSecond), met(r.rebuild.eventsPerSecond >= TARGETS.rebuildEventsPerSecond)],
    ]),
  ];
  const name = `tower${r.quick ? '-quick' : ''}`;
  await writeFile(path.join(resultsDir, `${name}.svg`), barChartSvg({
    title: 'Events (or jobs, rows, ops) per second, this run',
    unit: 'per s',
    categories: ['BullMQ no-op jobs', 'PostgreSQL rows', 'tower applied', 'tower ingest', 'rebuild'],
    series: [{ name: 'per second', color: '#0072B2', values: [b.bullmqJobsPerSecond, b.postgresRowsPerSecond, t.eventsPerSecond, t.ingestPerSecond, r.rebuild.eventsPerSecond] }],
  }));
  return lines.join('\n');
}
