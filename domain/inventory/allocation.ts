/**
 * Allocation (spec "Allocation"): which location reserves which units of an order, and which units wait
 * as backorders. Only locations that ship to customers are passed in; their availability is whatever
 * the caller says it is (onHand − reserved), never below 0.
 */
export interface CandidateLocation {
  locationId: string;
  region: string;
  priority: number;
  available: ReadonlyMap<string, number>;
}

export interface OrderLineRequest {
  lineNo: number;
  sku: string;
  qty: number;
}

export interface Reservation {
  lineNo: number;
  sku: string;
  locationId: string;
  qty: number;
}

export interface BackorderedLine {
  lineNo: number;
  sku: string;
  qty: number;
}

export interface AllocationResult {
  reservations: Reservation[];
  backordered: BackorderedLine[];
  /** Reserved across more than one location. */
  split: boolean;
}

/** Units still available per location and SKU; consumed as reservations are made. */
export type Stock = Map<string, Map<string, number>>;

// A location listed twice counts once (first wins), so its units cannot be reserved twice.
function uniqueLocations(locations: readonly CandidateLocation[]): CandidateLocation[] {
  const seen = new Set<string>();
  return locations.filter((l) => {
    if (seen.has(l.locationId)) return false;
    seen.add(l.locationId);
    return true;
  });
}

export function stockOf(locations: readonly CandidateLocation[]): Stock {
  return new Map(uniqueLocations(locations).map((l) => [l.locationId, new Map(l.available)]));
}

function availableAt(stock: Stock, locationId: string, sku: string): number {
  return Math.max(0, stock.get(locationId)?.get(sku) ?? 0);
}

function take(stock: Stock, locationId: string, sku: string, qty: number): void {
  const skus = stock.get(locationId);
  if (skus) skus.set(sku, availableAt(stock, locationId, sku) - qty);
}

// Code-point order, not localeCompare: the choice must not depend on the machine's locale.
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Same region as the ship-to first, then lower priority, then the higher score, then locationId. */
function ranked(input: {
  locations: readonly CandidateLocation[];
  shipToRegion: string;
  score: (location: CandidateLocation) => number;
}): CandidateLocation[] {
  const { shipToRegion, score } = input;
  const sameRegion = (l: CandidateLocation) => (l.region === shipToRegion ? 0 : 1);
  return [...input.locations].sort(
    (a, b) => sameRegion(a) - sameRegion(b) || a.priority - b.priority || score(b) - score(a) || byId(a.locationId, b.locationId),
  );
}

function demandBySku(lines: readonly OrderLineRequest[]): Map<string, number> {
  const demand = new Map<string, number>();
  for (const line of lines) if (line.qty > 0) demand.set(line.sku, (demand.get(line.sku) ?? 0) + line.qty);
  return demand;
}

function wholeOrderLocation(input: {
  lines: readonly OrderLineRequest[];
  shipToRegion: string;
  locations: readonly CandidateLocation[];
  stock: Stock;
}): CandidateLocation | undefined {
  const { stock } = input;
  const demand = demandBySku(input.lines);
  const canFill = input.locations.filter((l) =>
    [...demand].every(([sku, qty]) => availableAt(stock, l.locationId, sku) >= qty),
  );
  const score = (l: CandidateLocation) => [...demand.keys()].reduce((s, sku) => s + availableAt(stock, l.locationId, sku), 0);
  return ranked({ locations: canFill, shipToRegion: input.shipToRegion, score })[0];
}

function lineByLine(input: {
  lines: readonly OrderLineRequest[];
  shipToRegion: string;
  locations: readonly CandidateLocation[];
  stock: Stock;
}): Omit<AllocationResult, 'split'> {
  const { stock } = input;
  const reservations: Reservation[] = [];
  const backordered: BackorderedLine[] = [];
  for (const line of input.lines) {
    if (line.qty <= 0) continue;
    let remaining = line.qty;
    // Ranked per line, after earlier lines took their share: "most available" is of this SKU, now.
    const score = (l: CandidateLocation) => availableAt(stock, l.locationId, line.sku);
    for (const location of ranked({ locations: input.locations, shipToRegion: input.shipToRegion, score })) {
      if (remaining === 0) break;
      const qty = Math.min(remaining, availableAt(stock, location.locationId, line.sku));
      if (qty === 0) continue;
      reservations.push({ lineNo: line.lineNo, sku: line.sku, locationId: location.locationId, qty });
      take(stock, location.locationId, line.sku, qty);
      remaining -= qty;
    }
    if (remaining > 0) backordered.push({ lineNo: line.lineNo, sku: line.sku, qty: remaining });
  }
  return { reservations, backordered };
}

/** Allocates against `stock` and consumes it, so several orders can be served from one picture. */
export function allocateFrom(input: {
  lines: readonly OrderLineRequest[];
  shipToRegion: string;
  allowSplit: boolean;
  locations: readonly CandidateLocation[];
  stock: Stock;
}): AllocationResult {
  const { lines, stock } = input;
  const locations = uniqueLocations(input.locations);
  const whole = wholeOrderLocation({ lines, shipToRegion: input.shipToRegion, locations, stock });
  if (whole) {
    const reservations = lines
      .filter((line) => line.qty > 0)
      .map((line) => ({ lineNo: line.lineNo, sku: line.sku, locationId: whole.locationId, qty: line.qty }));
    for (const r of reservations) take(stock, r.locationId, r.sku, r.qty);
    return { reservations, backordered: [], split: false };
  }
  if (!input.allowSplit) {
    const backordered = lines.filter((l) => l.qty > 0).map((l) => ({ lineNo: l.lineNo, sku: l.sku, qty: l.qty }));
    return { reservations: [], backordered, split: false };
  }
  const result = lineByLine({ lines, shipToRegion: input.shipToRegion, locations, stock });
  return { ...result, split: new Set(result.reservations.map((r) => r.locationId)).size > 1 };
}

/**
 * First ONE location that can fill the whole order (same region, then priority, then most available
 * summed over the order's SKUs, then locationId); if none can and splits are allowed, line by line,
 * each line from as many locations as it takes; the rest is backordered. Without splits and without a
 * single location that fills everything, every unit is backordered and nothing is reserved.
 */
export function allocate(input: {
  lines: OrderLineRequest[];
  shipToRegion: string;
  allowSplit: boolean;
  locations: CandidateLocation[];
}): AllocationResult {
  return allocateFrom({ ...input, stock: stockOf(input.locations) });
}

export interface Backorder {
  orderId: string;
  channelPriority: number;
  occurredAt: string;
  allowSplit: boolean;
  shipToRegion: string;
  /** qty = units still backordered. */
  lines: OrderLineRequest[];
  /** A no-split order already reserved somewhere may only be completed at that location. */
  onlyLocationId?: string;
}

export interface Reallocation {
  orderId: string;
  reservations: Reservation[];
  /** What this order still waits for after these reservations. */
  backordered: BackorderedLine[];
}

function byEventTime(a: string, b: string): number {
  const diff = Date.parse(a) - Date.parse(b);
  return Number.isNaN(diff) ? byId(a, b) : diff;
}

/** Served first: higher channel priority (1 first), then the oldest order, then orderId. */
export function backorderQueue(backorders: readonly Backorder[]): Backorder[] {
  return [...backorders].sort(
    (a, b) => a.channelPriority - b.channelPriority || byEventTime(a.occurredAt, b.occurredAt) || byId(a.orderId, b.orderId),
  );
}

/**
 * Reserves backorders again from current availability, in queue order, each by the allocation rule:
 * a split channel takes what it can and keeps the rest backordered; a no-split order is reserved only
 * when one location can fill all its backordered lines, and otherwise waits without blocking the
 * orders behind it. Availability is consumed as it goes, so no unit is reserved twice. Only orders that
 * got new reservations are returned, in the order they were served.
 */
export function reallocate(input: { backorders: Backorder[]; locations: CandidateLocation[] }): Reallocation[] {
  const stock = stockOf(input.locations);
  const served: Reallocation[] = [];
  for (const order of backorderQueue(input.backorders)) {
    const locations = order.onlyLocationId ? input.locations.filter((l) => l.locationId === order.onlyLocationId) : input.locations;
    const { reservations, backordered } = allocateFrom({ ...order, locations, stock });
    if (reservations.length > 0) served.push({ orderId: order.orderId, reservations, backordered });
  }
  return served;
}
