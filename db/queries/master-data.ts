import type { Db } from '../connect';

/**
 * Master data is last-writer-wins by event time (ties: the later-accepted event): a late, older
 * upsert never overwrites a newer one.
 */
export interface ItemRow { sku: string; name: string; unit_cost: number; unit_price: number; safety_stock: number; updated_at: string; event_seq: string }
export interface LocationRow { location_id: string; name: string; kind: string; region: string; ships_to_customers: boolean; priority: number; updated_at: string; event_seq: string }
export interface ChannelRow { channel: string; name: string; kind: string; priority: number; allocation_share: number; allow_split: boolean; sla_hours: number; updated_at: string; event_seq: string }

export async function upsertItems(sql: Db, rows: ItemRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO items ${sql(rows as never)}
    ON CONFLICT (sku) DO UPDATE SET
      name = EXCLUDED.name, unit_cost = EXCLUDED.unit_cost, unit_price = EXCLUDED.unit_price,
      safety_stock = EXCLUDED.safety_stock, updated_at = EXCLUDED.updated_at, event_seq = EXCLUDED.event_seq
    WHERE (items.updated_at, items.event_seq) <= (EXCLUDED.updated_at, EXCLUDED.event_seq)`;
}

export async function upsertLocations(sql: Db, rows: LocationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO locations ${sql(rows as never)}
    ON CONFLICT (location_id) DO UPDATE SET
      name = EXCLUDED.name, kind = EXCLUDED.kind, region = EXCLUDED.region,
      ships_to_customers = EXCLUDED.ships_to_customers, priority = EXCLUDED.priority,
      updated_at = EXCLUDED.updated_at, event_seq = EXCLUDED.event_seq
    WHERE (locations.updated_at, locations.event_seq) <= (EXCLUDED.updated_at, EXCLUDED.event_seq)`;
}

export async function upsertChannels(sql: Db, rows: ChannelRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO channels ${sql(rows as never)}
    ON CONFLICT (channel) DO UPDATE SET
      name = EXCLUDED.name, kind = EXCLUDED.kind, priority = EXCLUDED.priority,
      allocation_share = EXCLUDED.allocation_share, allow_split = EXCLUDED.allow_split,
      sla_hours = EXCLUDED.sla_hours, updated_at = EXCLUDED.updated_at, event_seq = EXCLUDED.event_seq
    WHERE (channels.updated_at, channels.event_seq) <= (EXCLUDED.updated_at, EXCLUDED.event_seq)`;
}
