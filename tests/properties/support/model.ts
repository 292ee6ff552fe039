/**
 * A straightforward reference model of the event contract (`/work/shared/spec/events.md`) for the
 * property tests. It knows everything that does not depend on WHERE the engine reserved units:
 * on hand / in transit / returns pending / damaged per SKU × location, and per order line what was
 * ordered, shipped, cancelled and returned. Open units (ordered − shipped − cancelled) must then be
 * exactly the engine's reserved + backordered.
 *
 * Events are fed in the order the engine applies them (sequence order, a waiting event retried at the
 * end of its batch), so the model decides validity and deferral itself. The few outcomes that depend
 * on reservations (a short pick) are decided by the generator, which resolves those events from the
 * engine's reservations, and passed in as a hint.
 */
import type { RawEvent } from '../../support/events';

export type Outcome = 'applied' | 'invalid' | 'wait';

export interface ModelLine {
  sku: string;
  qty: number;
  shipped: number;
  cancelled: number;
  returned: number;
}

export interface ModelOrder {
  orderId: string;
  channel: string;
  held: boolean;
  picking: boolean;
  lines: ModelLine[];
  shipments: Set<string>;
}

export interface ModelBuckets {
  onHand: number;
  inTransit: number;
  returnsPending: number;
  damaged: number;
}

interface Transfer {
  to: string;
  shipped: Map<string, number>;
  received: Map<string, number>;
}

interface Return {
  orderId: string;
  locationId: string;
  received: Map<string, number>;
  inspected: Map<string, number>;
}

export interface CountTolerance {
  units: number;
  percent: number;
}

export const key = (sku: string, locationId: string) => `${sku}@${locationId}`;

/** The spec's tolerance rule: equal is within; on an empty book any difference is beyond. */
export function withinTolerance(book: number, counted: number, t: CountTolerance): boolean {
  const diff = Math.abs(counted - book);
  if (diff === 0) return true;
  if (book <= 0) return false;
  return diff <= t.units && diff <= t.percent * book + 1e-9;
}

export type ModelStatus = 'on_hold' | 'returned' | 'partially_returned' | 'shipped' | 'partially_shipped' | 'cancelled' | 'picking' | 'open';

export class Model {
  readonly buckets = new Map<string, ModelBuckets>();
  /** On-hand movements per SKU × location with their event time: a late count compares with the book as of its time. */
  readonly moves = new Map<string, { at: number; delta: number }[]>();
  readonly orders = new Map<string, ModelOrder>();
  readonly transfers = new Map<string, Transfer>();
  readonly returns = new Map<string, Return>();
  /** Per SKU × location, the event time of the latest count that set the book. */
  readonly countedAt = new Map<string, number>();

  constructor(readonly tolerance: CountTolerance) {}

  clone(): Model {
    const m = new Model(this.tolerance);
    for (const [k, b] of this.buckets) m.buckets.set(k, { ...b });
    for (const [k, list] of this.moves) m.moves.set(k, list.map((x) => ({ ...x })));
    for (const [k, o] of this.orders) m.orders.set(k, { ...o, lines: o.lines.map((l) => ({ ...l })), shipments: new Set(o.shipments) });
    for (const [k, t] of this.transfers) m.transfers.set(k, { to: t.to, shipped: new Map(t.shipped), received: new Map(t.received) });
    for (const [k, r] of this.returns) m.returns.set(k, { ...r, received: new Map(r.received), inspected: new Map(r.inspected) });
    for (const [k, t] of this.countedAt) m.countedAt.set(k, t);
    return m;
  }

  bucket(sku: string, locationId: string): ModelBuckets {
    const k = key(sku, locationId);
    let b = this.buckets.get(k);
    if (!b) {
      b = { onHand: 0, inTransit: 0, returnsPending: 0, damaged: 0 };
      this.buckets.set(k, b);
    }
    return b;
  }

  onHand(sku: string, locationId: string): number {
    return this.buckets.get(key(sku, locationId))?.onHand ?? 0;
  }

  private moveOnHand(sku: string, locationId: string, delta: number, at: number): void {
    if (delta === 0) return;
    const k = key(sku, locationId);
    // A physical movement that happened before the last count (within tolerance) is in that count
    // already: applied late, it must not change on hand again.
    const counted = this.countedAt.get(k);
    if (counted !== undefined && at < counted) return;
    this.bucket(sku, locationId).onHand += delta;
    const list = this.moves.get(k) ?? [];
    list.push({ at, delta });
    this.moves.set(k, list);
  }

  static open(l: ModelLine): number {
    return l.qty - l.shipped - l.cancelled;
  }

  status(o: ModelOrder): ModelStatus {
    const shipped = o.lines.reduce((n, l) => n + l.shipped, 0);
    const returned = o.lines.reduce((n, l) => n + l.returned, 0);
    const open = o.lines.reduce((n, l) => n + Model.open(l), 0);
    if (o.held && shipped === 0) return 'on_hold';
    if (returned > 0) return returned >= shipped ? 'returned' : 'partially_returned';
    if (shipped > 0) return open === 0 ? 'shipped' : 'partially_shipped';
    if (o.lines.every((l) => l.cancelled >= l.qty)) return 'cancelled';
    if (o.picking) return 'picking';
    return 'open';
  }

  /** Applies one event as the contract says; `hint` decides what only the engine's reservations can. */
  apply(e: RawEvent, hint?: 'valid' | 'invalid'): Outcome {
    const d = e.data as Record<string, unknown> & { orderId?: string };
    const at = Date.parse(e.occurredAt);
    switch (e.type) {
      case 'item.upserted':
      case 'location.upserted':
      case 'channel.upserted':
      case 'channel.stock_snapshot':
        return 'applied';
      case 'stock.received': {
        this.moveOnHand(String(d.sku), String(d.locationId), Number(d.qty), at);
        return 'applied';
      }
      case 'stock.adjusted': {
        const sku = String(d.sku);
        const loc = String(d.locationId);
        const delta = Number(d.delta);
        if (this.onHand(sku, loc) + delta < 0) return 'invalid';
        this.moveOnHand(sku, loc, delta, at);
        if (d.reason === 'damage') this.bucket(sku, loc).damaged -= delta;
        return 'applied';
      }
      case 'stock.counted': {
        const sku = String(d.sku);
        const loc = String(d.locationId);
        const later = (this.moves.get(key(sku, loc)) ?? []).filter((m) => m.at > at).reduce((n, m) => n + m.delta, 0);
        const bookAtCount = this.onHand(sku, loc) - later;
        const counted = Number(d.countedQty);
        if (withinTolerance(bookAtCount, counted, this.tolerance)) {
          this.moveOnHand(sku, loc, counted - bookAtCount, at);
          this.countedAt.set(key(sku, loc), Math.max(at, this.countedAt.get(key(sku, loc)) ?? at));
        }
        return 'applied';
      }
      case 'stock.transfer_shipped': {
        const id = String(d.transferId);
        if (this.transfers.has(id)) return 'invalid';
        const from = String(d.fromLocationId);
        const to = String(d.toLocationId);
        const lines = d.lines as { sku: string; qty: number }[];
        const taken = new Map<string, number>();
        for (const l of lines) {
          const already = taken.get(l.sku) ?? 0;
          if (this.onHand(l.sku, from) - already < l.qty) return 'invalid';
          taken.set(l.sku, already + l.qty);
        }
        const t: Transfer = { to, shipped: new Map(), received: new Map() };
        for (const l of lines) {
          this.moveOnHand(l.sku, from, -l.qty, at);
          this.bucket(l.sku, to).inTransit += l.qty;
          t.shipped.set(l.sku, (t.shipped.get(l.sku) ?? 0) + l.qty);
        }
        this.transfers.set(id, t);
        return 'applied';
      }
      case 'stock.transfer_received': {
        const t = this.transfers.get(String(d.transferId));
        if (!t) return 'wait';
        const lines = d.lines as { sku: string; qty: number }[];
        const got = new Map(t.received);
        for (const l of lines) {
          const open = (t.shipped.get(l.sku) ?? 0) - (got.get(l.sku) ?? 0);
          if (l.qty > open) return 'invalid';
          got.set(l.sku, (got.get(l.sku) ?? 0) + l.qty);
        }
        for (const l of lines) {
          this.bucket(l.sku, t.to).inTransit -= l.qty;
          this.moveOnHand(l.sku, t.to, l.qty, at);
        }
        t.received = got;
        return 'applied';
      }
      case 'order.created': {
        const id = String(d.orderId);
        if (this.orders.has(id)) return 'invalid';
        const lines = d.lines as { sku: string; qty: number }[];
        const fraud = d.fraudScore as number | undefined;
        this.orders.set(id, {
          orderId: id, channel: String(d.channel), held: fraud !== undefined && fraud >= 0.8, picking: false,
          lines: lines.map((l) => ({ sku: l.sku, qty: l.qty, shipped: 0, cancelled: 0, returned: 0 })), shipments: new Set(),
        });
        return 'applied';
      }
      case 'order.payment_authorized': {
        const o = this.orders.get(String(d.orderId));
        if (!o) return 'wait';
        return this.status(o) === 'cancelled' ? 'invalid' : 'applied';
      }
      case 'order.payment_failed':
      case 'order.cancelled': {
        const o = this.orders.get(String(d.orderId));
        if (!o) return 'wait';
        if (['shipped', 'returned', 'partially_returned', 'cancelled'].includes(this.status(o))) return 'invalid';
        o.held = false;
        o.picking = false;
        for (const l of o.lines) l.cancelled = l.qty - l.shipped;
        return 'applied';
      }
      case 'fulfillment.picked': {
        const o = this.orders.get(String(d.orderId));
        if (!o) return 'wait';
        // Held for fraud review, or past picking (shipped, returned, cancelled): an illegal status change.
        if (o.held || ['shipped', 'returned', 'partially_returned', 'cancelled'].includes(this.status(o))) return 'invalid';
        o.picking = true;
        return 'applied';
      }
      case 'fulfillment.short_picked': {
        const o = this.orders.get(String(d.orderId));
        if (!o) return 'wait';
        if (hint === undefined) throw new Error(`model: a short pick needs a validity hint (${e.id})`);
        if (hint === 'invalid') return 'invalid';
        this.moveOnHand(String(d.sku), String(d.locationId), -Number(d.qty), at);
        return 'applied';
      }
      case 'fulfillment.shipped': {
        const o = this.orders.get(String(d.orderId));
        if (!o) return 'wait';
        const shipmentId = String(d.shipmentId);
        if (o.shipments.has(shipmentId)) return 'invalid';
        if (hint === 'invalid') return 'invalid';
        const lines = d.lines as { sku: string; qty: number }[];
        const shippedNow = o.lines.map((l) => l.shipped);
        for (const sl of lines) {
          let left = sl.qty;
          o.lines.forEach((l, i) => {
            if (l.sku !== sl.sku) return;
            const take = Math.min(left, l.qty - shippedNow[i]! - l.cancelled);
            if (take > 0) {
              shippedNow[i]! += take;
              left -= take;
            }
          });
          if (left > 0) return 'invalid';
        }
        // A held order may not leave on_hold by shipping: the status change is illegal.
        if (o.held && o.lines.every((l) => l.shipped === 0)) return 'invalid';
        o.lines.forEach((l, i) => (l.shipped = shippedNow[i]!));
        for (const sl of lines) this.moveOnHand(sl.sku, String(d.locationId), -sl.qty, at);
        o.shipments.add(shipmentId);
        o.picking = false;
        return 'applied';
      }
      case 'order.delivered':
        return this.orders.has(String(d.orderId)) ? 'applied' : 'wait';
      case 'return.received': {
        const o = this.orders.get(String(d.orderId));
        if (!o) return 'wait';
        const id = String(d.returnId);
        if (this.returns.has(id)) return 'invalid';
        const lines = d.lines as { sku: string; qty: number }[];
        // What the order shipped of the SKU and has not had back yet, over all its lines.
        const returnedNow = o.lines.map((l) => l.returned);
        for (const rl of lines) {
          let left = rl.qty;
          o.lines.forEach((l, j) => {
            if (l.sku !== rl.sku) return;
            const q = Math.min(left, l.shipped - returnedNow[j]!);
            if (q > 0) {
              returnedNow[j]! += q;
              left -= q;
            }
          });
          if (left > 0) return 'invalid';
        }
        o.lines.forEach((l, i) => (l.returned = returnedNow[i]!));
        const r: Return = { orderId: o.orderId, locationId: String(d.locationId), received: new Map(), inspected: new Map() };
        for (const rl of lines) {
          this.bucket(rl.sku, r.locationId).returnsPending += rl.qty;
          r.received.set(rl.sku, (r.received.get(rl.sku) ?? 0) + rl.qty);
        }
        this.returns.set(id, r);
        return 'applied';
      }
      case 'return.inspected': {
        const r = this.returns.get(String(d.returnId));
        if (!r) return 'wait';
        const lines = d.lines as { sku: string; qty: number; disposition: string }[];
        const done = new Map(r.inspected);
        for (const l of lines) {
          const open = (r.received.get(l.sku) ?? 0) - (done.get(l.sku) ?? 0);
          if (l.qty > open) return 'invalid';
          done.set(l.sku, (done.get(l.sku) ?? 0) + l.qty);
        }
        for (const l of lines) {
          this.bucket(l.sku, r.locationId).returnsPending -= l.qty;
          if (l.disposition === 'restock') this.moveOnHand(l.sku, r.locationId, l.qty, at);
        }
        r.inspected = done;
        return 'applied';
      }
      case 'refund.issued':
        return this.orders.has(String(d.orderId)) ? 'applied' : 'wait';
    }
  }
}

/** What an event is about (jobs/engine/index.ts keysOf): a waiting event goes right after one that shares a key. */
function keysOf(e: RawEvent): Set<string> {
  const d = e.data as Record<string, unknown> & { lines?: { sku: string }[]; items?: { sku: string }[] };
  const keys = new Set<string>();
  for (const [field, prefix] of [['orderId', 'o'], ['transferId', 't'], ['returnId', 'r'], ['locationId', 'l'], ['fromLocationId', 'l'], ['toLocationId', 'l'], ['channel', 'c'], ['sku', 's']] as const) {
    if (typeof d[field] === 'string') keys.add(`${prefix}:${d[field] as string}`);
  }
  for (const l of [...(d.lines ?? []), ...(d.items ?? [])]) keys.add(`s:${l.sku}`);
  return keys;
}

/**
 * What the engine does with one batch, in the model: events in sequence order; an event waiting for
 * a prerequisite is tried again right after the next applied event it shares a key with (as if it had
 * arrived in order), and once more after the rest; what still waits stays pending (the window never
 * runs out inside a run; expiry is forced separately).
 */
export function simulateBatch(
  model: Model,
  batch: readonly { seq: number; event: RawEvent }[],
  hints: ReadonlyMap<string, 'valid' | 'invalid'>,
): Map<number, Outcome> {
  const outcomes = new Map<number, Outcome>();
  const sorted = [...batch].sort((a, b) => a.seq - b.seq);
  const waiting = new Map<number, { seq: number; event: RawEvent }>();
  const run = (b: { seq: number; event: RawEvent }): Outcome => {
    const o = model.apply(b.event, hints.get(b.event.id));
    outcomes.set(b.seq, o);
    if (o === 'wait') waiting.set(b.seq, b);
    else waiting.delete(b.seq);
    return o;
  };
  for (const b of sorted) {
    if (run(b) !== 'applied' || waiting.size === 0) continue;
    const keys = keysOf(b.event);
    for (const w of [...waiting.values()]) if ([...keysOf(w.event)].some((k) => keys.has(k))) run(w);
  }
  for (const w of [...waiting.values()]) run(w);
  return outcomes;
}
