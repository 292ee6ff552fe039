/** `GET /api/v1/inventory/overview`: what the inventory view shows. */
export interface InventoryOverview {
	asOf: string;
	/** N of the sell rate: units ordered over the last N hours. */
	windowHours: number;
	locations: { locationId: string; name: string; shipsToCustomers: boolean }[];
	channels: { channel: string; allocationShare: number }[];
	skus: SkuOutlook[];
	cells: StockCell[];
	listings: Listing[];
	exposure: { units: number; pairs: number };
	truncated?: boolean;
}

export interface SkuOutlook {
	sku: string;
	name: string;
	safetyStock: number;
	/** Σ max(0, available) over the locations that ship to customers. */
	sellable: number;
	backordered: number;
	unitsOrdered: number;
	sellRatePerHour: number;
	/** Null without sales in the window. */
	hoursToStockout: number | null;
}

export interface StockCell {
	sku: string;
	locationId: string;
	onHand: number;
	reserved: number;
	/** onHand − reserved; below 0 when the location is over-reserved. */
	available: number;
}

export interface Listing {
	sku: string;
	channel: string;
	ats: number;
	/** From the channel's latest snapshot; null if it never listed the SKU. */
	listedQty: number | null;
	exposure: number | null;
}

export interface InventoryFilter {
	/** SKUs starting with this. */
	sku: string | null;
	location: string | null;
}

export const OVERVIEW_API = '/api/v1/inventory/overview';
const IDENTIFIER = /^[A-Za-z0-9._:-]{1,64}$/;

export const isIdentifier = (value: string) => IDENTIFIER.test(value);

/** Reads the filter from the page URL; a value the API would refuse is dropped. */
export function parseInventoryFilter(params: URLSearchParams): InventoryFilter {
	const read = (key: string) => {
		const value = params.get(key)?.trim() ?? '';
		return isIdentifier(value) ? value : null;
	};
	return { sku: read('sku'), location: read('location') };
}

function filterParams(filter: InventoryFilter): URLSearchParams {
	const params = new URLSearchParams();
	if (filter.sku) params.set('sku', filter.sku);
	if (filter.location) params.set('location', filter.location);
	return params;
}

export function overviewUrl(filter: InventoryFilter): string {
	const query = filterParams(filter).toString();
	return `${OVERVIEW_API}${query ? `?${query}` : ''}`;
}

export function inventoryPageUrl(filter: InventoryFilter): string {
	const query = filterParams(filter).toString();
	return `/inventory${query ? `?${query}` : ''}`;
}

export function explainUrl(sku: string, channel: string): string {
	return `/api/v1/inventory/explain?${new URLSearchParams({ sku, channel })}`;
}

/** How soon a SKU runs out, as words; the band goes with an icon and text, never colour alone. */
export type StockoutBand = 'none' | 'out' | 'soon' | 'later';

/** Within a day is "soon": a replenishment decision for today. */
export const SOON_HOURS = 24;

export function stockoutBand(hours: number | null): StockoutBand {
	if (hours === null) return 'none';
	if (hours <= 0) return 'out';
	return hours < SOON_HOURS ? 'soon' : 'later';
}

const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `—` without sales, `out now`, `45 min`, `6.5 h`, `3.2 d`. */
export function formatHoursToStockout(hours: number | null): string {
	if (hours === null) return '—';
	if (hours <= 0) return 'out now';
	if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
	if (hours < 48) return `${oneDecimal.format(hours)} h`;
	return `${oneDecimal.format(hours / 24)} d`;
}

/** Units per hour with enough precision for slow movers (`0.08 / h`). */
export function formatRate(perHour: number): string {
	if (perHour === 0) return '0 / h';
	if (perHour < 1) return `${perHour.toFixed(2)} / h`;
	return `${oneDecimal.format(perHour)} / h`;
}

/** The grid of the heat map: rows are SKUs, columns locations, `null` where no stock record exists. */
export function stockGrid(overview: Pick<InventoryOverview, 'skus' | 'locations' | 'cells'>): {
	skus: string[];
	locations: string[];
	values: (StockCell | null)[][];
} {
	const skus = overview.skus.map((s) => s.sku);
	const locations = overview.locations.map((l) => l.locationId);
	const row = new Map(skus.map((s, i) => [s, i]));
	const column = new Map(locations.map((l, i) => [l, i]));
	const values = skus.map(() => locations.map((): StockCell | null => null));
	for (const cell of overview.cells) {
		const r = row.get(cell.sku);
		const c = column.get(cell.locationId);
		if (r !== undefined && c !== undefined) values[r]![c] = cell;
	}
	return { skus, locations, values };
}

/** Listings with exposure first (largest first), then by SKU and channel. */
export function listingsByExposure(listings: readonly Listing[]): Listing[] {
	return [...listings].sort(
		(a, b) => (b.exposure ?? 0) - (a.exposure ?? 0) || a.sku.localeCompare(b.sku) || a.channel.localeCompare(b.channel)
	);
}

/** The channel to explain first for a SKU: the most exposed one, else the first listed. */
export function defaultChannel(listings: readonly Listing[], sku: string): string | null {
	const own = listingsByExposure(listings.filter((l) => l.sku === sku));
	return own[0]?.channel ?? null;
}

/** What the listings table shows: listed pairs only unless asked (or unless nothing is listed). */
export function listingsShown(listings: readonly Listing[], includeUnlisted: boolean): Listing[] {
	const listed = listings.filter((l) => l.listedQty !== null);
	return listingsByExposure(includeUnlisted || listed.length === 0 ? listings : listed);
}

/** Soonest stockout first; SKUs without sales last; then by SKU. */
export function bySoonestStockout(skus: readonly SkuOutlook[]): SkuOutlook[] {
	const key = (s: SkuOutlook) => s.hoursToStockout ?? Number.POSITIVE_INFINITY;
	return [...skus].sort((a, b) => key(a) - key(b) || a.sku.localeCompare(b.sku));
}
