import { availableToSell } from '../domain/inventory/ats';
import { active, bump, type Sim } from './sim-context';

/**
 * What the channels show buyers: every few minutes each listing channel sends a stock snapshot of
 * the best sellers (and any flash-sale SKUs). Its numbers are the spec's ATS as it stood `listingLagMs`
 * ago, not now: the feed lags, so small oversell exposures appear when stock runs out quickly.
 */
const SAMPLE_EVERY_MS = 30_000;
const SNAPSHOT_EVERY_MS = 3 * 60_000;
const LISTED_SKUS = 50;

export function startListingFeed(sim: Sim): void {
  const { world } = sim;
  const flash = new Set(sim.plans.flatMap((p) => p.skus ?? []));
  const listed = world.items.filter((it) => it.rank <= LISTED_SKUS || flash.has(it.sku)).sort((a, b) => a.rank - b.rank);
  const channels = world.channels.filter((c) => c.listingLagMs !== undefined);
  const maxLag = Math.max(0, ...channels.map((c) => c.listingLagMs!));
  const ring: Int32Array[] = Array.from({ length: Math.ceil(maxLag / SAMPLE_EVERY_MS) + 2 }, () => new Int32Array(listed.length));
  const shipping = world.locations.filter((l) => l.shipsToCustomers).map((l) => l.locationId);
  const origin = sim.now;
  let latest = -1;

  const sample = (k: number) => {
    const row = ring[k % ring.length]!;
    listed.forEach((item, i) => (row[i] = shipping.reduce((n, loc) => n + sim.oms.available(item.sku, loc), 0)));
    latest = k;
  };
  const sampleLoop = (k: number) => {
    sample(k);
    sim.schedule.add(origin + (k + 1) * SAMPLE_EVERY_MS, () => sampleLoop(k + 1));
  };
  sampleLoop(0);

  channels.forEach((channel, c) => {
    const snapshot = () => {
      sim.schedule.add(sim.now + SNAPSHOT_EVERY_MS, snapshot);
      if (active(sim, 'marketplace-outage').some((p) => p.channel === channel.channel)) return bump(sim, 'outage.snapshotsDropped');
      // The newest sample at least `listingLagMs` old (the first one while the run is younger than that).
      const k = Math.max(0, Math.min(latest, Math.floor((sim.now - channel.listingLagMs! - origin) / SAMPLE_EVERY_MS)));
      const row = ring[k % ring.length]!;
      const items = listed.map((item, i) => ({
        sku: item.sku,
        listedQty: availableToSell({ availableByLocation: [row[i]!], safetyStock: item.safetyStock, allocationShare: channel.allocationShare }),
      }));
      sim.emit('channel.stock_snapshot', 'channel-feeds', { channel: channel.channel, items });
    };
    // Staggered, so the channels do not all report in the same second.
    sim.schedule.add(origin + 20_000 + c * 37_000, snapshot);
  });
}
