import { entryOf, type EventEffects, type ModelOrder, type OmsState } from './oms-state';

/**
 * Transfers and returns on the mirror's book: each checks first and only then moves anything, so a
 * refused call (a generator bug) leaves the book as it was.
 */
type Lines = readonly { sku: string; qty: number }[];

export function unitsBySku(lines: Lines): Map<string, number> {
  const units = new Map<string, number>();
  for (const l of lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.qty);
  return units;
}

export const transfers = {
  ship(state: OmsState, effects: EventEffects, d: { fromLocationId: string; toLocationId: string; lines: Lines }): void {
    for (const [sku, qty] of unitsBySku(d.lines)) {
      const onHand = entryOf(state, sku, d.fromLocationId).onHand;
      if (onHand < qty) throw new Error(`model: transfer of ${qty} ${sku} from ${d.fromLocationId}, which has ${onHand}`);
    }
    for (const l of d.lines) {
      entryOf(state, l.sku, d.fromLocationId).onHand -= l.qty;
      entryOf(state, l.sku, d.toLocationId).inTransit += l.qty;
      // Taken from on hand, not from what is available: the source may now be below its reservations.
      effects.fell.push({ sku: l.sku, locationId: d.fromLocationId });
      effects.triggers.add(l.sku);
    }
  },

  receive(state: OmsState, effects: EventEffects, d: { toLocationId: string; lines: Lines }): void {
    for (const [sku, qty] of unitsBySku(d.lines)) {
      const inTransit = entryOf(state, sku, d.toLocationId).inTransit;
      if (inTransit < qty) throw new Error(`model: only ${inTransit} of ${sku} in transit to ${d.toLocationId}`);
    }
    for (const l of d.lines) {
      const b = entryOf(state, l.sku, d.toLocationId);
      b.inTransit -= l.qty;
      b.onHand += l.qty;
      effects.triggers.add(l.sku);
    }
  },
};

export const returns = {
  /** Spread over the order's lines of each SKU, as far as each shipped and has not come back. */
  receive(state: OmsState, order: ModelOrder, d: { orderId: string; locationId: string; lines: Lines }): void {
    for (const [sku, qty] of unitsBySku(d.lines)) {
      const returnable = order.lines.reduce((n, l) => n + (l.sku === sku ? l.shipped - l.returned : 0), 0);
      if (returnable < qty) throw new Error(`model: return of ${qty} ${sku} exceeds what ${d.orderId} shipped and has not returned (${returnable})`);
    }
    for (const r of d.lines) {
      let left = r.qty;
      for (const line of order.lines) {
        if (line.sku !== r.sku) continue;
        const q = Math.min(left, line.shipped - line.returned);
        line.returned += q;
        left -= q;
      }
      entryOf(state, r.sku, d.locationId).returnsPending += r.qty;
    }
  },

  inspect(state: OmsState, effects: EventEffects, d: { locationId: string; lines: readonly { sku: string; qty: number; disposition: string }[] }): void {
    for (const [sku, qty] of unitsBySku(d.lines)) {
      const pending = entryOf(state, sku, d.locationId).returnsPending;
      if (pending < qty) throw new Error(`model: only ${pending} of ${sku} pending inspection at ${d.locationId}`);
    }
    for (const l of d.lines) {
      const b = entryOf(state, l.sku, d.locationId);
      b.returnsPending -= l.qty;
      if (l.disposition === 'restock') {
        b.onHand += l.qty;
        effects.triggers.add(l.sku);
      }
    }
  },
};
