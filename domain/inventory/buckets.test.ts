import { describe, expect, it } from 'vitest';
import {
  adjustmentMoves,
  applyMovements,
  availableOf,
  bucketBreaches,
  countMoves,
  emptyBuckets,
  excessReservation,
  inspectionMoves,
  receiptMoves,
  releaseMoves,
  reserveMoves,
  returnReceiptMoves,
  shipmentMoves,
  shortPickMoves,
  transferReceiptMoves,
  transferShipMoves,
  type Buckets,
} from './buckets';

const b = (partial: Partial<Buckets>): Buckets => ({ ...emptyBuckets, ...partial });

describe('stock effects as ledger movements', () => {
  it('stock.received adds to on hand', () => {
    expect(receiptMoves(10)).toEqual([{ bucket: 'onHand', delta: 10 }]);
    expect(applyMovements(b({ onHand: 2 }), receiptMoves(10))).toEqual(b({ onHand: 12 }));
  });

  it('stock.adjusted damage moves units from on hand to damaged', () => {
    expect(adjustmentMoves({ delta: -3, reason: 'damage' })).toEqual([
      { bucket: 'onHand', delta: -3 },
      { bucket: 'damaged', delta: 3 },
    ]);
    expect(applyMovements(b({ onHand: 10 }), adjustmentMoves({ delta: -3, reason: 'damage' }))).toEqual(
      b({ onHand: 7, damaged: 3 }),
    );
  });

  it.each(['shrink', 'found', 'correction'] as const)('stock.adjusted %s only changes on hand', (reason) => {
    expect(adjustmentMoves({ delta: -2, reason })).toEqual([{ bucket: 'onHand', delta: -2 }]);
    expect(adjustmentMoves({ delta: 4, reason })).toEqual([{ bucket: 'onHand', delta: 4 }]);
  });

  it('fulfillment.shipped drops on hand and reserved', () => {
    expect(applyMovements(b({ onHand: 10, reserved: 2 }), shipmentMoves(2))).toEqual(b({ onHand: 8, reserved: 0 }));
  });

  it('fulfillment.short_picked drops on hand and reserved by the missing units', () => {
    expect(shortPickMoves(1)).toEqual([
      { bucket: 'onHand', delta: -1 },
      { bucket: 'reserved', delta: -1 },
    ]);
    expect(applyMovements(b({ onHand: 5, reserved: 3 }), shortPickMoves(1))).toEqual(b({ onHand: 4, reserved: 2 }));
  });

  it('a transfer leaves the source on hand, waits in transit at the destination, then lands on hand', () => {
    const moves = transferShipMoves(4);
    const source = applyMovements(b({ onHand: 10 }), moves.source);
    const inTransit = applyMovements(b({ onHand: 1 }), moves.destination);
    expect(source).toEqual(b({ onHand: 6 }));
    expect(inTransit).toEqual(b({ onHand: 1, inTransit: 4 }));
    expect(applyMovements(inTransit, transferReceiptMoves(4))).toEqual(b({ onHand: 5, inTransit: 0 }));
  });

  it('return.received waits in returns pending; only a restock comes back on hand', () => {
    const pending = applyMovements(b({ onHand: 1 }), returnReceiptMoves(3));
    expect(pending).toEqual(b({ onHand: 1, returnsPending: 3 }));
    expect(applyMovements(pending, inspectionMoves({ qty: 2, disposition: 'restock' }))).toEqual(
      b({ onHand: 3, returnsPending: 1 }),
    );
    for (const disposition of ['refurbish', 'liquidate', 'write_off'] as const) {
      expect(applyMovements(pending, inspectionMoves({ qty: 2, disposition }))).toEqual(b({ onHand: 1, returnsPending: 1 }));
    }
  });

  it('reserve and release move only the reserved bucket', () => {
    const reserved = applyMovements(b({ onHand: 4 }), reserveMoves(3));
    expect(reserved).toEqual(b({ onHand: 4, reserved: 3 }));
    expect(applyMovements(reserved, releaseMoves(2))).toEqual(b({ onHand: 4, reserved: 1 }));
  });

  it('a count sets on hand to the counted quantity', () => {
    expect(countMoves({ onHand: 100, counted: 98 })).toEqual([{ bucket: 'onHand', delta: -2 }]);
    expect(applyMovements(b({ onHand: 100 }), countMoves({ onHand: 100, counted: 98 })).onHand).toBe(98);
    expect(countMoves({ onHand: 7, counted: 7 })).toEqual([]);
  });

  it('keeps on hand equal to the sum of its movements', () => {
    const damage = adjustmentMoves({ delta: -1, reason: 'damage' });
    const moves = [...receiptMoves(10), ...reserveMoves(2), ...shipmentMoves(2), ...damage];
    const onHandSum = moves.filter((m) => m.bucket === 'onHand').reduce((s, m) => s + m.delta, 0);
    expect(applyMovements(emptyBuckets, moves)).toEqual(b({ onHand: 7, damaged: 1 }));
    expect(onHandSum).toBe(7);
  });

  it('does not mutate the buckets it is given', () => {
    const before = b({ onHand: 3 });
    applyMovements(before, receiptMoves(1));
    expect(before.onHand).toBe(3);
  });
});

describe('bucket invariants', () => {
  it('reports nothing for a healthy book (STORE-WEST TEE-BLK-M: 4 on hand, 1 reserved)', () => {
    expect(bucketBreaches(b({ onHand: 4, reserved: 1 }))).toEqual([]);
    expect(availableOf(b({ onHand: 4, reserved: 1 }))).toBe(3);
  });

  it('reports reserved above on hand, as a breach to re-allocate, not an error', () => {
    const shrunk = applyMovements(b({ onHand: 5, reserved: 4 }), adjustmentMoves({ delta: -3, reason: 'shrink' }));
    expect(bucketBreaches(shrunk)).toEqual(['reserved 4 exceeds on hand 2']);
    expect(excessReservation(shrunk)).toBe(2);
    expect(availableOf(shrunk)).toBe(0);
  });

  it('reports every bucket below zero', () => {
    expect(bucketBreaches({ onHand: -1, reserved: -1, inTransit: -2, returnsPending: -3, damaged: -4 })).toEqual([
      'onHand is -1, below 0',
      'reserved is -1, below 0',
      'inTransit is -2, below 0',
      'returnsPending is -3, below 0',
      'damaged is -4, below 0',
    ]);
  });
});
