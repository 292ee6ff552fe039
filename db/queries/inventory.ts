import type { Db } from '../connect';

import type { LedgerBucket } from '../../domain/inventory/buckets';

export type Bucket = LedgerBucket;

export interface Move {
  sku: string;
  locationId: string;
  bucket: Bucket;
  delta: number;
  reason: string;
  eventSeq: string;
  orderId?: string | null;
  /** When the causing event happened (kept in memory only, to judge late counts). */
  occurredAt?: Date;
}

export interface BucketRow {
  sku: string;
  location_id: string;
  on_hand: number;
  reserved: number;
  in_transit: number;
  returns_pending: number;
  damaged: number;
}

/** The lock over every SKU: held shared beside per-SKU locks, exclusive by a batch that touches too many SKUs to lock one by one. */
const ALL_SKUS_LOCK = 742_002;
/**
 * Above this many SKUs a batch takes the whole catalogue instead: each advisory lock takes a slot of
 * the server's shared lock table (max_locks_per_transaction × connections, 6,400 by default), and a
 * few workers locking thousands of SKUs each would exhaust it ("out of shared memory").
 */
export const MAX_SKU_LOCKS = 256;

/**
 * Serialises work on these SKUs across workers and processes; always taken in sorted order (no
 * deadlock), after the catalogue lock in shared mode. With `wholeCatalogue` allowed, a set larger than
 * MAX_SKU_LOCKS takes the catalogue lock exclusively instead (one slot) and answers true: every SKU
 * is then locked.
 */
export async function lockSkus(sql: Db, skus: Iterable<string>, opts: { wholeCatalogue?: boolean } = {}): Promise<boolean> {
  const sorted = [...new Set(skus)].sort();
  if (sorted.length === 0) return false;
  if (opts.wholeCatalogue && sorted.length > MAX_SKU_LOCKS) {
    await sql`SELECT pg_advisory_xact_lock(${ALL_SKUS_LOCK})`;
    return true;
  }
  await sql`SELECT pg_advisory_xact_lock_shared(${ALL_SKUS_LOCK})`;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended('sku:' || s, 0))
            FROM (SELECT s FROM unnest(${sql.array(sorted)}::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n) ordered`;
  return false;
}
