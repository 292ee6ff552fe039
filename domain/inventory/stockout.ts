/**
 * Time to stockout from the recent sell rate, for the inventory view. The window's demand is the
 * units of orders created in it (the KPI "units ordered"), whatever became of them since.
 *
 *   sellRate = unitsOrdered / windowHours                       (units per hour)
 *   hoursToStockout = max(0, sellable) / sellRate                (null without sales)
 *
 * `sellable` is Σ max(0, onHand − reserved) over the locations that ship to customers: the units the
 * network can still reserve, before safety stock (the shelf empties at 0, not at the safety stock).
 */
export function sellRatePerHour(input: { unitsOrdered: number; windowHours: number }): number {
  if (input.windowHours <= 0) throw new RangeError('windowHours must be greater than 0');
  return Math.max(0, input.unitsOrdered) / input.windowHours;
}

/** Hours until `sellable` runs out at the recent rate; null when nothing sold in the window. */
export function hoursToStockout(input: { sellable: number; unitsOrdered: number; windowHours: number }): number | null {
  const rate = sellRatePerHour(input);
  if (rate === 0) return null;
  return Math.max(0, input.sellable) / rate;
}

/** Σ max(0, available): one over-reserved location does not hide another's stock (as in ATS). */
export function sellableUnits(availableByLocation: readonly number[]): number {
  return availableByLocation.reduce((total, a) => total + Math.max(0, a), 0);
}
