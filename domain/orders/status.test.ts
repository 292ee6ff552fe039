import { describe, expect, it } from 'vitest';
import {
  canTransition,
  deriveStatus,
  orderStatuses,
  orderTransitions,
  type LineQuantities,
  type OrderFacts,
  type OrderStatus,
} from './status';

const legal: [OrderStatus, OrderStatus][] = [
  ['on_hold', 'allocated'],
  ['on_hold', 'backordered'],
  ['on_hold', 'partially_allocated'],
  ['on_hold', 'cancelled'],
  ['allocated', 'backordered'],
  ['allocated', 'partially_allocated'],
  ['allocated', 'picking'],
  ['allocated', 'partially_shipped'],
  ['allocated', 'shipped'],
  ['allocated', 'cancelled'],
  ['backordered', 'allocated'],
  ['backordered', 'partially_allocated'],
  ['backordered', 'picking'],
  ['backordered', 'partially_shipped'],
  ['backordered', 'shipped'],
  ['backordered', 'cancelled'],
  ['partially_allocated', 'allocated'],
  ['partially_allocated', 'backordered'],
  ['partially_allocated', 'picking'],
  ['partially_allocated', 'partially_shipped'],
  ['partially_allocated', 'shipped'],
  ['partially_allocated', 'cancelled'],
  ['picking', 'partially_shipped'],
  ['picking', 'shipped'],
  ['picking', 'cancelled'],
  ['partially_shipped', 'shipped'],
  ['partially_shipped', 'delivered'],
  ['partially_shipped', 'cancelled'],
  ['partially_shipped', 'returned'],
  ['partially_shipped', 'partially_returned'],
  ['shipped', 'delivered'],
  ['shipped', 'returned'],
  ['shipped', 'partially_returned'],
  ['delivered', 'returned'],
  ['delivered', 'partially_returned'],
  ['returned', 'partially_returned'],
  ['partially_returned', 'returned'],
];

describe('order transitions', () => {
  it.each(legal)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('lists exactly those transitions in the table', () => {
    const inTable = orderStatuses.flatMap((from) => orderTransitions[from].map((to) => [from, to]));
    expect(inTable.sort()).toEqual([...legal].sort());
  });

  it.each(orderStatuses)('treats %s → itself as no change', (s) => {
    expect(canTransition(s, s)).toBe(true);
  });

  it.each<[OrderStatus, OrderStatus]>([
    ['shipped', 'allocated'],
    ['shipped', 'cancelled'],
    ['delivered', 'picking'],
    ['delivered', 'shipped'],
    ['picking', 'allocated'],
    ['picking', 'backordered'],
    ['on_hold', 'picking'],
    ['on_hold', 'shipped'],
    ['allocated', 'on_hold'],
    ['allocated', 'delivered'],
    ['allocated', 'returned'],
    ['returned', 'delivered'],
    ['partially_shipped', 'picking'],
  ])('forbids %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('lets a cancelled order go nowhere but itself', () => {
    for (const to of orderStatuses) expect(canTransition('cancelled', to)).toBe(to === 'cancelled');
  });
});

const line = (q: Partial<LineQuantities> & { ordered: number }): LineQuantities => ({
  reserved: 0,
  backordered: 0,
  shipped: 0,
  cancelled: 0,
  returned: 0,
  ...q,
});
const facts = (lines: LineQuantities[], flags: Partial<Omit<OrderFacts, 'lines'>> = {}): OrderFacts => ({
  held: false,
  picking: false,
  delivered: false,
  lines,
  ...flags,
});

describe('deriveStatus', () => {
  it('reads allocated when every open unit is reserved', () => {
    expect(deriveStatus(facts([line({ ordered: 2, reserved: 2 }), line({ ordered: 1, reserved: 1 })]))).toBe('allocated');
  });

  it('reads backordered when every open unit is backordered (A-77: 3 MUG-RED, none reserved)', () => {
    expect(deriveStatus(facts([line({ ordered: 3, backordered: 3 })]))).toBe('backordered');
  });

  it('reads partially_allocated when some open units are reserved and some backordered', () => {
    expect(deriveStatus(facts([line({ ordered: 3, reserved: 1, backordered: 2 })]))).toBe('partially_allocated');
    expect(deriveStatus(facts([line({ ordered: 1, reserved: 1 }), line({ ordered: 2, backordered: 2 })]))).toBe(
      'partially_allocated',
    );
  });

  it('counts only open units: a cancelled unit needs no reservation', () => {
    expect(deriveStatus(facts([line({ ordered: 3, reserved: 2, cancelled: 1 })]))).toBe('allocated');
  });

  it('reads on_hold for a held order that has shipped nothing (W-1002, reserved and held)', () => {
    expect(deriveStatus(facts([line({ ordered: 1, reserved: 1 })], { held: true }))).toBe('on_hold');
  });

  it('keeps a held order on_hold even when cancelled, until the caller clears the hold', () => {
    expect(deriveStatus(facts([line({ ordered: 1, cancelled: 1 })], { held: true }))).toBe('on_hold');
    expect(deriveStatus(facts([line({ ordered: 1, cancelled: 1 })]))).toBe('cancelled');
  });

  it('does not read on_hold once anything shipped', () => {
    expect(deriveStatus(facts([line({ ordered: 2, shipped: 1, reserved: 1 })], { held: true }))).toBe('partially_shipped');
  });

  it('reads picking while the picking flag is set and nothing shipped, even after a short pick', () => {
    expect(deriveStatus(facts([line({ ordered: 2, reserved: 2 })], { picking: true }))).toBe('picking');
    expect(deriveStatus(facts([line({ ordered: 2, reserved: 1, backordered: 1 })], { picking: true }))).toBe('picking');
  });

  it('reads shipped when every non-cancelled unit shipped (W-1001: 2 + 1 shipped)', () => {
    expect(deriveStatus(facts([line({ ordered: 2, shipped: 2 }), line({ ordered: 1, shipped: 1 })]))).toBe('shipped');
    expect(deriveStatus(facts([line({ ordered: 3, shipped: 2, cancelled: 1 })], { picking: true }))).toBe('shipped');
  });

  it('reads partially_shipped while units remain open after a shipment', () => {
    expect(deriveStatus(facts([line({ ordered: 3, shipped: 1, reserved: 2 })]))).toBe('partially_shipped');
  });

  it('reads cancelled only when every unit is cancelled', () => {
    expect(deriveStatus(facts([line({ ordered: 2, cancelled: 2 }), line({ ordered: 1, cancelled: 1 })]))).toBe('cancelled');
    expect(deriveStatus(facts([line({ ordered: 2, cancelled: 1, reserved: 1 })]))).toBe('allocated');
  });

  it('reads delivered over shipped and partially_shipped', () => {
    expect(deriveStatus(facts([line({ ordered: 2, shipped: 2 })], { delivered: true }))).toBe('delivered');
    expect(deriveStatus(facts([line({ ordered: 2, shipped: 1, reserved: 1 })], { delivered: true }))).toBe('delivered');
  });

  it('reads returned when every shipped unit came back, partially_returned otherwise, over delivered', () => {
    expect(deriveStatus(facts([line({ ordered: 2, shipped: 2, returned: 2 })], { delivered: true }))).toBe('returned');
    expect(deriveStatus(facts([line({ ordered: 2, shipped: 2, returned: 1 })], { delivered: true }))).toBe(
      'partially_returned',
    );
    expect(
      deriveStatus(facts([line({ ordered: 2, shipped: 2, returned: 1 }), line({ ordered: 1, shipped: 1, returned: 1 })])),
    ).toBe('partially_returned');
  });
});
