import type { Db } from '../connect';

export interface NewOrder {
  order_id: string;
  channel: string;
  status: string;
  payment: string;
  fraud_score: number | null;
  ship_to: unknown;
  promised_ship_by: string | null;
  created_at: string;
  units: number;
  value: number;
  event_seq: string;
  lines: { sku: string; qty: number; unit_price: number }[];
}

/** Inserts orders that do not exist yet; returns the ids that were new. */
export async function insertOrders(sql: Db, orders: NewOrder[]): Promise<Set<string>> {
  if (orders.length === 0) return new Set();
  const headers = orders.map(({ lines: _lines, ...h }) => ({ ...h, ship_to: sql.json(h.ship_to as never) }));
  const inserted = await sql`
    INSERT INTO orders ${sql(headers as never)}
    ON CONFLICT (order_id) DO NOTHING
    RETURNING order_id`;
  const ids = new Set(inserted.map((r) => r.order_id as string));
  const lines = orders
    .filter((o) => ids.has(o.order_id))
    .flatMap((o) => o.lines.map((l, i) => ({ order_id: o.order_id, line_no: i + 1, ...l })));
  for (let i = 0; i < lines.length; i += 10_000) {
    await sql`INSERT INTO order_lines ${sql(lines.slice(i, i + 10_000) as never)}`;
  }
  return ids;
}
