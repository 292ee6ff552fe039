/**
 * Inventory buckets for one SKU at one location and the ledger movements each stock-changing effect
 * makes (spec "Stock", "Returns", shipped, short pick). One small function per effect, each returning
 * the movements for the one sku × location it touches; a transfer shipment touches two locations and
 * returns both. `onHand` is the sum of its movements, so every change goes through a movement.
 */
export interface Buckets {
  onHand: number;
  reserved: number;
  inTransit: number;
  returnsPending: number;
  damaged: number;
}

export type LedgerBucket = keyof Buckets;

export interface LedgerMovement {
  bucket: LedgerBucket;
  delta: number;
}

export type AdjustmentReason = 'damage' | 'shrink' | 'found' | 'correction';
export type Disposition = 'restock' | 'refurbish' | 'liquidate' | 'write_off';

export const emptyBuckets: Readonly<Buckets> = { onHand: 0, reserved: 0, inTransit: 0, returnsPending: 0, damaged: 0 };

/** `stock.received`: a receipt counts once quality control has passed. */
export function receiptMoves(qty: number): LedgerMovement[] {
  return [{ bucket: 'onHand', delta: qty }];
}

/** `stock.adjusted`: on hand + delta; damage also adds −delta to the damaged bucket. */
export function adjustmentMoves(input: { delta: number; reason: AdjustmentReason }): LedgerMovement[] {
  const moves: LedgerMovement[] = [{ bucket: 'onHand', delta: input.delta }];
  if (input.reason === 'damage') moves.push({ bucket: 'damaged', delta: -input.delta });
  return moves;
}

/** `fulfillment.shipped`: reserved units leave the building. */
export function shipmentMoves(qty: number): LedgerMovement[] {
  return [
    { bucket: 'onHand', delta: -qty },
    { bucket: 'reserved', delta: -qty },
  ];
}

/** `fulfillment.short_picked`: the missing units were reserved and are not on the shelf. */
export function shortPickMoves(qty: number): LedgerMovement[] {
  return [
    { bucket: 'onHand', delta: -qty },
    { bucket: 'reserved', delta: -qty },
  ];
}

/** `stock.transfer_shipped`: leaves the source's on hand, arrives in the destination's in transit. */
export function transferShipMoves(qty: number): { source: LedgerMovement[]; destination: LedgerMovement[] } {
  return {
    source: [{ bucket: 'onHand', delta: -qty }],
    destination: [{ bucket: 'inTransit', delta: qty }],
  };
}

/** `stock.transfer_received`, at the destination. */
export function transferReceiptMoves(qty: number): LedgerMovement[] {
  return [
    { bucket: 'inTransit', delta: -qty },
    { bucket: 'onHand', delta: qty },
  ];
}

/** `return.received`: pending inspection, not sellable yet. */
export function returnReceiptMoves(qty: number): LedgerMovement[] {
  return [{ bucket: 'returnsPending', delta: qty }];
}

/** `return.inspected`: only a restock comes back on hand; the other dispositions leave stock. */
export function inspectionMoves(input: { qty: number; disposition: Disposition }): LedgerMovement[] {
  const moves: LedgerMovement[] = [{ bucket: 'returnsPending', delta: -input.qty }];
  if (input.disposition === 'restock') moves.push({ bucket: 'onHand', delta: input.qty });
  return moves;
}

export function reserveMoves(qty: number): LedgerMovement[] {
  return [{ bucket: 'reserved', delta: qty }];
}

export function releaseMoves(qty: number): LedgerMovement[] {
  return [{ bucket: 'reserved', delta: -qty }];
}

/** `stock.counted` within tolerance (or approved): on hand is set to the count. No movement when equal. */
export function countMoves(input: { onHand: number; counted: number }): LedgerMovement[] {
  const delta = input.counted - input.onHand;
  return delta === 0 ? [] : [{ bucket: 'onHand', delta }];
}

export function applyMovements(b: Buckets, moves: readonly LedgerMovement[]): Buckets {
  const next = { ...b };
  for (const move of moves) next[move.bucket] += move.delta;
  return next;
}

/** onHand − reserved, never below 0: a book taken under its reservations has nothing to offer. */
export function availableOf(b: Pick<Buckets, 'onHand' | 'reserved'>): number {
  return Math.max(0, b.onHand - b.reserved);
}

/** Reserved units no longer on the shelf, which the caller must re-allocate or backorder at once. */
export function excessReservation(b: Pick<Buckets, 'onHand' | 'reserved'>): number {
  return Math.max(0, b.reserved - Math.max(0, b.onHand));
}

/**
 * Spec invariants for one sku × location: 0 ≤ reserved ≤ onHand and every bucket ≥ 0. A breach is
 * reported, not thrown: reserved above on hand after a count or adjustment is expected for a moment,
 * and the caller must then re-allocate or backorder the excess.
 */
export function bucketBreaches(b: Buckets): string[] {
  const breaches: string[] = [];
  for (const bucket of Object.keys(emptyBuckets) as LedgerBucket[]) {
    if (b[bucket] < 0) breaches.push(`${bucket} is ${b[bucket]}, below 0`);
  }
  if (b.reserved > b.onHand) breaches.push(`reserved ${b.reserved} exceeds on hand ${b.onHand}`);
  return breaches;
}
