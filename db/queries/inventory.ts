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

/** Serialises work on these SKUs across workers and processes; always taken in sorted order (no deadlock). */
export async function lockSkus(sql: Db, skus: Iterable<string>): Promise<void> {
  const sorted = [...new Set(skus)].sort();
  if (sorted.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended('sku:' || s, 0))
            FROM (SELECT s FROM unnest(${sql.array(sorted)}::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n) ordered`;
}
