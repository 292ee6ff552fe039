import { active, bump, forgetOrder, type Sim } from './sim-context';

/**
 * Returns of delivered orders: received at the shipping location or a store of the region, inspected
 * a while later (restock, refurbish, liquidate or write off), then refunded. A returns wave adds
 * returns of recently delivered orders on top of the everyday share.
 */
const BASE_RETURN_SHARE = 0.08;
const POOL_SIZE = 5000;
const DISPOSITIONS: readonly [string, number][] = [['restock', 0.65], ['refurbish', 0.15], ['liquidate', 0.12], ['write_off', 0.08]];

function takeFromPool(sim: Sim): string | undefined {
  const pool = sim.returnPool;
  if (pool.length === 0) return undefined;
  const i = Math.floor(sim.rng.next() * pool.length);
  const id = pool[i]!;
  pool[i] = pool[pool.length - 1]!;
  pool.pop();
  return id;
}

export function afterDelivery(sim: Sim, orderId: string): void {
  if (sim.rng.chance(BASE_RETURN_SHARE)) {
    sim.schedule.add(sim.now + sim.rng.int(10, 60) * 60_000, () => receiveReturn(sim, orderId));
    return;
  }
  const pool = sim.returnPool;
  if (pool.length >= POOL_SIZE) {
    const evicted = takeFromPool(sim);
    if (evicted) forgetOrder(sim, evicted);
  }
  pool.push(orderId);
}

/** A wave's extra returns this tick: (factor − 1) × the everyday rate, from recently delivered orders. */
export function scheduleReturnsWave(sim: Sim, tickEnd: number): void {
  for (const plan of active(sim, 'returns-wave', tickEnd)) {
    const n = sim.rng.poisson((plan.factor - 1) * BASE_RETURN_SHARE * sim.ordersPerSecond);
    for (let i = 0; i < n; i++) {
      const orderId = takeFromPool(sim);
      if (!orderId) return bump(sim, 'returnsWave.nothingToReturn');
      sim.schedule.add(tickEnd - sim.rng.int(0, 999), () => receiveReturn(sim, orderId));
      bump(sim, 'returnsWave.extraReturns');
    }
  }
}

function receiveReturn(sim: Sim, orderId: string): void {
  const track = sim.tracks.get(orderId);
  const order = sim.oms.order(orderId);
  if (!track || !order || !track.delivered || track.returned || !track.lastShipLocation) return bump(sim, 'avoided.returnOfUnreturnableOrder');
  const returnable = order.lines.filter((l) => l.shipped > l.returned);
  let lines = returnable.filter(() => sim.rng.chance(0.7)).map((l) => ({ sku: l.sku, qty: sim.rng.int(1, l.shipped - l.returned) }));
  if (lines.length === 0) lines = returnable.slice(0, 1).map((l) => ({ sku: l.sku, qty: 1 }));
  if (lines.length === 0) return bump(sim, 'avoided.returnOfUnreturnableOrder');
  const stores = sim.world.locations.filter((l) => l.kind === 'store' && l.region === order.region);
  const locationId = stores.length > 0 && sim.rng.chance(0.25) ? sim.rng.pick(stores).locationId : track.lastShipLocation;
  const returnId = `${sim.runId}-R${String(sim.nextId('return')).padStart(8, '0')}`;
  sim.emit('return.received', 'returns-desk', { returnId, orderId, locationId, lines });
  sim.oms.returnReceive({ orderId, locationId, lines });
  track.returned = true;
  bump(sim, 'returns.received');
  sim.schedule.add(sim.now + sim.rng.int(10, 60) * 60_000, () => inspect(sim, { returnId, orderId, locationId, lines }));
}

function disposition(sim: Sim): string {
  let r = sim.rng.next();
  return DISPOSITIONS.find(([, w]) => (r -= w) < 0)?.[0] ?? 'restock';
}

function inspect(sim: Sim, ret: { returnId: string; orderId: string; locationId: string; lines: { sku: string; qty: number }[] }): void {
  const lines: { sku: string; qty: number; disposition: string }[] = [];
  for (const l of ret.lines) {
    // Now and then part of a line is fine and part is not.
    const split = l.qty > 1 && sim.rng.chance(0.2) ? sim.rng.int(1, l.qty - 1) : l.qty;
    lines.push({ sku: l.sku, qty: split, disposition: disposition(sim) });
    if (split < l.qty) lines.push({ sku: l.sku, qty: l.qty - split, disposition: disposition(sim) });
  }
  sim.emit('return.inspected', 'returns-desk', { returnId: ret.returnId, lines });
  sim.oms.inspect({ locationId: ret.locationId, lines });
  const track = sim.tracks.get(ret.orderId);
  const amount = Math.round(ret.lines.reduce((v, l) => v + l.qty * (track?.lines.find((x) => x.sku === l.sku)?.unitPrice ?? 0) * 100, 0)) / 100;
  sim.schedule.add(sim.now + sim.rng.int(2, 20) * 60_000, () => {
    sim.emit('refund.issued', 'erp', { orderId: ret.orderId, returnId: ret.returnId, amount });
    bump(sim, 'refunds.issued');
    forgetOrder(sim, ret.orderId);
  });
}
