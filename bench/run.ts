import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exceptionsQueue } from './exceptions-queue';
import type { Benchmark } from './support/benchmark';

/**
 * `npm run bench [-- <name>...] [--samples N]`: runs the named benchmarks (all by default) one after
 * another. Progress goes to stderr, each benchmark's Markdown report to stdout, files to bench/results/.
 * A new benchmark is a module exporting a `Benchmark`, added to this list.
 */
const benchmarks: Benchmark[] = [exceptionsQueue];

const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { samples: { type: 'string', default: '200' }, list: { type: 'boolean', default: false } },
  });
  if (values.list) {
    for (const b of benchmarks) console.log(`${b.name}: ${b.description}`);
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
  const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  await mkdir(resultsDir, { recursive: true });
  // The benchmark's only configuration from the environment: where PostgreSQL and Redis are.
  const ctx = {
    postgresUrl: process.env.DATABASE_URL || DEFAULT_POSTGRES,
    redisUrl: process.env.REDIS_URL || undefined,
    resultsDir,
    samples,
    progress: (line: string) => console.error(`[bench] ${line}`),
  };
  const selected = positionals.length > 0 ? benchmarks.filter((b) => positionals.includes(b.name)) : benchmarks;
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
