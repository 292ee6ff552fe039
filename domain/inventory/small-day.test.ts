import { describe, expect, it } from 'vitest';
import { deriveStatus, type LineQuantities } from '../orders/status';
import { allocate, type CandidateLocation, type OrderLineRequest } from './allocation';
import { availableToSell } from './ats';
import { applyMovements, availableOf, emptyBuckets, receiptMoves, reserveMoves, shipmentMoves, type Buckets } from './buckets';

// The hand-worked day of ../shared/examples (small-day.ndjson), replayed through the domain rules.
describe('the worked example, end to end', () => {
  const locations = { 'DC-EAST': { region: 'east', priority: 1 }, 'STORE-WEST': { region: 'west', priority: 2 } };
  const book = new Map<string, Buckets>();
  const key = (locationId: string, sku: string) => `${locationId}/${sku}`;
  const at = (locationId: string, sku: string) => book.get(key(locationId, sku)) ?? emptyBuckets;
  const move = (locationId: string, sku: string, moves: Parameters<typeof applyMovements>[1]) =>
    book.set(key(locationId, sku), applyMovements(at(locationId, sku), moves));
  const candidates = (): CandidateLocation[] =>
    Object.entries(locations).map(([locationId, l]) => ({
      locationId,
      ...l,
      available: new Map(['TEE-BLK-M', 'MUG-RED'].map((sku) => [sku, availableOf(at(locationId, sku))])),
    }));
  const order = (lines: OrderLineRequest[], shipToRegion: string, allowSplit: boolean) => {
    const result = allocate({ lines, shipToRegion, allowSplit, locations: candidates() });
    for (const r of result.reservations) move(r.locationId, r.sku, reserveMoves(r.qty));
    return result;
  };
  const quantities = (ordered: number, q: Partial<LineQuantities>): LineQuantities => ({
    ordered,
    reserved: 0,
    backordered: 0,
    shipped: 0,
    cancelled: 0,
    returned: 0,
    ...q,
  });
  const status = (lines: LineQuantities[], held = false) => deriveStatus({ held, picking: false, delivered: false, lines });

  move('DC-EAST', 'TEE-BLK-M', receiptMoves(10));
  move('STORE-WEST', 'TEE-BLK-M', receiptMoves(4));
  move('DC-EAST', 'MUG-RED', receiptMoves(3));
  const w1001 = order(
    [
      { lineNo: 1, sku: 'TEE-BLK-M', qty: 2 },
      { lineNo: 2, sku: 'MUG-RED', qty: 1 },
    ],
    'east',
    true,
  );
  const a77 = order([{ lineNo: 1, sku: 'MUG-RED', qty: 3 }], 'west', false);
  const w1002 = order([{ lineNo: 1, sku: 'TEE-BLK-M', qty: 1 }], 'west', true);
  move('DC-EAST', 'TEE-BLK-M', shipmentMoves(2));
  move('DC-EAST', 'MUG-RED', shipmentMoves(1));

  it('reserves W-1001 whole at DC-EAST, then ships it', () => {
    expect(new Set(w1001.reservations.map((r) => r.locationId))).toEqual(new Set(['DC-EAST']));
    expect(status([quantities(2, { shipped: 2 }), quantities(1, { shipped: 1 })])).toBe('shipped');
    expect(at('DC-EAST', 'TEE-BLK-M')).toMatchObject({ onHand: 8, reserved: 0 });
    expect(at('DC-EAST', 'MUG-RED')).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('backorders all 3 MUG-RED of A-77', () => {
    expect(a77.reservations).toEqual([]);
    expect(a77.backordered).toEqual([{ lineNo: 1, sku: 'MUG-RED', qty: 3 }]);
    expect(status([quantities(3, { backordered: 3 })])).toBe('backordered');
  });

  it('reserves W-1002 at STORE-WEST and holds it', () => {
    expect(w1002.reservations).toEqual([{ lineNo: 1, sku: 'TEE-BLK-M', locationId: 'STORE-WEST', qty: 1 }]);
    expect(status([quantities(1, { reserved: 1 })], true)).toBe('on_hold');
    expect(at('STORE-WEST', 'TEE-BLK-M')).toMatchObject({ onHand: 4, reserved: 1 });
    expect(availableOf(at('STORE-WEST', 'TEE-BLK-M'))).toBe(3);
  });

  it('sells TEE-BLK-M 9 on web and 4 on mkt-a; MUG-RED 2 and 1', () => {
    const ats = (sku: string, safetyStock: number, allocationShare: number) =>
      availableToSell({
        availableByLocation: Object.keys(locations).map((l) => availableOf(at(l, sku))),
        safetyStock,
        allocationShare,
      });
    expect(ats('TEE-BLK-M', 2, 1)).toBe(9);
    expect(ats('TEE-BLK-M', 2, 0.5)).toBe(4);
    expect(ats('MUG-RED', 0, 1)).toBe(2);
    expect(ats('MUG-RED', 0, 0.5)).toBe(1);
  });
});
