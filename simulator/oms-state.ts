/**
 * The OMS mirror's book: buckets per SKU × location and every open order's lines, with the indexes
 * its rules need (who waits for a SKU, who holds one). Plain state and the few helpers that keep
 * buckets, lines and indexes in step; the rules that act on it are in oms-model, -settle and -stock.
 */
export interface Bucket {
  onHand: number;
  reserved: number;
  inTransit: number;
  returnsPending: number;
  damaged: number;
}


export interface ModelLine {
  lineNo: number;
  sku: string;
  qty: number;
  /** Units reserved per location. */
  reserved: Map<string, number>;
  backordered: number;
  shipped: number;
  cancelled: number;
  returned: number;
}

export interface ModelOrder {
  orderId: string;
  channel: string;
  channelPriority: number;
  allowSplit: boolean;
  region: string;
  /** The order's event time: the backorder queue serves the oldest first. */
  occurredAt: string;
  occurredAtMs: number;
  held: boolean;
  cancelled: boolean;
  lines: ModelLine[];
}

export interface ModelLocation {
  locationId: string;
  region: string;
  priority: number;
  shipsToCustomers: boolean;
}

export interface IndexedLocation extends ModelLocation {
  index: number;
}

/** What one event changed, settled right after it as the tower does. */
export interface EventEffects {
  /** Buckets whose on hand fell: checked for reservations above on hand (nothing else can create them). */
  fell: { sku: string; locationId: string }[];
  /** SKUs whose stock was freed or added: their backorders are re-allocated. */
  triggers: Set<string>;
}

export interface OmsState {
  locations: readonly IndexedLocation[];
  shipping: readonly IndexedLocation[];
  locationIndex: ReadonlyMap<string, number>;
  /** sku → its entry per location index. */
  book: Map<string, (Bucket | undefined)[]>;
  orders: Map<string, ModelOrder>;
  /** sku → orders with units of it backordered (never cancelled ones). */
  waiting: Map<string, Set<string>>;
  /** sku → orders holding a reservation of it somewhere (released newest-first when stock falls below). */
  holding: Map<string, Set<string>>;
  onReserve: (orderId: string, locationId: string) => void;
  /** Units moved by the settle rules: for stats, and for tests to see that the rules ran. */
  settled: { releasedToBackorder: number; reallocated: number };
}

export function entryOf(state: OmsState, sku: string, locationId: string): Bucket {
  const index = state.locationIndex.get(locationId);
  if (index === undefined) throw new Error(`model: location ${locationId} is unknown`);
  let row = state.book.get(sku);
  if (!row) state.book.set(sku, (row = []));
  let e = row[index];
  if (!e) row[index] = e = { onHand: 0, reserved: 0, inTransit: 0, returnsPending: 0, damaged: 0 };
  return e;
}

/** onHand − reserved, never below 0 (domain availableOf). */
export function availableAt(state: OmsState, sku: string, index: number): number {
  const e = state.book.get(sku)?.[index];
  return e ? Math.max(0, e.onHand - e.reserved) : 0;
}

/** Changes a line's reservation at a location and the location's reserved bucket together. */
export function changeReserved(state: OmsState, order: ModelOrder, line: ModelLine, locationId: string, delta: number): void {
  const qty = (line.reserved.get(locationId) ?? 0) + delta;
  if (qty < 0) throw new Error(`model bug: ${order.orderId} line ${line.lineNo} reservation at ${locationId} below 0`);
  if (qty === 0) line.reserved.delete(locationId);
  else line.reserved.set(locationId, qty);
  entryOf(state, line.sku, locationId).reserved += delta;
  // The index changes only when the line starts or stops holding anything, not on every unit.
  if (delta > 0 && qty === delta && line.reserved.size === 1) {
    let set = state.holding.get(line.sku);
    if (!set) state.holding.set(line.sku, (set = new Set()));
    set.add(order.orderId);
  } else if (line.reserved.size === 0 && !order.lines.some((l) => l.sku === line.sku && l.reserved.size > 0)) {
    const set = state.holding.get(line.sku);
    set?.delete(order.orderId);
    if (set?.size === 0) state.holding.delete(line.sku);
  }
}

export function changeBackordered(state: OmsState, order: ModelOrder, line: ModelLine, delta: number): void {
  if (delta === 0) return;
  line.backordered += delta;
  if (line.backordered < 0) throw new Error(`model bug: ${order.orderId} line ${line.lineNo} backorder below 0`);
  let set = state.waiting.get(line.sku);
  if (!order.cancelled && (line.backordered > 0 || order.lines.some((l) => l.sku === line.sku && l.backordered > 0))) {
    if (!set) state.waiting.set(line.sku, (set = new Set()));
    set.add(order.orderId);
  } else if (set) {
    set.delete(order.orderId);
    if (set.size === 0) state.waiting.delete(line.sku);
  }
}

/** Locations holding a reservation of the order, in no particular order. */
export function reservedLocations(order: ModelOrder): Set<string> {
  const at = new Set<string>();
  for (const l of order.lines) for (const [loc, q] of l.reserved) if (q > 0) at.add(loc);
  return at;
}
