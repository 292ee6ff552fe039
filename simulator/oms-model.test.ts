import { describe, expect, it } from 'vitest';
import { OmsModel } from './oms-model';

const LOCATIONS = [
  { locationId: 'dc-a', region: 'east', priority: 1, shipsToCustomers: true },
  { locationId: 'dc-b', region: 'west', priority: 1, shipsToCustomers: true },
  { locationId: 'store-x', region: 'east', priority: 3, shipsToCustomers: false },
];
const CHANNELS = [
  { channel: 'web', priority: 1, allowSplit: true },
  { channel: 'mkt', priority: 3, allowSplit: false },
];

function model() {
  const reserved: string[] = [];
  const oms = new OmsModel({ locations: LOCATIONS, channels: CHANNELS, onReserve: (o, l) => reserved.push(`${o}@${l}`) });
  return { oms, reserved };
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 9, minute)).toISOString();
const order = (oms: OmsModel, o: { id: string; channel?: string; region?: string; minute?: number; held?: boolean; lines: [string, number][] }) =>
  oms.createOrder({ orderId: o.id, channel: o.channel ?? 'web', region: o.region ?? 'east', occurredAt: at(o.minute ?? 0), held: o.held ?? false, lines: o.lines.map(([sku, qty]) => ({ sku, qty })) });
const where = (oms: OmsModel, id: string) => oms.order(id)!.lines.map((l) => ({ sku: l.sku, reserved: Object.fromEntries(l.reserved), backordered: l.backordered }));

describe('OmsModel allocation on arrival', () => {
  it('takes one location for the whole order, same region first; splits only where allowed', () => {
    const { oms } = model();
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 1 });
    oms.receive({ locationId: 'dc-b', sku: 'X', qty: 5 });
    oms.receive({ locationId: 'dc-b', sku: 'Y', qty: 5 });
    order(oms, { id: 'o1', lines: [['X', 1]] });
    expect(where(oms, 'o1')).toEqual([{ sku: 'X', reserved: { 'dc-a': 1 }, backordered: 0 }]);
    order(oms, { id: 'o2', lines: [['X', 2], ['Y', 1]] });
    expect(where(oms, 'o2')).toEqual([{ sku: 'X', reserved: { 'dc-b': 2 }, backordered: 0 }, { sku: 'Y', reserved: { 'dc-b': 1 }, backordered: 0 }]);
    oms.receive({ locationId: 'dc-a', sku: 'Z', qty: 1 });
    order(oms, { id: 'o3', channel: 'mkt', lines: [['X', 1], ['Z', 1]] });
    expect(where(oms, 'o3')).toEqual([{ sku: 'X', reserved: {}, backordered: 1 }, { sku: 'Z', reserved: {}, backordered: 1 }]);
    order(oms, { id: 'o4', lines: [['X', 4], ['Z', 1]] });
    expect(where(oms, 'o4')).toEqual([{ sku: 'X', reserved: { 'dc-b': 3 }, backordered: 1 }, { sku: 'Z', reserved: { 'dc-a': 1 }, backordered: 0 }]);
    expect(oms.backorderedUnits()).toBe(3);
    expect(oms.backorderedUnits('Z')).toBe(1);
  });

  it('does not count in-transit or non-shipping stock as available', () => {
    const { oms } = model();
    oms.receive({ locationId: 'store-x', sku: 'X', qty: 10 });
    oms.transferShip({ fromLocationId: 'store-x', toLocationId: 'dc-a', lines: [{ sku: 'X', qty: 4 }] });
    order(oms, { id: 'o1', lines: [['X', 1]] });
    expect(where(oms, 'o1')).toEqual([{ sku: 'X', reserved: {}, backordered: 1 }]);
    expect(oms.bucket('X', 'dc-a')).toMatchObject({ onHand: 0, inTransit: 4 });
    oms.transferReceive({ toLocationId: 'dc-a', lines: [{ sku: 'X', qty: 4 }] });
    expect(where(oms, 'o1')).toEqual([{ sku: 'X', reserved: { 'dc-a': 1 }, backordered: 0 }]);
  });
});

describe('OmsModel re-allocation', () => {
  it('serves backorders by channel priority, then oldest event time, as stock arrives', () => {
    const { oms, reserved } = model();
    order(oms, { id: 'mkt-old', channel: 'mkt', minute: 1, lines: [['X', 1]] });
    order(oms, { id: 'web-new', minute: 5, lines: [['X', 1]] });
    // A late order (dated earlier, arriving later) is older in the queue.
    order(oms, { id: 'web-late', minute: 2, lines: [['X', 1]] });
    oms.receive({ locationId: 'dc-b', sku: 'X', qty: 2 });
    expect(reserved).toEqual(['web-late@dc-b', 'web-new@dc-b']);
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 1 });
    expect(reserved.at(-1)).toBe('mkt-old@dc-a');
  });

  it('sends the newest reservation of the lowest-priority channel back when stock falls below reservations', () => {
    const { oms } = model();
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 3 });
    order(oms, { id: 'web', minute: 3, lines: [['X', 1]] });
    order(oms, { id: 'mkt-1', channel: 'mkt', minute: 1, lines: [['X', 1]] });
    order(oms, { id: 'mkt-2', channel: 'mkt', minute: 2, lines: [['X', 1]] });
    oms.adjust({ locationId: 'dc-a', sku: 'X', delta: -1, reason: 'damage' });
    expect(where(oms, 'mkt-2')).toEqual([{ sku: 'X', reserved: {}, backordered: 1 }]);
    expect(where(oms, 'mkt-1')[0]!.reserved).toEqual({ 'dc-a': 1 });
    expect(oms.bucket('X', 'dc-a')).toMatchObject({ onHand: 2, reserved: 2, damaged: 1 });
  });

  it('applies a count within tolerance (and may re-allocate), keeps the book on a count beyond it', () => {
    const { oms } = model();
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 100 });
    expect(oms.count({ locationId: 'dc-a', sku: 'X', countedQty: 98 })).toBe(true);
    expect(oms.bucket('X', 'dc-a').onHand).toBe(98);
    expect(oms.count({ locationId: 'dc-a', sku: 'X', countedQty: 90 })).toBe(false);
    expect(oms.bucket('X', 'dc-a').onHand).toBe(98);
    expect(oms.count({ locationId: 'dc-b', sku: 'X', countedQty: 1 })).toBe(false);
  });

  it('re-allocates a short pick elsewhere on a split channel, only where the rest is on a no-split one', () => {
    const { oms } = model();
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 2 });
    oms.receive({ locationId: 'dc-a', sku: 'Y', qty: 1 });
    oms.receive({ locationId: 'dc-b', sku: 'X', qty: 5 });
    order(oms, { id: 'web', lines: [['X', 1]] });
    oms.shortPick({ orderId: 'web', locationId: 'dc-a', sku: 'X', qty: 1 });
    // dc-a still shows 1 available (the book did not lose it): the same location first, by region.
    expect(where(oms, 'web')[0]!.reserved).toEqual({ 'dc-a': 1 });
    oms.shortPick({ orderId: 'web', locationId: 'dc-a', sku: 'X', qty: 1 });
    expect(where(oms, 'web')[0]!.reserved).toEqual({ 'dc-b': 1 });
    order(oms, { id: 'mkt', channel: 'mkt', lines: [['X', 2], ['Y', 1]] });
    expect(where(oms, 'mkt')).toEqual([{ sku: 'X', reserved: {}, backordered: 2 }, { sku: 'Y', reserved: {}, backordered: 1 }]);
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 2 });
    expect(where(oms, 'mkt').map((l) => l.reserved)).toEqual([{ 'dc-a': 2 }, { 'dc-a': 1 }]);
    oms.shortPick({ orderId: 'mkt', locationId: 'dc-a', sku: 'X', qty: 2 });
    // dc-b has X, but a no-split order is completed only at dc-a, which has none left.
    expect(where(oms, 'mkt')).toEqual([{ sku: 'X', reserved: {}, backordered: 2 }, { sku: 'Y', reserved: { 'dc-a': 1 }, backordered: 0 }]);
  });

  it('keeps a held order reserved, releases everything of a cancelled one to the queue', () => {
    const { oms, reserved } = model();
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 1 });
    order(oms, { id: 'held', held: true, lines: [['X', 1]] });
    order(oms, { id: 'waiting', lines: [['X', 1]] });
    expect(where(oms, 'held')[0]!.reserved).toEqual({ 'dc-a': 1 });
    oms.cancel('held');
    expect(reserved).toEqual(['waiting@dc-a']);
    expect(() => oms.cancel('held')).toThrow(/cancelled already/);
    oms.forget('held');
    expect(oms.order('held')).toBeUndefined();
    expect(() => oms.forget('waiting')).toThrow(/still open/);
  });
});

describe('OmsModel refuses what the tower would refuse', () => {
  it('throws on unreserved shipments, short picks beyond the reservation and adjustments below zero', () => {
    const { oms } = model();
    oms.receive({ locationId: 'dc-a', sku: 'X', qty: 2 });
    order(oms, { id: 'o', lines: [['X', 1]] });
    expect(() => oms.ship({ orderId: 'o', locationId: 'dc-a', lines: [{ sku: 'X', qty: 2 }] })).toThrow(/not reserved/);
    expect(() => oms.ship({ orderId: 'o', locationId: 'dc-b', lines: [{ sku: 'X', qty: 1 }] })).toThrow(/not reserved/);
    expect(() => oms.shortPick({ orderId: 'o', locationId: 'dc-a', sku: 'X', qty: 2 })).toThrow(/fewer than/);
    expect(() => oms.adjust({ locationId: 'dc-a', sku: 'X', delta: -3, reason: 'shrink' })).toThrow(/below 0/);
    expect(() => oms.transferShip({ fromLocationId: 'dc-a', toLocationId: 'dc-b', lines: [{ sku: 'X', qty: 3 }] })).toThrow(/has 2/);
    oms.ship({ orderId: 'o', locationId: 'dc-a', lines: [{ sku: 'X', qty: 1 }] });
    expect(oms.bucket('X', 'dc-a')).toMatchObject({ onHand: 1, reserved: 0 });
    expect(() => oms.returnReceive({ orderId: 'o', locationId: 'dc-a', lines: [{ sku: 'X', qty: 2 }] })).toThrow(/exceeds/);
    oms.returnReceive({ orderId: 'o', locationId: 'dc-a', lines: [{ sku: 'X', qty: 1 }] });
    oms.inspect({ locationId: 'dc-a', lines: [{ sku: 'X', qty: 1, disposition: 'restock' }] });
    expect(oms.bucket('X', 'dc-a')).toMatchObject({ onHand: 2, returnsPending: 0 });
  });
});
