import type { Db } from '../../db/connect';
import type { BucketRow, Move } from '../../db/queries/inventory';
import { availableOf, type LedgerBucket } from '../../domain/inventory/buckets';

const column: Record<LedgerBucket, 'on_hand' | 'reserved' | 'in_transit' | 'returns_pending' | 'damaged'> = {
  onHand: 'on_hand', reserved: 'reserved', inTransit: 'in_transit', returnsPending: 'returns_pending', damaged: 'damaged',
};

const keyOf = (sku: string, locationId: string) => `${sku}\u0000${locationId}`;
const empty = (sku: string, locationId: string): BucketRow => ({ sku, location_id: locationId, on_hand: 0, reserved: 0, in_transit: 0, returns_pending: 0, damaged: 0 });

/**
 * The batch's working copy of the buckets it may change (its SKUs are locked), written back once at
 * the end with the ledger rows. Updating a hot row (one SKU at one DC) once per order inside one
 * transaction would leave a version per update for each later update to walk past; one write per
 * row per batch does not. Each event's changes are journaled so a rolled-back event undoes them.
 */
export class InventoryState {
  private readonly rows = new Map<string, BucketRow>();
  /** Net change per row in this batch: what is written back (added, never overwritten). */
  private readonly deltas = new Map<string, BucketRow>();
  /** When each SKU × location was last counted within tolerance (the count set the book then). */
  private readonly countedAt = new Map<string, Date>();
  private readonly loadedSkus = new Set<string>();
  private readonly dirty = new Set<string>();
  private ledger: Move[] = [];
  private journal: { key: string; before: BucketRow | undefined; delta?: BucketRow | undefined; countedAt?: Date | null }[] = [];
  private ledgerMark = 0;
  private shipping: { location_id: string; region: string; priority: number }[] | null = null;

  /** `onLoad` hears of SKUs the batch did not foresee (read when first touched). */
  constructor(
    private readonly sql: Db,
    private readonly onLoad: (skus: string[]) => void = () => {},
  ) {}

  async load(skus: Iterable<string>): Promise<void> {
    const wanted = [...new Set(skus)].filter((s) => !this.loadedSkus.has(s));
    if (wanted.length === 0) return;
    this.onLoad(wanted);
    for (const r of await this.sql<BucketRow[]>`SELECT * FROM inventory WHERE sku IN ${this.sql(wanted)}`) {
      const k = keyOf(r.sku, r.location_id);
      if (!this.rows.has(k)) this.rows.set(k, r);
    }
    const counts = await this.sql`
      SELECT sku, location_id, max(counted_at) AS at FROM stock_counts
      WHERE (within_tolerance OR approved) AND sku IN ${this.sql(wanted)} GROUP BY 1, 2`;
    for (const c of counts) this.countedAt.set(keyOf(c.sku, c.location_id), c.at);
    wanted.forEach((s) => this.loadedSkus.add(s));
  }

  /** A count within tolerance at `at` set the book: movements that happened before it are in it already. */
  noteCount(sku: string, locationId: string, at: Date): void {
    const k = keyOf(sku, locationId);
    const prev = this.countedAt.get(k);
    this.journal.push({ key: k, before: undefined, countedAt: prev ?? null });
    if (!prev || at > prev) this.countedAt.set(k, at);
  }

  async get(sku: string, locationId: string): Promise<BucketRow> {
    await this.load([sku]);
    return { ...(this.rows.get(keyOf(sku, locationId)) ?? empty(sku, locationId)) };
  }

  async shippingLocations() {
    this.shipping ??= await this.sql<{ location_id: string; region: string; priority: number }[]>`
      SELECT location_id, region, priority FROM locations WHERE ships_to_customers ORDER BY location_id`;
    return this.shipping;
  }

  /** Locations may be upserted during the batch: forget the cached list. */
  locationsChanged(): void {
    this.shipping = null;
  }

  /** Available (on hand − reserved, not below 0) per shipping location for these SKUs. */
  async availability(skus: readonly string[]): Promise<Map<string, Map<string, number>>> {
    await this.load(skus);
    const out = new Map<string, Map<string, number>>();
    for (const l of await this.shippingLocations()) {
      const m = new Map<string, number>();
      for (const sku of skus) {
        const r = this.rows.get(keyOf(sku, l.location_id));
        if (r) m.set(sku, availableOf({ onHand: r.on_hand, reserved: r.reserved }));
      }
      out.set(l.location_id, m);
    }
    return out;
  }

  async apply(moves: readonly Move[]): Promise<void> {
    for (const m of moves) {
      if (m.delta === 0) continue;
      await this.load([m.sku]);
      this.applyOne(m);
      // A late physical movement that happened before the last count is already in the counted book:
      // recorded, and offset, so the count is not overwritten.
      const countedAt = this.countedAt.get(keyOf(m.sku, m.locationId));
      if (m.bucket === 'onHand' && countedAt && m.occurredAt && m.occurredAt < countedAt) {
        this.applyOne({ ...m, delta: -m.delta, reason: `already in the count of ${countedAt.toISOString()}` });
      }
    }
  }

  private applyOne(m: Move): void {
    const k = keyOf(m.sku, m.locationId);
    const before = this.rows.get(k);
    const beforeDelta = this.deltas.get(k);
    this.journal.push({ key: k, before: before ? { ...before } : undefined, delta: beforeDelta ? { ...beforeDelta } : undefined });
    const row = before ? { ...before } : empty(m.sku, m.locationId);
    row[column[m.bucket]] += m.delta;
    this.rows.set(k, row);
    const delta = beforeDelta ? { ...beforeDelta } : empty(m.sku, m.locationId);
    delta[column[m.bucket]] += m.delta;
    this.deltas.set(k, delta);
    this.dirty.add(k);
    this.ledger.push(m);
  }

  /**
   * Net on-hand movement at one SKU × location caused by events that happened after `at` (by event
   * time), flushed or still in this batch: what a late count must not overwrite.
   */
  async onHandMovedAfter(sku: string, locationId: string, at: Date): Promise<number> {
    const [row] = await this.sql`
      SELECT coalesce(sum(l.delta), 0)::int AS moved
      FROM inventory_ledger l JOIN events e ON e.seq = l.event_seq
      WHERE l.sku = ${sku} AND l.location_id = ${locationId} AND l.bucket = 'onHand' AND e.occurred_at > ${at}`;
    const pending = this.ledger
      .filter((m) => m.sku === sku && m.locationId === locationId && m.bucket === 'onHand' && m.occurredAt !== undefined && m.occurredAt > at)
      .reduce((n, m) => n + m.delta, 0);
    return Number(row?.moved ?? 0) + pending;
  }

  /** Starts an event: what follows can be undone with `rollback`. */
  begin(): void {
    this.journal = [];
    this.ledgerMark = this.ledger.length;
  }

  rollback(): void {
    for (const entry of this.journal.reverse()) {
      if (entry.countedAt !== undefined) {
        if (entry.countedAt) this.countedAt.set(entry.key, entry.countedAt);
        else this.countedAt.delete(entry.key);
        continue;
      }
      if (entry.before) this.rows.set(entry.key, entry.before);
      else this.rows.delete(entry.key);
      if (entry.delta) this.deltas.set(entry.key, entry.delta);
      else this.deltas.delete(entry.key);
    }
    this.journal = [];
    this.ledger.length = this.ledgerMark;
  }

  /** Writes the changed buckets and the ledger rows. */
  async flush(): Promise<void> {
    // One JSON parameter a statement: cheaper to bind than thousands of parameters, and no chunking.
    if (this.ledger.length > 0) {
      const ledger = this.ledger.map((m) => ({
        event_seq: m.eventSeq, sku: m.sku, location_id: m.locationId, bucket: m.bucket, delta: m.delta, reason: m.reason, order_id: m.orderId ?? null,
      }));
      await this.sql`
        INSERT INTO inventory_ledger (event_seq, sku, location_id, bucket, delta, reason, order_id)
        SELECT event_seq, sku, location_id, bucket, delta, reason, order_id FROM jsonb_populate_recordset(NULL::inventory_ledger, ${this.sql.json(ledger as never)})`;
    }
    // Deltas, not absolute values: a row is never overwritten with a picture older than someone else's commit.
    const rows = [...this.dirty].map((k) => this.deltas.get(k)).filter((r): r is BucketRow => r !== undefined);
    if (rows.length > 0) {
      await this.sql`
        INSERT INTO inventory (sku, location_id, on_hand, reserved, in_transit, returns_pending, damaged)
        SELECT sku, location_id, on_hand, reserved, in_transit, returns_pending, damaged FROM jsonb_populate_recordset(NULL::inventory, ${this.sql.json(rows as never)})
        ORDER BY sku, location_id
        ON CONFLICT (sku, location_id) DO UPDATE SET
          on_hand = inventory.on_hand + EXCLUDED.on_hand, reserved = inventory.reserved + EXCLUDED.reserved,
          in_transit = inventory.in_transit + EXCLUDED.in_transit,
          returns_pending = inventory.returns_pending + EXCLUDED.returns_pending, damaged = inventory.damaged + EXCLUDED.damaged`;
    }
    this.ledger = [];
    this.dirty.clear();
    this.deltas.clear();
  }
}
