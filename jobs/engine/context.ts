import type { TransactionSql } from '../../db/connect';
import type { PendingEventRow } from '../../db/queries/events';
import type { Move } from '../../db/queries/inventory';
import type { EntityMap } from './entity-map';
import type { InventoryState } from './inventory-state';
import type { MasterCache } from './master-cache';
import type { OrderStore } from './order-store';
import type { WriteQueue } from './write-queue';
import type { CountTolerance } from '../../domain/inventory/counts';
import type { LedgerMovement } from '../../domain/inventory/buckets';
import type { LiveFact } from '../../domain/live/aggregates';

export interface EngineConfig {
  fraudThreshold: number;
  deferMaxMs: number;
  countTolerance: CountTolerance;
}

export const defaultEngineConfig: EngineConfig = {
  fraudThreshold: 0.8,
  deferMaxMs: 300_000,
  countTolerance: { units: 2, percent: 0.02 },
};

/** PostgreSQL data exceptions (class 22) and constraint violations (23): the event, not the system, is at fault. */
export const isDataError = (err: unknown) => /^2[23]/.test(String((err as { code?: string })?.code ?? ''));

/** The event cannot be applied (unknown SKU, illegal status change, ...): kept with its reason, `invalid_event` opens. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** A prerequisite has not arrived yet (a shipment before its order): the event waits, bounded by `deferMaxMs`. */
export class DeferEventError extends Error {
  override name = 'DeferEventError';
}

/** What one batch transaction accumulates while its events are applied one by one, in sequence order. */
export interface BatchContext {
  tx: TransactionSql;
  config: EngineConfig;
  facts: LiveFact[];
  /** SKUs whose availability or backorders changed, with the event that changed them: re-allocated right after that event. */
  reallocate: Map<string, Row>;
  /** `sku\u0000location` pairs the current event moved: checked for reservations above on hand right after it. */
  moved: Set<string>;
  /** `sku\u0000location` pairs touched, with the events that touched them, for the invariant check. */
  touched: Map<string, Set<string>>;
  touchedOrders: Set<string>;
  /** The SKUs the batch has read (foreseen at its start, or met later): their backorders are loaded, their stockouts may clear. */
  skus: Set<string>;
  inventory: InventoryState;
  orders: OrderStore;
  transfers: EntityMap<TransferRow>;
  returns: EntityMap<ReturnRow>;
  /** Keyed `channel\u0000sku`. */
  listings: EntityMap<ListingRow>;
  master: MasterCache;
  writes: WriteQueue;
  /** The batch's clock (the transaction's start, near enough): when it records "now". */
  now: Date;
}

export interface TransferRow {
  transfer_id: string;
  from_location_id: string;
  to_location_id: string;
  shipped_at: Date;
  lines: { sku: string; qty: number }[];
  received: Record<string, number>;
}

export interface ReturnRow {
  return_id: string;
  order_id: string;
  location_id: string;
  received_at: Date;
  lines: { sku: string; qty: number }[];
  inspected: Record<string, number>;
  inspected_at: Date | null;
  resolved_at: Date | null;
  channel: string | null;
  /** The latest inspection recorded for the return (its dispositions' max inspected_at). */
  last_inspected_at: Date | null;
}

export interface ListingRow {
  channel: string;
  sku: string;
  listed_qty: number;
  listed_at: Date;
  event_seq: string;
}

export type Row = PendingEventRow;

export async function move(ctx: BatchContext, row: Row, at: { sku: string; locationId: string; orderId?: string | null; reason: string }, moves: readonly LedgerMovement[]): Promise<void> {
  const list: Move[] = moves.map((m) => ({ sku: at.sku, locationId: at.locationId, bucket: m.bucket, delta: m.delta, reason: at.reason, eventSeq: row.seq, orderId: at.orderId ?? null, occurredAt: row.occurred_at }));
  await ctx.inventory.apply(list);
  const key = `${at.sku}\u0000${at.locationId}`;
  ctx.moved.add(key);
  const events = ctx.touched.get(key) ?? new Set<string>();
  events.add(row.seq);
  ctx.touched.set(key, events);
}
