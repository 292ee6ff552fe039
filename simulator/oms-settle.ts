import { reallocate, type Backorder, type CandidateLocation } from '../domain/inventory/allocation';
import { availableAt, changeBackordered, changeReserved, entryOf, reservedLocations, type EventEffects, type ModelOrder, type OmsState } from './oms-state';

/**
 * What the tower does right after every event (jobs/engine/reallocation.ts), on the mirror's book:
 * first reservations above on hand go back to backorder, then backorders of the SKUs whose stock
 * changed are reserved again by the domain's `reallocate`.
 */

// Code-point order, as the tower's C collation and the domain's byId compare ids.
const byIdDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/**
 * Candidate locations with their availability of `skus` now (jobs/engine/orders.ts `candidates`).
 * Locations with none of the SKUs available are left out (unless `exhaustive`): the allocation rule
 * can take nothing from them (no whole-order fill, zero per line), so the result is the same.
 */
export function candidatesFor(state: OmsState, skus: readonly string[], exhaustive = false): CandidateLocation[] {
  const rows = skus.map((sku) => state.book.get(sku));
  const out: CandidateLocation[] = [];
  for (const l of state.shipping) {
    let available: Map<string, number> | undefined;
    for (let i = 0; i < skus.length; i++) {
      const e = rows[i]?.[l.index];
      if (!e || e.onHand <= e.reserved) continue;
      available ??= new Map();
      available.set(skus[i]!, e.onHand - e.reserved);
    }
    if (available || exhaustive) out.push({ locationId: l.locationId, region: l.region, priority: l.priority, available: available ?? new Map() });
  }
  return out;
}

/**
 * For a new order: when some locations can fill it whole, only those, since the rule chooses among
 * them and looks no further; otherwise every location with something to offer, for a split.
 */
export function orderCandidates(state: OmsState, lines: readonly { sku: string; qty: number }[], exhaustive = false): CandidateLocation[] {
  const demand = new Map<string, number>();
  for (const l of lines) demand.set(l.sku, (demand.get(l.sku) ?? 0) + l.qty);
  const all = candidatesFor(state, [...demand.keys()], exhaustive);
  if (exhaustive) return all;
  const whole = all.filter((c) => {
    for (const [sku, qty] of demand) if ((c.available.get(sku) ?? 0) < qty) return false;
    return true;
  });
  return whole.length > 0 ? whole : all;
}

/**
 * Where an event took on hand below what is reserved, the newest reservations of the lowest-priority
 * channels go back to backorder (ORDER BY channel priority DESC, created_at DESC, order_id DESC).
 */
function releaseOverReservations(state: OmsState, effects: EventEffects): void {
  for (const { sku, locationId } of effects.fell) {
    const entry = entryOf(state, sku, locationId);
    let excess = Math.max(0, entry.reserved - Math.max(0, entry.onHand));
    // The tower releases only for an event that marked the SKU for re-allocation (it names the cause).
    if (excess <= 0 || !effects.triggers.has(sku)) continue;
    const holders = [...(state.holding.get(sku) ?? [])].map((id) => state.orders.get(id)!)
      .filter((o) => o.lines.some((l) => l.sku === sku && (l.reserved.get(locationId) ?? 0) > 0));
    holders.sort((a, b) => b.channelPriority - a.channelPriority || b.occurredAtMs - a.occurredAtMs || byIdDesc(a.orderId, b.orderId));
    for (const order of holders) {
      for (const line of order.lines) {
        if (excess <= 0) break;
        const held = line.sku === sku ? (line.reserved.get(locationId) ?? 0) : 0;
        if (held <= 0) continue;
        const q = Math.min(excess, held);
        changeReserved(state, order, line, locationId, -q);
        changeBackordered(state, order, line, q);
        state.settled.releasedToBackorder += q;
        excess -= q;
      }
      if (excess <= 0) break;
    }
  }
}

function backorderOf(order: ModelOrder): Backorder {
  const b: Backorder = {
    orderId: order.orderId,
    channelPriority: order.channelPriority,
    occurredAt: order.occurredAt,
    allowSplit: order.allowSplit,
    shipToRegion: order.region,
    lines: order.lines.filter((l) => l.backordered > 0).map((l) => ({ lineNo: l.lineNo, sku: l.sku, qty: l.backordered })),
  };
  if (!order.allowSplit) {
    const at = reservedLocations(order);
    // A no-split order partly reserved may be completed only where the rest is; held in two places: nowhere.
    if (at.size === 1) b.onlyLocationId = [...at][0]!;
    else if (at.size > 1) b.onlyLocationId = '\u0000none';
  }
  return b;
}

/**
 * Re-allocates the backorders of the triggered SKUs, as the tower does, but only of the triggered
 * SKUs available somewhere: an order waiting only on SKUs with nothing available takes nothing (a
 * no-split order needs them; a split order's other backordered SKUs have nothing available either,
 * or the event that made them available would have served it), so the result is the same. `exhaustive` turns the shortcuts
 * off, so tests can compare.
 */
function reallocateBackorders(state: OmsState, effects: EventEffects, exhaustive: boolean): void {
  const ids = new Set<string>();
  for (const sku of effects.triggers) {
    const waiting = state.waiting.get(sku);
    if (!waiting) continue;
    if (!exhaustive && !state.shipping.some((l) => availableAt(state, sku, l.index) > 0)) continue;
    for (const id of waiting) ids.add(id);
  }
  if (ids.size === 0) return;
  const backorders = [...ids].map((id) => backorderOf(state.orders.get(id)!));
  const skus = [...new Set(backorders.flatMap((b) => b.lines.map((l) => l.sku)))];
  const served = reallocate({ backorders, locations: candidatesFor(state, skus, exhaustive) });
  for (const s of served) {
    const order = state.orders.get(s.orderId)!;
    const at = new Set<string>();
    for (const r of s.reservations) {
      const line = order.lines[r.lineNo - 1]!;
      changeReserved(state, order, line, r.locationId, r.qty);
      changeBackordered(state, order, line, -r.qty);
      state.settled.reallocated += r.qty;
      at.add(r.locationId);
    }
    for (const locationId of at) state.onReserve(order.orderId, locationId);
  }
}

export function settle(state: OmsState, effects: EventEffects, exhaustive = false): void {
  if (effects.fell.length > 0) releaseOverReservations(state, effects);
  if (effects.triggers.size > 0) reallocateBackorders(state, effects, exhaustive);
}
