import { once } from 'node:events';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { actInBulk, actOnException, previewBulk, undoBulk, type Actor, type BulkRequest } from '../../db/queries/exception-actions';
import { decodeCursor, idsMatching, listExceptions, readExceptionDetail, streamExceptions, type ExceptionFilter } from '../../db/queries/exceptions-read';
import { findUserByEmail } from '../../db/queries/users';
import { identifier } from '../../domain/events/schemas';
import type { TriageRequest } from '../../domain/exceptions/triage';
import { decisionCodes, exceptionStatuses, exceptionTypeList, exceptionTypes, severities, unresolvedStatuses } from '../../domain/exceptions/types';
import type { ActionResult, ExceptionView } from '../../domain/exceptions/view';
import { roleAtLeast } from '../../domain/roles';
import { enqueueApply } from '../../jobs/queues';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { badRequest, HttpError, notFound } from '../http-error';

/** The most a bulk action may touch at once; a wider filter must be narrowed. */
export const BULK_MAX = 5000;
/** How long an action that set an event in motion waits to report that event's outcome. */
const OUTCOME_WAIT_MS = 3000;

const list = <T extends string>(values: readonly T[]) =>
  z.string().max(500).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.enum(values as [T, ...T[]])).min(1));
const minutes = z.coerce.number().int().min(0).max(366 * 24 * 60);

const filterFields = {
  status: z.union([z.literal('all'), z.literal('unresolved'), list(exceptionStatuses)]).optional(),
  type: list(exceptionTypeList).optional(),
  severity: list(severities).optional(),
  assignee: z.union([z.literal('me'), z.literal('none'), z.email().max(254)]).optional(),
  channel: identifier.optional(),
  location: identifier.optional(),
  orderId: identifier.optional(),
  sku: identifier.optional(),
  minAgeMinutes: minutes.optional(),
  maxAgeMinutes: minutes.optional(),
};
const filterSchema = z.strictObject(filterFields);
const listQuery = z.strictObject({ ...filterFields, limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() });

const note = z.string().trim().max(2000).optional();
const email = z.email().max(254);
const code = z.string().trim().min(1).max(32);
const bodies = {
  ack: z.strictObject({}),
  assign: z.strictObject({ assignee: email.nullable() }),
  resolve: z.strictObject({ code, note }),
  escalate: z.strictObject({ note }),
  reopen: z.strictObject({ note }),
  reapply: z.strictObject({}),
} as const;
type ActionName = keyof typeof bodies;

const bulkBody = z
  .strictObject({
    action: z.enum(['ack', 'assign', 'resolve', 'escalate', 'reopen']),
    ids: z.array(z.uuid()).min(1).max(BULK_MAX).optional(),
    filter: filterSchema.optional(),
    assignee: email.nullable().optional(),
    code: code.optional(),
    note,
    preview: z.boolean().optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), 'send either ids or filter, not both');
const uuid = z.uuid();

function userOf(req: Request): Actor {
  const auth = req.auth;
  if (auth?.kind !== 'user') throw new HttpError(403, 'forbidden', 'this endpoint needs a signed-in user');
  return { id: auth.user.id, email: auth.user.email, role: auth.user.role, ip: req.ip ?? null };
}

/** Whose queue `assignee=me` means on a read: a display has no user, so for it `me` is no one. */
function readerOf(req: Request): { email: string } {
  return req.auth?.kind === 'user' ? { email: req.auth.user.email } : { email: '' };
}

function toFilter(q: z.infer<typeof filterSchema>, actor: { email: string }, now: Date): ExceptionFilter {
  const statuses = q.status === 'all' ? exceptionStatuses : q.status === undefined || q.status === 'unresolved' ? unresolvedStatuses : q.status;
  return {
    statuses,
    types: q.type,
    severities: q.severity,
    assignee: q.assignee === 'me' ? actor.email : q.assignee === 'none' ? null : q.assignee?.toLowerCase(),
    channel: q.channel,
    location: q.location,
    orderId: q.orderId,
    sku: q.sku,
    openedBefore: q.minAgeMinutes !== undefined ? new Date(now.getTime() - q.minAgeMinutes * 60_000) : undefined,
    openedAfter: q.maxAgeMinutes !== undefined ? new Date(now.getTime() - q.maxAgeMinutes * 60_000) : undefined,
  };
}

const CSV_COLUMNS: [string, (e: ExceptionView) => unknown][] = [
  ['id', (e) => e.id], ['type', (e) => e.type], ['severity', (e) => e.severity], ['status', (e) => e.status],
  ['subject', (e) => e.subject], ['orderId', (e) => e.orderId], ['sku', (e) => e.sku], ['locationId', (e) => e.locationId],
  ['channel', (e) => e.channel], ['source', (e) => e.source], ['occurrences', (e) => e.occurrences],
  ['openedAt', (e) => e.openedAt], ['lastSeenAt', (e) => e.lastSeenAt], ['dueAt', (e) => e.dueAt],
  ['assignee', (e) => e.assignee], ['escalatedAt', (e) => e.escalatedAt], ['resolvedAt', (e) => e.resolvedAt],
  ['resolvedBy', (e) => e.resolvedBy], ['resolutionCode', (e) => e.resolution?.code], ['resolutionNote', (e) => e.resolution?.note],
];

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula is prefixed with ' (CSV injection). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exceptionsRouter(deps: AppDeps): Router {
  const { sql, config } = deps;
  const router = Router();
  const settings = { ordinaryCodes: config.EXCEPTION_RESOLUTION_CODES, undoSeconds: config.BULK_UNDO_SECONDS };

  /** Waits briefly for the workers to apply the event an action wrote, to report how it went. */
  async function outcomeOf(seq: string): Promise<NonNullable<ActionResult['outcome']>> {
    await enqueueApply(deps.queue, [seq], () => `triage-${seq}-${Date.now()}`).catch((err) => deps.log.warn({ err, seq }, 'enqueue failed; the sweeper will apply the event'));
    const deadline = Date.now() + OUTCOME_WAIT_MS;
    for (;;) {
      const [e] = await sql`SELECT applied_at, apply_error FROM events WHERE seq = ${seq}`;
      if (e?.applied_at) return e.apply_error ? { eventSeq: seq, state: 'invalid', error: String(e.apply_error) } : { eventSeq: seq, state: 'applied' };
      if (Date.now() > deadline) return { eventSeq: seq, state: 'pending' };
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  router.get('/api/v1/exceptions', requireRole('viewer'), async (req, res) => {
    const q = listQuery.parse(req.query);
    const cursor = q.cursor === undefined ? null : decodeCursor(q.cursor);
    if (q.cursor !== undefined && !cursor) throw badRequest('cursor is not one this API returned', [{ path: 'cursor', message: 'unknown cursor' }]);
    res.json(await listExceptions(sql, toFilter(q, readerOf(req), new Date()), q.limit, cursor));
  });

  router.get('/api/v1/exceptions/summary', requireRole('viewer'), async (_req, res) => {
    res.json(await deps.exceptionLive.read());
  });

  router.get('/api/v1/exceptions/settings', requireRole('viewer'), async (_req, res) => {
    const rows = await sql`SELECT type, minutes FROM exception_slas`;
    const sla = Object.fromEntries(exceptionTypeList.map((t) => [t, exceptionTypes[t].slaMinutes]));
    for (const r of rows) if (r.type in sla) sla[r.type] = Number(r.minutes);
    res.json({ resolutionCodes: settings.ordinaryCodes, decisionCodes, undoSeconds: settings.undoSeconds, slaMinutes: sla, bulkMax: BULK_MAX });
  });

  router.get('/api/v1/exceptions/export.csv', requireRole('viewer'), async (req, res) => {
    const q = filterSchema.parse(req.query);
    const filter = toFilter(q, readerOf(req), new Date());
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="exceptions-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv"`);
    res.write(`${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`);
    try {
      for await (const chunk of streamExceptions(sql, filter)) {
        const text = chunk.map((e) => CSV_COLUMNS.map(([, get]) => csvCell(get(e))).join(',')).join('\r\n') + '\r\n';
        if (!res.write(text)) await once(res, 'drain');
        if (res.destroyed) return;
      }
      res.end();
    } catch (err) {
      // Headers are gone: the only honest signal left is a broken download.
      deps.log.warn({ err }, 'CSV export failed midway');
      res.destroy(err as Error);
    }
  });

  router.post('/api/v1/exceptions/bulk', requireRole('operator'), async (req, res) => {
    const actor = userOf(req);
    const b = bulkBody.parse(req.body ?? {});
    if (b.action === 'escalate' && !roleAtLeast(actor.role, 'supervisor')) throw new HttpError(403, 'forbidden', `escalate needs the supervisor role; you are ${actor.role}`);
    if (b.action === 'assign' && b.assignee === undefined) throw badRequest('assign needs assignee (an email, or null to unassign)', [{ path: 'assignee', message: 'required' }]);
    if (b.action === 'resolve' && !b.code) throw badRequest('resolve needs a code', [{ path: 'code', message: 'required' }]);
    if (b.action === 'resolve' && (decisionCodes as readonly string[]).includes(b.code!)) {
      throw new HttpError(400, 'not_in_bulk', 'approve and reject act on orders and stock; decide them one by one');
    }
    if (b.action === 'assign' && b.assignee) await requireAssignee(b.assignee);
    let ids = b.ids ?? [];
    if (b.filter) {
      ids = await idsMatching(sql, toFilter(b.filter, actor, new Date()), BULK_MAX + 1);
      if (ids.length > BULK_MAX) throw new HttpError(400, 'too_many', `the filter names more than ${BULK_MAX} exceptions; narrow it`);
    }
    const request = { action: b.action, assignee: b.assignee?.toLowerCase() ?? null, code: b.code ?? '', note: b.note ?? null } as BulkRequest;
    if (b.preview) {
      res.json(await previewBulk(sql, ids, request, actor, settings));
      return;
    }
    res.json(await actInBulk(sql, ids, request, actor, settings));
  });

  router.post('/api/v1/exceptions/bulk/:opId/undo', requireRole('operator'), async (req, res) => {
    const actor = userOf(req);
    const opId = uuid.safeParse(req.params.opId);
    if (!opId.success) throw notFound(`bulk action ${String(req.params.opId)}`);
    const out = await undoBulk(sql, opId.data, actor);
    if (out.kind === 'not_found') throw notFound(`bulk action ${opId.data}`);
    if (out.kind === 'refused') throw new HttpError(out.status, out.code, out.message);
    res.json({ restored: out.restored, skipped: out.skipped });
  });

  router.get('/api/v1/exceptions/:id', requireRole('viewer'), async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    if (!id.success) throw notFound(`exception ${String(req.params.id)}`);
    const detail = await readExceptionDetail(sql, id.data);
    if (!detail) throw notFound(`exception ${id.data}`);
    res.json(detail);
  });

  async function requireAssignee(address: string): Promise<void> {
    const user = await findUserByEmail(sql, address);
    if (!user || user.disabled || !roleAtLeast(user.role, 'operator')) {
      throw new HttpError(400, 'unknown_assignee', `${address} is not an active user who may work exceptions (operator or above)`, [{ path: 'assignee', message: 'unknown or not allowed' }]);
    }
  }

  const act = (action: ActionName) => async (req: Request, res: Response) => {
    const actor = userOf(req);
    const id = uuid.safeParse(req.params.id);
    if (!id.success) throw notFound(`exception ${String(req.params.id)}`);
    const body = bodies[action].parse(req.body ?? {}) as Record<string, unknown>;
    if (action === 'assign' && body.assignee) await requireAssignee(String(body.assignee));
    const request = { action, ...body, ...(action === 'assign' && body.assignee ? { assignee: String(body.assignee).toLowerCase() } : {}) } as TriageRequest;
    const out = await actOnException(sql, id.data, request, actor, settings);
    deps.metrics.exceptionActions.inc({ action, result: out.kind === 'done' ? (out.changed ? 'changed' : 'unchanged') : 'refused' });
    if (out.kind === 'not_found') throw notFound(`exception ${id.data}`);
    if (out.kind === 'refused') throw new HttpError(out.status, out.code, out.message, out.details);
    const result: ActionResult = { exception: out.exception, changed: out.changed };
    if (out.eventSeq) result.outcome = await outcomeOf(out.eventSeq);
    res.json(result);
  };
  // Per-type rules (who may resolve what) are decided in domain/exceptions/triage.ts; operator is the floor.
  router.post('/api/v1/exceptions/:id/ack', requireRole('operator'), act('ack'));
  router.post('/api/v1/exceptions/:id/assign', requireRole('operator'), act('assign'));
  router.post('/api/v1/exceptions/:id/resolve', requireRole('operator'), act('resolve'));
  router.post('/api/v1/exceptions/:id/escalate', requireRole('supervisor'), act('escalate'));
  router.post('/api/v1/exceptions/:id/reopen', requireRole('operator'), act('reopen'));
  router.post('/api/v1/exceptions/:id/reapply', requireRole('operator'), act('reapply'));

  return router;
}

