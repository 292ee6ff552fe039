/** What every benchmark gets from bench/run.ts, and what it is. */
export interface BenchContext {
  /** A PostgreSQL URL whose server the benchmark may create (and must drop) databases on. */
  postgresUrl: string;
  /** Redis, or undefined for the tower's default (127.0.0.1:6379). */
  redisUrl: string | undefined;
  resultsDir: string;
  /** Requests per measured query (after warm-up). */
  samples: number;
  /** How long a soak runs, in minutes (`--minutes`, or `WAR_ROOM_SOAK_MINUTES`); undefined: its default. */
  minutes: number | undefined;
  /** Simulated events per second for a soak (`--rate`); undefined: its default. */
  rate: number | undefined;
  /** Shrink every size to a few seconds' run (`--quick`): the test suite's check that the harness works. */
  quick: boolean;
  /** Worker processes and the concurrency of each, for benchmarks that start a tower fleet. */
  workers: number;
  concurrency: number;
  /** One progress line on stderr (stdout carries the report). */
  progress(line: string): void;
}

export interface Benchmark {
  /** kebab-case; also the name of its files in bench/results/. */
  name: string;
  description: string;
  /** Long-running: run only when named (`npm run bench -- <name>`), never by a bare `npm run bench`. */
  onlyWhenNamed?: boolean;
  /** Returns the Markdown report for stdout; writes its own files under `ctx.resultsDir`. */
  run(ctx: BenchContext): Promise<string>;
}
