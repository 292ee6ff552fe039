import { createRng, weightedSampler, type Rng } from './random';

/**
 * The simulated retailer: its catalogue with a long-tail demand curve, its network of locations and
 * its sales channels. Pure data built from a seed; the generator and the OMS mirror read it.
 */
export interface SimItem {
  sku: string;
  name: string;
  unitCost: number;
  unitPrice: number;
  safetyStock: number;
  /** 1 = best seller. */
  rank: number;
  /** Share of order lines that pick this SKU (Zipf, all weights sum to 1). */
  weight: number;
}

export type LocationKind = 'dc' | 'store' | '3pl';

export interface SimLocation {
  locationId: string;
  name: string;
  kind: LocationKind;
  region: string;
  shipsToCustomers: boolean;
  priority: number;
  /** The warehouse or store system that reports this location's stock events. */
  source: string;
  /** Share of the network's demand this location is stocked for. */
  coverShare: number;
  /** Restocked by purchase orders (`vendor`) or by transfers from this DC. */
  replenishedFrom: 'vendor' | string;
  /** Stores carry only the best sellers: the share of ranks they stock. */
  rangeShare: number;
}

export type ChannelKind = 'webstore' | 'marketplace' | 'edi' | 'phone';

export interface SimChannel {
  channel: string;
  name: string;
  kind: ChannelKind;
  priority: number;
  allocationShare: number;
  allowSplit: boolean;
  slaHours: number;
  source: string;
  /** Share of all orders. */
  mix: number;
  /** Share of its orders whose payment starts `pending`. */
  pendingShare: number;
  /** Share of its orders that arrive with a fraud score at or above the hold threshold; undefined: no score sent. */
  fraudShare?: number;
  /** Whether it shows buyers stock levels (`channel.stock_snapshot`), and how stale that view is. */
  listingLagMs?: number;
  /** Order id prefix (upper case, so the id sorts the same under every collation). */
  code: string;
}

export interface World {
  items: readonly SimItem[];
  locations: readonly SimLocation[];
  channels: readonly SimChannel[];
  regions: readonly { region: string; weight: number }[];
  /** Every source the simulator emits under: an API key must be issued for exactly these. */
  sources: readonly string[];
  /** Draws an index into `items` by demand weight. */
  drawItem: (rng: Rng) => number;
  itemIndex: ReadonlyMap<string, number>;
}

export const ZIPF_EXPONENT = 1.1;

const LOCATIONS: readonly Omit<SimLocation, 'source'>[] = [
  { locationId: 'dc-east', name: 'Newark DC', kind: 'dc', region: 'east', shipsToCustomers: true, priority: 1, coverShare: 0.4, replenishedFrom: 'vendor', rangeShare: 1 },
  { locationId: 'dc-west', name: 'Reno DC', kind: 'dc', region: 'west', shipsToCustomers: true, priority: 1, coverShare: 0.35, replenishedFrom: 'vendor', rangeShare: 1 },
  { locationId: '3pl-central', name: 'Columbus 3PL', kind: '3pl', region: 'central', shipsToCustomers: true, priority: 2, coverShare: 0.25, replenishedFrom: 'vendor', rangeShare: 1 },
  { locationId: 'store-nyc', name: 'New York flagship', kind: 'store', region: 'east', shipsToCustomers: true, priority: 3, coverShare: 0.08, replenishedFrom: 'dc-east', rangeShare: 0.25 },
  { locationId: 'store-bos', name: 'Boston store', kind: 'store', region: 'east', shipsToCustomers: false, priority: 5, coverShare: 0.05, replenishedFrom: 'dc-east', rangeShare: 0.15 },
  { locationId: 'store-chi', name: 'Chicago store', kind: 'store', region: 'central', shipsToCustomers: true, priority: 1, coverShare: 0.15, replenishedFrom: 'dc-east', rangeShare: 0.25 },
  { locationId: 'store-sfo', name: 'San Francisco store', kind: 'store', region: 'west', shipsToCustomers: true, priority: 3, coverShare: 0.08, replenishedFrom: 'dc-west', rangeShare: 0.25 },
  { locationId: 'store-sea', name: 'Seattle store', kind: 'store', region: 'west', shipsToCustomers: true, priority: 4, coverShare: 0.06, replenishedFrom: 'dc-west', rangeShare: 0.2 },
];

const CHANNELS: readonly SimChannel[] = [
  { channel: 'web', name: 'Web store', kind: 'webstore', priority: 1, allocationShare: 1, allowSplit: true, slaHours: 24, source: 'shop-web', mix: 0.46, pendingShare: 0.15, fraudShare: 0.006, listingLagMs: 60_000, code: 'WEB' },
  { channel: 'amazon', name: 'Amazon marketplace', kind: 'marketplace', priority: 2, allocationShare: 0.6, allowSplit: true, slaHours: 48, source: 'mkt-amazon', mix: 0.25, pendingShare: 0, listingLagMs: 300_000, code: 'AMZ' },
  { channel: 'zalando', name: 'Zalando marketplace', kind: 'marketplace', priority: 3, allocationShare: 0.4, allowSplit: false, slaHours: 48, source: 'mkt-zalando', mix: 0.15, pendingShare: 0, listingLagMs: 480_000, code: 'ZAL' },
  { channel: 'edi', name: 'EDI wholesale', kind: 'edi', priority: 4, allocationShare: 1, allowSplit: true, slaHours: 120, source: 'edi-b2b', mix: 0.02, pendingShare: 0, listingLagMs: 900_000, code: 'EDI' },
  { channel: 'phone', name: 'Phone sales', kind: 'phone', priority: 2, allocationShare: 1, allowSplit: true, slaHours: 24, source: 'phone', mix: 0.12, pendingShare: 0.1, fraudShare: 0.004, code: 'PHN' },
];

const REGIONS = [{ region: 'east', weight: 0.4 }, { region: 'central', weight: 0.25 }, { region: 'west', weight: 0.35 }] as const;

const CATEGORIES: readonly [string, number][] = [
  ['Tee', 22], ['Hoodie', 55], ['Sneakers', 95], ['Rain Jacket', 140], ['Backpack', 70], ['Beanie', 18], ['Jeans', 65],
  ['Scarf', 28], ['Watch', 180], ['Mug', 14], ['Desk Lamp', 45], ['Headphones', 120], ['Blender', 85], ['Kettle', 40],
  ['Toy Car', 16], ['Puzzle', 24], ['Candle', 19], ['Sock Pack', 12], ['Yoga Mat', 35], ['Water Bottle', 25],
];
const STYLES = ['Classic', 'Urban', 'Trail', 'Cozy', 'Pro', 'Eco', 'Retro', 'Sport', 'Lite', 'Premium'];
const COLOURS = ['Black', 'Navy', 'Red', 'Olive', 'Grey', 'White', 'Sand', 'Teal'];

const cents = (x: number) => Math.round(x * 100) / 100;

/** A shipping location's WMS, or a store's own back-office (POS) system. */
export const sourceOfLocation = (l: Pick<SimLocation, 'locationId' | 'shipsToCustomers'>) =>
  `${l.shipsToCustomers ? 'wms' : 'pos'}-${l.locationId}`;

function buildItems(rng: Rng, skuCount: number): SimItem[] {
  // Ranks are shuffled over the catalogue so the best sellers are not simply the first SKUs.
  const ranks = Array.from({ length: skuCount }, (_, i) => i + 1);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
  }
  const raw = ranks.map((r) => r ** -ZIPF_EXPONENT);
  const total = raw.reduce((a, b) => a + b, 0);
  return ranks.map((rank, i) => {
    const [category, base] = CATEGORIES[i % CATEGORIES.length]!;
    const unitPrice = Math.max(2.99, Math.round(base * Math.exp(0.35 * rng.normal())) - 0.01);
    const safetyStock = rank <= 50 ? rng.int(5, 15) : rank <= 300 ? rng.int(2, 5) : rng.int(0, 1);
    return {
      sku: `SKU-${String(i + 1).padStart(5, '0')}`,
      name: `${rng.pick(STYLES)} ${category} ${rng.pick(COLOURS)}`,
      unitCost: cents(unitPrice * (0.35 + 0.25 * rng.next())),
      unitPrice: cents(unitPrice),
      safetyStock,
      rank,
      weight: raw[i]! / total,
    };
  });
}

export function buildWorld(opts: { seed: number; skuCount: number }): World {
  if (!Number.isInteger(opts.skuCount) || opts.skuCount < 10 || opts.skuCount > 99_999) {
    throw new RangeError(`skuCount must be a whole number from 10 to 99999, got ${opts.skuCount}`);
  }
  // Its own stream: the catalogue does not shift when the event stream's draws change.
  const items = buildItems(createRng(opts.seed ^ 0x5eed), opts.skuCount);
  const locations = LOCATIONS.map((l) => ({ ...l, source: sourceOfLocation(l) }));
  const sources = ['erp', ...CHANNELS.map((c) => c.source), ...locations.map((l) => l.source), 'returns-desk', 'channel-feeds'];
  return {
    items,
    locations,
    channels: CHANNELS,
    regions: REGIONS,
    sources,
    drawItem: weightedSampler(items.map((i) => i.weight)),
    itemIndex: new Map(items.map((item, i) => [item.sku, i])),
  };
}

/** Whether a location stocks an item at all (stores carry only the best sellers). */
export const carries = (location: SimLocation, item: SimItem, skuCount: number) =>
  item.rank <= Math.max(1, Math.ceil(location.rangeShare * skuCount));

/** Expected units per order of a channel: the generator's line-count and quantity distributions. */
export const unitsPerOrder = (kind: ChannelKind) => (kind === 'edi' ? 4 * 7 : 1.67 * 1.25);
