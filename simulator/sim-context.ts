import type { EventType } from '../domain/events/schemas';
import type { OmsModel } from './oms-model';
import type { Rng } from './random';
import type { RawEvent } from './raw-event';
import { activeAt, type ScenarioName, type ScenarioPlan } from './scenarios';
import type { Schedule } from './schedule';
import type { StockLevels } from './stock-flow';
import type { SimChannel, World } from './world';

/** What the generator knows about an order beyond the OMS book: payment, fulfilment in flight, delivery. */
export interface OrderTrack {
  orderId: string;
  channel: SimChannel;
  payment: 'authorized' | 'pending' | 'failed';
  held: boolean;
  cancelled: boolean;
  /** Locations with a pick or shipment under way (one at a time per location). */
  inFlight: string[];
  shipments: number;
  lastShipLocation?: string;
  delivered: boolean;
  returned: boolean;
  /** The order's lines as sold (their prices make the refund). */
  lines: readonly { sku: string; qty: number; unitPrice: number }[];
}

/** A channel-sourced action held back by an outage, replayed later with its original time. */
export interface HeldBack {
  at: number;
  run: (at: number) => void;
}

/**
 * The state every flow shares. Flows are plain functions over it; only the generator builds it.
 * `now` is the simulated time of the action being run: events default to it, and it never goes back.
 */
export interface Sim {
  readonly world: World;
  readonly rng: Rng;
  readonly oms: OmsModel;
  readonly plans: readonly ScenarioPlan[];
  readonly schedule: Schedule;
  readonly tracks: Map<string, OrderTrack>;
  readonly counters: Map<string, number>;
  /** Held back per silent channel until its outage ends. */
  readonly heldBack: Map<string, HeldBack[]>;
  /** Delivered orders that may still come back; a random one is forgotten when it is full. */
  readonly returnPool: string[];
  /** sku → bit mask of location indexes with a purchase order or transfer on its way (one at a time). */
  readonly onOrder: Map<string, number>;
  /** Item index × 16 + location index of the positions that fell this tick: checked for replenishment at its end. */
  readonly touched: Set<number>;
  /** Expected units sold per simulated minute, per item index (drives stock levels). */
  readonly demandPerMinute: Float64Array;
  /** Stock levels per location index and item index (stock-flow). */
  readonly levels: readonly StockLevels[];
  readonly locationIndex: ReadonlyMap<string, number>;
  readonly ordersPerSecond: number;
  readonly runId: string;
  now: number;
  emit(type: EventType, source: string, data: Record<string, unknown>, at?: number): RawEvent;
  nextId(kind: string): number;
}

export function bump(sim: Sim, counter: string, by = 1): void {
  sim.counters.set(counter, (sim.counters.get(counter) ?? 0) + by);
}

const NONE: readonly ScenarioPlan[] = [];

/** The plans of a scenario active at `at` (allocation-free when the run has none of that scenario). */
export const active = (sim: Sim, name: ScenarioName, at = sim.now): readonly ScenarioPlan[] =>
  sim.plans.some((p) => p.name === name) ? activeAt(sim.plans, name, at) : NONE;

/** Silent (outage) channels emit nothing: their actions wait for the end of the outage. */
export function viaChannel(sim: Sim, channel: SimChannel, run: (at: number) => void): void {
  if (active(sim, 'marketplace-outage').some((p) => p.channel === channel.channel)) {
    const list = sim.heldBack.get(channel.channel) ?? [];
    list.push({ at: sim.now, run });
    sim.heldBack.set(channel.channel, list);
    bump(sim, 'outage.heldBackActions');
    return;
  }
  run(sim.now);
}

/** Replays what a channel held back, in its original order and with its original event times. */
export function replayHeldBack(sim: Sim, channel: string): void {
  if (active(sim, 'marketplace-outage').some((p) => p.channel === channel)) return;
  const list = sim.heldBack.get(channel) ?? [];
  sim.heldBack.delete(channel);
  for (const held of list) {
    held.run(held.at);
    bump(sim, 'outage.replayedActions');
  }
}

let isoSecond = Number.NaN;
let isoPrefix = '';

/** ISO-8601 in UTC; the date-and-second part is reused, since most events share their second with the last one. */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  return `${isoPrefix}${String(ms - second * 1000).padStart(3, '0')}Z`;
}

export function newEvent(input: { id: string; type: EventType; source: string; at: number; data: Record<string, unknown> }): RawEvent {
  return { id: input.id, type: input.type, source: input.source, occurredAt: isoTime(input.at), data: input.data };
}

/** Notes that a SKU's position at a location fell (reserved or gone): replenishment looks at it. */
export function touch(sim: Sim, sku: string, locationId: string): void {
  sim.touched.add(sim.world.itemIndex.get(sku)! * 16 + sim.locationIndex.get(locationId)!);
}

/** A location's system source, by id. */
export const sourceOf = (sim: Sim, locationId: string) => sim.world.locations[sim.locationIndex.get(locationId)!]!.source;

/** Units still open (not shipped, not cancelled) on the order, per the OMS book. */
export function openUnits(sim: Sim, orderId: string): number {
  const order = sim.oms.order(orderId);
  return order ? order.lines.reduce((n, l) => n + Math.max(0, l.qty - l.shipped - l.cancelled), 0) : 0;
}

/** Drops a finished order from the generator and the OMS book. */
export function forgetOrder(sim: Sim, orderId: string): void {
  sim.tracks.delete(orderId);
  sim.oms.forget(orderId);
}
