import { allocate } from '../domain/inventory/allocation';
import { countWithinTolerance, defaultCountTolerance } from '../domain/inventory/counts';
import { orderCandidates, settle } from './oms-settle';
import { returns, transfers, unitsBySku } from './oms-stock';
import {
  changeBackordered, changeReserved, entryOf,
  type Bucket, type EventEffects, type ModelLocation, type ModelOrder, type OmsState,
} from './oms-state';

export type { Bucket, ModelLine, ModelOrder } from './oms-state';

/** The tower's default FRAUD_THRESHOLD (and count tolerance, domain defaultCountTolerance): the mirror assumes a tower on defaults. */
export const FRAUD_HOLD_THRESHOLD = 0.8;


const reservedOf = (order: ModelOrder, sku: string, locationId: string) =>
  order.lines.reduce((n, l) => n + (l.sku === sku ? (l.reserved.get(locationId) ?? 0) : 0), 0);

/**
 * The simulator's own OMS: the same book the tower keeps, moved by the same events in the same
 * (emission) order and allocated by the same domain rules, so the generator only ever picks and
 * ships what the tower has reserved. Every method is one event; a call the tower would refuse
 * throws before it changes anything, because it is a generator bug, not something to send.
 */
export class OmsModel {
  readonly #state: OmsState;
  readonly #channels: ReadonlyMap<string, { priority: number; allowSplit: boolean }>;
  readonly #exhaustive: boolean;

  constructor(opts: {
    locations: readonly ModelLocation[];
    channels: readonly { channel: string; priority: number; allowSplit: boolean }[];
    /** Called when re-allocation reserves units of an order at a location (so they can be picked). */
    onReserve?: (orderId: string, locationId: string) => void;
    /** No shortcuts: every candidate location to every allocation, every backorder to re-allocation (slower; the same result, which tests check). */
    exhaustive?: boolean;
  }) {
    const locations = opts.locations.map((l, index) => ({ locationId: l.locationId, region: l.region, priority: l.priority, shipsToCustomers: l.shipsToCustomers, index }));
    this.#state = {
      locations, shipping: locations.filter((l) => l.shipsToCustomers), locationIndex: new Map(locations.map((l) => [l.locationId, l.index])),
      book: new Map(), orders: new Map(), waiting: new Map(), holding: new Map(), onReserve: opts.onReserve ?? (() => {}),
      settled: { releasedToBackorder: 0, reallocated: 0 },
    };
    this.#channels = new Map(opts.channels.map((c) => [c.channel, c]));
    this.#exhaustive = opts.exhaustive ?? false;
  }

  bucket(sku: string, locationId: string): Readonly<Bucket> {
    return entryOf(this.#state, sku, locationId);
  }

  available(sku: string, locationId: string): number {
    const e = this.#state.book.get(sku)?.[this.#state.locationIndex.get(locationId) ?? -1];
    return e ? Math.max(0, e.onHand - e.reserved) : 0;
  }

  order(orderId: string): Readonly<ModelOrder> | undefined {
    return this.#state.orders.get(orderId);
  }

  /** Every SKU × location with a bucket, for comparing with the tower's `inventory` table. */
  *buckets(): IterableIterator<{ sku: string; locationId: string; bucket: Readonly<Bucket> }> {
    for (const [sku, row] of this.#state.book) {
      for (const [i, bucket] of row.entries()) if (bucket) yield { sku, locationId: this.#state.locations[i]!.locationId, bucket };
    }
  }

  /** Every order the book still holds (open, or finished but not yet forgotten). */
  orders(): IterableIterator<Readonly<ModelOrder>> {
    return this.#state.orders.values();
  }

  /** Units of a SKU backordered by open orders (all SKUs when omitted). */
  backorderedUnits(sku?: string): number {
    const ids = sku ? (this.#state.waiting.get(sku) ?? new Set<string>()) : new Set([...this.#state.waiting.values()].flatMap((s) => [...s]));
    let n = 0;
    for (const id of ids) for (const l of this.#state.orders.get(id)!.lines) if (!sku || l.sku === sku) n += l.backordered;
    return n;
  }

  /** Units of the order reserved at a location, per SKU: what a pick or shipment there may carry. */
  reservedAt(orderId: string, locationId: string): { sku: string; qty: number }[] {
    const order = this.#state.orders.get(orderId);
    if (!order) return [];
    const out: { sku: string; qty: number }[] = [];
    for (const l of order.lines) {
      const q = l.reserved.get(locationId) ?? 0;
      if (q <= 0) continue;
      const same = out.find((x) => x.sku === l.sku);
      if (same) same.qty += q;
      else out.push({ sku: l.sku, qty: q });
    }
    return out;
  }

  // One effects record, cleared per event: events never nest (onReserve only schedules).
  readonly #effects: EventEffects = { fell: [], triggers: new Set() };

  #event(apply: (effects: EventEffects) => void): void {
    const effects = this.#effects;
    effects.fell.length = 0;
    effects.triggers.clear();
    apply(effects);
    settle(this.#state, effects, this.#exhaustive);
  }

  #require(orderId: string): ModelOrder {
    const order = this.#state.orders.get(orderId);
    if (!order) throw new Error(`model: order ${orderId} is unknown`);
    return order;
  }

  /** `order.created`: reserves on arrival by the allocation rule; creation itself re-allocates nothing. */
  createOrder(o: { orderId: string; channel: string; region: string; occurredAt: string; occurredAtMs?: number; held: boolean; lines: readonly { sku: string; qty: number }[] }): void {
    const channel = this.#channels.get(o.channel);
    if (!channel) throw new Error(`model: channel ${o.channel} is unknown`);
    if (this.#state.orders.has(o.orderId)) throw new Error(`model: order ${o.orderId} exists`);
    this.#event(() => {
      const lines = o.lines.map((l, i) => ({ lineNo: i + 1, sku: l.sku, qty: l.qty }));
      const result = allocate({ lines, shipToRegion: o.region, allowSplit: channel.allowSplit, locations: orderCandidates(this.#state, lines, this.#exhaustive) });
      const order: ModelOrder = {
        orderId: o.orderId, channel: o.channel, channelPriority: channel.priority, allowSplit: channel.allowSplit, region: o.region,
        occurredAt: o.occurredAt, occurredAtMs: o.occurredAtMs ?? Date.parse(o.occurredAt), held: o.held, cancelled: false,
        lines: lines.map((l) => ({ lineNo: l.lineNo, sku: l.sku, qty: l.qty, reserved: new Map(), backordered: 0, shipped: 0, cancelled: 0, returned: 0 })),
      };
      this.#state.orders.set(o.orderId, order);
      for (const r of result.reservations) changeReserved(this.#state, order, order.lines[r.lineNo - 1]!, r.locationId, r.qty);
      for (const b of result.backordered) changeBackordered(this.#state, order, order.lines[b.lineNo - 1]!, b.qty);
    });
  }

  /** `order.cancelled` / `order.payment_failed`: releases every reservation; open units are cancelled. */
  cancel(orderId: string): void {
    const order = this.#require(orderId);
    if (order.cancelled) throw new Error(`model: order ${orderId} is cancelled already`);
    this.#event((effects) => {
      order.held = false;
      order.cancelled = true;
      for (const line of order.lines) {
        for (const [locationId, q] of [...line.reserved]) {
          changeReserved(this.#state, order, line, locationId, -q);
          effects.triggers.add(line.sku);
        }
        line.cancelled = line.qty - line.shipped;
        changeBackordered(this.#state, order, line, -line.backordered);
      }
    });
  }

  /** `fulfillment.short_picked`: the units leave on hand and the reservation, and go back to backorder. */
  shortPick(d: { orderId: string; locationId: string; sku: string; qty: number }): void {
    const order = this.#require(d.orderId);
    const held = reservedOf(order, d.sku, d.locationId);
    if (held < d.qty) throw new Error(`model: ${d.orderId} has ${held} of ${d.sku} reserved at ${d.locationId}, fewer than ${d.qty}`);
    this.#event((effects) => {
      let left = d.qty;
      for (const line of order.lines) {
        if (line.sku !== d.sku || left === 0) continue;
        const q = Math.min(left, line.reserved.get(d.locationId) ?? 0);
        if (q === 0) continue;
        changeReserved(this.#state, order, line, d.locationId, -q);
        changeBackordered(this.#state, order, line, q);
        left -= q;
      }
      // On hand and reserved drop together: no reservation can end up above on hand.
      entryOf(this.#state, d.sku, d.locationId).onHand -= d.qty;
      effects.triggers.add(d.sku);
    });
  }

  /** `fulfillment.shipped` of reserved units only: on hand and reserved both drop. */
  ship(d: { orderId: string; locationId: string; lines: readonly { sku: string; qty: number }[] }): void {
    const order = this.#require(d.orderId);
    // Checked before anything moves: a refused call leaves the book as it was.
    for (const [sku, qty] of unitsBySku(d.lines)) {
      const held = reservedOf(order, sku, d.locationId);
      if (held < qty) throw new Error(`model: shipment of ${d.orderId} carries ${qty - held} ${sku} not reserved at ${d.locationId}`);
    }
    this.#event(() => {
      for (const shipped of d.lines) {
        let left = shipped.qty;
        for (const line of order.lines) {
          if (line.sku !== shipped.sku || left === 0) continue;
          const q = Math.min(left, line.reserved.get(d.locationId) ?? 0);
          if (q === 0) continue;
          changeReserved(this.#state, order, line, d.locationId, -q);
          line.shipped += q;
          left -= q;
        }
        entryOf(this.#state, shipped.sku, d.locationId).onHand -= shipped.qty;
      }
    });
  }

  /** `stock.received`. */
  receive(d: { locationId: string; sku: string; qty: number }): void {
    this.#event((effects) => {
      entryOf(this.#state, d.sku, d.locationId).onHand += d.qty;
      effects.triggers.add(d.sku);
    });
  }

  /** `stock.adjusted`: on hand + delta (never below 0); damage also fills the damaged bucket. */
  adjust(d: { locationId: string; sku: string; delta: number; reason: string }): void {
    const b = entryOf(this.#state, d.sku, d.locationId);
    if (b.onHand + d.delta < 0) throw new Error(`model: adjusting ${d.sku} at ${d.locationId} by ${d.delta} goes below 0`);
    this.#event((effects) => {
      b.onHand += d.delta;
      if (d.reason === 'damage') b.damaged -= d.delta;
      if (d.delta < 0) effects.fell.push(d);
      effects.triggers.add(d.sku);
    });
  }

  /**
   * `stock.counted`: within tolerance of the book the count becomes the book; beyond it the book stays
   * (a supervisor decides). Counts are emitted in event-time order, so the book at the count is now's.
   */
  count(d: { locationId: string; sku: string; countedQty: number }): boolean {
    const b = entryOf(this.#state, d.sku, d.locationId);
    const within = countWithinTolerance({ onHand: b.onHand, counted: d.countedQty, tolerance: defaultCountTolerance });
    if (within) {
      this.#event((effects) => {
        if (d.countedQty < b.onHand) effects.fell.push(d);
        b.onHand = d.countedQty;
        effects.triggers.add(d.sku);
      });
    }
    return within;
  }

  /** `stock.transfer_shipped`: leaves the source's on hand, waits in the destination's in transit (not available). */
  transferShip(d: { fromLocationId: string; toLocationId: string; lines: readonly { sku: string; qty: number }[] }): void {
    this.#event((effects) => transfers.ship(this.#state, effects, d));
  }

  /** `stock.transfer_received`. */
  transferReceive(d: { toLocationId: string; lines: readonly { sku: string; qty: number }[] }): void {
    this.#event((effects) => transfers.receive(this.#state, effects, d));
  }

  /** `return.received`: units of shipped lines come back, pending inspection (not sellable). */
  returnReceive(d: { orderId: string; locationId: string; lines: readonly { sku: string; qty: number }[] }): void {
    const order = this.#require(d.orderId);
    this.#event(() => returns.receive(this.#state, order, d));
  }

  /** `return.inspected`: a restock comes back on hand (and re-allocates); the rest leaves stock. */
  inspect(d: { locationId: string; lines: readonly { sku: string; qty: number; disposition: string }[] }): void {
    this.#event((effects) => returns.inspect(this.#state, effects, d));
  }

  /** Drops a finished order (nothing reserved or backordered) to keep a long run's memory flat. */
  forget(orderId: string): void {
    const order = this.#state.orders.get(orderId);
    if (!order) return;
    if (order.lines.some((l) => l.backordered > 0 || l.reserved.size > 0)) throw new Error(`model: order ${orderId} is still open`);
    this.#state.orders.delete(orderId);
  }

  /** Units sent back to backorder because stock fell below reservations, and units re-allocated from backorder. */
  get settled(): Readonly<{ releasedToBackorder: number; reallocated: number }> {
    return this.#state.settled;
  }
}

/** What callers may read of the book; only the generator moves it. */
export type OmsView = Pick<OmsModel, 'bucket' | 'available' | 'order' | 'orders' | 'buckets' | 'backorderedUnits' | 'reservedAt' | 'settled'>;
