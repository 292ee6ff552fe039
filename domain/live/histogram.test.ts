import { describe, expect, it } from 'vitest';
import { bucketIndex, bucketUpperBound, percentileExact, percentileFromBuckets } from './histogram';

describe('log histogram', () => {
  it('puts every value in a bucket whose upper bound is within 5 % above it', () => {
    for (const v of [1.5, 2, 7, 10, 99, 100, 1234, 86_400, 3_600_000]) {
      const upper = bucketUpperBound(bucketIndex(v));
      expect(upper).toBeGreaterThanOrEqual(v * (1 - 1e-9));
      expect(upper / v).toBeLessThanOrEqual(1.05 + 1e-9);
    }
  });

  it('puts zero, fractions and one in bucket 0', () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(0.4)).toBe(0);
    expect(bucketIndex(1)).toBe(0);
  });

  it('reads percentiles within one bucket of the exact value', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 3 + ((i * 7919) % 5000));
    const rebuilt = new Map<number, number>();
    for (const v of values) rebuilt.set(bucketIndex(v), (rebuilt.get(bucketIndex(v)) ?? 0) + 1);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = percentileExact(values, q)!;
      const approx = percentileFromBuckets(rebuilt, q)!;
      expect(approx).toBeGreaterThanOrEqual(exact * (1 - 1e-9));
      expect(approx / exact).toBeLessThanOrEqual(1.05 + 1e-9);
    }
  });

  it('answers null, not 0, when there is nothing to measure', () => {
    expect(percentileFromBuckets(new Map(), 0.5)).toBeNull();
    expect(percentileExact([], 0.5)).toBeNull();
  });
});
