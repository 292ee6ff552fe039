import { describe, expect, it } from 'vitest';
import { countWithinTolerance, defaultCountTolerance } from './counts';

const within = (onHand: number, counted: number) =>
  countWithinTolerance({ onHand, counted, tolerance: defaultCountTolerance });

describe('cycle count tolerance', () => {
  it('defaults to 2 units and 2 %', () => {
    expect(defaultCountTolerance).toEqual({ units: 2, percent: 0.02 });
  });

  it('accepts a difference of exactly 2 units on a book of 100 (2 %)', () => {
    expect(within(100, 98)).toBe(true);
    expect(within(100, 102)).toBe(true);
  });

  it('rejects a difference of 2 units on a book of 50 (4 %)', () => {
    expect(within(50, 48)).toBe(false);
    expect(within(50, 52)).toBe(false);
  });

  it('rejects 3 units even on a large book where it is under 2 %', () => {
    expect(within(1000, 997)).toBe(false);
  });

  it('accepts 1 unit on a book of 50 (2 %) and rejects it on a book of 49', () => {
    expect(within(50, 49)).toBe(true);
    expect(within(49, 48)).toBe(false);
  });

  it('accepts a count equal to the book, including book 0 counted 0', () => {
    expect(within(0, 0)).toBe(true);
    expect(within(7, 7)).toBe(true);
  });

  it('rejects any difference on a book of 0', () => {
    expect(within(0, 1)).toBe(false);
  });

  it('uses the tolerance it is given', () => {
    expect(countWithinTolerance({ onHand: 10, counted: 5, tolerance: { units: 5, percent: 0.5 } })).toBe(true);
    expect(countWithinTolerance({ onHand: 10, counted: 4, tolerance: { units: 5, percent: 0.5 } })).toBe(false);
  });
});
