/**
 * Fixed log-scale histogram buckets shared by the live aggregates (Redis) and the exact queries:
 * bucket i holds values in (GROWTH^(i-1), GROWTH^i], so a percentile read from buckets is within
 * one bucket (at most 5 %) of the exact value. Values ≤ 1 fall in bucket 0.
 */
export const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);

export function bucketIndex(value: number): number {
  if (!(value > 1)) return 0;
  // The epsilon keeps exact powers of GROWTH in their own bucket despite floating-point error.
  return Math.max(0, Math.ceil(Math.log(value) / LOG_GROWTH - 1e-9));
}

export function bucketUpperBound(index: number): number {
  return Math.pow(GROWTH, index);
}

/** Nearest-rank percentile over bucket counts; reports the bucket's upper bound. Null when empty. */
export function percentileFromBuckets(counts: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const c of counts.values()) total += c;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const index of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(index) ?? 0;
    if (seen >= rank) return bucketUpperBound(index);
  }
  return null;
}

/** Exact nearest-rank percentile over raw values, the definition the buckets approximate. */
export function percentileExact(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] ?? null;
}
