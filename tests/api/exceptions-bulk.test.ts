import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { insertException } from '../support/exceptions';
import type { Json } from '../support/rows';
import { startTestTower, type TestTower } from '../support/tower';

/** Bulk triage on a selection or a filter, its preview and its undo; the CSV export of a queue. */
let t: TestTower;
let operator: { email: string; cookie: string };
let operator2: { email: string; cookie: string };
let supervisor: { email: string; cookie: string };

const bulk = (who: { cookie: string }, body: unknown) => call(t, 'POST', '/api/v1/exceptions/bulk', { cookie: who.cookie, origin: true, body });
const statusOf = async (ids: string[]) =>
  Object.fromEntries((await t.db.sql`SELECT id, status, assignee, severity FROM exceptions WHERE id IN ${t.db.sql(ids)}`).map((r) => [r.id, r]));

beforeAll(async () => {
  t = await startTestTower({ BULK_UNDO_SECONDS: '2' });
  operator = await t.createUser('operator');
  operator2 = await t.createUser('operator');
  supervisor = await t.createUser('supervisor');
});

afterAll(async () => {
  await t?.stop();
});

beforeEach(async () => {
  await t.db.sql`DELETE FROM exceptions`;
});

describe('POST /api/v1/exceptions/bulk', () => {
  it('previews a filter: how many match, how many would change, and why the others would not', async () => {
    await insertException(t.db.sql, { type: 'short_pick' });
    await insertException(t.db.sql, { type: 'short_pick' });
    await insertException(t.db.sql, { type: 'fraud_review' });
    await insertException(t.db.sql, { type: 'short_pick', assignee: operator2.email, status: 'acknowledged' });
    await insertException(t.db.sql, { type: 'short_pick', status: 'resolved' });
    const res = await bulk(operator, { action: 'ack', filter: { status: 'unresolved' }, preview: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ matched: 4, willChange: 2, skipped: { 'not allowed for your role': 1, 'claimed by someone else': 1 } });
    // A preview changes nothing.
    expect((await t.db.sql`SELECT count(*)::int AS n FROM exceptions WHERE status = 'acknowledged'`)[0]!.n).toBe(1);
  });

  it('acts on a selection, writes one audit row per changed exception, and undoes within the window', async () => {
    const ids = [await insertException(t.db.sql), await insertException(t.db.sql), await insertException(t.db.sql, { status: 'resolved' })];
    const res = await bulk(operator, { action: 'resolve', ids, code: 'no_action', note: 'storm cleared' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 3, changed: 2, skipped: { 'already resolved': 1 } });
    expect(Date.parse(res.body.undoUntil)).toBeGreaterThan(Date.now());
    let rows = await statusOf(ids);
    expect([rows[ids[0]!]!.status, rows[ids[1]!]!.status]).toEqual(['resolved', 'resolved']);
    const audit = await t.db.sql`SELECT target_id, action, actor_label, details FROM audit_log WHERE action = 'exception.resolve' ORDER BY target_id`;
    expect(audit.map((a) => a.target_id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(audit.every((a) => a.actor_label === operator.email && (a.details as Json).opId === res.body.opId)).toBe(true);

    // Someone else's undo is refused; the author's restores both.
    const foreign = await call(t, 'POST', `/api/v1/exceptions/bulk/${res.body.opId}/undo`, { cookie: operator2.cookie, origin: true });
    expect(foreign.status).toBe(403);
    const undo = await call(t, 'POST', `/api/v1/exceptions/bulk/${res.body.opId}/undo`, { cookie: operator.cookie, origin: true });
    expect(undo.body).toEqual({ restored: 2, skipped: 0 });
    rows = await statusOf(ids);
    expect([rows[ids[0]!]!.status, rows[ids[1]!]!.status, rows[ids[2]!]!.status]).toEqual(['open', 'open', 'resolved']);
    const [r0] = await t.db.sql`SELECT resolution_code, resolved_at FROM exceptions WHERE id = ${ids[0]!}`;
    expect(r0).toEqual({ resolution_code: null, resolved_at: null });
    // Undo twice is a no-op.
    expect((await call(t, 'POST', `/api/v1/exceptions/bulk/${res.body.opId}/undo`, { cookie: operator.cookie, origin: true })).body).toEqual({ restored: 0, skipped: 0 });
  });

  it('does not undo a row someone changed since, and refuses after the window', async () => {
    const ids = [await insertException(t.db.sql), await insertException(t.db.sql)];
    const res = await bulk(supervisor, { action: 'escalate', ids });
    expect(res.body.changed).toBe(2);
    // Another supervisor acknowledges one of them meanwhile.
    const ack = await call(t, 'POST', `/api/v1/exceptions/${ids[0]}/ack`, { cookie: operator.cookie, origin: true });
    expect(ack.status).toBe(200);
    const undo = await call(t, 'POST', `/api/v1/exceptions/bulk/${res.body.opId}/undo`, { cookie: supervisor.cookie, origin: true });
    expect(undo.body).toEqual({ restored: 1, skipped: 1 });
    const rows = await statusOf(ids);
    expect(rows[ids[0]!]).toMatchObject({ status: 'acknowledged', severity: 'critical' });
    expect(rows[ids[1]!]).toMatchObject({ status: 'open', severity: 'high' });

    const late = await bulk(supervisor, { action: 'escalate', ids: [ids[1]] });
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await call(t, 'POST', `/api/v1/exceptions/bulk/${late.body.opId}/undo`, { cookie: supervisor.cookie, origin: true });
    expect(expired.status).toBe(409);
    expect(expired.body.error.code).toBe('undo_expired');
  });

  it('refuses decisions in bulk, a body naming both ids and a filter, and a role below operator', async () => {
    const id = await insertException(t.db.sql, { type: 'fraud_review' });
    const decide = await bulk(supervisor, { action: 'resolve', ids: [id], code: 'approve' });
    expect(decide.status).toBe(400);
    expect(decide.body.error.code).toBe('not_in_bulk');
    const both = await bulk(supervisor, { action: 'ack', ids: [id], filter: {} });
    expect(both.status).toBe(400);
    const noCode = await bulk(supervisor, { action: 'resolve', ids: [id] });
    expect(noCode.status).toBe(400);
    const viewer = await t.createUser('viewer');
    expect((await bulk(viewer, { action: 'ack', ids: [id] })).status).toBe(403);
    const [row] = await t.db.sql`SELECT version, status FROM exceptions WHERE id = ${id}`;
    expect(row).toEqual({ version: 1, status: 'open' });
  });
});

describe('bulk limits', () => {
  it('takes a selection of 5,000 ids in one request, and refuses an operator\'s bulk escalate', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const res = await bulk(operator, { action: 'ack', ids, preview: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ matched: 0, willChange: 0, skipped: {} });
    const tooMany = await bulk(operator, { action: 'ack', ids: [...ids, '00000000-0000-4000-8000-999999999999'], preview: true });
    expect(tooMany.status).toBe(400);
    const id = await insertException(t.db.sql);
    const esc = await bulk(operator, { action: 'escalate', ids: [id] });
    expect(esc.status).toBe(403);
    expect(esc.body.error.message).toContain('supervisor');
  });

  it('previews a reopen that would clash with an open twin as skipped', async () => {
    const resolved = await insertException(t.db.sql, { subject: 'sku:TWIN', status: 'resolved' });
    await insertException(t.db.sql, { subject: 'sku:TWIN' });
    const preview = await bulk(operator, { action: 'reopen', ids: [resolved], preview: true });
    expect(preview.body).toEqual({ matched: 1, willChange: 0, skipped: { 'another one is open for its subject': 1 } });
    const run = await bulk(operator, { action: 'reopen', ids: [resolved] });
    expect(run.body).toMatchObject({ changed: 0, skipped: { 'another one is open for its subject': 1 } });
  });
});

describe('GET /api/v1/exceptions/export.csv', () => {
  it('streams the filtered queue as CSV, oldest due first, with formulas neutralised', async () => {
    const now = Date.now();
    await insertException(t.db.sql, { type: 'short_pick', subject: '=HYPERLINK("http://evil")', dueAt: new Date(now + 2 * 3_600_000) });
    await insertException(t.db.sql, { type: 'short_pick', subject: 'order:A,"B"', dueAt: new Date(now + 3_600_000) });
    await insertException(t.db.sql, { type: 'stockout' });
    const res = await fetch(`${t.url}/api/v1/exceptions/export.csv?type=short_pick`, { headers: { cookie: supervisor.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="exceptions-.*\.csv"$/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,type,severity,status,subject,/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',"order:A,""B""",');
    // A cell a spreadsheet would run as a formula is prefixed with ' (and quoted, for its quotes).
    expect(lines[2]).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    const bad = await fetch(`${t.url}/api/v1/exceptions/export.csv?severity=urgent`, { headers: { cookie: supervisor.cookie } });
    expect(bad.status).toBe(400);
  });
});
