import type { EventType } from '../domain/events/schemas';
import { startListingFeed } from './listing-feed';
import { OmsModel, type OmsView } from './oms-model';
import { requestFulfilment } from './fulfilment-flow';
import { scheduleArrivals } from './order-flow';
import { createRng } from './random';
import type { RawEvent } from './raw-event';
import { scheduleReturnsWave } from './returns-flow';
import { resolveScenarios, type ScenarioPlan, type ScenarioWindow } from './scenarios';
import { Schedule } from './schedule';
import { newEvent, replayHeldBack, touch, type Sim } from './sim-context';
import { openingStock, replenish, scheduleStockChecks, stockLevels } from './stock-flow';
import { buildWorld, unitsPerOrder, type World } from './world';

export interface SimulatorOptions {
  seed: number;
  /** Prefix of every event, order, transfer and return id: distinct runs can share one tower. */
  runId: string;
  /** Simulated time of `setup()`; the stream runs from here. */
  startMs: number;
  /** Orders over all channels; every other rate scales with it. Default 300. */
  ordersPerMinute?: number;
  /** Default 2,000. */
  skuCount?: number;
  scenarios?: readonly ScenarioWindow[];
}

/** Simulated time advances in whole ticks: the stream does not depend on how `advance` is stepped. */
export const TICK_MS = 1000;
const RUN_ID = /^[A-Za-z0-9._:-]{1,24}$/;

/**
 * A deterministic peak-season stream of an omnichannel retailer, valid against the v1 contract and
 * consistent with what the tower will have reserved (it keeps its own OMS book, `oms`).
 */
export class RetailSimulator {
  readonly world: World;
  /** Exactly the sources the stream uses: issue the API key for these. */
  readonly sources: readonly string[];
  /** The scenario windows fixed to time and targets (flash-sale SKUs, the silent channel, ...). */
  readonly plans: readonly ScenarioPlan[];
  /** The simulator's mirror of the tower's book, to read (a caller moving it would desynchronise the stream). */
  readonly oms: OmsView;
  readonly #sim: Sim;
  readonly #byType = new Map<EventType, number>();
  #out: RawEvent[] = [];
  #events = 0;
  #clock: number;
  #setUp = false;

  constructor(opts: SimulatorOptions) {
    if (!RUN_ID.test(opts.runId)) throw new RangeError(`runId must be 1-24 characters of A-Z a-z 0-9 . _ : -, got "${opts.runId}"`);
    if (!Number.isFinite(opts.startMs)) throw new RangeError('startMs must be a time in ms');
    const ordersPerMinute = opts.ordersPerMinute ?? 300;
    if (!(ordersPerMinute > 0 && ordersPerMinute <= 100_000)) throw new RangeError(`ordersPerMinute must be in (0, 100000], got ${ordersPerMinute}`);
    this.world = buildWorld({ seed: opts.seed, skuCount: opts.skuCount ?? 2000 });
    this.sources = this.world.sources;
    this.plans = resolveScenarios({ windows: opts.scenarios ?? [], world: this.world, startMs: opts.startMs, seed: opts.seed });
    this.#clock = opts.startMs;
    const unitsPerMinute = ordersPerMinute * this.world.channels.reduce((u, c) => u + c.mix * unitsPerOrder(c.kind), 0);
    const oms = new OmsModel({
      locations: this.world.locations,
      channels: this.world.channels,
      // Re-allocation reserved units somewhere: that location's WMS will pick them.
      onReserve: (orderId, locationId) => {
        for (const l of oms.order(orderId)!.lines) if (l.reserved.has(locationId)) touch(this.#sim, l.sku, locationId);
        requestFulfilment(this.#sim, orderId, locationId);
      },
    });
    this.oms = oms;
    const ids = new Map<string, number>();
    const demandPerMinute = Float64Array.from(this.world.items, (it) => it.weight * unitsPerMinute);
    const sim: Sim = {
      world: this.world, rng: createRng(opts.seed), oms, plans: this.plans, schedule: new Schedule(opts.startMs, TICK_MS),
      tracks: new Map(), counters: new Map(), heldBack: new Map(), returnPool: [], onOrder: new Map(), touched: new Set(),
      demandPerMinute, levels: stockLevels(this.world, demandPerMinute), locationIndex: new Map(this.world.locations.map((l, i) => [l.locationId, i])),
      ordersPerSecond: ordersPerMinute / 60, runId: opts.runId, now: opts.startMs,
      emit: (type, source, data, at) => {
        const n = ++this.#events;
        this.#byType.set(type, (this.#byType.get(type) ?? 0) + 1);
        const event = newEvent({ id: `${opts.runId}-${n}`, type, source, at: at ?? sim.now, data });
        this.#out.push(event);
        return event;
      },
      nextId: (kind) => {
        const n = (ids.get(kind) ?? 0) + 1;
        ids.set(kind, n);
        return n;
      },
    };
    this.#sim = sim;
  }

  /** Simulated time up to which the stream has been emitted. */
  get clockMs(): number {
    return this.#clock;
  }

  /** Master data (items, locations, channels) and opening stock, all at startMs. Send and apply these first. */
  setup(): RawEvent[] {
    if (this.#setUp) throw new Error('setup() was called already');
    this.#setUp = true;
    const sim = this.#sim;
    const erp = (type: EventType, data: Record<string, unknown>) => sim.emit(type, 'erp', data);
    for (const it of this.world.items) erp('item.upserted', { sku: it.sku, name: it.name, unitCost: it.unitCost, unitPrice: it.unitPrice, safetyStock: it.safetyStock });
    for (const l of this.world.locations) {
      erp('location.upserted', { locationId: l.locationId, name: l.name, kind: l.kind, region: l.region, shipsToCustomers: l.shipsToCustomers, priority: l.priority });
    }
    for (const c of this.world.channels) {
      erp('channel.upserted', { channel: c.channel, name: c.name, kind: c.kind, priority: c.priority, allocationShare: c.allocationShare, allowSplit: c.allowSplit, slaHours: c.slaHours });
    }
    openingStock(sim);
    startListingFeed(sim);
    for (const plan of this.plans) {
      if (plan.name === 'marketplace-outage') sim.schedule.add(plan.endMs, () => replayHeldBack(sim, plan.channel!));
    }
    return this.#drain();
  }

  /** Every event emitted in (previous toMs, toMs], in emission order (the order the tower must apply them in). */
  advance(toMs: number): RawEvent[] {
    if (!this.#setUp) throw new Error('call setup() before advance()');
    while (this.#clock + TICK_MS <= toMs) this.#tick(this.#clock + TICK_MS);
    return this.#drain();
  }

  #tick(end: number): void {
    const sim = this.#sim;
    scheduleArrivals(sim, end);
    scheduleStockChecks(sim, end);
    scheduleReturnsWave(sim, end);
    for (let due = sim.schedule.takeDue(end); due; due = sim.schedule.takeDue(end)) {
      sim.now = due.at;
      due.run();
    }
    sim.now = end;
    replenish(sim);
    this.#clock = end;
  }

  #drain(): RawEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** Counts by event type (`events.<type>`), order states now, and what was held back or avoided (`avoided.*`). */
  stats(): Record<string, number> {
    const sim = this.#sim;
    const out: Record<string, number> = { events: this.#events };
    for (const [type, n] of [...this.#byType].sort()) out[`events.${type}`] = n;
    for (const [name, n] of [...sim.counters].sort()) out[name] = n;
    let open = 0;
    let backordered = 0;
    let held = 0;
    for (const track of sim.tracks.values()) {
      const order = this.oms.order(track.orderId);
      if (!order || track.cancelled || order.lines.every((l) => l.shipped + l.cancelled >= l.qty)) continue;
      open++;
      if (track.held) held++;
      if (order.lines.some((l) => l.backordered > 0)) backordered++;
    }
    Object.assign(out, { 'orders.open': open, 'orders.openBackordered': backordered, 'orders.openHeld': held, 'units.backordered': this.oms.backorderedUnits() });
    out['oms.releasedToBackorder'] = this.oms.settled.releasedToBackorder;
    out['oms.reallocatedUnits'] = this.oms.settled.reallocated;
    out['outage.waiting'] = [...sim.heldBack.values()].reduce((n, l) => n + l.length, 0);
    out.scheduled = sim.schedule.size;
    return out;
  }
}
