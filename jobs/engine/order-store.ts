import type { Db } from '../../db/connect';
import type { OrderStatus } from '../../domain/orders/status';

export interface OrderLine {
  line_no: number;
  sku: string;
  qty: number;
  unit_price: string;
  backordered: number;
  /** Units of the line ever backordered (at most qty): the KPI's backordered units. */
  backordered_ever: number;
  shipped: number;
  cancelled: number;
  returned: number;
}

export interface OrderHead {
  order_id: string;
  channel: string;
  status: OrderStatus;
  payment: string;
  fraud_score: string | number | null;
  held: boolean;
  picking: boolean;
  delivered: boolean;
  created_at: Date;
  ship_to: { region: string };
  promised_ship_by: Date | null;
  /** Units ordered (Σ line qty). */
  units: number;
  value: string | number;
  event_seq: string;
  first_shipped_at: Date | null;
  first_ship_location: string | null;
  first_ship_units: number | null;
  last_shipped_at: Date | null;
  last_ship_location: string | null;
  fully_shipped_at: Date | null;
  backordered_ever: number;
  updated_at: Date | null;
}

export interface ReservationRow {
  line_no: number;
  location_id: string;
  sku: string;
  qty: number;
}

/** One order as the batch sees it: header, lines, its reservations (line × location) and shipment ids. */
export interface OrderState {
  head: OrderHead;
  lines: OrderLine[];
  /** Sorted by line, then location; no row with qty 0. */
  reservations: ReservationRow[];
  shipmentIds: Set<string>;
}

export interface NewShipment {
  order_id: string;
  shipment_id: string;
  location_id: string;
  shipped_at: Date;
  units: number;
  event_seq: string;
}

type Journal = { orderId: string; before: OrderState | null }[];

const clone = (o: OrderState): OrderState => ({
  head: { ...o.head },
  lines: o.lines.map((l) => ({ ...l })),
  reservations: o.reservations.map((r) => ({ ...r })),
  shipmentIds: new Set(o.shipmentIds),
});

const reservationKey = (r: { line_no: number; location_id: string }) => `${r.line_no}\u0000${r.location_id}`;

/** Units reserved for one line, at every location. */
export const reservedOf = (o: OrderState, lineNo: number) => o.reservations.reduce((n, r) => (r.line_no === lineNo ? n + r.qty : n), 0);

/**
 * The batch's working copy of the orders it reads or changes: loaded in bulk (rows locked), changed
 * in memory event by event, and written back once, when the batch ends. Every change goes through
 * `edit`, which journals the order, so an event that fails is undone in memory (no savepoint, no
 * round trip). No other batch runs until this one commits (the apply lock), so nothing changes them under it.
 */
export class OrderStore {
  private readonly orders = new Map<string, OrderState>();
  /** As loaded from PostgreSQL, for the write-back to send only differences; absent for new orders. */
  private readonly stored = new Map<string, OrderState>();
  /** Ids looked up and not found: not asked again (the order may be created later in the batch). */
  private readonly absent = new Set<string>();
  private readonly dirty = new Set<string>();
  private shipments: NewShipment[] = [];
  private journal: Journal = [];
  private journaled = new Set<string>();
  private shipmentMark = 0;
  /** SKUs whose backordered lines and `sku × location` pairs whose reservations are all in memory. */
  private readonly backordersLoaded = new Set<string>();
  private readonly reservationsLoaded = new Set<string>();
  /** Orders that had backordered units when loaded. */
  private readonly loadedBackordered = new Set<string>();

  constructor(private readonly sql: Db) {}

  /** Loads (and locks) the orders not in memory yet; ids unknown to PostgreSQL are remembered as absent. */
  async load(orderIds: Iterable<string>): Promise<void> {
    const wanted = [...new Set(orderIds)].filter((id) => !this.orders.has(id) && !this.absent.has(id));
    if (wanted.length === 0) return;
    for (let i = 0; i < wanted.length; i += 5000) await this.loadChunk(wanted.slice(i, i + 5000));
  }

  private async loadChunk(ids: string[]): Promise<void> {
    const heads = await this.sql<OrderHead[]>`SELECT * FROM orders WHERE order_id IN ${this.sql(ids)} ORDER BY order_id FOR UPDATE`;
    const found = new Set(heads.map((h) => h.order_id));
    for (const id of ids) if (!found.has(id)) this.absent.add(id);
    if (heads.length === 0) return;
    const present = [...found];
    const [lines, reservations, shipments] = await Promise.all([
      this.sql<(OrderLine & { order_id: string })[]>`
        SELECT order_id, line_no, sku, qty, unit_price, backordered, backordered_ever, shipped, cancelled, returned
        FROM order_lines WHERE order_id IN ${this.sql(present)} ORDER BY order_id, line_no`,
      this.sql<(ReservationRow & { order_id: string })[]>`
        SELECT order_id, line_no, location_id, sku, qty FROM reservations WHERE order_id IN ${this.sql(present)} ORDER BY order_id, line_no, location_id`,
      this.sql<{ order_id: string; shipment_id: string }[]>`SELECT order_id, shipment_id FROM shipments WHERE order_id IN ${this.sql(present)}`,
    ]);
    const states = new Map<string, OrderState>(heads.map((h) => [h.order_id, { head: h, lines: [], reservations: [], shipmentIds: new Set() }]));
    for (const { order_id: id, ...l } of lines) states.get(id)!.lines.push(l);
    for (const { order_id: id, ...r } of reservations) states.get(id)!.reservations.push(r);
    for (const s of shipments) states.get(s.order_id)!.shipmentIds.add(s.shipment_id);
    for (const [id, state] of states) {
      this.orders.set(id, state);
      this.stored.set(id, clone(state));
      if (state.lines.some((l) => l.backordered > 0)) this.loadedBackordered.add(id);
    }
  }

  /** The order as it stands in the batch, or undefined when nobody has created it. Read only: change it through `edit`. */
  async get(orderId: string): Promise<Readonly<OrderState> | undefined> {
    await this.load([orderId]);
    return this.orders.get(orderId);
  }

  /** The order, journaled for this event: change it freely; a rollback restores it. */
  async edit(orderId: string): Promise<OrderState> {
    await this.load([orderId]);
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`order ${orderId} is not in the batch`);
    this.remember(orderId, order);
    this.dirty.add(orderId);
    return order;
  }

  /** A new order, as written at the end of the batch. */
  create(state: OrderState): void {
    this.remember(state.head.order_id, null);
    this.absent.delete(state.head.order_id);
    this.orders.set(state.head.order_id, state);
    this.dirty.add(state.head.order_id);
  }

  recordShipment(s: NewShipment): void {
    this.shipments.push(s);
  }

  private remember(orderId: string, current: OrderState | null): void {
    if (this.journaled.has(orderId)) return;
    this.journaled.add(orderId);
    this.journal.push({ orderId, before: current ? clone(current) : null });
  }

  /** Every order in memory (loaded or created). */
  all(): IterableIterator<OrderState> {
    return this.orders.values();
  }

  /** The orders in memory that may have backordered units: loaded with some, or changed in this batch. */
  *mayBeBackordered(): Generator<OrderState> {
    for (const id of new Set([...this.loadedBackordered, ...this.dirty])) {
      const o = this.orders.get(id);
      if (o && o.lines.some((l) => l.backordered > 0)) yield o;
    }
  }

  /** Loads every order with backordered units of these SKUs: afterwards the batch knows all of them. */
  async loadBackorders(skus: readonly string[]): Promise<void> {
    const missing = skus.filter((s) => !this.backordersLoaded.has(s));
    if (missing.length === 0) return;
    const rows = await this.sql`SELECT DISTINCT order_id FROM order_lines WHERE backordered > 0 AND sku IN ${this.sql(missing)}`;
    await this.load(rows.map((r) => r.order_id as string));
    missing.forEach((s) => this.backordersLoaded.add(s));
  }

  /** Loads every order holding a reservation of `sku` at `locationId`. */
  async loadReservationsAt(sku: string, locationId: string): Promise<void> {
    const key = `${sku}\u0000${locationId}`;
    if (this.reservationsLoaded.has(key)) return;
    const rows = await this.sql`SELECT DISTINCT order_id FROM reservations WHERE sku = ${sku} AND location_id = ${locationId}`;
    await this.load(rows.map((r) => r.order_id as string));
    this.reservationsLoaded.add(key);
  }

  /** Starts an event: what follows can be undone with `rollback`. */
  begin(): void {
    this.journal = [];
    this.journaled = new Set();
    this.shipmentMark = this.shipments.length;
  }

  rollback(): void {
    for (const { orderId, before } of this.journal.reverse()) {
      if (before) this.orders.set(orderId, before);
      else {
        this.orders.delete(orderId);
        this.dirty.delete(orderId);
        this.absent.add(orderId);
      }
    }
    this.shipments.length = this.shipmentMark;
    this.begin();
  }

  /** Writes what changed: new orders whole, changed ones column by column, reservations as differences. */
  async flush(now: Date): Promise<void> {
    const created: OrderState[] = [];
    const changed: OrderState[] = [];
    for (const id of this.dirty) {
      const o = this.orders.get(id);
      if (!o) continue;
      (this.stored.has(id) ? changed : created).push(o);
    }
    await this.insertOrders(created);
    await this.updateOrders(changed, now);
    await this.writeReservations([...created, ...changed]);
    if (this.shipments.length > 0) {
      await this.sql`
        INSERT INTO shipments (order_id, shipment_id, location_id, shipped_at, units, event_seq)
        SELECT order_id, shipment_id, location_id, shipped_at, units, event_seq FROM jsonb_populate_recordset(NULL::shipments, ${this.sql.json(this.shipments as never)})`;
    }
    for (const o of [...created, ...changed]) this.stored.set(o.head.order_id, clone(o));
    this.dirty.clear();
    this.shipments = [];
    this.begin();
  }

  private async insertOrders(orders: OrderState[]): Promise<void> {
    if (orders.length === 0) return;
    const heads = orders.map(({ head: h }) => ({
      order_id: h.order_id, channel: h.channel, status: h.status, payment: h.payment, fraud_score: h.fraud_score, ship_to: h.ship_to,
      promised_ship_by: h.promised_ship_by, created_at: h.created_at, units: h.units, value: h.value, event_seq: h.event_seq, held: h.held,
      picking: h.picking, delivered: h.delivered, first_shipped_at: h.first_shipped_at, first_ship_location: h.first_ship_location,
      first_ship_units: h.first_ship_units, last_shipped_at: h.last_shipped_at, last_ship_location: h.last_ship_location,
      fully_shipped_at: h.fully_shipped_at, backordered_ever: h.backordered_ever, updated_at: h.updated_at,
    }));
    // One JSON parameter a statement: cheaper to bind than thousands of parameters, and no limit to chunk for.
    const columns = Object.keys(heads[0]!);
    await this.sql`INSERT INTO orders (${this.sql(columns)}) SELECT ${this.sql(columns)} FROM jsonb_populate_recordset(NULL::orders, ${this.sql.json(heads as never)})`;
    const lines = orders.flatMap((o) => o.lines.map((l) => ({ order_id: o.head.order_id, ...l })));
    const lineColumns = Object.keys(lines[0]!);
    await this.sql`INSERT INTO order_lines (${this.sql(lineColumns)}) SELECT ${this.sql(lineColumns)} FROM jsonb_populate_recordset(NULL::order_lines, ${this.sql.json(lines as never)})`;
  }

  private async updateOrders(orders: OrderState[], now: Date): Promise<void> {
    const heads: Record<string, unknown>[] = [];
    const lines: Record<string, unknown>[] = [];
    for (const o of orders) {
      const before = this.stored.get(o.head.order_id)!;
      const h = o.head;
      const b = before.head;
      const headChanged = (['status', 'payment', 'held', 'picking', 'delivered', 'first_ship_location', 'first_ship_units', 'last_ship_location', 'backordered_ever'] as const)
        .some((k) => h[k] !== b[k]) || (['first_shipped_at', 'last_shipped_at', 'fully_shipped_at'] as const).some((k) => h[k]?.getTime() !== b[k]?.getTime());
      if (headChanged) {
        if (h.status !== b.status || h.payment !== b.payment) h.updated_at = now;
        heads.push({
          order_id: h.order_id, status: h.status, payment: h.payment, held: h.held, picking: h.picking, delivered: h.delivered,
          first_shipped_at: h.first_shipped_at, first_ship_location: h.first_ship_location, first_ship_units: h.first_ship_units,
          last_shipped_at: h.last_shipped_at, last_ship_location: h.last_ship_location, fully_shipped_at: h.fully_shipped_at,
          backordered_ever: h.backordered_ever, updated_at: h.updated_at,
        });
      }
      for (const l of o.lines) {
        const was = before.lines.find((x) => x.line_no === l.line_no);
        if (was && (['backordered', 'backordered_ever', 'shipped', 'cancelled', 'returned'] as const).every((k) => was[k] === l[k])) continue;
        lines.push({ order_id: h.order_id, line_no: l.line_no, backordered: l.backordered, backordered_ever: l.backordered_ever, shipped: l.shipped, cancelled: l.cancelled, returned: l.returned });
      }
    }
    if (heads.length > 0) {
      await this.sql`
        UPDATE orders o SET status = x.status, payment = x.payment, held = x.held, picking = x.picking, delivered = x.delivered,
          first_shipped_at = x.first_shipped_at, first_ship_location = x.first_ship_location, first_ship_units = x.first_ship_units,
          last_shipped_at = x.last_shipped_at, last_ship_location = x.last_ship_location, fully_shipped_at = x.fully_shipped_at,
          backordered_ever = x.backordered_ever, updated_at = x.updated_at
        FROM jsonb_to_recordset(${this.sql.json(heads as never)}) AS x(
          order_id text, status text, payment text, held boolean, picking boolean, delivered boolean, first_shipped_at timestamptz,
          first_ship_location text, first_ship_units integer, last_shipped_at timestamptz, last_ship_location text,
          fully_shipped_at timestamptz, backordered_ever integer, updated_at timestamptz)
        WHERE o.order_id = x.order_id`;
    }
    if (lines.length > 0) {
      await this.sql`
        UPDATE order_lines l SET backordered = x.backordered, backordered_ever = x.backordered_ever, shipped = x.shipped,
          cancelled = x.cancelled, returned = x.returned
        FROM jsonb_to_recordset(${this.sql.json(lines as never)}) AS x(
          order_id text, line_no integer, backordered integer, backordered_ever integer, shipped integer, cancelled integer, returned integer)
        WHERE l.order_id = x.order_id AND l.line_no = x.line_no`;
    }
  }

  private async writeReservations(orders: OrderState[]): Promise<void> {
    const gone: { order_id: string; line_no: number; location_id: string }[] = [];
    const upserts: (ReservationRow & { order_id: string })[] = [];
    for (const o of orders) {
      const id = o.head.order_id;
      const before = new Map((this.stored.get(id)?.reservations ?? []).map((r) => [reservationKey(r), r.qty]));
      for (const r of o.reservations) {
        if (before.get(reservationKey(r)) !== r.qty) upserts.push({ order_id: id, ...r });
        before.delete(reservationKey(r));
      }
      for (const key of before.keys()) {
        const [lineNo, locationId] = key.split('\u0000') as [string, string];
        gone.push({ order_id: id, line_no: Number(lineNo), location_id: locationId });
      }
    }
    if (gone.length > 0) {
      await this.sql`
        DELETE FROM reservations r USING jsonb_to_recordset(${this.sql.json(gone as never)}) AS x(order_id text, line_no integer, location_id text)
        WHERE r.order_id = x.order_id AND r.line_no = x.line_no AND r.location_id = x.location_id`;
    }
    if (upserts.length > 0) {
      await this.sql`
        INSERT INTO reservations (order_id, line_no, location_id, sku, qty)
        SELECT order_id, line_no, location_id, sku, qty FROM jsonb_populate_recordset(NULL::reservations, ${this.sql.json(upserts as never)})
        ON CONFLICT (order_id, line_no, location_id) DO UPDATE SET qty = EXCLUDED.qty`;
    }
  }
}
