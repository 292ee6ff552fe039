/** What every benchmark gets from bench/run.ts, and what it is. */
export interface BenchContext {
  /** A PostgreSQL URL whose server the benchmark may create (and must drop) databases on. */
  postgresUrl: string;
  /** Redis, or undefined for the tower's default (127.0.0.1:6379). */
  redisUrl: string | undefined;
  resultsDir: string;
  /** Requests per measured query (after warm-up). */
  samples: number;
  /** One progress line on stderr (stdout carries the report). */
  progress(line: string): void;
}

export interface Benchmark {
  /** kebab-case; also the name of its files in bench/results/. */
  name: string;
  description: string;
  /** Returns the Markdown report for stdout; writes its own files under `ctx.resultsDir`. */
  run(ctx: BenchContext): Promise<string>;
}
