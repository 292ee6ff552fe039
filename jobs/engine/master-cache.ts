import type { Db } from '../../db/connect';

export interface ChannelInfo { priority: number; allow_split: boolean; sla_hours: string; allocation_share: string }
export interface LocationInfo { location_id: string; region: string; priority: number; ships_to_customers: boolean }
export interface ItemInfo { unit_cost: string; safety_stock: number }

/**
 * Master data as the batch sees it: channels and locations whole (small tables, read once), items per
 * SKU as needed. An upsert in the batch (written at once, last writer wins in SQL) re-reads its row.
 */
export class MasterCache {
  private channels: Map<string, ChannelInfo> | null = null;
  private locations: Map<string, LocationInfo> | null = null;
  private readonly items = new Map<string, ItemInfo | null>();

  constructor(private readonly sql: Db) {}

  async channel(channel: string): Promise<ChannelInfo | undefined> {
    this.channels ??= new Map((await this.sql`SELECT channel, priority, allow_split, sla_hours, allocation_share FROM channels`)
      .map((r) => [r.channel as string, r as unknown as ChannelInfo]));
    return this.channels.get(channel);
  }

  async allLocations(): Promise<Map<string, LocationInfo>> {
    this.locations ??= new Map((await this.sql<LocationInfo[]>`SELECT location_id, region, priority, ships_to_customers FROM locations ORDER BY location_id`)
      .map((r) => [r.location_id, r]));
    return this.locations;
  }

  /** Locations that ship to customers, by id. */
  async shippingLocations(): Promise<LocationInfo[]> {
    return [...(await this.allLocations()).values()].filter((l) => l.ships_to_customers);
  }

  async loadItems(skus: Iterable<string>): Promise<void> {
    const wanted = [...new Set(skus)].filter((s) => !this.items.has(s));
    if (wanted.length === 0) return;
    for (let i = 0; i < wanted.length; i += 10_000) {
      const chunk = wanted.slice(i, i + 10_000);
      const rows = await this.sql`SELECT sku, unit_cost, safety_stock FROM items WHERE sku IN ${this.sql(chunk)}`;
      for (const s of chunk) this.items.set(s, null);
      for (const r of rows) this.items.set(r.sku, { unit_cost: r.unit_cost, safety_stock: r.safety_stock });
    }
  }

  async item(sku: string): Promise<ItemInfo | undefined> {
    await this.loadItems([sku]);
    return this.items.get(sku) ?? undefined;
  }

  channelChanged(): void {
    this.channels = null;
  }

  locationsChanged(): void {
    this.locations = null;
  }

  itemChanged(sku: string): void {
    this.items.delete(sku);
  }
}
