import type { Db, Sql } from '../connect';
import { AUTO_RESOLVED_CODE, exceptionTypes, type ExceptionType } from '../../domain/exceptions/types';
import type { ExceptionView } from '../../domain/exceptions/view';

export interface NewException {
  type: ExceptionType;
  /** What it is about, e.g. `order:W-1`, `sku:TEE@DC-EAST`, `channel:web:TEE`, `event:shop/evt-1`: one open exception per type and subject. */
  subject: string;
  at: Date;
  orderId?: string;
  sku?: string;
  locationId?: string;
  /** Defaults to the order's channel when `orderId` names a known order. */
  channel?: string;
  source?: string;
  eventSeq?: string;
  details?: Record<string, unknown>;
  /** Overrides the type's SLA (sla_at_risk is due at the order's promise). */
  dueAt?: Date;
}

/**
 * Opens an exception, or, while one is open for the same type and subject, counts another occurrence
 * (count and last seen). Its `dueAt` is `at` plus the type's SLA (`exception_slas`, else the spec's
 * default). Opening is written to the audit trail as the system's doing; repeats are not (the count
 * and last-seen time record them).
 */
export async function openException(sql: Db, e: NewException): Promise<void> {
  const fallbackMinutes = exceptionTypes[e.type].slaMinutes;
  await sql`
    WITH up AS (
      INSERT INTO exceptions (type, severity, subject, order_id, sku, location_id, channel, source, event_seq, details, opened_at, last_seen_at, due_at)
      VALUES (${e.type}, ${exceptionTypes[e.type].severity}, ${e.subject}, ${e.orderId ?? null}, ${e.sku ?? null},
              ${e.locationId ?? null},
              coalesce(${e.channel ?? null}::text, (SELECT channel FROM orders WHERE order_id = ${e.orderId ?? null}::text)),
              ${e.source ?? null}, ${e.eventSeq ?? null}, ${sql.json((e.details ?? {}) as never)},
              ${e.at}, ${e.at},
              coalesce(${e.dueAt ?? null}::timestamptz,
                       ${e.at}::timestamptz + make_interval(mins => coalesce((SELECT minutes FROM exception_slas WHERE type = ${e.type}), ${fallbackMinutes}))))
      ON CONFLICT (type, subject) WHERE status <> 'resolved' DO UPDATE SET
        occurrences = exceptions.occurrences + 1,
        last_seen_at = greatest(exceptions.last_seen_at, EXCLUDED.last_seen_at),
        -- The newest details win, but the events named by every occurrence are kept (the first offender too).
        details = CASE WHEN jsonb_typeof(exceptions.details->'events') = 'array' AND jsonb_typeof(EXCLUDED.details->'events') = 'array'
          THEN exceptions.details || EXCLUDED.details || jsonb_build_object('events', (exceptions.details->'events') || (EXCLUDED.details->'events'))
          ELSE exceptions.details || EXCLUDED.details END
      RETURNING id, type, subject, (xmax = 0) AS inserted
    )
    INSERT INTO audit_log (actor_kind, action, target_kind, target_id, details)
    SELECT 'system', 'exception.open', 'exception', id::text, jsonb_build_object('type', type, 'subject', subject)
    FROM up WHERE inserted`;
}

/** Writes the configured SLAs (minutes per type); types not named fall back to the spec's defaults. */
export async function writeSlaOverrides(sql: Sql, minutes: Partial<Record<ExceptionType, number>>): Promise<void> {
  const rows = Object.entries(minutes).map(([type, m]) => ({ type, minutes: m }));
  await sql.begin(async (tx) => {
    if (rows.length === 0) {
      await tx`DELETE FROM exception_slas`;
      return;
    }
    await tx`DELETE FROM exception_slas WHERE type NOT IN ${tx(rows.map((r) => r.type))}`;
    await tx`INSERT INTO exception_slas ${tx(rows as never)} ON CONFLICT (type) DO UPDATE SET minutes = EXCLUDED.minutes`;
  });
}

/** The columns `toView` reads. */
export const EXCEPTION_COLUMNS = `id, type, severity, status, subject, order_id, sku, location_id, channel, source, event_seq, details,
  occurrences, opened_at, last_seen_at, due_at, assignee, acknowledged_at, escalated_at, resolved_at, resolved_by,
  resolution_code, resolution_note, version, updated_at`;

export interface ExceptionRow {
  id: string;
  type: ExceptionType;
  severity: ExceptionView['severity'];
  status: ExceptionView['status'];
  subject: string;
  order_id: string | null;
  sku: string | null;
  location_id: string | null;
  channel: string | null;
  source: string | null;
  event_seq: string | null;
  details: Record<string, unknown>;
  occurrences: number;
  opened_at: Date;
  last_seen_at: Date;
  due_at: Date;
  assignee: string | null;
  acknowledged_at: Date | null;
  escalated_at: Date | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_code: string | null;
  resolution_note: string | null;
  version: number;
  updated_at: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toView(r: ExceptionRow): ExceptionView {
  return {
    id: r.id,
    type: r.type,
    severity: r.severity,
    status: r.status,
    subject: r.subject,
    orderId: r.order_id,
    sku: r.sku,
    locationId: r.location_id,
    channel: r.channel,
    source: r.source,
    eventSeq: r.event_seq === null ? null : String(r.event_seq),
    details: r.details,
    occurrences: r.occurrences,
    openedAt: r.opened_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    assignee: r.assignee,
    acknowledgedAt: iso(r.acknowledged_at),
    escalatedAt: iso(r.escalated_at),
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by,
    resolution: r.resolution_code ? { code: r.resolution_code, note: r.resolution_note } : null,
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function exceptionsByIds(sql: Db, ids: readonly string[]): Promise<ExceptionView[]> {
  if (ids.length === 0) return [];
  const rows = await sql<ExceptionRow[]>`SELECT ${sql.unsafe(EXCEPTION_COLUMNS)} FROM exceptions WHERE id IN ${sql(ids as string[])}`;
  return rows.map(toView);
}

/**
 * Resolves, as the system, the unresolved exceptions of `type` whose condition cleared by itself
 * (code `auto_resolved`, the reason as note), with an audit row each. `subjects` names them, or
 * `skusWithoutBackorders` picks the stockouts of those SKUs that have no backordered unit left.
 */
export async function autoResolve(
  sql: Db,
  e: { type: ExceptionType; at: Date; reason: string } & ({ subjects: readonly string[] } | { skusWithoutBackorders: readonly string[] }),
): Promise<number> {
  const which = 'subjects' in e
    ? (e.subjects.length ? sql`subject IN ${sql(e.subjects as string[])}` : null)
    : (e.skusWithoutBackorders.length
      ? sql`sku IN ${sql(e.skusWithoutBackorders as string[])} AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.sku = exceptions.sku AND l.backordered > 0)`
      : null);
  if (!which) return 0;
  const rows = await sql`
    WITH r AS (
      UPDATE exceptions SET status = 'resolved', resolution_code = ${AUTO_RESOLVED_CODE}, resolution_note = ${e.reason},
                            resolved_at = ${e.at}, resolved_by = 'system'
      WHERE type = ${e.type} AND status <> 'resolved' AND ${which}
      RETURNING id, type, subject
    )
    INSERT INTO audit_log (actor_kind, action, target_kind, target_id, details)
    SELECT 'system', 'exception.auto_resolve', 'exception', id::text, jsonb_build_object('type', type, 'subject', subject, 'reason', ${e.reason}::text)
    FROM r
    RETURNING id`;
  return rows.length;
}
