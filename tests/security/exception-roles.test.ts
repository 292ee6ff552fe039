import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayAct } from '../../domain/exceptions/triage';
import { decisionTypes, type ExceptionType } from '../../domain/exceptions/types';
import { triageActions, type TriageAction } from '../../domain/exceptions/view';
import { roles, type Role } from '../../domain/roles';
import { insertException } from '../support/exceptions';
import { ADMIN, startTestTower, type TestTower } from '../support/tower';
import { call, type CallOptions } from './security-support';

/**
 * Who may triage what (kpis.md, "Who may do what"), cell by cell: every role and an API key × every
 * triage action × each class of exception type, over HTTP. Each cell acts on an exception of its own,
 * written straight into the database (no engine), and checks the audit log and the row itself.
 */

let t: TestTower;
let assignee: { email: string };
let apiKey: string;
const who = {} as Record<Role, { email: string; cookie: string }>;

type Principal = Role | 'api-key';
const principals: Principal[] = [...roles, 'api-key'];
const label = (p: Principal) => (p === 'api-key' ? 'an API key' : p);
const credentials = (p: Principal): CallOptions => (p === 'api-key' ? { bearer: apiKey } : { cookie: who[p].cookie, origin: true });

/** One ordinary type, the two decision types, and invalid_event (the one type that can be re-applied). */
const classes: ExceptionType[] = ['stockout', 'fraud_review', 'count_discrepancy', 'invalid_event'];
const isDecision = (type: ExceptionType) => (decisionTypes as readonly string[]).includes(type);

/** The spec's table, written out independently of mayAct (a test below checks that the two agree). */
function specAllows(role: Role, action: TriageAction, type: ExceptionType): boolean {
  if (role === 'viewer') return false;
  if (action === 'reapply' && type !== 'invalid_event') return false;
  if (role === 'operator') return action !== 'escalate' && !isDecision(type);
  return true;
}

/** What each action needs to find so that, when allowed, it changes the exception. */
const startsResolved = (action: TriageAction) => action === 'reopen';

let seq = 0;
async function seed(type: ExceptionType, resolved: boolean): Promise<string> {
  const id = await insertException(t.db.sql, {
    type,
    severity: type === 'stockout' ? 'high' : 'medium',
    status: resolved ? 'resolved' : 'open',
    subject: `matrix:${type}:${++seq}`,
    // A resolution the tower made itself can be reopened by anyone allowed to, decision types included.
    resolutionCode: resolved ? 'auto_resolved' : null,
  });
  if (type === 'invalid_event') {
    // The event kept as invalid; re-applying puts it back in the inbox and the workers apply it.
    const sku = `MATRIX-${seq}`;
    const [event] = await t.db.sql`
      INSERT INTO events (source, event_id, type, occurred_at, data, applied_at, apply_error)
      VALUES ('matrix', ${`evt-${seq}`}, 'item.upserted', now(),
              ${t.db.sql.json({ sku, name: 'Matrix item', unitCost: 1, unitPrice: 2, safetyStock: 0 })}, now(), 'unknown item')
      RETURNING seq`;
    await t.db.sql`UPDATE exceptions SET event_seq = ${event!.seq} WHERE id = ${id}`;
  }
  return id;
}

const rowOf = async (id: string) => (await t.db.sql`SELECT to_jsonb(e) AS row FROM exceptions e WHERE id = ${id}`)[0]!.row as Record<string, unknown>;
const auditOf = (id: string) =>
  t.db.sql`SELECT actor_kind, actor_label, action, details FROM audit_log WHERE target_kind = 'exception' AND target_id = ${id} ORDER BY id`;

/** A refused call left no trace: the row is exactly as it was (version included) and nothing was audited. */
async function expectUntouched(id: string, before: Record<string, unknown>): Promise<void> {
  expect(await rowOf(id)).toEqual(before);
  expect(await auditOf(id)).toEqual([]);
}

async function expectAuditedOnce(id: string, p: Role, action: string, before: Record<string, unknown>, bulk = false): Promise<void> {
  const after = await rowOf(id);
  expect(after.version).toBe((before.version as number) + 1);
  const rows = await auditOf(id);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_label: p === 'admin' ? ADMIN.email : who[p].email, action: `exception.${action}` });
  expect(Boolean(rows[0]!.details.bulk)).toBe(bulk);
}

/** What an allowed action leaves behind. */
function expectEffect(row: Record<string, unknown>, action: TriageAction, actor: string): void {
  const expected: Record<TriageAction, Record<string, unknown>> = {
    ack: { status: 'acknowledged', assignee: actor },
    assign: { status: 'open', assignee: assignee.email },
    resolve: { status: 'resolved', resolved_by: actor },
    escalate: { status: 'escalated' },
    reopen: { status: 'open', resolution_code: null },
    reapply: { status: 'resolved', resolution_code: 'reapplied' },
  };
  expect(row).toMatchObject(expected[action]);
}

function bodyOf(action: TriageAction, type: ExceptionType, code?: string): Record<string, unknown> {
  if (action === 'assign') return { assignee: assignee.email };
  if (action === 'resolve') return { code: code ?? (isDecision(type) ? 'approve' : 'fixed') };
  return {};
}

beforeAll(async () => {
  t = await startTestTower();
  for (const role of roles) if (role !== 'admin') who[role] = await t.createUser(role);
  who.admin = { email: ADMIN.email, cookie: t.adminCookie };
  assignee = await t.createUser('operator');
  apiKey = await t.createApiKey(['matrix']);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('the matrix below is the spec', () => {
  it('agrees with mayAct for every role, action and type class', () => {
    for (const role of roles) for (const action of triageActions) for (const type of classes) {
      expect(specAllows(role, action, type), `${role} ${action} ${type}`).toBe(mayAct(role, action, type));
    }
  });
});

describe('POST /api/v1/exceptions/:id/<action>', () => {
  // Decision types are resolved with approve or reject: both are cells of their own.
  const cells = classes.flatMap((type) =>
    triageActions.flatMap((action) =>
      action === 'resolve' && isDecision(type)
        ? (['approve', 'reject'] as const).map((code) => ({ type, action, code }))
        : [{ type, action, code: undefined as string | undefined }]));

  for (const p of principals) {
    for (const { type, action, code } of cells) {
      const what = `${action} ${type}${code ? ` (${code})` : ''}`;
      const allowed = p !== 'api-key' && specAllows(p, action, type);
      // Re-applying what is not an invalid_event is not a matter of role: 400 for whoever may act at all.
      const notApplicable = action === 'reapply' && type !== 'invalid_event' && p !== 'api-key' && p !== 'viewer';
      const name = allowed ? `${label(p)} may ${what}` : notApplicable ? `${label(p)} may not ${what} → 400 not_applicable` : `${label(p)} may not ${what} → 403`;

      it(name, async () => {
        const id = await seed(type, startsResolved(action));
        const before = await rowOf(id);
        const res = await call(t, 'POST', `/api/v1/exceptions/${id}/${action}`, { ...credentials(p), body: bodyOf(action, type, code) });
        if (allowed) {
          expect(res.status, res.text).toBe(200);
          expect(res.body.changed).toBe(true);
          expect(res.body.exception.version).toBe((before.version as number) + 1);
          expectEffect(await rowOf(id), action, who[p as Role].email);
          await expectAuditedOnce(id, p as Role, action, before);
        } else {
          expect(res.status, res.text).toBe(notApplicable ? 400 : 403);
          expect(res.body.error.code).toBe(notApplicable ? 'not_applicable' : 'forbidden');
          await expectUntouched(id, before);
        }
      });
    }
  }
});

describe('POST /api/v1/exceptions/bulk', () => {
  const bulkActions = ['ack', 'assign', 'resolve', 'escalate', 'reopen'] as const;
  for (const p of principals) {
    for (const type of classes) {
      for (const action of bulkActions) {
        const what = `bulk-${action} ${type}`;
        // Escalating needs a supervisor whatever is selected: the route refuses an operator outright.
        const refusedByRoute = p === 'api-key' || p === 'viewer' || (p === 'operator' && action === 'escalate');
        // approve and reject act on orders and stock: never in bulk, whoever asks.
        const decision = action === 'resolve' && isDecision(type);
        const allowed = !refusedByRoute && !decision && specAllows(p, action, type);
        const name = refusedByRoute ? `${label(p)} may not ${what} → 403`
          : decision ? `${label(p)} may not ${what} (approve) → 400 not_in_bulk`
          : allowed ? `${label(p)} may ${what}`
          : `${label(p)} may not ${what} → skipped as not allowed for the role`;

        it(name, async () => {
          const id = await seed(type, startsResolved(action));
          const before = await rowOf(id);
          const res = await call(t, 'POST', '/api/v1/exceptions/bulk', { ...credentials(p), body: { action, ids: [id], ...bodyOf(action, type) } });
          if (refusedByRoute) {
            expect(res.status, res.text).toBe(403);
            expect(res.body.error.code).toBe('forbidden');
          } else if (decision) {
            expect(res.status, res.text).toBe(400);
            expect(res.body.error.code).toBe('not_in_bulk');
          } else if (allowed) {
            expect(res.status, res.text).toBe(200);
            expect(res.body).toMatchObject({ matched: 1, changed: 1 });
            expect(res.body.skipped).toEqual({});
            expectEffect(await rowOf(id), action, who[p as Role].email);
            await expectAuditedOnce(id, p as Role, action, before, true);
            return;
          } else {
            // A bulk action works through what it may and reports the rest, with the reason.
            expect(res.status, res.text).toBe(200);
            expect(res.body).toMatchObject({ matched: 1, changed: 0, skipped: { 'not allowed for your role': 1 } });
          }
          await expectUntouched(id, before);
        });
      }
    }
  }
});

describe('reading the queue', () => {
  let id: string;
  beforeAll(async () => {
    id = await seed('stockout', false);
  });
  const reads: [string, () => string][] = [
    ['GET /api/v1/exceptions', () => '/api/v1/exceptions'],
    ['GET /api/v1/exceptions/:id', () => `/api/v1/exceptions/${id}`],
    ['GET /api/v1/exceptions/summary', () => '/api/v1/exceptions/summary'],
    ['GET /api/v1/exceptions/settings', () => '/api/v1/exceptions/settings'],
    ['GET /api/v1/exceptions/export.csv', () => '/api/v1/exceptions/export.csv?type=stockout'],
  ];
  for (const [route, path] of reads) {
    for (const role of roles) {
      it(`${role} may ${route}`, async () => {
        const res = await call(t, 'GET', path(), { cookie: who[role].cookie });
        expect(res.status, res.text).toBe(200);
        if (route.endsWith('export.csv')) expect(res.text).toContain(id);
      });
    }
    it(`nobody signed in may not ${route} → 401`, async () => {
      const res = await call(t, 'GET', path());
      expect(res.status, res.text).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    });
    it(`an API key may not ${route} → 403`, async () => {
      const res = await call(t, 'GET', path(), { bearer: apiKey });
      expect(res.status, res.text).toBe(403);
    });
  }
});
