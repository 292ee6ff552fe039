import type { PendingQuery, Row } from 'postgres';
import type { Db, Sql } from '../connect';
import { readInventory } from './inventory-read';
import { readOrder } from './orders-read';
import { EXCEPTION_COLUMNS, toView, type ExceptionRow } from './exceptions';
import { exceptionTypeList, severities, unresolvedStatuses, type ExceptionStatus, type ExceptionType, type Severity } from '../../domain/exceptions/types';
import type { ExceptionPage, ExceptionSummary, ExceptionTypeSummary, ExceptionView } from '../../domain/exceptions/view';

/** What the queue can be narrowed to; every field is optional except the statuses. */
export interface ExceptionFilter {
  statuses: readonly ExceptionStatus[];
  types?: readonly ExceptionType[];
  severities?: readonly Severity[];
  /** An email; null: unassigned only. */
  assignee?: string | null;
  channel?: string;
  location?: string;
  orderId?: string;
  sku?: string;
  /** Opened at or before (older than a minimum age). */
  openedBefore?: Date;
  /** Opened at or after (younger than a maximum age). */
  openedAfter?: Date;
}

/** The queue's position: the last row's due time (microseconds since the epoch, exact) and id. */
export interface QueueCursor {
  dueMicros: string;
  id: string;
}

export function encodeCursor(c: QueueCursor): string {
  return Buffer.from(`${c.dueMicros}|${c.id}`).toString('base64url');
}

/** Null when the text is not a cursor this API made. */
export function decodeCursor(text: string): QueueCursor | null {
  const m = /^(-?\d{1,20})\|([0-9a-f-]{36})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  return m ? { dueMicros: m[1]!, id: m[2]! } : null;
}

const isUnresolvedOnly = (statuses: readonly ExceptionStatus[]) => !statuses.includes('resolved');

/**
 * The WHERE clause of a filter. The unresolved queue is written as `status <> 'resolved'` so that the
 * planner uses the partial indexes that hold only the working set, however many resolved rows pile up.
 */
export function filterClause(sql: Db, f: ExceptionFilter): PendingQuery<Row[]> {
  const conds: PendingQuery<Row[]>[] = [];
  if (isUnresolvedOnly(f.statuses)) {
    conds.push(sql`status <> 'resolved'`);
    if (f.statuses.length < unresolvedStatuses.length) conds.push(sql`status IN ${sql(f.statuses as string[])}`);
  } else if (f.statuses.length < 4) {
    conds.push(sql`status IN ${sql(f.statuses as string[])}`);
  }
  if (f.types?.length) conds.push(f.types.length === 1 ? sql`type = ${f.types[0]!}` : sql`type IN ${sql(f.types as string[])}`);
  if (f.severities?.length) conds.push(sql`severity IN ${sql(f.severities as string[])}`);
  if (f.assignee === null) conds.push(sql`assignee IS NULL`);
  else if (f.assignee !== undefined) conds.push(sql`assignee = ${f.assignee}`);
  if (f.channel) conds.push(sql`channel = ${f.channel}`);
  if (f.location) conds.push(sql`location_id = ${f.location}`);
  if (f.orderId) conds.push(sql`order_id = ${f.orderId}`);
  if (f.sku) conds.push(sql`sku = ${f.sku}`);
  if (f.openedBefore) conds.push(sql`opened_at <= ${f.openedBefore}`);
  if (f.openedAfter) conds.push(sql`opened_at >= ${f.openedAfter}`);
  if (conds.length === 0) return sql`true`;
  return conds.reduce((acc, c) => sql`${acc} AND ${c}`);
}

/** `due_at` as exact microseconds since the epoch (a JavaScript Date would drop the microseconds). */
const DUE_MICROS = `(extract(epoch from due_at) * 1000000)::bigint`;

/** The queue oldest-due first (then by id), `limit` rows after `cursor`. */
export function queueQuery(sql: Db, f: ExceptionFilter, limit: number, cursor?: QueueCursor | null) {
  const after = cursor
    ? sql`AND (due_at, id) > (timestamptz 'epoch' + ${cursor.dueMicros}::bigint * interval '1 microsecond', ${cursor.id}::uuid)`
    : sql``;
  return sql<(ExceptionRow & { due_micros: string })[]>`
    SELECT ${sql.unsafe(EXCEPTION_COLUMNS)}, ${sql.unsafe(DUE_MICROS)} AS due_micros
    FROM exceptions
    WHERE ${filterClause(sql, f)} ${after}
    ORDER BY due_at, id
    LIMIT ${limit}`;
}

export async function listExceptions(sql: Db, f: ExceptionFilter, limit: number, cursor?: QueueCursor | null): Promise<ExceptionPage> {
  const rows = await queueQuery(sql, f, limit + 1, cursor);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor: more && last ? encodeCursor({ dueMicros: String(last.due_micros), id: last.id }) : null,
  };
}

/** Every row a filter names, oldest due first, fetched in chunks (the CSV export streams it). */
export async function* streamExceptions(sql: Db, f: ExceptionFilter, chunk = 1000): AsyncGenerator<ExceptionView[]> {
  for await (const rows of sql<ExceptionRow[]>`
    SELECT ${sql.unsafe(EXCEPTION_COLUMNS)} FROM exceptions WHERE ${filterClause(sql, f)} ORDER BY due_at, id`.cursor(chunk)) {
    yield rows.map(toView);
  }
}

/** Ids a filter names, oldest due first, at most `cap` (bulk actions). */
export async function idsMatching(sql: Db, f: ExceptionFilter, cap: number): Promise<string[]> {
  const rows = await sql`SELECT id FROM exceptions WHERE ${filterClause(sql, f)} ORDER BY due_at, id LIMIT ${cap}`;
  return rows.map((r) => r.id as string);
}

export interface AuditView {
  at: string;
  actorKind: 'user' | 'api_key' | 'system';
  actor: string | null;
  action: string;
  details: Record<string, unknown>;
}

export async function exceptionAudit(sql: Db, id: string): Promise<AuditView[]> {
  const rows = await sql`
    SELECT at, actor_kind, actor_label, action, details FROM audit_log
    WHERE target_kind = 'exception' AND target_id = ${id} ORDER BY at, id`;
  return rows.map((r) => ({ at: (r.at as Date).toISOString(), actorKind: r.actor_kind, actor: r.actor_label, action: r.action, details: r.details }));
}

/** One exception with what it is about (its order, its SKU's stock, its event) and its audit trail. */
export async function readExceptionDetail(sql: Sql, id: string) {
  const [row] = await sql<ExceptionRow[]>`SELECT ${sql.unsafe(EXCEPTION_COLUMNS)} FROM exceptions WHERE id = ${id}`;
  if (!row) return null;
  const exception = toView(row);
  const [order, inventory, event, audit] = await Promise.all([
    exception.orderId ? readOrder(sql, exception.orderId) : null,
    exception.sku ? readInventory(sql, { sku: exception.sku }) : null,
    exception.eventSeq ? eventOf(sql, exception.eventSeq) : null,
    exceptionAudit(sql, id),
  ]);
  return { exception, order: order ?? null, inventory, event, audit };
}

async function eventOf(sql: Db, seq: string) {
  const [e] = await sql`
    SELECT seq, source, event_id, type, occurred_at, accepted_at, applied_at, apply_error, defer_reason, data
    FROM events WHERE seq = ${seq}`;
  if (!e) return null;
  return {
    seq: String(e.seq), source: e.source as string, id: e.event_id as string, type: e.type as string,
    occurredAt: (e.occurred_at as Date).toISOString(), acceptedAt: (e.accepted_at as Date).toISOString(),
    appliedAt: e.applied_at ? (e.applied_at as Date).toISOString() : null,
    applyError: (e.apply_error as string | null) ?? null, deferReason: (e.defer_reason as string | null) ?? null,
    data: e.data as Record<string, unknown>,
  };
}

/**
 * Counts per type and status of the unresolved exceptions, overdue counts and the oldest opening
 * time: one pass over the partial index of the working set.
 */
export async function exceptionSummary(sql: Db, now: Date): Promise<ExceptionSummary> {
  const rows = await sql`
    SELECT type, status, severity, count(*)::int AS n, count(*) FILTER (WHERE due_at <= ${now})::int AS overdue, min(opened_at) AS oldest
    FROM exceptions WHERE status <> 'resolved'
    GROUP BY type, status, severity`;
  const byType: Partial<Record<ExceptionType, ExceptionTypeSummary>> = {};
  const bySeverity = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
  let unresolved = 0;
  for (const r of rows) {
    const type = r.type as ExceptionType;
    if (!exceptionTypeList.includes(type)) continue;
    const t = (byType[type] ??= { open: 0, acknowledged: 0, escalated: 0, overdue: 0, oldestOpenedAt: null });
    t[r.status as 'open' | 'acknowledged' | 'escalated'] += r.n as number;
    t.overdue += r.overdue as number;
    const oldest = (r.oldest as Date).toISOString();
    if (!t.oldestOpenedAt || oldest < t.oldestOpenedAt) t.oldestOpenedAt = oldest;
    bySeverity[r.severity as Severity] += r.n as number;
    unresolved += r.n as number;
  }
  return { asOf: now.toISOString(), byType, bySeverity, unresolved };
}

export type { ExceptionView };
