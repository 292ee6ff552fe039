import { bump, sourceOf, touch, type Sim } from './sim-context';
import { carries, type SimItem, type SimLocation, type World } from './world';

/**
 * Stock that is not an order: opening balances, purchase-order receipts when a DC runs low,
 * transfers DC → store, cycle counts (mostly equal to the book) and damage/shrink adjustments.
 * Levels are minutes of expected demand at the location's share, so they scale with the order rate.
 */
const OPENING_COVER_MIN = 90;
const REORDER_COVER_MIN = 45;
const ORDER_UP_TO_COVER_MIN = 120;
const STORE_REORDER_COVER_MIN = 15;
const STORE_UP_TO_COVER_MIN = 40;
const COUNTS_PER_ORDER = 0.08;
const ADJUSTMENTS_PER_ORDER = 0.02;
const MAX_TRANSFER_LINES = 200;


export interface StockLevels {
  opening: Int32Array;
  reorderAt: Int32Array;
  upTo: Int32Array;
}

/** Per location (by index), per item (by index): computed once, read on every replenishment check. */
export function stockLevels(world: World, demandPerMinute: Float64Array): StockLevels[] {
  return world.locations.map((location) => {
    const n = world.items.length;
    const levels = { opening: new Int32Array(n), reorderAt: new Int32Array(n), upTo: new Int32Array(n) };
    const vendor = location.replenishedFrom === 'vendor';
    for (let i = 0; i < n; i++) {
      const perMinute = demandPerMinute[i]! * location.coverShare;
      levels.opening[i] = vendor ? Math.ceil(OPENING_COVER_MIN * perMinute) + 3 : Math.ceil(STORE_UP_TO_COVER_MIN * perMinute) + 2;
      levels.reorderAt[i] = vendor ? Math.ceil(REORDER_COVER_MIN * perMinute) + 2 : Math.ceil(STORE_REORDER_COVER_MIN * perMinute) + 1;
      levels.upTo[i] = vendor ? Math.ceil(ORDER_UP_TO_COVER_MIN * perMinute) + 6 : levels.opening[i]!;
    }
    return levels;
  });
}

/** Opening balances at startMs, as receipts from each location's own system. */
export function openingStock(sim: Sim): void {
  const n = sim.world.items.length;
  for (const [l, location] of sim.world.locations.entries()) {
    for (const [i, item] of sim.world.items.entries()) {
      if (!carries(location, item, n)) continue;
      const qty = sim.levels[l]!.opening[i]!;
      sim.emit('stock.received', location.source, { locationId: location.locationId, sku: item.sku, qty, reference: 'opening-balance' });
      sim.oms.receive({ locationId: location.locationId, sku: item.sku, qty });
    }
  }
}

/** At the end of a tick: purchase orders and store transfers where a position fell below its reorder point. */
export function replenish(sim: Sim): void {
  const { world, oms } = sim;
  const n = world.items.length;
  const transfers = new Map<string, { from: string; to: string; lines: { sku: string; qty: number }[] }>();
  const drawn = new Map<string, number>();
  const vendorShare = world.locations.filter((l) => l.replenishedFrom === 'vendor').reduce((s, l) => s + l.coverShare, 0);
  for (const key of sim.touched) {
    const i = key >> 4;
    const l = key & 15;
    const item = world.items[i]!;
    const { sku } = item;
    const location = world.locations[l]!;
    if (((sim.onOrder.get(sku) ?? 0) & (1 << l)) !== 0 || !carries(location, item, n)) continue;
    const b = oms.bucket(sku, location.locationId);
    const position = Math.max(0, b.onHand - b.reserved) + b.inTransit;
    const reorderAt = sim.levels[l]!.reorderAt[i]!;
    if (position >= reorderAt) continue;
    const upTo = sim.levels[l]!.upTo[i]!;
    if (location.replenishedFrom === 'vendor') {
      // Units waiting as backorders are bought on top, in proportion to this DC's share.
      const backlog = Math.ceil((oms.backorderedUnits(sku) * location.coverShare) / vendorShare);
      placePurchaseOrder(sim, { locationId: location.locationId, sku, qty: upTo - position + backlog });
      continue;
    }
    const from = location.replenishedFrom;
    const spare = oms.available(sku, from) - (drawn.get(`${sku}>${from}`) ?? 0) - sim.levels[sim.locationIndex.get(from)!]!.reorderAt[i]!;
    const qty = Math.min(upTo - position, spare);
    if (qty <= 0) continue;
    const t = transfers.get(`${from}>${location.locationId}`) ?? { from, to: location.locationId, lines: [] };
    if (t.lines.length >= MAX_TRANSFER_LINES) continue;
    t.lines.push({ sku, qty });
    // Two stores restocked from one DC in the same tick share its spare units.
    drawn.set(`${sku}>${from}`, (drawn.get(`${sku}>${from}`) ?? 0) + qty);
    transfers.set(`${from}>${location.locationId}`, t);
  }
  sim.touched.clear();
  for (const t of transfers.values()) shipTransfer(sim, t);
}

/** Marks (or clears) a replenishment on its way to a SKU × location. */
function onOrder(sim: Sim, sku: string, locationId: string, on: boolean): void {
  const bit = 1 << sim.locationIndex.get(locationId)!;
  const mask = sim.onOrder.get(sku) ?? 0;
  const next = on ? mask | bit : mask & ~bit;
  if (next === 0) sim.onOrder.delete(sku);
  else sim.onOrder.set(sku, next);
}

function placePurchaseOrder(sim: Sim, po: { locationId: string; sku: string; qty: number }): void {
  onOrder(sim, po.sku, po.locationId, true);
  const reference = `PO-${sim.runId}-${sim.nextId('po')}`;
  bump(sim, 'replenishment.purchaseOrders');
  sim.schedule.add(sim.now + sim.rng.int(20, 40) * 60_000, () => {
    sim.emit('stock.received', sourceOf(sim, po.locationId), { ...po, reference });
    sim.oms.receive(po);
    onOrder(sim, po.sku, po.locationId, false);
  });
}

function shipTransfer(sim: Sim, t: { from: string; to: string; lines: { sku: string; qty: number }[] }): void {
  const transferId = `${sim.runId}-T${String(sim.nextId('transfer')).padStart(8, '0')}`;
  sim.emit('stock.transfer_shipped', sourceOf(sim, t.from), { transferId, fromLocationId: t.from, toLocationId: t.to, lines: t.lines });
  sim.oms.transferShip({ fromLocationId: t.from, toLocationId: t.to, lines: t.lines });
  for (const l of t.lines) onOrder(sim, l.sku, t.to, true);
  bump(sim, 'replenishment.transfers');
  sim.schedule.add(sim.now + sim.rng.int(15, 40) * 60_000, () => {
    sim.emit('stock.transfer_received', sourceOf(sim, t.to), { transferId, lines: t.lines });
    sim.oms.transferReceive({ toLocationId: t.to, lines: t.lines });
    for (const l of t.lines) {
      onOrder(sim, l.sku, t.to, false);
    }
  });
}

/** A SKU × location a counter or a damage report would look at: best sellers more often, only where stocked. */
function drawShelf(sim: Sim): { location: SimLocation; item: SimItem } | undefined {
  const location = sim.rng.pick(sim.world.locations);
  const item = sim.world.items[sim.world.drawItem(sim.rng)]!;
  return carries(location, item, sim.world.items.length) ? { location, item } : undefined;
}

/** This tick's cycle counts and adjustments, at random milliseconds of it. */
export function scheduleStockChecks(sim: Sim, tickEnd: number): void {
  const counts = sim.rng.poisson(COUNTS_PER_ORDER * sim.ordersPerSecond);
  for (let i = 0; i < counts; i++) sim.schedule.add(tickEnd - sim.rng.int(0, 999), () => cycleCount(sim));
  const adjustments = sim.rng.poisson(ADJUSTMENTS_PER_ORDER * sim.ordersPerSecond);
  for (let i = 0; i < adjustments; i++) sim.schedule.add(tickEnd - sim.rng.int(0, 999), () => adjust(sim));
}

function cycleCount(sim: Sim): void {
  const shelf = drawShelf(sim);
  if (!shelf) return;
  const { locationId } = shelf.location;
  const book = sim.oms.bucket(shelf.item.sku, locationId).onHand;
  const r = sim.rng.next();
  const off = r < 0.92 ? 0 : (sim.rng.chance(0.5) ? -1 : 1) * (r < 0.98 ? sim.rng.int(1, 2) : sim.rng.int(3, 6));
  const countedQty = Math.max(0, book + off);
  sim.emit('stock.counted', shelf.location.source, { locationId, sku: shelf.item.sku, countedQty });
  const within = sim.oms.count({ locationId, sku: shelf.item.sku, countedQty });
  bump(sim, countedQty === book ? 'counts.exact' : within ? 'counts.corrected' : 'counts.discrepancies');
  if (within && countedQty < book) touch(sim, shelf.item.sku, locationId);
}

function adjust(sim: Sim): void {
  const shelf = drawShelf(sim);
  if (!shelf) return;
  const { locationId } = shelf.location;
  const onHand = sim.oms.bucket(shelf.item.sku, locationId).onHand;
  const r = sim.rng.next();
  const reason = r < 0.45 ? 'damage' : r < 0.8 ? 'shrink' : r < 0.92 ? 'found' : 'correction';
  const up = reason === 'found' || (reason === 'correction' && sim.rng.chance(0.5));
  // Never below 0: the tower refuses an adjustment that would take on hand negative.
  if (!up && onHand === 0) return bump(sim, 'avoided.adjustmentBelowZero');
  const delta = up ? sim.rng.int(1, 2) : -sim.rng.int(1, Math.min(2, onHand));
  sim.emit('stock.adjusted', shelf.location.source, { locationId, sku: shelf.item.sku, delta, reason });
  sim.oms.adjust({ locationId, sku: shelf.item.sku, delta, reason });
  if (delta < 0) touch(sim, shelf.item.sku, locationId);
}
