export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Milliseconds in, the summary out (rounded to the microsecond). */
export function summarize(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(sum / sorted.length),
    min: round(sorted[0] ?? NaN),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** Runs `once` `warmup` times unmeasured, then `n` times one after another; the wall time of each in ms. */
export async function measure(opts: { n: number; warmup: number; once: () => Promise<void> }): Promise<number[]> {
  for (let i = 0; i < opts.warmup; i++) await opts.once();
  const samples: number[] = [];
  for (let i = 0; i < opts.n; i++) {
    const start = performance.now();
    await opts.once();
    samples.push(performance.now() - start);
  }
  return samples;
}
