import type { Sql } from '../../db/connect';
import { exceptionTypeList } from '../../domain/exceptions/types';

/**
 * Bulk-generated exceptions for the scale test and the queue benchmark: one INSERT ... SELECT
 * generate_series per chunk, with the table's triggers off (no notification per row). No vitest here,
 * so the benchmark can use it too.
 *
 * The mix: ~2 % unresolved (1.2 % open, 0.5 % acknowledged, 0.3 % escalated), spread evenly over the
 * 12 types; severities 1:2:3:2 critical:high:medium:low; channels over five; half of the open ones
 * unassigned, the rest over `assignees`. Unresolved rows are due from 10 days ago to 20 days ahead,
 * resolved ones in the last 30 days.
 */
export interface ExceptionLoad {
  /** Rows numbered `from`..`to` (inclusive); loading 1..n then n+1..m gives the same mix as 1..m. */
  from: number;
  to: number;
  now: Date;
  /** A handful of emails, e.g. the benchmark's supervisor so that `assignee=me` finds rows. */
  assignees: readonly string[];
  /** Concurrent INSERTs (one connection each); the pool needs at least this many connections. */
  parallel?: number;
  /** Any number; the same seed, range and parallelism give the same rows (but fresh ids). */
  seed?: number;
}

export const UNRESOLVED_SHARE = 0.02;
const CHANNELS = ['web', 'mkt-a', 'mkt-b', 'store', 'phone'];
const SEVERITY_BAG = ['critical', 'high', 'high', 'medium', 'medium', 'medium', 'low', 'low'];
const ORDER_TYPES = ['fraud_review', 'payment_failed', 'split_shipment', 'sla_at_risk', 'short_pick'];
const SKU_TYPES = ['stockout', 'count_discrepancy', 'oversell_exposure', 'short_pick'];
const LOCATION_TYPES = ['stockout', 'count_discrepancy', 'short_pick'];

async function insertChunk(sql: Sql, from: number, to: number, l: ExceptionLoad, seed: number): Promise<void> {
  await sql.begin(async (tx) => {
    // Superusers switch the triggers off for this transaction only; others need to own the table.
    const [su] = await tx`SELECT current_setting('is_superuser') = 'on' AS yes`;
    if (su!.yes) await tx`SET LOCAL session_replication_role = replica`;
    await tx`SELECT setseed(${seed})`;
    await tx`
      INSERT INTO exceptions (type, severity, status, subject, order_id, sku, location_id, channel, details, occurrences,
        opened_at, last_seen_at, due_at, assignee, acknowledged_at, escalated_at, resolved_at, resolved_by, resolution_code, updated_at)
      SELECT type, severity, status, 'load:' || i,
        CASE WHEN type = ANY(${ORDER_TYPES}::text[]) THEN 'O-' || (i % 200000) END,
        CASE WHEN type = ANY(${SKU_TYPES}::text[]) THEN 'SKU-' || (i % 5000) END,
        CASE WHEN type = ANY(${LOCATION_TYPES}::text[]) THEN (ARRAY['DC-EAST', 'DC-WEST', 'STORE-1'])[1 + i % 3] END,
        channel, '{}'::jsonb, occurrences,
        due_at - interval '1 hour', due_at - interval '30 minutes', due_at, assignee,
        CASE WHEN status = 'acknowledged' THEN due_at - interval '50 minutes' END,
        CASE WHEN status = 'escalated' THEN due_at END,
        CASE WHEN status = 'resolved' THEN due_at - interval '10 minutes' END,
        CASE WHEN status = 'resolved' THEN coalesce(assignee, 'system') END,
        CASE WHEN status = 'resolved' THEN 'fixed' END,
        due_at
      FROM (
        SELECT i, type, severity, status, channel, occurrences,
          CASE WHEN status = 'open' AND r_assign < 0.5 THEN NULL
               ELSE (${l.assignees as string[]}::text[])[1 + floor(r_who * ${l.assignees.length})::int] END AS assignee,
          CASE WHEN status = 'resolved' THEN ${l.now}::timestamptz - r_due * interval '30 days'
               ELSE ${l.now}::timestamptz - interval '10 days' + r_due * interval '30 days' END AS due_at
        FROM (
          SELECT i,
            (${exceptionTypeList as string[]}::text[])[1 + floor(random() * ${exceptionTypeList.length})::int] AS type,
            (${SEVERITY_BAG}::text[])[1 + floor(random() * ${SEVERITY_BAG.length})::int] AS severity,
            CASE WHEN r_status < 0.012 THEN 'open' WHEN r_status < 0.017 THEN 'acknowledged'
                 WHEN r_status < ${UNRESOLVED_SHARE} THEN 'escalated' ELSE 'resolved' END AS status,
            (${CHANNELS}::text[])[1 + floor(random() * ${CHANNELS.length})::int] AS channel,
            1 + floor(random() * 3)::int AS occurrences,
            r_status, random() AS r_assign, random() AS r_who, random() AS r_due
          FROM (SELECT i, random() AS r_status FROM generate_series(${from}::int, ${to}::int) AS i) AS numbered
        ) AS drawn
      ) AS placed`;
  });
}

/** Inserts exceptions `from`..`to`; call `settleExceptions` afterwards. */
export async function loadExceptions(sql: Sql, l: ExceptionLoad): Promise<void> {
  if (l.assignees.length === 0) throw new Error('loadExceptions needs at least one assignee');
  const [su] = await sql`SELECT current_setting('is_superuser') = 'on' AS yes`;
  const parallel = Math.max(1, Math.min(l.parallel ?? 2, l.to - l.from + 1));
  const size = Math.ceil((l.to - l.from + 1) / parallel);
  const seed = l.seed ?? 0.42;
  if (!su!.yes) await sql`ALTER TABLE exceptions DISABLE TRIGGER USER`;
  try {
    await Promise.all(Array.from({ length: parallel }, (_, k) => {
      const from = l.from + k * size;
      // setseed takes -1..1: one seed per chunk start, so the chunks do not draw the same numbers.
      return insertChunk(sql, from, Math.min(l.to, from + size - 1), l, Math.sin(seed * 1000 + from));
    }));
  } finally {
    if (!su!.yes) await sql`ALTER TABLE exceptions ENABLE TRIGGER USER`;
  }
}

/**
 * What autovacuum would have done by the time a table this size is queried: statistics for the
 * planner and a visibility map (index-only scans); the queue's plans depend on both.
 */
export async function settleExceptions(sql: Sql): Promise<void> {
  await sql`VACUUM (ANALYZE) exceptions`;
}
