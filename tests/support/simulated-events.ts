import type { RawEvent } from './events';

/**
 * A plausible stream of ecommerce events for demos and soak runs: orders across a few channels,
 * shipments of earlier orders from the DCs, and receipts that keep the shelves stocked. Seeded, so a
 * run can be repeated; every event is valid against the v1 contract and applies cleanly.
 */
export interface SimulationOptions {
  /** The API key's source; every event is sent under it. */
  source: string;
  /** Distinguishes event and order ids between runs sharing a database. */
  runId: string;
  seed?: number;
  channels?: readonly string[];
  skuCount?: number;
}

const CHANNELS: Record<string, { name: string; kind: 'webstore' | 'marketplace' | 'pos' | 'phone'; weight: number }> = {
  web: { name: 'Web store', kind: 'webstore', weight: 5 },
  app: { name: 'Mobile app', kind: 'webstore', weight: 3 },
  'mkt-a': { name: 'Marketplace A', kind: 'marketplace', weight: 2 },
  pos: { name: 'Stores (POS)', kind: 'pos', weight: 1 },
};
const LOCATIONS = [
  { locationId: 'DC-EAST', name: 'East DC', kind: 'dc', region: 'east', shipsToCustomers: true, priority: 1 },
  { locationId: 'DC-WEST', name: 'West DC', kind: 'dc', region: 'west', shipsToCustomers: true, priority: 2 },
  { locationId: 'STORE-NYC', name: 'New York store', kind: 'store', region: 'east', shipsToCustomers: false, priority: 3 },
] as const;
const SHIPPERS = ['DC-EAST', 'DC-WEST'] as const;
const REGIONS = ['east', 'west'] as const;
/** Stock per SKU per DC at the start, and per receipt: orders never run the shelves dry. */
const OPENING_STOCK = 100_000;
const RECEIPT_QTY = 500;
const MAX_PENDING_SHIPMENTS = 5_000;

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class EventSimulator {
  readonly channels: readonly string[];
  readonly skus: readonly { sku: string; price: number }[];
  #random: () => number;
  #n = 0;
  #orders = 0;
  #pending: { orderId: string; lines: { sku: string; qty: number }[] }[] = [];
  #opts: SimulationOptions;

  constructor(opts: SimulationOptions) {
    this.#opts = opts;
    this.#random = prng(opts.seed ?? 42);
    this.channels = opts.channels ?? Object.keys(CHANNELS);
    this.skus = Array.from({ length: opts.skuCount ?? 12 }, (_, i) => ({
      sku: `SKU-${String(i + 1).padStart(3, '0')}`,
      price: Math.round((9 + this.#random() * 90) * 100) / 100,
    }));
  }

  #event(type: RawEvent['type'], data: Record<string, unknown>, at: Date): RawEvent {
    return { id: `${this.#opts.runId}-${++this.#n}`, type, source: this.#opts.source, occurredAt: at.toISOString(), data };
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }

  #channel(): string {
    const weights = this.channels.map((c) => CHANNELS[c]?.weight ?? 1);
    let r = this.#random() * weights.reduce((a, b) => a + b, 0);
    for (const [i, w] of weights.entries()) if ((r -= w) < 0) return this.channels[i]!;
    return this.channels.at(-1)!;
  }

  /** Items, locations, channels and opening stock, dated `at` (send these first and let them apply). */
  masterData(at: Date): RawEvent[] {
    return [
      ...this.skus.map(({ sku, price }) => this.#event('item.upserted', { sku, name: `Item ${sku}`, unitCost: Math.round(price * 40) / 100, unitPrice: price, safetyStock: 5 }, at)),
      ...LOCATIONS.map((l) => this.#event('location.upserted', { ...l }, at)),
      ...this.channels.map((c, i) => this.#event('channel.upserted', {
        channel: c, name: CHANNELS[c]?.name ?? c, kind: CHANNELS[c]?.kind ?? 'webstore', priority: i + 1, allocationShare: 1, allowSplit: true, slaHours: 48,
      }, at)),
      ...SHIPPERS.flatMap((locationId) => this.skus.map(({ sku }) => this.#event('stock.received', { locationId, sku, qty: OPENING_STOCK, reference: 'opening' }, at))),
    ];
  }

  order(at: Date, channel = this.#channel()): RawEvent {
    const lineCount = 1 + Math.floor(this.#random() * 3);
    const skus = new Set<string>();
    while (skus.size < lineCount) skus.add(this.#pick(this.skus).sku);
    const lines = [...skus].map((sku) => ({ sku, qty: 1 + Math.floor(this.#random() * 3), unitPrice: this.skus.find((s) => s.sku === sku)!.price }));
    const orderId = `${this.#opts.runId}-O${++this.#orders}`;
    if (this.#pending.length < MAX_PENDING_SHIPMENTS) this.#pending.push({ orderId, lines: lines.map(({ sku, qty }) => ({ sku, qty })) });
    return this.#event('order.created', {
      orderId, channel, lines, shipTo: { region: this.#pick(REGIONS), country: 'US' }, payment: 'authorized', fraudScore: Math.round(this.#random() * 30) / 100,
      promisedShipBy: new Date(at.getTime() + 24 * 3_600_000).toISOString(),
    }, at);
  }

  /**
   * `count` events at `at`: about 55 % orders, 30 % shipments of earlier orders (whole, from a DC),
   * 15 % receipts at a DC or the store.
   */
  next(count: number, at: Date): RawEvent[] {
    const out: RawEvent[] = [];
    for (let i = 0; i < count; i++) {
      const r = this.#random();
      if (r < 0.3 && this.#pending.length > 0) {
        const { orderId, lines } = this.#pending.shift()!;
        out.push(this.#event('fulfillment.shipped', { orderId, locationId: this.#pick(SHIPPERS), shipmentId: `${orderId}-S1`, lines }, at));
      } else if (r < 0.45) {
        out.push(this.#event('stock.received', { locationId: this.#pick(LOCATIONS).locationId, sku: this.#pick(this.skus).sku, qty: RECEIPT_QTY, reference: `PO-${this.#n}` }, at));
      } else {
        out.push(this.order(at));
      }
    }
    return out;
  }

  /**
   * Orders spread over the last `minutes` before `now` (event time), busier lately: the charts of a
   * demo show an hour of history at once.
   */
  history(now: Date, minutes: number, perMinute: number): RawEvent[] {
    const out: RawEvent[] = [];
    for (let m = minutes; m >= 1; m--) {
      const n = Math.round(perMinute * (0.6 + 0.4 * Math.sin(m / 9) ** 2) * (0.8 + 0.4 * this.#random()));
      for (let i = 0; i < n; i++) out.push(this.order(new Date(now.getTime() - m * 60_000 + Math.floor(this.#random() * 60_000))));
    }
    return out;
  }
}
