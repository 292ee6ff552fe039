/**
 * Random event histories for the engine property test: an abstract plan drawn by fast-check, made
 * concrete step by step against the reference model (and, for picks and shipments, against the
 * engine's actual reservations), then delivered the way the real world does: duplicated, with
 * neighbours swapped, a shipment sometimes before its order, cut into batches of 1–10 events.
 */
import fc from 'fast-check';
import type { RawEvent } from '../../support/events';
import type { EventType } from '../../../domain/events/schemas';
import { atRestProblems, breachProblems, bucketProblems, lineProblems, noSplitProblems, readBuckets, readLines, reservationProblems, type LineRow } from './checks';
import { BACKROOM, SHIPPING, SPLIT, WHOLE, itemEvent, type EngineHarness } from './engine-harness';
import { Model, key, simulateBatch, type CountTolerance, type Outcome } from './model';

// ---------------------------------------------------------------------------------------------
// The abstract plan
// ---------------------------------------------------------------------------------------------

type OrderAction = { t: 'order'; channel: number; region: number; lines: { sku: number; qty: number }[]; fraud: number | null; pending: boolean };
type ReceiveAction = { t: 'receive'; sku: number; loc: number; qty: number };
type OpsAction =
  | ReceiveAction
  | OrderAction
  | { t: 'cancel'; pick: number; failed: boolean }
  | { t: 'auth'; pick: number }
  | { t: 'transfer'; from: number; to: number; sku: number; qty: number; over: boolean; receive: 'now' | 'later' }
  | { t: 'transferReceive'; pick: number; partial: boolean; over: boolean }
  | { t: 'count'; sku: number; loc: number; delta: number }
  | { t: 'adjust'; sku: number; loc: number; delta: number; reason: 'damage' | 'shrink' | 'found' | 'correction' }
  | { t: 'returnReceive'; pick: number; qty: number; loc: number; inspect: boolean; disposition: number }
  | { t: 'returnInspect'; pick: number; partial: boolean; disposition: number };
type FulfilAction =
  | ReceiveAction
  | OrderAction
  | { t: 'ship'; pick: number; loc: number; partial: boolean; again: boolean }
  | { t: 'short'; pick: number; qty: number; invalid: boolean }
  | { t: 'pick'; pick: number };
type EarlyAction = { t: 'early'; sku: number; qty: number; channel: number; region: number; picked: boolean };

export type Step =
  | { kind: 'ops'; actions: OpsAction[]; swaps: number[]; dups: { ix: number; offset: number }[]; cuts: number[] }
  | { kind: 'fulfil'; actions: FulfilAction[]; swaps: number[]; dups: { ix: number; offset: number }[]; cuts: number[] }
  | { kind: 'early'; actions: EarlyAction[]; swaps: number[]; dups: { ix: number; offset: number }[]; cuts: number[] };

export interface Plan {
  skus: number;
  locations: number;
  initial: number[][];
  steps: Step[];
}

const DISPOSITIONS = ['restock', 'refurbish', 'liquidate', 'write_off'] as const;

const receiveArb = fc.record({ t: fc.constant('receive' as const), sku: fc.nat(), loc: fc.nat(), qty: fc.integer({ min: 1, max: 6 }) });
const orderArb = fc.record({
  t: fc.constant('order' as const),
  channel: fc.nat({ max: 1 }),
  region: fc.nat({ max: 1 }),
  lines: fc.array(fc.record({ sku: fc.nat(), qty: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 2 }),
  // About one order in five scores at or above the 0.8 fraud threshold.
  fraud: fc.option(fc.integer({ min: 0, max: 100 }).map((x) => x / 100), { nil: null }),
  pending: fc.boolean(),
});

const opsAction: fc.Arbitrary<OpsAction> = fc.oneof(
  { weight: 3, arbitrary: receiveArb },
  { weight: 6, arbitrary: orderArb },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('cancel' as const), pick: fc.nat(), failed: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('auth' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('transfer' as const), from: fc.nat(), to: fc.nat(), sku: fc.nat(), qty: fc.integer({ min: 1, max: 4 }),
      over: fc.nat({ max: 9 }).map((n) => n < 2), receive: fc.constantFrom('now' as const, 'later' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('transferReceive' as const), pick: fc.nat(), partial: fc.boolean(), over: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('count' as const), sku: fc.nat(), loc: fc.nat(), delta: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-8, 9)) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('adjust' as const), sku: fc.nat(), loc: fc.nat(), delta: fc.constantFrom(-3, -1, 1, 2),
      reason: fc.constantFrom('damage' as const, 'shrink' as const, 'found' as const, 'correction' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('returnReceive' as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 3 }), loc: fc.nat(), inspect: fc.boolean(), disposition: fc.nat({ max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('returnInspect' as const), pick: fc.nat(), partial: fc.boolean(), disposition: fc.nat({ max: 3 }) }) },
);

const fulfilAction: fc.Arbitrary<FulfilAction> = fc.oneof(
  { weight: 1, arbitrary: receiveArb },
  { weight: 2, arbitrary: orderArb },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('ship' as const), pick: fc.nat(), loc: fc.nat(), partial: fc.boolean(), again: fc.nat({ max: 9 }).map((n) => n < 3) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('short' as const), pick: fc.nat(), qty: fc.nat(), invalid: fc.nat({ max: 9 }).map((n) => n < 2) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('pick' as const), pick: fc.nat() }) },
);

const earlyAction: fc.Arbitrary<EarlyAction> = fc.record({
  t: fc.constant('early' as const), sku: fc.nat(), qty: fc.integer({ min: 1, max: 3 }), channel: fc.nat({ max: 1 }), region: fc.nat({ max: 1 }), picked: fc.boolean(),
});

const delivery = {
  swaps: fc.array(fc.nat(), { maxLength: 3 }),
  dups: fc.array(fc.record({ ix: fc.nat(), offset: fc.nat({ max: 4 }) }), { maxLength: 2 }),
  cuts: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 }),
};

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ops' as const), actions: fc.array(opsAction, { minLength: 1, maxLength: 8 }), ...delivery }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('fulfil' as const), actions: fc.array(fulfilAction, { minLength: 1, maxLength: 8 }), ...delivery }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('early' as const), actions: fc.tuple(earlyAction).map((a) => [...a]), ...delivery }) },
);

export const planArb: fc.Arbitrary<Plan> = fc.record({
  skus: fc.integer({ min: 2, max: 3 }),
  locations: fc.integer({ min: 2, max: 3 }),
  initial: fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }), { minLength: 3, maxLength: 3 }),
  steps: fc.array(stepArb, { minLength: 3, maxLength: 9 }),
});

// ---------------------------------------------------------------------------------------------
// Making a plan concrete
// ---------------------------------------------------------------------------------------------

interface RunNames {
  tag: string;
  skus: string[];
  shipping: string[];
  /** Where stock may be: the shipping locations of the run and the back room (ships to nobody). */
  all: string[];
}

interface Delivered {
  event: RawEvent;
  /** Never moved by a swap (the early shipment step keeps its arrival order). Counts do move: a late count, or a movement arriving after the count that saw it, must neither overwrite nor double-count. */
  barrier: boolean;
}

const pickOf = <T>(list: readonly T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);

interface ReservationRow {
  order_id: string;
  line_no: number;
  location_id: string;
  sku: string;
  qty: number;
}

class Resolver {
  private n = 0;
  private orderNo = 0;
  private other = 0;
  private clock: number;
  readonly hints = new Map<string, 'valid' | 'invalid'>();

  constructor(readonly names: RunNames, start: number) {
    this.clock = start;
  }

  private ev(type: EventType, data: Record<string, unknown>): RawEvent {
    this.clock += 60_000;
    return { id: `${this.names.tag}-e${++this.n}`, type, source: 'prop', occurredAt: new Date(this.clock).toISOString(), data };
  }

  private nextId(kind: string): string {
    return `${this.names.tag}-${kind}${++this.other}`;
  }

  items(): RawEvent[] {
    return this.names.skus.map((s) => {
      this.clock += 1000;
      return itemEvent(s, new Date(this.clock).toISOString(), `${this.names.tag}-item-${s}`);
    });
  }

  initial(plan: Plan): RawEvent[] {
    const out: RawEvent[] = [];
    this.names.skus.forEach((sku, i) =>
      this.names.shipping.forEach((loc, j) => {
        const qty = plan.initial[i]?.[j] ?? 0;
        if (qty > 0) out.push(this.ev('stock.received', { sku, locationId: loc, qty }));
      }),
    );
    return out;
  }

  receive(a: ReceiveAction): RawEvent {
    return this.ev('stock.received', { sku: pickOf(this.names.skus, a.sku)!, locationId: pickOf(this.names.all, a.loc)!, qty: a.qty });
  }

  order(a: OrderAction): RawEvent {
    const data: Record<string, unknown> = {
      orderId: `${this.names.tag}-O${++this.orderNo}`,
      channel: a.channel === 0 ? SPLIT : WHOLE,
      // Two lines may name the same SKU (see engine-regressions.test.ts, 'ships units reserved on the second line of a SKU').
      lines: a.lines.map((l) => ({ sku: pickOf(this.names.skus, l.sku)!, qty: l.qty, unitPrice: 10 })),
      shipTo: { region: a.region === 0 ? 'east' : 'west' },
      payment: a.pending ? 'pending' : 'authorized',
    };
    if (a.fraud !== null) data.fraudScore = a.fraud;
    return this.ev('order.created', data);
  }

  /** One step of stock and order-book changes; `gen` is the model, advanced as the events are made. */
  ops(actions: readonly OpsAction[], gen: Model): Delivered[] {
    const out: Delivered[] = [];
    const push = (e: RawEvent, barrier = false) => {
      out.push({ event: e, barrier });
      gen.apply(e, this.hints.get(e.id));
    };
    const orders = () => [...gen.orders.keys()].sort();
    for (const a of actions) {
      switch (a.t) {
        case 'receive':
          push(this.receive(a));
          break;
        case 'order':
          push(this.order(a));
          break;
        case 'cancel': {
          const orderId = pickOf(orders(), a.pick);
          if (orderId) push(this.ev(a.failed ? 'order.payment_failed' : 'order.cancelled', { orderId, reason: 'test' }));
          break;
        }
        case 'auth': {
          const orderId = pickOf(orders(), a.pick);
          if (orderId) push(this.ev('order.payment_authorized', { orderId }));
          break;
        }
        case 'transfer': {
          const from = pickOf(this.names.all, a.from)!;
          const to = pickOf(this.names.all.filter((l) => l !== from), a.to)!;
          const sku = pickOf(this.names.skus, a.sku)!;
          const have = gen.onHand(sku, from);
          const qty = a.over ? have + 1 : Math.min(a.qty, have);
          if (qty <= 0) break;
          const transferId = this.nextId('T');
          push(this.ev('stock.transfer_shipped', { transferId, fromLocationId: from, toLocationId: to, lines: [{ sku, qty }] }));
          if (a.receive === 'now' && gen.transfers.has(transferId)) push(this.ev('stock.transfer_received', { transferId, lines: [{ sku, qty }] }));
          break;
        }
        case 'transferReceive': {
          const open = [...gen.transfers.entries()].flatMap(([id, t]) =>
            [...t.shipped].map(([sku, q]) => ({ id, sku, open: q - (t.received.get(sku) ?? 0) })).filter((x) => x.open > 0));
          const t = pickOf(open, a.pick);
          if (!t) break;
          const qty = a.over ? t.open + 1 : a.partial && t.open > 1 ? t.open - 1 : t.open;
          push(this.ev('stock.transfer_received', { transferId: t.id, lines: [{ sku: t.sku, qty }] }));
          break;
        }
        case 'count': {
          const sku = pickOf(this.names.skus, a.sku)!;
          const loc = pickOf(this.names.all, a.loc)!;
          push(this.ev('stock.counted', { sku, locationId: loc, countedQty: Math.max(0, gen.onHand(sku, loc) + a.delta) }));
          break;
        }
        case 'adjust': {
          const sku = pickOf(this.names.skus, a.sku)!;
          const loc = pickOf(this.names.all, a.loc)!;
          // A damage adjustment takes units off the shelf into the damaged bucket (delta < 0).
          const reason = a.reason === 'damage' && a.delta > 0 ? 'found' : a.reason;
          push(this.ev('stock.adjusted', { sku, locationId: loc, delta: a.delta, reason }));
          break;
        }
        case 'returnReceive': {
          const candidates = [...gen.orders.values()]
            .sort((x, y) => (x.orderId < y.orderId ? -1 : 1))
            .flatMap((o) => [...new Set(o.lines.map((l) => l.sku))].map((sku) => ({
              orderId: o.orderId, sku, returnable: o.lines.filter((l) => l.sku === sku).reduce((n, l) => n + l.shipped - l.returned, 0),
            })))
            .filter((c) => c.returnable > 0);
          const c = pickOf(candidates, a.pick);
          if (!c) break;
          const returnId = this.nextId('R');
          const qty = Math.min(a.qty, c.returnable);
          push(this.ev('return.received', { returnId, orderId: c.orderId, locationId: pickOf(this.names.all, a.loc)!, lines: [{ sku: c.sku, qty }] }));
          if (a.inspect) push(this.ev('return.inspected', { returnId, lines: [{ sku: c.sku, qty, disposition: DISPOSITIONS[a.disposition % 4]! }] }));
          break;
        }
        case 'returnInspect': {
          const open = [...gen.returns.entries()].flatMap(([id, r]) =>
            [...r.received].map(([sku, q]) => ({ id, sku, open: q - (r.inspected.get(sku) ?? 0) })).filter((x) => x.open > 0));
          const r = pickOf(open, a.pick);
          if (!r) break;
          const qty = a.partial && r.open > 1 ? 1 : r.open;
          push(this.ev('return.inspected', { returnId: r.id, lines: [{ sku: r.sku, qty, disposition: DISPOSITIONS[a.disposition % 4]! }] }));
          break;
        }
      }
    }
    return out;
  }

  /**
   * Picks, short picks and shipments of what the engine has actually reserved (read before the step).
   * At most one short pick or shipment per order per step, and no cancellation or stock decrease in
   * the step, so every reservation they were made from still stands when they are applied.
   */
  fulfil(actions: readonly FulfilAction[], gen: Model, reservations: readonly ReservationRow[], held: ReadonlySet<string>): Delivered[] {
    const out: Delivered[] = [];
    const push = (e: RawEvent) => {
      out.push({ event: e, barrier: false });
      gen.apply(e, this.hints.get(e.id));
    };
    const usable = reservations.filter((r) => !held.has(r.order_id));
    const used = new Set<string>();
    const free = () => [...new Set(usable.map((r) => r.order_id))].filter((o) => !used.has(o));
    const reservedAt = (orderId: string, sku: string, loc: string) =>
      usable.filter((r) => r.order_id === orderId && r.sku === sku && r.location_id === loc).reduce((n, r) => n + r.qty, 0);
    for (const a of actions) {
      switch (a.t) {
        case 'receive':
          push(this.receive(a));
          break;
        case 'order':
          push(this.order(a));
          break;
        case 'ship': {
          const orderId = pickOf(free(), a.pick);
          if (!orderId) break;
          const loc = pickOf([...new Set(usable.filter((r) => r.order_id === orderId).map((r) => r.location_id))].sort(), a.loc)!;
          const skus = [...new Set(usable.filter((r) => r.order_id === orderId && r.location_id === loc).map((r) => r.sku))].sort();
          const lines = skus.map((sku) => {
            const q = reservedAt(orderId, sku, loc);
            return { sku, qty: a.partial && q > 1 ? q - 1 : q };
          });
          used.add(orderId);
          const shipmentId = this.nextId('S');
          push(this.ev('fulfillment.shipped', { orderId, locationId: loc, shipmentId, lines }));
          // The same shipment sent again under another event id: the second must change nothing.
          if (a.again) push(this.ev('fulfillment.shipped', { orderId, locationId: loc, shipmentId, lines }));
          break;
        }
        case 'short': {
          const r = pickOf(usable.filter((x) => !used.has(x.order_id)), a.pick);
          if (!r) break;
          used.add(r.order_id);
          if (a.invalid) {
            // More than the order ever ordered of the SKU: never reserved there, whatever re-allocation did.
            const ordered = gen.orders.get(r.order_id)!.lines.filter((l) => l.sku === r.sku).reduce((n, l) => n + l.qty, 0);
            const e = this.ev('fulfillment.short_picked', { orderId: r.order_id, locationId: r.location_id, sku: r.sku, qty: ordered + 1 });
            this.hints.set(e.id, 'invalid');
            push(e);
          } else {
            const here = reservedAt(r.order_id, r.sku, r.location_id);
            const e = this.ev('fulfillment.short_picked', { orderId: r.order_id, locationId: r.location_id, sku: r.sku, qty: 1 + (a.qty % here) });
            this.hints.set(e.id, 'valid');
            push(e);
          }
          break;
        }
        case 'pick': {
          const orderId = pickOf([...new Set(usable.map((r) => r.order_id))], a.pick);
          if (!orderId) break;
          const first = usable.find((r) => r.order_id === orderId)!;
          const lines = usable.filter((r) => r.order_id === orderId && r.location_id === first.location_id).map((r) => ({ sku: r.sku, qty: r.qty }));
          push(this.ev('fulfillment.picked', { orderId, locationId: first.location_id, lines }));
          break;
        }
      }
    }
    return out;
  }

  /**
   * A shipment that arrives before its order (and, with `picked`, the pick too): they must wait,
   * then apply exactly once when the order comes. Shipped from a location that has the units
   * available, so the shipment is valid wherever the order ends up reserved.
   */
  early(a: EarlyAction, gen: Model, available: ReadonlyMap<string, number>): Delivered[] {
    const sku = pickOf(this.names.skus, a.sku)!;
    // (A receipt in the same step would let re-allocation take the units first: no stock, no step.)
    const loc = this.names.shipping.find((l) => (available.get(key(sku, l)) ?? 0) >= a.qty);
    if (!loc) return [];
    const order = this.order({ t: 'order', channel: a.channel, region: a.region, lines: [{ sku: a.sku, qty: a.qty }], fraud: null, pending: false });
    const orderId = String(order.data.orderId);
    const pick = this.ev('fulfillment.picked', { orderId, locationId: loc, lines: [{ sku, qty: a.qty }] });
    const ship = this.ev('fulfillment.shipped', { orderId, locationId: loc, shipmentId: this.nextId('S'), lines: [{ sku, qty: a.qty }] });
    for (const e of [order, ...(a.picked ? [pick] : []), ship]) gen.apply(e);
    return [...(a.picked ? [pick] : []), ship, order].map((event) => ({ event, barrier: true }));
  }
}

/** Duplicates (same id: the second insert is refused by the idempotency key) and neighbour swaps. */
function deliver(step: Step, made: Delivered[]): Delivered[] {
  const list = [...made];
  if (list.length > 1) {
    for (const s of step.swaps) {
      const i = s % (list.length - 1);
      const [x, y] = [list[i]!, list[i + 1]!];
      if (x.barrier || y.barrier) continue;
      list[i] = y;
      list[i + 1] = x;
    }
  }
  for (const d of step.dups) {
    if (list.length === 0) break;
    const i = d.ix % list.length;
    // Same (source, id): a duplicate, even with another body (spec "Envelope"); an odd offset changes the body.
    const copy: RawEvent = JSON.parse(JSON.stringify(list[i]!.event));
    if (d.offset % 2 === 1) {
      const data = copy.data as { qty?: number; lines?: { qty: number }[]; countedQty?: number };
      if (typeof data.qty === 'number') data.qty += 1;
      else if (data.lines?.[0]) data.lines[0].qty += 1;
      else if (typeof data.countedQty === 'number') data.countedQty += 1;
    }
    list.splice(Math.min(list.length, i + 1 + d.offset), 0, { event: copy, barrier: list[i]!.barrier });
  }
  return list;
}

function cut(list: readonly Delivered[], sizes: readonly number[]): Delivered[][] {
  const out: Delivered[][] = [];
  let i = 0;
  let k = 0;
  while (i < list.length) {
    const n = sizes[k++ % sizes.length]!;
    out.push(list.slice(i, i + n));
    i += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running a plan
// ---------------------------------------------------------------------------------------------

export class PropertyFailure extends Error {
  override name = 'PropertyFailure';
}

export function describeEvent(e: RawEvent, tag: string): string {
  const d = e.data as Record<string, unknown> & { lines?: { sku: string; qty: number; disposition?: string }[] };
  const lines = (d.lines ?? []).map((l) => `${l.qty}×${l.sku}${l.disposition ? `:${l.disposition}` : ''}`).join('+');
  let s: string;
  switch (e.type) {
    case 'item.upserted': s = `item ${d.sku}`; break;
    case 'stock.received': s = `receive ${d.qty}×${d.sku}@${d.locationId}`; break;
    case 'stock.adjusted': s = `adjust ${d.sku}@${d.locationId} ${Number(d.delta) > 0 ? '+' : ''}${d.delta} (${d.reason})`; break;
    case 'stock.counted': s = `count ${d.sku}@${d.locationId} = ${d.countedQty}`; break;
    case 'stock.transfer_shipped': s = `transfer ${d.transferId} ship ${lines} ${d.fromLocationId}→${d.toLocationId}`; break;
    case 'stock.transfer_received': s = `transfer ${d.transferId} receive ${lines}`; break;
    case 'order.created': s = `order ${d.orderId} ${d.channel} ${(d.shipTo as { region: string }).region} ${lines}${d.fraudScore !== undefined ? ` fraud=${d.fraudScore}` : ''} ${d.payment}`; break;
    case 'order.cancelled': s = `cancel ${d.orderId}`; break;
    case 'order.payment_failed': s = `payment_failed ${d.orderId}`; break;
    case 'order.payment_authorized': s = `payment_authorized ${d.orderId}`; break;
    case 'fulfillment.picked': s = `picked ${d.orderId}@${d.locationId} ${lines}`; break;
    case 'fulfillment.short_picked': s = `short_picked ${d.orderId}@${d.locationId} ${d.qty}×${d.sku}`; break;
    case 'fulfillment.shipped': s = `shipped ${d.orderId}@${d.locationId} ${d.shipmentId} ${lines}`; break;
    case 'return.received': s = `return ${d.returnId} received ${d.orderId}@${d.locationId} ${lines}`; break;
    case 'return.inspected': s = `return ${d.returnId} inspected ${lines}`; break;
    default: s = `${e.type} ${JSON.stringify(d)}`;
  }
  return `${s.split(`${tag}-`).join('')} [${e.occurredAt.slice(11, 16)}]`;
}

export interface RunOptions {
  tag: string;
  tolerance: CountTolerance;
}

export interface RunReport {
  events: number;
  batches: number;
  outcomes: Record<Outcome | 'duplicate', number>;
  /** `type outcome` → count, to see what the generator exercised. */
  byType: Record<string, number>;
  transcript: string[];
}

const namesFor = (tag: string, plan: Plan): RunNames => ({
  tag,
  skus: ['A', 'B', 'C'].slice(0, plan.skus).map((s) => `${tag}-${s}`),
  shipping: SHIPPING.slice(0, plan.locations).map((l) => l.locationId),
  all: [...SHIPPING.slice(0, plan.locations).map((l) => l.locationId), BACKROOM],
});

/** One run's delivery to the engine, mirrored in its own model, with the checks after every batch. */
class Run {
  readonly model: Model;
  readonly transcript: string[] = [];
  readonly report: RunReport;
  readonly orderPrefix: string;
  private readonly bySeq = new Map<number, RawEvent>();
  private pending: number[] = [];

  constructor(
    private readonly h: EngineHarness,
    readonly names: RunNames,
    tolerance: CountTolerance,
    private readonly hints: ReadonlyMap<string, 'valid' | 'invalid'>,
  ) {
    this.model = new Model(tolerance);
    this.orderPrefix = `${names.tag}-O`;
    this.report = { events: 0, batches: 0, outcomes: { applied: 0, invalid: 0, wait: 0, duplicate: 0 }, byType: {}, transcript: this.transcript };
  }

  fail(when: string, problems: string[]): never {
    throw new PropertyFailure(
      `${when}:\n  - ${problems.slice(0, 25).join('\n  - ')}${problems.length > 25 ? `\n  … ${problems.length - 25} more` : ''}\n` +
      `events as delivered (seq: event [event time]; '|' = batch boundary):\n${this.transcript.join('\n')}`,
    );
  }

  async check(when: string): Promise<void> {
    const sql = this.h.db.sql;
    const [buckets, lines] = await Promise.all([readBuckets(sql, this.names.skus), readLines(sql, this.orderPrefix)]);
    const problems = [
      ...bucketProblems(buckets),
      ...lineProblems(lines),
      ...(await reservationProblems(sql, this.orderPrefix)),
      ...(await noSplitProblems(sql, this.orderPrefix)),
      ...(await breachProblems(sql, this.names.skus, this.orderPrefix)),
      ...compareWithModel(this.model, buckets, lines, this.names.skus, this.names.tag),
    ];
    if (problems.length > 0) this.fail(when, problems);
  }

  async applyBatch(delivered: readonly Delivered[], label: string): Promise<void> {
    const { h } = this;
    const sql = h.db.sql;
    const tag = this.names.tag;
    const events = delivered.map((d) => d.event);
    const seqs = events.length ? await h.ingest(events) : [];
    const fresh: number[] = [];
    events.forEach((e, i) => {
      const s = seqs[i];
      if (s === undefined || this.bySeq.has(Number(s))) {
        this.report.outcomes.duplicate++;
        this.transcript.push(`      (dup) ${describeEvent(e, tag)}`);
        return;
      }
      this.bySeq.set(Number(s), e);
      fresh.push(Number(s));
      this.transcript.push(`  ${String(s).padStart(5)}: ${describeEvent(e, tag)}`);
    });
    const batch = [...this.pending, ...fresh];
    if (batch.length === 0) return;
    if (this.pending.length) this.transcript.push(`      (retried in this batch: ${this.pending.join(', ')})`);
    this.transcript.push(`  | ${label}`);
    this.report.batches++;
    await h.apply(batch.map(String));
    const expected = simulateBatch(this.model, batch.map((seq) => ({ seq, event: this.bySeq.get(seq)! })), this.hints);
    const actual = await sql<{ seq: string; applied: boolean; apply_error: string | null }[]>`
      SELECT seq, applied_at IS NOT NULL AS applied, apply_error FROM events WHERE seq IN ${sql(batch.map(String))}`;
    const problems: string[] = [];
    for (const row of actual) {
      const want = expected.get(Number(row.seq))!;
      const got: Outcome = !row.applied ? 'wait' : row.apply_error ? 'invalid' : 'applied';
      if (want !== got) {
        problems.push(`event ${row.seq} (${describeEvent(this.bySeq.get(Number(row.seq))!, tag)}): expected ${want}, engine: ${got}${row.apply_error ? ` (${row.apply_error})` : ''}`);
      }
    }
    if (problems.length) this.fail(`${label}: event outcomes differ from the contract`, problems);
    this.pending = batch.filter((s) => expected.get(s) === 'wait');
    for (const s of fresh) {
      this.report.outcomes[expected.get(s)!]++;
      const k = `${this.bySeq.get(s)!.type} ${expected.get(s)}`;
      this.report.byType[k] = (this.report.byType[k] ?? 0) + 1;
    }
    this.report.events += fresh.length;
    await this.check(`after ${label}`);
  }

  /** What still waits for a prerequisite that will never come: its window runs out (backdated), it must become invalid_event. */
  async expirePending(label: string): Promise<void> {
    if (this.pending.length === 0) return;
    const sql = this.h.db.sql;
    const waited = this.pending;
    await sql`UPDATE events SET accepted_at = accepted_at - interval '1 hour' WHERE seq IN ${sql(waited.map(String))}`;
    this.transcript.push(`  | ${label}: waiting ${waited.join(', ')} backdated past the window`);
    await this.h.apply(waited.map(String));
    const rows = await sql`SELECT seq, applied_at IS NOT NULL AS applied, apply_error FROM events WHERE seq IN ${sql(waited.map(String))}`;
    const problems = rows
      .filter((r) => !r.applied || !String(r.apply_error ?? '').includes('unknown'))
      .map((r) => `event ${r.seq} (${describeEvent(this.bySeq.get(Number(r.seq))!, this.names.tag)}) waited past the window: expected invalid_event, engine: applied=${r.applied} error=${r.apply_error}`);
    if (problems.length) this.fail(`${label}: expired events`, problems);
    this.pending = [];
  }

  async atRest(): Promise<void> {
    const rest = await atRestProblems(this.h.db.sql, this.names.skus, this.orderPrefix);
    if (rest.length) this.fail('at rest, allocation', rest);
  }
}

/** The events of one step, made from `run`'s model and (for fulfilment) its engine's reservations. */
async function makeStep(h: EngineHarness, run: Run, resolver: Resolver, step: Step): Promise<Delivered[]> {
  const sql = h.db.sql;
  const gen = run.model.clone();
  let made: Delivered[];
  if (step.kind === 'ops') {
    made = resolver.ops(step.actions, gen);
  } else if (step.kind === 'fulfil') {
    const reservations = await sql<ReservationRow[]>`
      SELECT order_id, line_no, location_id, sku, qty FROM reservations
      WHERE order_id LIKE ${`${run.orderPrefix}%`} ORDER BY order_id, line_no, location_id`;
    const held = new Set((await sql`SELECT order_id FROM orders WHERE order_id LIKE ${`${run.orderPrefix}%`} AND held`).map((r) => r.order_id as string));
    made = resolver.fulfil(step.actions, gen, reservations, held);
  } else {
    const avail = await sql`SELECT sku, location_id, on_hand - reserved AS available FROM inventory WHERE sku IN ${sql(run.names.skus)}`;
    made = resolver.early(step.actions[0]!, gen, new Map(avail.map((r) => [key(r.sku, r.location_id), Number(r.available)])));
  }
  return step.kind === 'early' ? made : deliver(step, made);
}

/** Runs a plan against the engine; throws a PropertyFailure with the delivered events when anything is off. */
export async function runPlan(h: EngineHarness, plan: Plan, opts: RunOptions): Promise<RunReport> {
  const names = namesFor(opts.tag, plan);
  const resolver = new Resolver(names, Date.now() - 3 * 24 * 3_600_000);
  const run = new Run(h, names, opts.tolerance, resolver.hints);
  await run.applyBatch(resolver.items().map((event) => ({ event, barrier: false })), 'items');
  await run.applyBatch(resolver.initial(plan).map((event) => ({ event, barrier: false })), 'initial stock');
  for (const [si, step] of plan.steps.entries()) {
    const delivered = await makeStep(h, run, resolver, step);
    run.transcript.push(`  -- step ${si + 1} (${step.kind})`);
    for (const [bi, batch] of cut(delivered, step.cuts).entries()) await run.applyBatch(batch, `step ${si + 1} batch ${bi + 1}`);
    await run.expirePending(`step ${si + 1}`);
  }
  await run.atRest();
  return run.report;
}

/** Everything the engine decided for a run, with the run's tag taken out of every name. */
async function snapshot(h: EngineHarness, run: Run): Promise<Record<string, string[]>> {
  const sql = h.db.sql;
  const strip = (s: string) => s.split(`${run.names.tag}-`).join('');
  const buckets = await sql`
    SELECT sku, location_id, on_hand, reserved, in_transit, returns_pending, damaged FROM inventory WHERE sku IN ${sql(run.names.skus)} ORDER BY 1, 2`;
  const reservations = await sql`
    SELECT order_id, line_no, location_id, qty FROM reservations WHERE order_id LIKE ${`${run.orderPrefix}%`} ORDER BY 1, 2, 3`;
  const lines = await sql`
    SELECT l.order_id, l.line_no, l.backordered, l.shipped, l.cancelled, l.returned, o.status, o.held
    FROM order_lines l JOIN orders o USING (order_id) WHERE l.order_id LIKE ${`${run.orderPrefix}%`} ORDER BY 1, 2`;
  return {
    buckets: buckets.map((b) => strip(`${b.sku}@${b.location_id}: on hand ${b.on_hand}, reserved ${b.reserved}, in transit ${b.in_transit}, returns ${b.returns_pending}, damaged ${b.damaged}`)),
    reservations: reservations.map((r) => strip(`${r.order_id}/${r.line_no}@${r.location_id} × ${r.qty}`)),
    lines: lines.map((l) => strip(`${l.order_id}/${l.line_no}: backordered ${l.backordered}, shipped ${l.shipped}, cancelled ${l.cancelled}, returned ${l.returned}, ${l.status}${l.held ? ' (held)' : ''}`)),
  };
}

const renamed = (e: RawEvent, from: string, to: string): RawEvent => JSON.parse(JSON.stringify(e).split(`${from}-`).join(`${to}-`));

/**
 * The same history delivered twice, in lockstep: run A one event per batch (the contract's
 * event-by-event meaning), run B cut into the plan's random batches. After every step both must have
 * decided exactly the same (reservations per location, backorders, statuses, buckets).
 */
export async function runPlanTwice(h: EngineHarness, plan: Plan, opts: { tagA: string; tagB: string; tolerance: CountTolerance }): Promise<void> {
  const namesA = namesFor(opts.tagA, plan);
  const namesB = namesFor(opts.tagB, plan);
  const resolver = new Resolver(namesA, Date.now() - 3 * 24 * 3_600_000);
  const hintsB = new Map<string, 'valid' | 'invalid'>();
  const a = new Run(h, namesA, opts.tolerance, resolver.hints);
  const b = new Run(h, namesB, opts.tolerance, hintsB);
  const toB = (list: readonly Delivered[]) =>
    list.map((d) => {
      const hint = resolver.hints.get(d.event.id);
      const e = renamed(d.event, opts.tagA, opts.tagB);
      if (hint) hintsB.set(e.id, hint);
      return { ...d, event: e };
    });
  const both = async (list: Delivered[], label: string) => {
    await a.applyBatch(list, label);
    await b.applyBatch(toB(list), label);
  };
  await both(resolver.items().map((event) => ({ event, barrier: false })), 'items');
  await both(resolver.initial(plan).map((event) => ({ event, barrier: false })), 'initial stock');
  for (const [si, step] of plan.steps.entries()) {
    const delivered = await makeStep(h, a, resolver, step);
    a.transcript.push(`  -- step ${si + 1} (${step.kind})`);
    b.transcript.push(`  -- step ${si + 1} (${step.kind})`);
    for (const [i, one] of delivered.entries()) await a.applyBatch([one], `step ${si + 1} event ${i + 1}`);
    await a.expirePending(`step ${si + 1}`);
    for (const [bi, batch] of cut(toB(delivered), step.cuts).entries()) await b.applyBatch(batch, `step ${si + 1} batch ${bi + 1}`);
    await b.expirePending(`step ${si + 1}`);
    const [sa, sb] = [await snapshot(h, a), await snapshot(h, b)];
    const problems: string[] = [];
    for (const k of Object.keys(sa)) {
      const onlyA = sa[k]!.filter((x) => !sb[k]!.includes(x));
      const onlyB = sb[k]!.filter((x) => !sa[k]!.includes(x));
      for (const x of onlyA) problems.push(`${k}, one event per batch: ${x}`);
      for (const x of onlyB) problems.push(`${k}, batched:           ${x}`);
    }
    if (problems.length) {
      throw new PropertyFailure(
        `after step ${si + 1}, the same events cut into other batches give another result:\n  - ${problems.join('\n  - ')}\n` +
        `one event per batch:\n${a.transcript.join('\n')}\nbatched:\n${b.transcript.join('\n')}`,
      );
    }
  }
  await a.atRest();
  await b.atRest();
}

/** The engine's numbers against the model: exact per SKU × location and per order line, and the spec's totals per SKU. */
function compareWithModel(model: Model, buckets: readonly { sku: string; location_id: string; on_hand: number; reserved: number; in_transit: number; returns_pending: number; damaged: number }[], lines: readonly LineRow[], skus: readonly string[], tag: string): string[] {
  const out: string[] = [];
  const strip = (s: string) => s.split(`${tag}-`).join('');
  const keys = new Set([...model.buckets.keys(), ...buckets.map((b) => key(b.sku, b.location_id))]);
  for (const k of [...keys].sort()) {
    const m = model.buckets.get(k) ?? { onHand: 0, inTransit: 0, returnsPending: 0, damaged: 0 };
    const b = buckets.find((x) => key(x.sku, x.location_id) === k);
    const got = { onHand: b?.on_hand ?? 0, inTransit: b?.in_transit ?? 0, returnsPending: b?.returns_pending ?? 0, damaged: b?.damaged ?? 0 };
    for (const f of ['onHand', 'inTransit', 'returnsPending', 'damaged'] as const) {
      if (m[f] !== got[f]) out.push(`${strip(k)} ${f}: expected ${m[f]}, engine ${got[f]}`);
    }
  }
  for (const o of model.orders.values()) {
    const rows = lines.filter((l) => l.order_id === o.orderId);
    if (rows.length !== o.lines.length) {
      out.push(`${strip(o.orderId)}: expected ${o.lines.length} lines, engine has ${rows.length}`);
      continue;
    }
    // Per SKU of the order: which of two lines of one SKU a shipment or return counts against is the engine's choice.
    for (const sku of new Set(o.lines.map((l) => l.sku))) {
      const mine = o.lines.filter((l) => l.sku === sku);
      const theirs = rows.filter((r) => r.sku === sku);
      const sum = <T>(list: T[], f: (x: T) => number) => list.reduce((n, x) => n + f(x), 0);
      const what = `${strip(o.orderId)} ${strip(sku)}`;
      const pairs = [
        ['ordered', sum(mine, (l) => l.qty), sum(theirs, (r) => r.qty)],
        ['shipped', sum(mine, (l) => l.shipped), sum(theirs, (r) => r.shipped)],
        ['cancelled', sum(mine, (l) => l.cancelled), sum(theirs, (r) => r.cancelled)],
        ['returned', sum(mine, (l) => l.returned), sum(theirs, (r) => r.returned)],
        ['open (reserved + backordered)', sum(mine, (l) => Model.open(l)), sum(theirs, (r) => r.reserved + r.backordered)],
      ] as const;
      for (const [f, want, got] of pairs) if (want !== got) out.push(`${what}: ${f} expected ${want}, engine ${got}`);
    }
    const head = rows[0]!;
    if (head.held !== o.held) out.push(`${strip(o.orderId)}: held expected ${o.held}, engine ${head.held}`);
    const ms = model.status(o);
    const expected =
      ms !== 'open'
        ? ms
        : rows.every((r) => r.reserved >= r.qty - r.shipped - r.cancelled)
          ? 'allocated'
          : rows.every((r) => r.backordered >= r.qty - r.shipped - r.cancelled)
            ? 'backordered'
            : 'partially_allocated';
    if (head.status !== expected) out.push(`${strip(o.orderId)}: status expected ${expected}, engine ${head.status}`);
  }
  const engineOrders = new Set(lines.map((l) => l.order_id));
  for (const id of engineOrders) if (!model.orders.has(id)) out.push(`${strip(id)}: the engine has an order the model never created`);
  // The spec's totals per SKU (implied by the above, reported for a readable summary).
  for (const sku of skus) {
    const mine = [...model.buckets.entries()].filter(([k]) => k.startsWith(`${sku}@`)).map(([, b]) => b);
    const theirs = buckets.filter((b) => b.sku === sku);
    const demand = [...model.orders.values()].flatMap((o) => o.lines).filter((l) => l.sku === sku);
    const engineLines = lines.filter((l) => l.sku === sku);
    const totals = [
      ['on hand', mine.reduce((n, b) => n + b.onHand, 0), theirs.reduce((n, b) => n + b.on_hand, 0)],
      ['reserved + backordered', demand.reduce((n, l) => n + Model.open(l), 0), engineLines.reduce((n, l) => n + l.reserved + l.backordered, 0)],
      ['shipped', demand.reduce((n, l) => n + l.shipped, 0), engineLines.reduce((n, l) => n + l.shipped, 0)],
      ['in transit', mine.reduce((n, b) => n + b.inTransit, 0), theirs.reduce((n, b) => n + b.in_transit, 0)],
    ] as const;
    for (const [what, want, got] of totals) if (want !== got) out.push(`total ${strip(sku)} ${what}: expected ${want}, engine ${got}`);
  }
  return out;
}
