import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exceptionsQueue } from './exceptions-queue';
import type { Benchmark } from './support/benchmark';
import { towerBenchmark } from './tower/tower';
import { warRoomSoak } from './war-room-soak';

/**
 * `npm run bench [-- <name>...] [--quick] [--workers N] [--concurrency N] [--samples N] [--minutes N] [--rate N]`: runs the named benchmarks
 * (by default all but the long ones, which run only when named) one after another. Progress goes to
 * stderr, each benchmark's Markdown report to stdout, files to bench/results/. A new benchmark is a
 * module exporting a `Benchmark`, added to this list.
 */
const benchmarks: Benchmark[] = [towerBenchmark, exceptionsQueue, warRoomSoak];

const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      samples: { type: 'string', default: '200' },
      minutes: { type: 'string' },
      rate: { type: 'string' },
      list: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '2' },
    },
  });
  if (values.list) {
    for (const b of benchmarks) console.log(`${b.name}: ${b.description}${b.onlyWhenNamed ? ' (runs only when named)' : ''}`);
    return 0;
  }
  const unknown = positionals.filter((n) => !benchmarks.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${benchmarks.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const samples = Number(values.samples);
  if (!Number.isInteger(samples) || samples < 10) {
    console.error('--samples must be an integer of at least 10');
    return 2;
  }
  const minutesText = values.minutes ?? (process.env.WAR_ROOM_SOAK_MINUTES || undefined);
  const minutes = minutesText === undefined ? undefined : Number(minutesText);
  if (minutes !== undefined && !(Number.isFinite(minutes) && minutes > 0)) {
    console.error('--minutes (or WAR_ROOM_SOAK_MINUTES) must be a positive number');
    return 2;
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0 && rate <= 5000)) {
    console.error('--rate must be a number of events per second from 1 to 5000');
    return 2;
  }
  const workers = Number(values.workers);
  const concurrency = Number(values.concurrency);
  if (![workers, concurrency].every((n) => Number.isInteger(n) && n >= 1 && n <= 32)) {
    console.error('--workers and --concurrency must be integers from 1 to 32');
    return 2;
  }
  const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  await mkdir(resultsDir, { recursive: true });
  // From the environment: where PostgreSQL and Redis are (and the soak's length, above).
  const ctx = {
    postgresUrl: process.env.DATABASE_URL || DEFAULT_POSTGRES,
    redisUrl: process.env.REDIS_URL || undefined,
    resultsDir,
    samples,
    minutes,
    rate,
    quick: values.quick,
    workers,
    concurrency,
    progress: (line: string) => console.error(`[bench] ${line}`),
  };
  const selected = positionals.length > 0 ? benchmarks.filter((b) => positionals.includes(b.name)) : benchmarks.filter((b) => !b.onlyWhenNamed);
  for (const b of selected) {
    const started = performance.now();
    ctx.progress(`${b.name}: ${b.description}`);
    console.log(await b.run(ctx));
    console.log('');
    ctx.progress(`${b.name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), resultsDir)}/${b.name}.*`);
  }
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
