import { describe, expect, it } from 'vitest';
import { hoursToStockout, sellableUnits, sellRatePerHour } from './stockout';

describe('sell rate and time to stockout', () => {
  it('divides what is sellable by the units ordered per hour of the window', () => {
    // 48 units ordered over 24 h is 2 per hour; 30 sellable last 15 h.
    expect(sellRatePerHour({ unitsOrdered: 48, windowHours: 24 })).toBe(2);
    expect(hoursToStockout({ sellable: 30, unitsOrdered: 48, windowHours: 24 })).toBe(15);
  });

  it('is null without sales in the window, whatever is in stock', () => {
    expect(hoursToStockout({ sellable: 30, unitsOrdered: 0, windowHours: 24 })).toBeNull();
    expect(hoursToStockout({ sellable: 0, unitsOrdered: 0, windowHours: 24 })).toBeNull();
  });

  it('is 0 when nothing is sellable and the SKU still sells', () => {
    expect(hoursToStockout({ sellable: 0, unitsOrdered: 5, windowHours: 24 })).toBe(0);
    expect(hoursToStockout({ sellable: -3, unitsOrdered: 5, windowHours: 24 })).toBe(0);
  });

  it('refuses an empty window', () => {
    expect(() => sellRatePerHour({ unitsOrdered: 1, windowHours: 0 })).toThrow(RangeError);
  });

  it('counts an over-reserved location as 0, like ATS', () => {
    expect(sellableUnits([8, 3, -2])).toBe(11);
    expect(sellableUnits([])).toBe(0);
  });
});
