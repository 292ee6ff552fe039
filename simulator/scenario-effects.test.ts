import { beforeAll, describe, expect, it } from 'vitest';
import type { RawEvent } from './raw-event';
import { parseScenarios } from './scenarios';
import { runFor, START_MS, type Chunk } from './testing';
import { availableToSell } from '../domain/inventory/ats';
import type { RetailSimulator } from './generator';
import { ModelReplay } from './model-replay';

/** One two-hour run with each scenario in its own window, and a look at what each did to the stream. */
const min = (m: number) => START_MS + m * 60_000;
const TIMELINE = 'flash-sale@10m+15m,marketplace-outage@30m+10m,payment-provider-failure@45m+10m,warehouse-disruption:dc-east@60m+15m,returns-wave@90m+30m';

let sim: RetailSimulator;
let chunks: Chunk[];
let events: RawEvent[];
let setup: RawEvent[];
/** Per minute: [backordered units of the flash SKUs, their units available anywhere]. */
const flashBook: [number, number][] = [];

const at = (e: RawEvent) => Date.parse(e.occurredAt);
const within = (e: RawEvent, from: number, to: number) => at(e) >= min(from) && at(e) < min(to);
const ofType = (type: string, list = events) => list.filter((e) => e.type === type);

beforeAll(() => {
  const run = runFor({ minutes: 1, options: { seed: 11, scenarios: parseScenarios(TIMELINE) } });
  sim = run.sim;
  setup = run.setup;
  chunks = run.chunks;
  const skus = sim.plans[0]!.skus!;
  const shipping = sim.world.locations.filter((l) => l.shipsToCustomers);
  for (let m = 2; m <= 120; m++) {
    chunks.push({ untilMs: min(m), events: sim.advance(min(m)) });
    const available = skus.reduce((n, sku) => n + shipping.reduce((a, l) => a + sim.oms.available(sku, l.locationId), 0), 0);
    flashBook[m] = [skus.reduce((n, sku) => n + sim.oms.backorderedUnits(sku), 0), available];
  }
  events = chunks.flatMap((c) => c.events);
}, 120_000);

describe('flash-sale', () => {
  it('sells its SKUs ten times faster, sells them out into backorders, and replenishment follows', () => {
    const skus = new Set(sim.plans[0]!.skus!);
    const unitsOrdered = (from: number, to: number) => ofType('order.created').filter((e) => within(e, from, to))
      .reduce((n, e) => n + (e.data.lines as { sku: string; qty: number }[]).filter((l) => skus.has(l.sku)).reduce((u, l) => u + l.qty, 0), 0) / (to - from);
    expect(unitsOrdered(10, 20)).toBeGreaterThan(6 * unitsOrdered(0, 10));
    expect(flashBook[10]![0]).toBe(0);
    expect(Math.min(...flashBook.slice(15, 26).map((b) => b[1]))).toBe(0);
    const peak = Math.max(...flashBook.slice(15, 30).map((b) => b[0]));
    expect(peak).toBeGreaterThan(50);
    const receipts = ofType('stock.received').filter((e) => skus.has(e.data.sku as string) && within(e, 25, 120));
    expect(receipts.length).toBeGreaterThan(0);
    expect(flashBook[120]![0]).toBeLessThan(peak / 2);
  });
});

describe('channel stock snapshots', () => {
  it('list ATS as it was a while ago, so a sell-out shows as oversell exposure', () => {
    const replay = new ModelReplay(sim.world);
    const shipping = sim.world.locations.filter((l) => l.shipsToCustomers);
    const exposed = new Map<string, number>();
    let listed = 0;
    for (const e of [...setup, ...events]) {
      if (e.type === 'channel.stock_snapshot' && within(e, 10, 30)) {
        const channel = sim.world.channels.find((c) => c.channel === e.data.channel)!;
        for (const item of e.data.items as { sku: string; listedQty: number }[]) {
          const { safetyStock } = sim.world.items[sim.world.itemIndex.get(item.sku)!]!;
          const availableByLocation = shipping.map((l) => replay.oms.available(item.sku, l.locationId));
          const ats = availableToSell({ availableByLocation, safetyStock, allocationShare: channel.allocationShare });
          listed++;
          if (item.listedQty > ats) exposed.set(channel.channel, (exposed.get(channel.channel) ?? 0) + 1);
        }
      }
      replay.apply(e);
    }
    expect(listed).toBeGreaterThan(1000);
    // The slower a channel's feed, the more it overstates: Zalando lags 8 minutes, the web store one.
    expect(exposed.get('zalando') ?? 0).toBeGreaterThan(exposed.get('web') ?? 0);
    expect(exposed.get('amazon') ?? 0).toBeGreaterThan(0);
  });
});

describe('marketplace-outage', () => {
  const amazon = (e: RawEvent) => e.source === 'mkt-amazon' || e.data.channel === 'amazon';

  it('silences the channel inside the window, then replays its backlog with the original times', () => {
    const during = chunks.filter((c) => c.untilMs > min(30) && c.untilMs < min(40)).flatMap((c) => c.events);
    expect(during.length).toBeGreaterThan(1000);
    expect(during.filter(amazon)).toEqual([]);
    expect(ofType('order.created').filter((e) => amazon(e) && within(e, 20, 30)).length).toBeGreaterThan(100);
    const replay = chunks.find((c) => c.untilMs === min(40))!.events.filter((e) => amazon(e) && within(e, 30, 40));
    const orders = ofType('order.created', replay);
    expect(orders.length).toBeGreaterThan(100);
    // Everything held back came back (a replayed cancellation of an order shipped meanwhile is dropped).
    const stats = sim.stats();
    expect(stats['outage.replayedActions']).toBe(stats['outage.heldBackActions']);
    expect(replay.length).toBeGreaterThan(0.95 * stats['outage.replayedActions']!);
    // Late: emitted at the end of the outage, dated when they were placed, in their original order.
    expect(orders.map(at)).toEqual([...orders.map(at)].sort((a, b) => a - b));
    expect(at(orders[0]!)).toBeLessThan(min(31));
  });
});

describe('payment-provider-failure', () => {
  it('fails about 30 % of the payments resolved in the window, and few outside it', () => {
    const share = (from: number, to: number) => {
      const failed = ofType('order.payment_failed').filter((e) => within(e, from, to)).length;
      const authorized = ofType('order.payment_authorized').filter((e) => within(e, from, to)).length;
      return { share: failed / (failed + authorized), n: failed + authorized };
    };
    const inWindow = share(45, 55);
    expect(inWindow.n).toBeGreaterThan(100);
    expect(inWindow.share).toBeGreaterThan(0.2);
    expect(inWindow.share).toBeLessThan(0.4);
    expect(share(0, 45).share).toBeLessThan(0.08);
  });
});

describe('warehouse-disruption', () => {
  const atEast = (e: RawEvent) => e.data.locationId === 'dc-east';

  it('stops shipments from the location in the window, raises its short picks, and ships the backlog after', () => {
    expect(ofType('fulfillment.shipped').filter((e) => atEast(e) && within(e, 60, 75))).toEqual([]);
    expect(ofType('fulfillment.shipped').filter((e) => atEast(e) && within(e, 45, 60)).length).toBeGreaterThan(500);
    expect(ofType('fulfillment.shipped').filter((e) => atEast(e) && within(e, 75, 78)).length).toBeGreaterThan(500);
    const shortRate = (from: number, to: number) =>
      ofType('fulfillment.short_picked').filter((e) => atEast(e) && within(e, from, to)).length / ofType('fulfillment.picked').filter((e) => atEast(e) && within(e, from, to)).length;
    expect(shortRate(60, 75)).toBeGreaterThan(0.08);
    expect(shortRate(30, 60)).toBeLessThan(0.03);
  });
});

describe('returns-wave', () => {
  it('brings several times the returns of the half hour before', () => {
    const returns = (from: number, to: number) => ofType('return.received').filter((e) => within(e, from, to)).length;
    expect(returns(60, 90)).toBeGreaterThan(50);
    expect(returns(90, 120)).toBeGreaterThan(2.5 * returns(60, 90));
    expect(ofType('return.inspected').filter((e) => within(e, 90, 120)).length).toBeGreaterThan(0);
  });
});
