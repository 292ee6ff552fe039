import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { towerBenchmark } from '../../bench/tower/tower';
import type { TowerBenchResult } from '../../bench/tower/report';
import { PG_ADMIN_URL, TEST_REDIS_URL } from '../support/env';

/**
 * `npm run bench -- tower --quick` end to end, so the harness cannot rot: a fleet of tower processes,
 * the simulator's stream through the ingest API, every phase measured and reported. No timing is
 * asserted (that is the benchmark's job), only that each phase measured what it says.
 */
const resultsDir = await mkdtemp(path.join(os.tmpdir(), 'tower-bench-'));
const progress: string[] = [];

afterAll(async () => {
  await rm(resultsDir, { recursive: true, force: true });
});

it('runs every phase of the tower benchmark and reports it', async () => {
  const markdown = await towerBenchmark.run({
    postgresUrl: PG_ADMIN_URL, redisUrl: TEST_REDIS_URL, resultsDir, samples: 10, minutes: undefined, rate: undefined,
    quick: true, workers: 1, concurrency: 2, progress: (line) => progress.push(line),
  });
  const result = JSON.parse(await readFile(path.join(resultsDir, 'tower-quick.json'), 'utf8')) as TowerBenchResult;
  for (const v of Object.values(result.baselines)) expect(v).toBeGreaterThan(0);
  expect(result.throughput.events).toBe(3000);
  expect(result.throughput.eventsPerSecond).toBeGreaterThan(0);
  // Three fixed rates, each with a latency per event sent, to PostgreSQL and to a dashboard socket.
  expect(result.rates).toHaveLength(3);
  for (const r of result.rates) {
    expect(r.postToApplied.n).toBe(r.events);
    expect(r.postToSocket.n).toBe(r.events);
    expect(r.postToSocket.p50).toBeGreaterThanOrEqual(0);
  }
  expect(result.rebuild.events).toBeGreaterThan(3000);
  // Every socket, in both client processes, received pushes.
  expect(result.fanOut.messages).toBeGreaterThanOrEqual(result.fanOut.sockets);
  expect(result.fanOut.clientLoopDelay.p99).toBeGreaterThan(0);
  expect(result.fanOut.clientProcesses).toBe(2);
  expect(Object.keys(result.memoryPeakMb)).toEqual(expect.arrayContaining(['api', 'worker 1', 'benchmark client']));
  expect(markdown).toContain('tower: events applied');
  expect(markdown).toMatch(/sustained ≥ 25,000 events\/s \| [\d,]+ \| (met|not met)/);
  expect(progress.some((l) => l.startsWith('tower: sent'))).toBe(true);
}, 240_000);
