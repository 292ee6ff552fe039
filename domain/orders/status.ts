/**
 * The order status model of the event contract ("Order status"). Status is derived from an order's
 * quantities and flags (deriveStatus); the transitions table says which changes between two derived
 * statuses are legal, so the worker can raise `invalid_event` for an illegal one.
 */
export type OrderStatus =
  | 'on_hold'
  | 'allocated'
  | 'backordered'
  | 'partially_allocated'
  | 'picking'
  | 'partially_shipped'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'returned'
  | 'partially_returned';

export const orderStatuses: readonly OrderStatus[] = [
  'on_hold',
  'allocated',
  'backordered',
  'partially_allocated',
  'picking',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
  'returned',
  'partially_returned',
];

// Picking is an optional event (an order may ship without one) and one shipment may carry every unit,
// so reaching a later fulfilment step may skip the optional ones in between.
const fromAllocation: readonly OrderStatus[] = ['picking', 'partially_shipped', 'shipped', 'cancelled'];
const afterShipment: readonly OrderStatus[] = ['returned', 'partially_returned'];

export const orderTransitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  on_hold: ['allocated', 'backordered', 'partially_allocated', 'cancelled'],
  // Re-allocation, short picks and counts move an order freely between the three allocation states.
  allocated: ['backordered', 'partially_allocated', ...fromAllocation],
  backordered: ['allocated', 'partially_allocated', ...fromAllocation],
  partially_allocated: ['allocated', 'backordered', ...fromAllocation],
  picking: ['partially_shipped', 'shipped', 'cancelled'],
  // A delivery confirmation may arrive for the first of several shipments.
  partially_shipped: ['shipped', 'delivered', 'cancelled', ...afterShipment],
  shipped: ['delivered', ...afterShipment],
  delivered: [...afterShipment],
  cancelled: [],
  // A later shipment of a partly shipped order makes a fully returned order partially returned again.
  returned: ['partially_returned'],
  partially_returned: ['returned'],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || orderTransitions[from].includes(to);
}

export interface LineQuantities {
  ordered: number;
  reserved: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  returned: number;
}

export interface OrderFacts {
  held: boolean;
  picking: boolean;
  delivered: boolean;
  lines: LineQuantities[];
}

export function openQuantity(line: LineQuantities): number {
  return Math.max(0, line.ordered - line.shipped - line.cancelled);
}

function sum(lines: readonly LineQuantities[], pick: (line: LineQuantities) => number): number {
  return lines.reduce((total, line) => total + pick(line), 0);
}

/**
 * The status an order's quantities and flags mean. Priority: on_hold (held and nothing shipped) >
 * returned/partially_returned (anything returned: all shipped units returned → returned) > delivered >
 * shipped (every non-cancelled unit shipped, at least one shipped) > partially_shipped > cancelled
 * (every unit cancelled) > picking (picking flag, nothing shipped) > allocated (every open unit reserved)
 * > backordered (every open unit backordered) > partially_allocated. Open = ordered − shipped − cancelled.
 * A held order stays on_hold even when cancelled: the caller clears `held` when the hold ends.
 */
export function deriveStatus(facts: OrderFacts): OrderStatus {
  const { lines } = facts;
  const shipped = sum(lines, (l) => l.shipped);
  const returned = sum(lines, (l) => l.returned);
  if (facts.held && shipped === 0) return 'on_hold';
  if (returned > 0) return returned >= shipped ? 'returned' : 'partially_returned';
  if (facts.delivered) return 'delivered';
  const open = sum(lines, openQuantity);
  if (shipped > 0) return open === 0 ? 'shipped' : 'partially_shipped';
  if (lines.every((l) => l.cancelled >= l.ordered)) return 'cancelled';
  if (facts.picking) return 'picking';
  if (lines.every((l) => l.reserved >= openQuantity(l))) return 'allocated';
  if (lines.every((l) => l.backordered >= openQuantity(l))) return 'backordered';
  return 'partially_allocated';
}
