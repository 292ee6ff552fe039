import { describe, expect, it } from 'vitest';
import { availableToSell, oversellExposure } from './ats';

describe('available to sell', () => {
  it('TEE-BLK-M in the worked example: web 9, mkt-a 4', () => {
    // DC-EAST 8 on hand, 0 reserved; STORE-WEST 4 on hand, 1 reserved; safety stock 2.
    const availableByLocation = [8 - 0, 4 - 1];
    expect(availableToSell({ availableByLocation, safetyStock: 2, allocationShare: 1 })).toBe(9);
    expect(availableToSell({ availableByLocation, safetyStock: 2, allocationShare: 0.5 })).toBe(4);
  });

  it('MUG-RED in the worked example: web 2, mkt-a 1 (the backorder reserves nothing)', () => {
    expect(availableToSell({ availableByLocation: [2, 0], safetyStock: 0, allocationShare: 1 })).toBe(2);
    expect(availableToSell({ availableByLocation: [2, 0], safetyStock: 0, allocationShare: 0.5 })).toBe(1);
  });

  it('never goes below 0 when safety stock exceeds what is available', () => {
    expect(availableToSell({ availableByLocation: [1, 2], safetyStock: 5, allocationShare: 1 })).toBe(0);
  });

  it('does not let one over-reserved location cancel another location’s stock', () => {
    expect(availableToSell({ availableByLocation: [-3, 5], safetyStock: 0, allocationShare: 1 })).toBe(5);
  });

  it('floors the share without losing a unit to floating point', () => {
    expect(availableToSell({ availableByLocation: [100], safetyStock: 0, allocationShare: 0.29 })).toBe(29);
    expect(availableToSell({ availableByLocation: [7], safetyStock: 0, allocationShare: 0.3 })).toBe(2);
  });

  it('is 0 with no locations or a share of 0', () => {
    expect(availableToSell({ availableByLocation: [], safetyStock: 0, allocationShare: 1 })).toBe(0);
    expect(availableToSell({ availableByLocation: [10], safetyStock: 0, allocationShare: 0 })).toBe(0);
  });
});

describe('oversell exposure', () => {
  it('is what the channel lists beyond its ats, never negative', () => {
    expect(oversellExposure(12, 9)).toBe(3);
    expect(oversellExposure(9, 9)).toBe(0);
    expect(oversellExposure(3, 9)).toBe(0);
  });
});
