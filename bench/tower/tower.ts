import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { LiveAggregates } from '../../jobs/live-aggregates';
import { RetailSimulator } from '../../simulator/generator';
import type { RawEvent } from '../../simulator/raw-event';
import { dropRedisPrefix } from '../../tests/support/redis';
import type { BenchContext, Benchmark } from '../support/benchmark';
import { createBenchDatabase } from '../support/database';
import { bullmqBaseline, postgresBaseline, redisBaseline, type Baselines } from './baselines';
import { MemorySampler, startFleet } from './fleet';
import { fanOut, latencyAtRate, type FanOutResult, type RateResult } from './phases';
import { blast, poster, waitIdle } from './load';
import { report, type TowerBenchResult } from './report';

/**
 * The tower against its limits, in one run on one PostgreSQL and Redis: baselines of the bare
 * machinery, sustained throughput of the whole truth model on a simulated peak-season stream, latency
 * at fixed rates (POST to applied, POST to a dashboard socket), rebuilding Redis from PostgreSQL,
 * 500 dashboards under load, and each process's peak memory. See docs/performance.md.
 */

interface Size {
  bullmqJobs: number;
  pgRows: number;
  redisOps: number;
  throughputEvents: number;
  rateSeconds: number;
  rates: number[];
  sockets: number;
  /** Processes the fan-out sockets are spread over. */
  fanOutClients: number;
  fanOutRate: number;
  fanOutSeconds: number;
  skus: number;
}

const FULL: Size = {
  bullmqJobs: 100_000, pgRows: 200_000, redisOps: 1_000_000, throughputEvents: 150_000,
  rateSeconds: 20, rates: [1000, 5000], sockets: 500, fanOutClients: 4, fanOutRate: 1000, fanOutSeconds: 20, skus: 2000,
};
/** A few seconds end to end: `npm test` runs it so that the harness cannot rot (no timing is asserted). */
const QUICK: Size = {
  bullmqJobs: 3000, pgRows: 5000, redisOps: 20_000, throughputEvents: 3000,
  rateSeconds: 2, rates: [100, 300], sockets: 20, fanOutClients: 2, fanOutRate: 100, fanOutSeconds: 2, skus: 200,
};

async function run(ctx: BenchContext): Promise<string> {
  const size = ctx.quick ? QUICK : FULL;
  const redisUrl = ctx.redisUrl ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const db = await createBenchDatabase(ctx.postgresUrl);
  let fleet: Awaited<ReturnType<typeof startFleet>> | null = null;
  const memory = new MemorySampler(() => [
    { name: 'benchmark client', pid: process.pid },
    ...(fleet?.processes.map((p) => ({ name: p.name, pid: p.process.child.pid })) ?? []),
  ]);
  try {
    ctx.progress(`tower: baselines (database ${db.name}, Redis prefix ${prefix})`);
    const baselines: Baselines = {
      bullmqJobsPerSecond: await bullmqBaseline({ redisUrl, prefix, jobs: size.bullmqJobs }),
      postgresRowsPerSecond: await postgresBaseline({ sql: db.sql, rows: size.pgRows }),
      redisOpsPerSecond: await redisBaseline({ redisUrl, prefix, ops: size.redisOps }),
    };
    ctx.progress(`tower: BullMQ ${Math.round(baselines.bullmqJobsPerSecond)} jobs/s, PostgreSQL ${Math.round(baselines.postgresRowsPerSecond)} rows/s, Redis ${Math.round(baselines.redisOpsPerSecond)} ops/s`);

    fleet = await startFleet({ databaseUrl: db.url, redisUrl, prefix, workers: ctx.workers, concurrency: ctx.concurrency });
    memory.start();
    // Simulated time starts hours back, so that even a fast stream stays in the past (the tower refuses events from the future).
    const startMs = Date.now() - 6 * 3_600_000;
    const sim = new RetailSimulator({ seed: 7, runId: `b${prefix.slice(6)}`, startMs, ordersPerMinute: 3000, skuCount: size.skus });
    const post = poster(fleet.origin, await fleet.apiKey(sim.sources));
    let buffer: RawEvent[] = [];
    let clock = startMs;
    const next = (count: number): RawEvent[] => {
      while (buffer.length < count) {
        clock += 10_000;
        buffer.push(...sim.advance(clock));
      }
      const out = buffer.slice(0, count);
      buffer = buffer.slice(count);
      return out;
    };

    const setup = sim.setup();
    ctx.progress(`tower: master data and opening stock (${setup.length} events)`);
    await blast({ post, events: setup, requestSize: 5000, inFlight: 2 });
    await waitIdle(db.sql, 300_000);

    const stream = next(size.throughputEvents);
    ctx.progress(`tower: sustained throughput, ${stream.length} simulated events (${ctx.workers} workers × ${ctx.concurrency})`);
    const started = Date.now();
    await blast({
      post, events: stream, requestSize: 5000, inFlight: 4,
      onProgress: (sent) => ctx.progress(`tower: sent ${sent}/${stream.length} (${Math.round(sent / ((Date.now() - started) / 1000))}/s)`),
    });
    const ingestDone = Date.now();
    const idleAt = await waitIdle(db.sql, 1_800_000);
    const sustained = stream.length / ((idleAt - started) / 1000);
    const ingestRate = stream.length / ((ingestDone - started) / 1000);
    ctx.progress(`tower: ${Math.round(sustained)} events/s applied and aggregated (ingest ${Math.round(ingestRate)}/s)`);

    const rates: RateResult[] = [];
    for (const rate of [...size.rates, Math.max(1, Math.round(sustained * 0.8))]) {
      ctx.progress(`tower: ${rate} events/s for ${size.rateSeconds} s`);
      rates.push(await latencyAtRate({ sql: db.sql, fleet, post, next, rate, seconds: size.rateSeconds, sustained }));
      await waitIdle(db.sql, 600_000);
    }

    ctx.progress(`tower: ${size.sockets} dashboard sockets (${size.fanOutClients} client processes) at ${size.fanOutRate} events/s`);
    const fan: FanOutResult = await fanOut({ fleet, post, next, sockets: size.sockets, clientProcesses: size.fanOutClients, rate: size.fanOutRate, seconds: size.fanOutSeconds, memory });
    await waitIdle(db.sql, 600_000);

    ctx.progress('tower: rebuilding the live aggregates from PostgreSQL');
    const [{ n: events }] = (await db.sql`SELECT count(*)::int AS n FROM events`) as unknown as [{ n: number }];
    const redis = new Redis(redisUrl);
    const rebuildPrefix = `${prefix}-rebuild`;
    const rebuildStart = performance.now();
    await new LiveAggregates(redis, db.sql, rebuildPrefix).rebuild();
    const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
    redis.disconnect();
    await dropRedisPrefix(redisUrl, rebuildPrefix);

    await memory.sample();
    memory.stop();
    const result: TowerBenchResult = {
      benchmark: 'tower', date: new Date().toISOString(), quick: ctx.quick,
      machine: `${os.cpus().length} CPU cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      topology: { workers: ctx.workers, concurrency: ctx.concurrency, skus: size.skus },
      baselines,
      throughput: { events: stream.length, eventsPerSecond: sustained, ingestPerSecond: ingestRate, seconds: (idleAt - started) / 1000 },
      rates,
      rebuild: { events, seconds: rebuildSeconds, eventsPerSecond: events / rebuildSeconds },
      fanOut: fan,
      memoryPeakMb: Object.fromEntries(memory.peakMb),
      simulator: sim.stats(),
    };
    await writeFile(path.join(ctx.resultsDir, `tower${ctx.quick ? '-quick' : ''}.json`), JSON.stringify(result, null, 2));
    return await report(result, ctx.resultsDir);
  } catch (err) {
    // What the tower said is usually the reason (a process that exited, a refused request).
    for (const p of fleet?.processes ?? []) {
      ctx.progress(`tower: ${p.name} (pid ${p.process.child.pid}, exit ${p.process.child.exitCode ?? 'running'}) said:\n${p.process.output().slice(-3000)}`);
    }
    throw err;
  } finally {
    memory.stop();
    await fleet?.stop();
    await dropRedisPrefix(redisUrl, prefix);
    await db.drop();
  }
}

export const towerBenchmark: Benchmark = {
  name: 'tower',
  description: 'the tower against its limits: baselines, sustained throughput, latency at fixed rates, rebuild, 500 sockets, memory (--quick: a few seconds)',
  run,
};
