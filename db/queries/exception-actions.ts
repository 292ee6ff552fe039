import { retryOnDeadlock, type Db, type Sql, type TransactionSql } from '../connect';
import { EXCEPTION_COLUMNS, toView, type ExceptionRow } from './exceptions';
import { decide, type TriagePatch, type TriageRequest, type TriageState } from '../../domain/exceptions/triage';
import { exceptionTypes, isDecisionType, type ExceptionType } from '../../domain/exceptions/types';
import type { BulkPreview, ExceptionView } from '../../domain/exceptions/view';
import { TOWER_SOURCE, type InternalEventType } from '../../domain/events/internal';
import type { Role } from '../../domain/roles';

export interface Actor {
  id: string;
  email: string;
  role: Role;
  ip?: string | null;
}

export interface TriageSettings {
  ordinaryCodes: readonly string[];
}

export type ActOutcome =
  | { kind: 'not_found' }
  | { kind: 'refused'; status: 400 | 403 | 409; code: string; message: string; details?: unknown }
  | { kind: 'done'; exception: ExceptionView; changed: boolean; eventSeq?: string };

const BEFORE_COLUMNS = ['status', 'severity', 'assignee', 'acknowledged_at', 'escalated_at', 'resolved_at', 'resolved_by', 'resolution_code', 'resolution_note', 'due_at'] as const;
type Before = Record<(typeof BEFORE_COLUMNS)[number], unknown>;

const stateOf = (r: ExceptionRow): TriageState => ({ type: r.type, status: r.status, severity: r.severity, assignee: r.assignee, resolutionCode: r.resolution_code });

async function slaMinutes(tx: Db, type: ExceptionType): Promise<number> {
  const [row] = await tx`SELECT minutes FROM exception_slas WHERE type = ${type}`;
  return row ? Number(row.minutes) : exceptionTypes[type].slaMinutes;
}

/** The column values a patch sets. */
async function columnsFor(tx: Db, row: ExceptionRow, patch: TriagePatch, now: Date): Promise<Record<string, unknown>> {
  const set: Record<string, unknown> = {};
  if (patch.status) set.status = patch.status;
  if (patch.severity) set.severity = patch.severity;
  if ('assignee' in patch) set.assignee = patch.assignee ?? null;
  if (patch.acknowledged === 'now') set.acknowledged_at = now;
  else if (patch.acknowledged === 'clear') set.acknowledged_at = null;
  if (patch.escalated === 'now') set.escalated_at = now;
  if (patch.resolved === 'clear') Object.assign(set, { resolved_at: null, resolved_by: null, resolution_code: null, resolution_note: null });
  else if (patch.resolved) Object.assign(set, { resolved_at: now, resolved_by: patch.resolved.by, resolution_code: patch.resolved.code, resolution_note: patch.resolved.note });
  // A reopened exception gets a fresh SLA from now; an at-risk order stays due at its promise.
  if (patch.renewDue && row.type !== 'sla_at_risk') set.due_at = new Date(now.getTime() + (await slaMinutes(tx, row.type)) * 60_000);
  return set;
}

async function audit(tx: Db, actor: Actor, rows: { id: string; action: string; details: Record<string, unknown> }[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`INSERT INTO audit_log ${tx(rows.map((r) => ({
    actor_kind: 'user', actor_id: actor.id, actor_label: actor.email, action: r.action, target_kind: 'exception', target_id: r.id,
    details: r.details, ip: actor.ip ?? null,
  })) as never)}`;
}

/** The events a decision sets in motion, written to the inbox in the same transaction (durable, idempotent). */
async function decisionEvent(tx: TransactionSql, row: ExceptionRow, code: string, now: Date): Promise<string | undefined> {
  let event: { type: InternalEventType | 'order.cancelled'; occurredAt: Date; data: Record<string, unknown> } | null = null;
  if (row.type === 'fraud_review' && row.order_id) {
    event = code === 'approve'
      ? { type: 'order.hold_released', occurredAt: now, data: { orderId: row.order_id } }
      : { type: 'order.cancelled', occurredAt: now, data: { orderId: row.order_id, reason: 'fraud review rejected' } };
  } else if (row.type === 'count_discrepancy' && code === 'approve' && row.event_seq) {
    const [count] = await tx`SELECT sku, location_id, counted_qty, counted_at FROM stock_counts WHERE event_seq = ${row.event_seq}`;
    if (count) {
      event = { type: 'stock.count_approved', occurredAt: count.counted_at as Date, data: { countEventSeq: String(row.event_seq), sku: count.sku, locationId: count.location_id, countedQty: count.counted_qty } };
    }
  }
  if (!event) return undefined;
  const [inserted] = await tx`
    INSERT INTO events (source, event_id, type, occurred_at, data)
    VALUES (${TOWER_SOURCE}, ${`exception:${row.id}:${code}`}, ${event.type}, ${event.occurredAt}, ${tx.json(event.data as never)})
    ON CONFLICT ON CONSTRAINT events_idempotency DO NOTHING
    RETURNING seq`;
  return inserted ? String(inserted.seq) : undefined;
}

/** Puts an invalid event back in the inbox as if just accepted, so the workers apply it again. */
async function resetInvalidEvent(tx: TransactionSql, seq: string): Promise<boolean> {
  const rows = await tx`
    UPDATE events SET applied_at = NULL, batch_id = NULL, apply_error = NULL, deferred_at = NULL, defer_reason = NULL,
                      accepted_at = clock_timestamp()
    WHERE seq = ${seq} AND applied_at IS NOT NULL AND apply_error IS NOT NULL
    RETURNING seq`;
  return rows.length > 0;
}

async function openTwin(tx: Db, row: ExceptionRow): Promise<string | null> {
  const [twin] = await tx`SELECT id FROM exceptions WHERE type = ${row.type} AND subject = ${row.subject} AND status <> 'resolved' AND id <> ${row.id}`;
  return twin ? String(twin.id) : null;
}

/**
 * One triage action on one exception, in one transaction: lock the row, decide (domain/exceptions/
 * triage.ts), write the change and its audit row, and for decisions write the event that acts on the
 * order or stock. Repeating an action that already took effect changes nothing and writes nothing.
 */
export async function actOnException(sql: Sql, id: string, req: TriageRequest, actor: Actor, settings: TriageSettings, now = new Date()): Promise<ActOutcome> {
  return retryOnDeadlock(() => sql.begin(async (tx): Promise<ActOutcome> => {
    const [row] = await tx<ExceptionRow[]>`SELECT ${tx.unsafe(EXCEPTION_COLUMNS)} FROM exceptions WHERE id = ${id} FOR UPDATE`;
    if (!row) return { kind: 'not_found' };
    const verdict = decide(stateOf(row), req, actor, settings.ordinaryCodes);
    if (verdict.kind === 'refused') return verdict;
    if (verdict.kind === 'unchanged') return { kind: 'done', exception: toView(row), changed: false };
    if (req.action === 'reopen') {
      const twin = await openTwin(tx, row);
      if (twin) return { kind: 'refused', status: 409, code: 'duplicate_open', message: `another ${row.type} exception is open for ${row.subject}; work that one`, details: { openId: twin } };
    }
    let eventSeq: string | undefined;
    if (req.action === 'reapply') {
      if (!row.event_seq || !(await resetInvalidEvent(tx, String(row.event_seq)))) {
        return { kind: 'refused', status: 409, code: 'not_invalid', message: 'the event behind this exception is not kept as invalid (already re-applied or applied)' };
      }
      eventSeq = String(row.event_seq);
    }
    if (req.action === 'resolve' && isDecisionType(row.type)) eventSeq = await decisionEvent(tx, row, req.code, now);
    const set = await columnsFor(tx, row, verdict.patch, now);
    const [updated] = await tx<ExceptionRow[]>`UPDATE exceptions SET ${tx(set)} WHERE id = ${id} RETURNING ${tx.unsafe(EXCEPTION_COLUMNS)}`;
    await audit(tx, actor, [{
      id, action: `exception.${req.action}`,
      details: {
        from: { status: row.status, severity: row.severity, assignee: row.assignee },
        to: { status: updated!.status, severity: updated!.severity, assignee: updated!.assignee },
        ...('code' in req ? { code: req.code } : {}),
        ...('note' in req && req.note ? { note: req.note } : {}),
        ...(eventSeq ? { eventSeq } : {}),
      },
    }]);
    return { kind: 'done', exception: toView(updated!), changed: true, ...(eventSeq ? { eventSeq } : {}) };
  }));
}

/** Bulk actions never decide (approve/reject act on orders and stock and cannot be undone). */
export type BulkRequest = Exclude<TriageRequest, { action: 'reapply' }>;

const TWIN_OPEN = 'another one is open for its subject';

function reasonOf(code: string): string {
  return code === 'forbidden' ? 'not allowed for your role' : code === 'claimed' ? 'claimed by someone else' : code === 'resolved' ? 'already resolved' : code === 'invalid_code' ? 'code not valid for its type' : code;
}

async function lockRows(tx: Db, ids: readonly string[]): Promise<ExceptionRow[]> {
  if (ids.length === 0) return [];
  return tx<ExceptionRow[]>`SELECT ${tx.unsafe(EXCEPTION_COLUMNS)} FROM exceptions WHERE id IN ${tx(ids as string[])} ORDER BY id FOR UPDATE`;
}

/** What a bulk action would do to `ids`, without doing it. */
export async function previewBulk(sql: Db, ids: readonly string[], req: BulkRequest, actor: Actor, settings: TriageSettings): Promise<BulkPreview> {
  const rows = ids.length ? await sql<ExceptionRow[]>`SELECT ${sql.unsafe(EXCEPTION_COLUMNS)} FROM exceptions WHERE id IN ${sql(ids as string[])}` : [];
  const skipped: Record<string, number> = {};
  let willChange = 0;
  for (const r of rows) {
    const v = decide(stateOf(r), req, actor, settings.ordinaryCodes);
    if (v.kind === 'change' && req.action === 'reopen' && (await openTwin(sql, r))) {
      skipped[TWIN_OPEN] = (skipped[TWIN_OPEN] ?? 0) + 1;
    } else if (v.kind === 'change') willChange++;
    else {
      const reason = v.kind === 'unchanged' ? 'already in that state' : reasonOf(v.code);
      skipped[reason] = (skipped[reason] ?? 0) + 1;
    }
  }
  return { matched: rows.length, willChange, skipped };
}

/**
 * A bulk action in one transaction; what it changed is remembered (with each row's state before) so
 * that `undoBulk` can put it back for `undoSeconds`.
 */
export async function actInBulk(sql: Sql, ids: readonly string[], req: BulkRequest, actor: Actor, settings: TriageSettings & { undoSeconds: number }, now = new Date()) {
  return retryOnDeadlock(() => sql.begin(async (tx) => {
    const rows = await lockRows(tx, ids);
    const skipped: Record<string, number> = {};
    const changes: { id: string; version: number; before: Before }[] = [];
    const audits: { id: string; action: string; details: Record<string, unknown> }[] = [];
    for (const r of rows) {
      const v = decide(stateOf(r), req, actor, settings.ordinaryCodes);
      if (v.kind !== 'change' || (req.action === 'reopen' && (await openTwin(tx, r)))) {
        const reason = v.kind === 'change' ? TWIN_OPEN : v.kind === 'unchanged' ? 'already in that state' : reasonOf(v.code);
        skipped[reason] = (skipped[reason] ?? 0) + 1;
        continue;
      }
      const set = await columnsFor(tx, r, v.patch, now);
      const [u] = await tx<ExceptionRow[]>`UPDATE exceptions SET ${tx(set)} WHERE id = ${r.id} RETURNING ${tx.unsafe(EXCEPTION_COLUMNS)}`;
      const before = Object.fromEntries(BEFORE_COLUMNS.map((c) => [c, r[c]])) as Before;
      changes.push({ id: r.id, version: u!.version, before });
      audits.push({
        id: r.id, action: `exception.${req.action}`,
        details: { bulk: true, from: { status: r.status, severity: r.severity, assignee: r.assignee }, to: { status: u!.status, severity: u!.severity, assignee: u!.assignee }, ...('code' in req ? { code: req.code } : {}) },
      });
    }
    const undoUntil = new Date(now.getTime() + settings.undoSeconds * 1000);
    const [op] = await tx`
      INSERT INTO exception_bulk_ops (actor_id, actor_label, action, params, undo_until, changes)
      VALUES (${actor.id}, ${actor.email}, ${req.action}, ${tx.json(req as never)}, ${undoUntil}, ${tx.json(changes as never)})
      RETURNING id`;
    for (const a of audits) a.details.opId = op!.id;
    await audit(tx, actor, audits);
    return { opId: String(op!.id), matched: rows.length, willChange: changes.length, changed: changes.length, skipped, undoUntil: undoUntil.toISOString() };
  }));
}

export type UndoOutcome =
  | { kind: 'not_found' }
  | { kind: 'refused'; status: 403 | 409; code: string; message: string }
  | { kind: 'done'; restored: number; skipped: number };

/**
 * Puts back what a bulk action changed, row by row, unless someone changed the row since (its version
 * moved on): that row is left as it is and counted as skipped. Only its author may undo, only once,
 * and only until `undo_until`.
 */
export async function undoBulk(sql: Sql, opId: string, actor: Actor, now = new Date()): Promise<UndoOutcome> {
  return retryOnDeadlock(() => sql.begin(async (tx): Promise<UndoOutcome> => {
    const [op] = await tx`SELECT * FROM exception_bulk_ops WHERE id = ${opId} FOR UPDATE`;
    if (!op) return { kind: 'not_found' };
    if (op.actor_id !== actor.id) return { kind: 'refused', status: 403, code: 'forbidden', message: 'only the person who ran a bulk action can undo it' };
    if (op.undone_at) return { kind: 'done', restored: 0, skipped: 0 };
    if ((op.undo_until as Date) < now) return { kind: 'refused', status: 409, code: 'undo_expired', message: 'the undo window of this bulk action has passed' };
    const changes = op.changes as { id: string; version: number; before: Record<string, unknown> }[];
    let restored = 0;
    const audits: { id: string; action: string; details: Record<string, unknown> }[] = [];
    for (const c of changes) {
      const b = c.before;
      const set = Object.fromEntries(BEFORE_COLUMNS.map((col) => [col, col.endsWith('_at') && b[col] ? new Date(b[col] as string) : (b[col] ?? null)]));
      const rows = await tx`UPDATE exceptions SET ${tx(set)} WHERE id = ${c.id} AND version = ${c.version} RETURNING id`;
      if (rows.length > 0) {
        restored++;
        audits.push({ id: c.id, action: 'exception.undo', details: { opId, undid: op.action } });
      }
    }
    await tx`UPDATE exception_bulk_ops SET undone_at = ${now} WHERE id = ${opId}`;
    await audit(tx, actor, audits);
    return { kind: 'done', restored, skipped: changes.length - restored };
  }));
}
