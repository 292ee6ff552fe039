import { requestFulfilment, scheduleDelivery } from './fulfilment-flow';
import { FRAUD_HOLD_THRESHOLD } from './oms-model';
import { active, bump, forgetOrder, openUnits, touch, viaChannel, type Sim } from './sim-context';
import type { SimChannel } from './world';

/**
 * Orders: Poisson arrivals per channel (plus a flash sale's burst), their payments, fraud holds and
 * cancellations. Every channel-sourced event goes through `viaChannel`, so an outage holds it back.
 */
const LINE_COUNT_WEIGHTS = [0.55, 0.28, 0.12, 0.05];
const BASE_PAYMENT_FAILURE = 0.03;
const CUSTOMER_CANCEL_SHARE = 0.015;
const BACKORDER_CANCEL_SHARE = 0.25;
const FRAUD_CANCEL_SHARE = 0.5;
const FLASH_PRICE = 0.7;
/** Flash orders carry 1 unit of the SKU, 2 in 15 % of them. */
const FLASH_UNITS_PER_ORDER = 1.15;
const POSTAL_PREFIX: Record<string, readonly string[]> = { east: ['100', '021', '191'], central: ['606', '432', '482'], west: ['941', '981', '900'] };

const cents = (x: number) => Math.round(x * 100) / 100;
const pad = (n: number) => String(n).padStart(8, '0');

/** Schedules this tick's arrivals at random milliseconds of (tickEnd − 1 s, tickEnd]. */
export function scheduleArrivals(sim: Sim, tickEnd: number): void {
  const at = () => tickEnd - sim.rng.int(0, 999);
  for (const channel of sim.world.channels) {
    const n = sim.rng.poisson(sim.ordersPerSecond * channel.mix);
    for (let i = 0; i < n; i++) sim.schedule.add(at(), () => placeOrder(sim, { channel }));
  }
  const listing = sim.world.channels.filter((c) => c.listingLagMs !== undefined && c.kind !== 'edi');
  for (const plan of active(sim, 'flash-sale', tickEnd)) {
    for (const sku of plan.skus ?? []) {
      // (factor − 1) × the SKU's everyday units on top of them: factor × normal demand in all.
      const unitsPerSecond = ((plan.factor - 1) * sim.demandPerMinute[sim.world.itemIndex.get(sku)!]!) / 60;
      const n = sim.rng.poisson(unitsPerSecond / FLASH_UNITS_PER_ORDER);
      for (let i = 0; i < n; i++) {
        const channel = sim.rng.chance(0.6) ? listing[0]! : sim.rng.pick(listing);
        sim.schedule.add(at(), () => placeOrder(sim, { channel, flashSku: sku }));
        bump(sim, 'flash.orders');
      }
    }
  }
}

function drawLines(sim: Sim, channel: SimChannel, flashSku?: string): { sku: string; qty: number; unitPrice: number }[] {
  const { rng, world } = sim;
  const edi = channel.kind === 'edi';
  let count = edi ? rng.int(2, 6) : 1;
  if (!edi && !flashSku) for (let r = rng.next(); count < 4 && (r -= LINE_COUNT_WEIGHTS[count - 1]!) >= 0; ) count++;
  if (flashSku && rng.chance(0.3)) count = 2;
  const skus: string[] = flashSku ? [flashSku] : [];
  for (let tries = 0; skus.length < count && tries < 20; tries++) {
    const sku = world.items[world.drawItem(rng)]!.sku;
    if (!skus.includes(sku)) skus.push(sku);
  }
  return skus.map((sku) => {
    const item = world.items[world.itemIndex.get(sku)!]!;
    const r = rng.next();
    const qty = edi ? rng.int(2, 12) : sku === flashSku ? (r < 0.85 ? 1 : 2) : r < 0.8 ? 1 : r < 0.95 ? 2 : 3;
    const price = edi ? item.unitPrice * 0.6 : sku === flashSku ? item.unitPrice * FLASH_PRICE : item.unitPrice;
    return { sku, qty, unitPrice: cents(price) };
  });
}

/** Draws a whole order now (so a held-back order is the one it would have been), then creates it via its channel. */
export function placeOrder(sim: Sim, input: { channel: SimChannel; flashSku?: string }): void {
  const { rng, world } = sim;
  const { channel } = input;
  const orderId = `${sim.runId}-${channel.code}${pad(sim.nextId('order'))}`;
  const lines = drawLines(sim, channel, input.flashSku);
  let r = rng.next();
  const region = world.regions.find((g) => (r -= g.weight) < 0)?.region ?? world.regions[0]!.region;
  const payment = rng.chance(channel.pendingShare) ? 'pending' : 'authorized';
  const data: Record<string, unknown> = {
    orderId, channel: channel.channel, lines,
    shipTo: { region, country: 'US', postalCode: `${rng.pick(POSTAL_PREFIX[region] ?? ['100'])}${String(rng.int(0, 99)).padStart(2, '0')}` },
    payment,
  };
  if (channel.fraudShare !== undefined) {
    data.fraudScore = rng.chance(channel.fraudShare) ? cents(FRAUD_HOLD_THRESHOLD + 0.19 * rng.next()) : cents(0.5 * rng.next() ** 2);
  }
  viaChannel(sim, channel, (at) => createOrder(sim, { channel, data, at }));
}

function createOrder(sim: Sim, input: { channel: SimChannel; data: Record<string, unknown>; at: number }): void {
  const { channel, data } = input;
  const orderId = data.orderId as string;
  const lines = data.lines as { sku: string; qty: number; unitPrice: number }[];
  const held = typeof data.fraudScore === 'number' && data.fraudScore >= FRAUD_HOLD_THRESHOLD;
  const { occurredAt } = sim.emit('order.created', channel.source, data, input.at);
  if (input.at < sim.now) bump(sim, 'late.orders');
  sim.oms.createOrder({ orderId, channel: channel.channel, region: (data.shipTo as { region: string }).region, occurredAt, occurredAtMs: input.at, held, lines });
  sim.tracks.set(orderId, {
    orderId, channel, payment: data.payment as 'pending' | 'authorized', held, cancelled: false, inFlight: [], shipments: 0,
    delivered: false, returned: false, lines,
  });
  const order = sim.oms.order(orderId)!;
  for (const l of order.lines) for (const locationId of l.reserved.keys()) touch(sim, l.sku, locationId);
  bump(sim, 'orders.created');
  const { rng, now } = sim;
  if (data.payment === 'pending') sim.schedule.add(now + rng.int(10_000, 120_000), () => resolvePayment(sim, orderId));
  if (held) {
    bump(sim, 'orders.held');
    if (rng.chance(FRAUD_CANCEL_SHARE)) sim.schedule.add(now + rng.int(10, 40) * 60_000, () => cancelOrder(sim, { orderId, reason: 'fraud review: rejected' }));
    return;
  }
  for (const l of order.lines) for (const locationId of l.reserved.keys()) requestFulfilment(sim, orderId, locationId);
  if (order.lines.some((l) => l.backordered > 0)) {
    bump(sim, 'orders.backorderedOnArrival');
    if (rng.chance(BACKORDER_CANCEL_SHARE)) sim.schedule.add(now + rng.int(15, 45) * 60_000, () => cancelOrder(sim, { orderId, reason: 'customer: backorder too long', onlyIfBackordered: true }));
  } else if (rng.chance(CUSTOMER_CANCEL_SHARE)) {
    sim.schedule.add(now + rng.int(1, 30) * 60_000, () => cancelOrder(sim, { orderId, reason: 'customer request' }));
  }
}

function resolvePayment(sim: Sim, orderId: string): void {
  const track = sim.tracks.get(orderId);
  if (!track || track.cancelled) return bump(sim, 'avoided.paymentOfCancelledOrder');
  viaChannel(sim, track.channel, (at) => {
    if (track.cancelled || !sim.tracks.has(orderId)) return bump(sim, 'avoided.paymentOfCancelledOrder');
    const failing = Math.max(BASE_PAYMENT_FAILURE, ...active(sim, 'payment-provider-failure', at).map((p) => p.factor));
    if (sim.rng.chance(failing)) {
      const reason = failing > BASE_PAYMENT_FAILURE ? 'payment provider unavailable' : 'card declined';
      sim.emit('order.payment_failed', track.channel.source, { orderId, reason }, at);
      track.payment = 'failed';
      closeOrder(sim, orderId);
    } else {
      sim.emit('order.payment_authorized', track.channel.source, { orderId }, at);
      track.payment = 'authorized';
    }
  });
}

/** A cancellation the tower accepts: not once every open unit has shipped (nor twice). */
export function cancelOrder(sim: Sim, input: { orderId: string; reason: string; onlyIfBackordered?: boolean }): void {
  const { orderId } = input;
  const track = sim.tracks.get(orderId);
  if (!track || track.cancelled) return bump(sim, 'avoided.cancelOfClosedOrder');
  viaChannel(sim, track.channel, (at) => {
    const order = sim.oms.order(orderId);
    if (track.cancelled || !order || openUnits(sim, orderId) === 0) return bump(sim, 'avoided.cancelOfClosedOrder');
    const shipped = order.lines.some((l) => l.shipped > 0);
    if (input.onlyIfBackordered ? !order.lines.some((l) => l.backordered > 0) : shipped) return bump(sim, 'avoided.cancelAfterShipment');
    sim.emit('order.cancelled', track.channel.source, { orderId, reason: input.reason }, at);
    closeOrder(sim, orderId);
  });
}

function closeOrder(sim: Sim, orderId: string): void {
  const track = sim.tracks.get(orderId)!;
  const order = sim.oms.order(orderId)!;
  sim.oms.cancel(orderId);
  track.cancelled = true;
  bump(sim, 'orders.cancelled');
  // A partly shipped order whose rest is cancelled is complete: it is delivered like any other.
  if (order.lines.some((l) => l.shipped > 0)) scheduleDelivery(sim, orderId);
  else forgetOrder(sim, orderId);
}
