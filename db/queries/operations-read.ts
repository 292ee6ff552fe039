import type { Db } from '../connect';
import { awaitingShipment } from '../../domain/exceptions/time-rules';

// Literal, not bound: the planner then matches the partial index `orders_awaiting_shipment`.
const AWAITING = awaitingShipment.map((s) => `'${s}'`).join(', ');

export interface AtRiskOrder {
  orderId: string;
  channel: string;
  status: string;
  promisedShipBy: string;
  units: number;
  /** Unshipped units (ordered − shipped − cancelled). */
  openUnits: number;
}

export interface OperationsView {
  asOf: string;
  /** Orders still to ship, by status and by channel × status. */
  backlog: { total: number; byStatus: Record<string, number>; byChannel: Record<string, Record<string, number>> };
  /** Orders still to ship whose promise falls within the horizon (or passed), soonest first. */
  atRisk: { horizonMinutes: number; count: number; overdue: number; orders: AtRiskOrder[] };
}

/** The operations board's figures that are not in the live aggregates: the backlog and the orders at risk. */
export async function readOperations(sql: Db, now: Date, horizonMinutes: number, limit: number): Promise<OperationsView> {
  const horizonEnd = new Date(now.getTime() + horizonMinutes * 60_000);
  const [backlogRows, riskCount, riskRows] = await Promise.all([
    sql`SELECT status, channel, count(*)::int AS n FROM orders WHERE status IN (${sql.unsafe(AWAITING)}) GROUP BY status, channel`,
    sql`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE promised_ship_by < ${now})::int AS overdue
      FROM orders WHERE status IN (${sql.unsafe(AWAITING)}) AND promised_ship_by <= ${horizonEnd}`,
    sql`
      SELECT o.order_id, o.channel, o.status, o.promised_ship_by, o.units,
             (SELECT coalesce(sum(l.qty - l.shipped - l.cancelled), 0)::int FROM order_lines l WHERE l.order_id = o.order_id) AS open_units
      FROM orders o
      WHERE o.status IN (${sql.unsafe(AWAITING)}) AND o.promised_ship_by <= ${horizonEnd}
      ORDER BY o.promised_ship_by, o.order_id
      LIMIT ${limit}`,
  ]);
  const byStatus: Record<string, number> = {};
  const byChannel: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const r of backlogRows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
    (byChannel[r.channel] ??= {})[r.status] = r.n;
    total += r.n;
  }
  return {
    asOf: now.toISOString(),
    backlog: { total, byStatus, byChannel },
    atRisk: {
      horizonMinutes,
      count: riskCount[0]!.n,
      overdue: riskCount[0]!.overdue,
      orders: riskRows.map((r) => ({
        orderId: r.order_id, channel: r.channel, status: r.status, promisedShipBy: (r.promised_ship_by as Date).toISOString(),
        units: r.units, openUnits: r.open_units,
      })),
    },
  };
}
