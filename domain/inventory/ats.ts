// Shares such as 0.29 × 100 come out as 28.999…: the epsilon keeps floor() from losing a whole unit.
const EPSILON = 1e-9;

/**
 * ats(sku, channel) = floor(max(0, Σ available over ship-to-customer locations − safetyStock) × allocationShare).
 * Available per location is onHand − reserved, never counted below 0: one location's over-reservation
 * must not hide another location's stock.
 */
export function availableToSell(input: {
  availableByLocation: readonly number[];
  safetyStock: number;
  allocationShare: number;
}): number {
  const available = input.availableByLocation.reduce((total, a) => total + Math.max(0, a), 0);
  const share = Math.min(1, Math.max(0, input.allocationShare));
  return Math.floor(Math.max(0, available - input.safetyStock) * share + EPSILON);
}

/** Units a channel lists beyond what it may sell: max(0, listed − ats). */
export function oversellExposure(listedQty: number, ats: number): number {
  return Math.max(0, listedQty - ats);
}
