import type { PendingQuery, Row } from 'postgres';
import type { Db } from '../connect';
import { AUTO_RESOLVED_CODE, exceptionTypes, type ExceptionType } from '../../domain/exceptions/types';
import { awaitingShipment, type StaleFeed } from '../../domain/exceptions/time-rules';

/**
 * The set-based queries of the time-driven rules (jobs/exception-rules.ts). Every one is safe to run
 * from several workers at once: opening checks for an existing row and lets the one-open-per-subject
 * index refuse a racing twin; resolving and escalating lock the rows they change and re-check their
 * conditions on the locked version.
 *
 * Resolving and escalating never wait for a row lock (`FOR UPDATE … SKIP LOCKED`): the apply path
 * locks exceptions in event order, these rules would lock them in table order, and two transactions
 * that each wait for the other's next row deadlock. A row another transaction holds is simply left for
 * the next tick, seconds later; nothing is lost, and nothing happens twice.
 * Audit rows carry the rules' clock (`now`), like the times they write.
 */

// Written into the SQL text, not bound, so that the planner can match the partial index
// `orders_awaiting_shipment` (migration 0004); these are constants of the domain, not input.
const AWAITING_SHIPMENT = awaitingShipment.map((s) => `'${s}'`).join(', ');

const slaMinutes = (type: ExceptionType) => exceptionTypes[type].slaMinutes;

/**
 * Opens `sla_at_risk` for every order still awaiting shipment whose promise is at or before
 * `horizonEnd`, unless that order ever had one (an exception a person resolved stays resolved).
 * Due at the order's promise. Returns how many opened.
 */
export async function openSlaAtRisk(sql: Db, now: Date, horizonEnd: Date): Promise<number> {
  const result = await sql`
    WITH candidates AS (
      SELECT o.order_id, o.channel, o.promised_ship_by FROM orders o
      WHERE o.status IN (${sql.unsafe(AWAITING_SHIPMENT)}) AND o.promised_ship_by <= ${horizonEnd}
        AND NOT EXISTS (SELECT 1 FROM exceptions e WHERE e.type = 'sla_at_risk' AND e.subject = 'order:' || o.order_id)
    ), opened AS (
      INSERT INTO exceptions (type, severity, subject, order_id, channel, details, opened_at, last_seen_at, due_at)
      SELECT 'sla_at_risk', ${exceptionTypes.sla_at_risk.severity}, 'order:' || order_id, order_id, channel,
             jsonb_build_object('promisedShipBy', to_char(promised_ship_by AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
             ${now}, ${now}, promised_ship_by
      FROM candidates ORDER BY order_id
      ON CONFLICT (type, subject) WHERE status <> 'resolved' DO NOTHING
      RETURNING id, type, subject
    )
    ${auditOpened(sql, now)}`;
  return result.count;
}

/** Resolves the `sla_at_risk` of orders that shipped or were cancelled. */
export async function resolveSlaAtRisk(sql: Db, now: Date): Promise<number> {
  return autoResolve(sql, now, sql`
    SELECT e.id, 'order ' || o.status AS note FROM exceptions e JOIN orders o ON o.order_id = e.order_id
    WHERE e.type = 'sla_at_risk' AND e.status <> 'resolved' AND o.status NOT IN (${sql.unsafe(AWAITING_SHIPMENT)})`);
}

/**
 * Opens `return_overdue` for every return received before `receivedBefore` that still holds units
 * nobody inspected, unless that return ever had one. Returns how many opened.
 */
export async function openReturnOverdue(sql: Db, now: Date, receivedBefore: Date): Promise<number> {
  const result = await sql`
    WITH candidates AS (
      SELECT r.return_id, r.order_id, r.location_id, r.received_at, o.channel
      FROM returns r LEFT JOIN orders o ON o.order_id = r.order_id
      WHERE r.received_at < ${receivedBefore} AND return_awaits_inspection(r.lines, r.inspected)
        AND NOT EXISTS (SELECT 1 FROM exceptions e WHERE e.type = 'return_overdue' AND e.subject = 'return:' || r.return_id)
    ), opened AS (
      INSERT INTO exceptions (type, severity, subject, order_id, location_id, channel, details, opened_at, last_seen_at, due_at)
      SELECT 'return_overdue', ${exceptionTypes.return_overdue.severity}, 'return:' || return_id, order_id, location_id, channel,
             jsonb_build_object('returnId', return_id, 'receivedAt', to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
             ${now}, ${now}, ${dueFrom(sql, now, 'return_overdue')}
      FROM candidates ORDER BY return_id
      ON CONFLICT (type, subject) WHERE status <> 'resolved' DO NOTHING
      RETURNING id, type, subject
    )
    ${auditOpened(sql, now)}`;
  return result.count;
}

/** Resolves the `return_overdue` of returns whose every unit has been inspected. */
export async function resolveReturnOverdue(sql: Db, now: Date): Promise<number> {
  return autoResolve(sql, now, sql`
    SELECT e.id, 'return inspected' AS note FROM exceptions e JOIN returns r ON r.return_id = e.details->>'returnId'
    WHERE e.type = 'return_overdue' AND e.status <> 'resolved' AND NOT return_awaits_inspection(r.lines, r.inspected)`);
}

/**
 * Opens `feed_stale` for each silent source, once per silence: not while one is open, and not when
 * one for this same silence (same last-seen time) was resolved already.
 */
export async function openFeedStale(sql: Db, now: Date, feeds: readonly StaleFeed[]): Promise<number> {
  if (feeds.length === 0) return 0;
  const sorted = [...feeds].sort((a, b) => a.source.localeCompare(b.source));
  const result = await sql`
    WITH candidates AS (
      SELECT f.source, f.last_seen_at, f.threshold_minutes, f.learned
      FROM unnest(${sql.array(sorted.map((f) => f.source))}::text[],
                  ${sql.array(sorted.map((f) => f.lastSeenAt.toISOString()))}::text[],
                  ${sql.array(sorted.map((f) => f.thresholdMinutes))}::int[],
                  ${sql.array(sorted.map((f) => f.learned))}::boolean[]) AS f(source, last_seen_at, threshold_minutes, learned)
      WHERE NOT EXISTS (
        SELECT 1 FROM exceptions e WHERE e.type = 'feed_stale' AND e.subject = 'source:' || f.source
          AND (e.status <> 'resolved' OR coalesce((e.details->>'lastSeenAt')::timestamptz, e.opened_at) >= f.last_seen_at::timestamptz))
    ), opened AS (
      INSERT INTO exceptions (type, severity, subject, source, details, opened_at, last_seen_at, due_at)
      SELECT 'feed_stale', ${exceptionTypes.feed_stale.severity}, 'source:' || source, source,
             jsonb_build_object('source', source, 'lastSeenAt', last_seen_at, 'thresholdMinutes', threshold_minutes, 'learned', learned),
             ${now}, ${now}, ${dueFrom(sql, now, 'feed_stale')}
      FROM candidates ORDER BY source
      ON CONFLICT (type, subject) WHERE status <> 'resolved' DO NOTHING
      RETURNING id, type, subject
    )
    ${auditOpened(sql, now)}`;
  return result.count;
}

/** Resolves the `feed_stale` of sources that sent again after the last-seen time it was opened for. */
export async function resolveFeedStale(sql: Db, now: Date): Promise<number> {
  return autoResolve(sql, now, sql`
    SELECT e.id, 'source sent again' AS note FROM exceptions e
    JOIN (SELECT source, max(last_at) AS last_at FROM source_activity WHERE minute <= ${now} GROUP BY source) seen ON seen.source = e.source
    WHERE e.type = 'feed_stale' AND e.status <> 'resolved'
      AND seen.last_at > coalesce((e.details->>'lastSeenAt')::timestamptz, e.opened_at)`);
}

/**
 * Escalates every unresolved, not yet escalated exception due at or before `now`: severity one step
 * up (escalatedSeverity), status escalated, one audit row each. The rows are locked and the
 * conditions re-checked on the locked version (READ COMMITTED); a row locked elsewhere (a second
 * worker escalating it, an apply batch or a person changing it) is skipped and taken at the next tick
 * if it is still due. So each exception escalates exactly once, and this never waits for a lock.
 */
export async function escalateDue(sql: Db, now: Date): Promise<number> {
  const result = await sql`
    WITH due AS (
      SELECT id, severity FROM exceptions
      WHERE status <> 'resolved' AND escalated_at IS NULL AND due_at <= ${now}
      FOR UPDATE SKIP LOCKED
    ), escalated AS (
      UPDATE exceptions e SET status = 'escalated', escalated_at = ${now},
        severity = CASE due.severity WHEN 'low' THEN 'medium' WHEN 'medium' THEN 'high' ELSE 'critical' END
      FROM due WHERE e.id = due.id
      RETURNING e.id, due.severity AS from_severity, e.severity AS to_severity
    )
    INSERT INTO audit_log (at, actor_kind, action, target_kind, target_id, details)
    SELECT ${now}, 'system', 'exception.escalate', 'exception', id::text,
           jsonb_build_object('from', from_severity, 'to', to_severity, 'auto', true)
    FROM escalated`;
  return result.count;
}

/** Due `now` plus the type's SLA (`exception_slas`, else the spec's default), as openException does. */
function dueFrom(sql: Db, now: Date, type: ExceptionType) {
  return sql`${now}::timestamptz + make_interval(mins => coalesce((SELECT minutes FROM exception_slas WHERE type = ${type}), ${slaMinutes(type)}))`;
}

/** Audits rows RETURNING (id, type, subject) from `opened`, as openException does. */
function auditOpened(sql: Db, now: Date) {
  return sql`
    INSERT INTO audit_log (at, actor_kind, action, target_kind, target_id, details)
    SELECT ${now}, 'system', 'exception.open', 'exception', id::text, jsonb_build_object('type', type, 'subject', subject)
    FROM opened`;
}

/**
 * Resolves, as the system, the exceptions that `candidates` selects (`SELECT e.id, … AS note FROM
 * exceptions e …`), each with its note as the reason and one audit row; rows another transaction
 * holds are skipped (see the file header). Returns how many resolved.
 */
async function autoResolve(sql: Db, now: Date, candidates: PendingQuery<Row[]>): Promise<number> {
  const result = await sql`
    WITH done AS (${candidates} FOR UPDATE OF e SKIP LOCKED), resolved AS (
      UPDATE exceptions e SET status = 'resolved', resolution_code = ${AUTO_RESOLVED_CODE}, resolution_note = done.note,
        resolved_by = 'system', resolved_at = ${now}
      FROM done WHERE e.id = done.id
      RETURNING e.id, e.type, e.subject, e.resolution_note AS reason
    )
    INSERT INTO audit_log (at, actor_kind, action, target_kind, target_id, details)
    SELECT ${now}, 'system', 'exception.auto_resolve', 'exception', id::text,
           jsonb_build_object('type', type, 'subject', subject, 'code', ${AUTO_RESOLVED_CODE}::text, 'reason', reason)
    FROM resolved`;
  return result.count;
}
