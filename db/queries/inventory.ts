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

