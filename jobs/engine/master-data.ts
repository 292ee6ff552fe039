import { upsertChannels, upsertItems, upsertLocations } from '../../db/queries/master-data';
import type { BatchContext, Row } from './context';

type D = Record<string, unknown>;
const at = (row: Row) => ({ updated_at: row.occurred_at.toISOString(), event_seq: row.seq });

export async function itemUpserted(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as D;
  await upsertItems(ctx.tx, [{ sku: String(d.sku), name: String(d.name), unit_cost: Number(d.unitCost), unit_price: Number(d.unitPrice), safety_stock: Number(d.safetyStock ?? 0), ...at(row) }]);
  ctx.master.itemChanged(String(d.sku));
}

export async function locationUpserted(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as D;
  ctx.inventory.locationsChanged();
  ctx.master.locationsChanged();
  await upsertLocations(ctx.tx, [{ location_id: String(d.locationId), name: String(d.name), kind: String(d.kind), region: String(d.region), ships_to_customers: Boolean(d.shipsToCustomers), priority: Number(d.priority), ...at(row) }]);
  if (d.shipsToCustomers === true) {
    const stocked = await ctx.tx`SELECT sku FROM inventory WHERE location_id = ${String(d.locationId)} AND on_hand > reserved`;
    for (const r of stocked) ctx.reallocate.set(r.sku, row);
  }
}

export async function channelUpserted(ctx: BatchContext, row: Row): Promise<void> {
  const d = row.data as D;
  ctx.master.channelChanged();
  await upsertChannels(ctx.tx, [{ channel: String(d.channel), name: String(d.name), kind: String(d.kind), priority: Number(d.priority), allocation_share: Number(d.allocationShare ?? 1), allow_split: Boolean(d.allowSplit), sla_hours: Number(d.slaHours), ...at(row) }]);
}
