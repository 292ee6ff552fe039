import { afterDelivery } from './returns-flow';
import { active, bump, openUnits, sourceOf, touch, type OrderTrack, type Sim } from './sim-context';

/**
 * Warehouse work per order × location: a pick some minutes after the units are reserved there
 * (once the payment is authorized; never for a held order), sometimes a short pick, then the
 * shipment of whatever is reserved there at that moment, and the delivery of a complete order.
 */
const BASE_SHORT_PICK = 0.01;
const pickDelay = (sim: Sim) => sim.rng.int(2 * 60_000, 10 * 60_000);
const packDelay = (sim: Sim) => sim.rng.int(60_000, 6 * 60_000);
const deliveryDelay = (sim: Sim) => sim.rng.int(15 * 60_000, 60 * 60_000);
const UNPAID_RETRY_MS = 60_000;

function doneAt(track: OrderTrack, locationId: string): void {
  const i = track.inFlight.indexOf(locationId);
  if (i >= 0) track.inFlight.splice(i, 1);
}

/** Units of the order were reserved at the location: the WMS there will pick them (once per location at a time). */
export function requestFulfilment(sim: Sim, orderId: string, locationId: string): void {
  const track = sim.tracks.get(orderId);
  if (!track || track.held || track.cancelled || track.inFlight.includes(locationId)) return;
  track.inFlight.push(locationId);
  sim.schedule.add(sim.now + pickDelay(sim), () => pick(sim, orderId, locationId));
}

function pick(sim: Sim, orderId: string, locationId: string): void {
  const track = sim.tracks.get(orderId);
  if (!track || track.cancelled) return bump(sim, 'avoided.pickOfCancelledOrder');
  if (track.payment === 'pending') {
    bump(sim, 'avoided.pickBeforePayment');
    sim.schedule.add(sim.now + UNPAID_RETRY_MS, () => pick(sim, orderId, locationId));
    return;
  }
  let lines = sim.oms.reservedAt(orderId, locationId);
  if (lines.length === 0) {
    doneAt(track, locationId);
    return bump(sim, 'avoided.pickOfNothingReserved');
  }
  const disrupted = active(sim, 'warehouse-disruption').filter((p) => p.locationId === locationId);
  const shortRate = Math.max(BASE_SHORT_PICK, ...disrupted.map((p) => p.factor));
  const source = sourceOf(sim, locationId);
  if (sim.rng.chance(shortRate)) {
    const line = sim.rng.pick(lines);
    const qty = sim.rng.int(1, Math.min(line.qty, 2));
    sim.emit('fulfillment.short_picked', source, { orderId, locationId, sku: line.sku, qty });
    sim.oms.shortPick({ orderId, locationId, sku: line.sku, qty });
    touch(sim, line.sku, locationId);
    bump(sim, disrupted.length > 0 ? 'disruption.shortPicks' : 'shortPicks');
    // Re-allocation may have put units back here (the book still shows some): pick what is reserved now.
    lines = sim.oms.reservedAt(orderId, locationId);
    if (lines.length === 0) {
      doneAt(track, locationId);
      return;
    }
  }
  sim.emit('fulfillment.picked', source, { orderId, locationId, lines });
  sim.schedule.add(sim.now + packDelay(sim), () => ship(sim, orderId, locationId));
}

function ship(sim: Sim, orderId: string, locationId: string): void {
  const track = sim.tracks.get(orderId);
  if (!track || track.cancelled) return bump(sim, 'avoided.shipmentOfCancelledOrder');
  const disruption = active(sim, 'warehouse-disruption').find((p) => p.locationId === locationId);
  if (disruption) {
    // The dock is down: the parcel waits for the end of the disruption.
    bump(sim, 'disruption.deferredShipments');
    sim.schedule.add(disruption.endMs + sim.rng.int(0, 120_000), () => ship(sim, orderId, locationId));
    return;
  }
  const lines = sim.oms.reservedAt(orderId, locationId);
  doneAt(track, locationId);
  if (lines.length === 0) return bump(sim, 'avoided.shipmentOfNothingReserved');
  track.shipments += 1;
  sim.emit('fulfillment.shipped', sourceOf(sim, locationId), { orderId, locationId, shipmentId: `${orderId}-S${track.shipments}`, lines });
  sim.oms.ship({ orderId, locationId, lines });
  track.lastShipLocation = locationId;
  for (const l of lines) touch(sim, l.sku, locationId);
  if (openUnits(sim, orderId) === 0) {
    bump(sim, 'orders.shipped');
    scheduleDelivery(sim, orderId);
  }
}

export function scheduleDelivery(sim: Sim, orderId: string): void {
  sim.schedule.add(sim.now + deliveryDelay(sim), () => {
    const track = sim.tracks.get(orderId);
    if (!track || track.delivered || !track.lastShipLocation) return bump(sim, 'avoided.deliveryOfUnshippedOrder');
    sim.emit('order.delivered', sourceOf(sim, track.lastShipLocation), { orderId });
    track.delivered = true;
    bump(sim, 'orders.delivered');
    afterDelivery(sim, orderId);
  });
}
