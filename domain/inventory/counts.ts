export interface CountTolerance {
  units: number;
  percent: number;
}

export const defaultCountTolerance: CountTolerance = { units: 2, percent: 0.02 };

// 2 % of 100 in floating point can land a hair under 2: compare with a little slack.
const EPSILON = 1e-9;

/**
 * A cycle count is within tolerance when |counted − onHand| ≤ units AND ≤ percent × onHand; then on
 * hand is set to the count, otherwise a supervisor decides. Equal is always within.
 */
export function countWithinTolerance(input: { onHand: number; counted: number; tolerance: CountTolerance }): boolean {
  const diff = Math.abs(input.counted - input.onHand);
  if (diff === 0) return true;
  // On an empty (or negative) book any difference is beyond: found stock where the book says there is
  // none is exactly what a supervisor must see, not something to absorb silently.
  if (input.onHand <= 0) return false;
  return diff <= input.tolerance.units + EPSILON && diff <= input.tolerance.percent * input.onHand + EPSILON;
}
