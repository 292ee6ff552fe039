import type { Db } from '../../db/connect';
import type { BatchContext, ListingRow, ReturnRow, TransferRow } from './context';
import { EntityMap } from './entity-map';

/** Transfers, returns and listings as the batch's working copies, each read (and locked) on first use. */
export function entityMaps(sql: Db): Pick<BatchContext, 'transfers' | 'returns' | 'listings'> {
  return {
    transfers: new EntityMap<TransferRow>(async (ids) =>
      (await sql<TransferRow[]>`SELECT * FROM transfers WHERE transfer_id IN ${sql(ids)} ORDER BY transfer_id FOR UPDATE`).map((t) => [t.transfer_id, t])),
    returns: new EntityMap<ReturnRow>(async (ids) =>
      (await sql<ReturnRow[]>`
        SELECT r.return_id, r.order_id, r.location_id, r.received_at, r.lines, r.inspected, r.inspected_at, r.resolved_at, r.channel,
               (SELECT max(d.inspected_at) FROM return_dispositions d WHERE d.return_id = r.return_id) AS last_inspected_at
        FROM returns r WHERE r.return_id IN ${sql(ids)} ORDER BY r.return_id FOR UPDATE`).map((r) => [r.return_id, r])),
    listings: new EntityMap<ListingRow>(async (keys) => {
      const pairs = keys.map((k) => k.split('\u0000') as [string, string]);
      const rows = await sql<ListingRow[]>`
        SELECT cl.channel, cl.sku, cl.listed_qty, cl.listed_at, cl.event_seq FROM channel_listings cl
        JOIN unnest(${sql.array(pairs.map((p) => p[0]))}::text[], ${sql.array(pairs.map((p) => p[1]))}::text[]) AS k(channel, sku)
          ON cl.channel = k.channel AND cl.sku = k.sku`;
      return rows.map((l) => [`${l.channel}\u0000${l.sku}`, l]);
    }),
  };
}

const CHUNK = 5000;

async function chunked<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** Writes the transfers, returns and listings the batch created or changed (JSON records: one parameter a statement). */
export async function writeEntities(ctx: BatchContext): Promise<void> {
  const sql = ctx.tx;
  const transfers = ctx.transfers.takeChanges();
  await chunked(transfers.created, (rows) => sql`
    INSERT INTO transfers (transfer_id, from_location_id, to_location_id, shipped_at, lines, received)
    SELECT transfer_id, from_location_id, to_location_id, shipped_at, lines, received
    FROM jsonb_to_recordset(${sql.json(rows as never)}) AS x(transfer_id text, from_location_id text, to_location_id text, shipped_at timestamptz, lines jsonb, received jsonb)`);
  await chunked(transfers.changed, (rows) => sql`
    UPDATE transfers t SET received = x.received
    FROM jsonb_to_recordset(${sql.json(rows as never)}) AS x(transfer_id text, received jsonb) WHERE t.transfer_id = x.transfer_id`);

  const returns = ctx.returns.takeChanges();
  await chunked(returns.created, (rows) => sql`
    INSERT INTO returns (return_id, order_id, location_id, received_at, lines, inspected, inspected_at, resolved_at, channel)
    SELECT return_id, order_id, location_id, received_at, lines, inspected, inspected_at, resolved_at, channel
    FROM jsonb_to_recordset(${sql.json(rows as never)}) AS x(return_id text, order_id text, location_id text, received_at timestamptz,
      lines jsonb, inspected jsonb, inspected_at timestamptz, resolved_at timestamptz, channel text)`);
  await chunked(returns.changed, (rows) => sql`
    UPDATE returns r SET inspected = x.inspected, inspected_at = x.inspected_at, resolved_at = x.resolved_at
    FROM jsonb_to_recordset(${sql.json(rows as never)}) AS x(return_id text, inspected jsonb, inspected_at timestamptz, resolved_at timestamptz)
    WHERE r.return_id = x.return_id`);

  const listings = ctx.listings.takeChanges();
  await chunked([...listings.created, ...listings.changed], (rows) => sql`
    INSERT INTO channel_listings (channel, sku, listed_qty, listed_at, event_seq)
    SELECT channel, sku, listed_qty, listed_at, event_seq
    FROM jsonb_to_recordset(${sql.json(rows as never)}) AS x(channel text, sku text, listed_qty integer, listed_at timestamptz, event_seq bigint)
    ON CONFLICT (channel, sku) DO UPDATE SET listed_qty = EXCLUDED.listed_qty, listed_at = EXCLUDED.listed_at, event_seq = EXCLUDED.event_seq`);
}

/** Everything the batch changed in memory, written in one pass: orders, buckets and ledger, entities, appended rows, then the deferred statements. */
export async function writeBack(ctx: BatchContext): Promise<void> {
  await ctx.orders.flush(ctx.now);
  await ctx.inventory.flush();
  await writeEntities(ctx);
  await ctx.writes.flushRows(ctx.tx);
  await ctx.writes.flushOps(ctx.tx);
}
