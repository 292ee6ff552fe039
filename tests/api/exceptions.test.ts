import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../security/security-support';
import { event, masterData, order } from '../support/events';
import type { Json } from '../support/rows';
import { allApplied } from '../support/small-day';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/** The exception queue over HTTP: reading, triage actions and what decisions do to orders and stock. */
let t: TestTower;
let key: string;
let operator: { email: string; cookie: string };
let operator2: { email: string; cookie: string };
let supervisor: { email: string; cookie: string };
let viewer: { email: string; cookie: string };

const send = async (events: unknown[]) => {
  const res = await t.postEvents(key, events);
  expect(res.status).toBe(202);
  await allApplied(t);
};
const as = (who: { cookie: string }) => ({ cookie: who.cookie, origin: true as const });
const post = (who: { cookie: string }, path: string, body: unknown = {}) => call(t, 'POST', path, { ...as(who), body });
const get = (who: { cookie: string }, path: string) => call(t, 'GET', path, { cookie: who.cookie });

async function exceptionOf(type: string, subject?: string): Promise<Json> {
  const res = await get(supervisor, `/api/v1/exceptions?status=all&type=${type}&limit=200`);
  expect(res.status).toBe(200);
  const found = res.body.items.find((e: Json) => subject === undefined || e.subject === subject);
  expect(found, `${type} ${subject ?? ''}`).toBeDefined();
  return found;
}

beforeAll(async () => {
  t = await startTestTower();
  key = await t.createApiKey(['web', 'mkt-a', 'wms']);
  operator = await t.createUser('operator');
  operator2 = await t.createUser('operator');
  supervisor = await t.createUser('supervisor');
  viewer = await t.createUser('viewer');
  await send([
    ...masterData(),
    event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 10 }, { source: 'wms' }),
  ]);
  await send([
    event('order.created', { orderId: 'F-1', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 2, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized', fraudScore: 0.95 }),
    event('order.created', { orderId: 'F-2', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 1, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized', fraudScore: 0.9 }),
    order('W-BIG', 'web', 12),
  ]);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('GET /api/v1/exceptions', () => {
  it('lists the unresolved queue oldest due first, with the subject filled in', async () => {
    const res = await get(viewer, '/api/v1/exceptions');
    expect(res.status).toBe(200);
    const types = res.body.items.map((e: Json) => e.type);
    expect(types).toEqual(expect.arrayContaining(['fraud_review', 'stockout']));
    const dues = res.body.items.map((e: Json) => e.dueAt);
    expect(dues).toEqual([...dues].sort());
    const fraud = res.body.items.find((e: Json) => e.subject === 'order:F-1');
    expect(fraud).toMatchObject({ type: 'fraud_review', severity: 'high', status: 'open', orderId: 'F-1', channel: 'web', assignee: null, occurrences: 1, resolution: null });
    expect(Date.parse(fraud.dueAt) - Date.parse(fraud.openedAt)).toBe(30 * 60_000);
  });

  it('pages with a cursor without skipping or repeating a row', async () => {
    const all = (await get(viewer, '/api/v1/exceptions?limit=200')).body.items.map((e: Json) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Json = await get(viewer, `/api/v1/exceptions?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((e: Json) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(3);
  });

  it('filters by type, severity, assignee and channel', async () => {
    const fraud = await get(viewer, '/api/v1/exceptions?type=fraud_review');
    expect(fraud.body.items.map((e: Json) => e.subject).sort()).toEqual(['order:F-1', 'order:F-2']);
    const high = await get(viewer, '/api/v1/exceptions?severity=critical');
    expect(high.body.items.every((e: Json) => e.severity === 'critical')).toBe(true);
    const none = await get(viewer, '/api/v1/exceptions?assignee=none&channel=web');
    expect(none.body.items.length).toBeGreaterThanOrEqual(3);
    const other = await get(viewer, '/api/v1/exceptions?channel=mkt-a');
    expect(other.body.items).toEqual([]);
  });

  it('refuses a bad filter with the parameter named, and an unknown cursor', async () => {
    const res = await get(viewer, '/api/v1/exceptions?type=fraud_review,nope');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details[0].path).toMatch(/^type/);
    const cur = await get(viewer, '/api/v1/exceptions?cursor=bm9wZQ');
    expect(cur.status).toBe(400);
    expect((await get(viewer, '/api/v1/exceptions?limit=500')).status).toBe(400);
  });
});

describe('GET /api/v1/exceptions/:id', () => {
  it('returns the exception with its order, the order timeline and the audit trail', async () => {
    const e = await exceptionOf('fraud_review', 'order:F-2');
    const res = await get(viewer, `/api/v1/exceptions/${e.id}`);
    expect(res.status).toBe(200);
    expect(res.body.exception.id).toBe(e.id);
    expect(res.body.order).toMatchObject({ orderId: 'F-2', status: 'on_hold', held: true });
    expect(res.body.order.timeline.map((x: Json) => `${x.kind}:${x.type}`)).toContain('exception:fraud_review');
    expect(res.body.audit).toEqual([expect.objectContaining({ actorKind: 'system', action: 'exception.open' })]);
  });

  it('is 404 for an unknown or malformed id', async () => {
    expect((await get(viewer, '/api/v1/exceptions/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await get(viewer, '/api/v1/exceptions/not-a-uuid')).status).toBe(404);
  });
});

describe('triage actions', () => {
  it('claims, refuses a second claimant, hands over by assignment, resolves, and reopens', async () => {
    const e = await exceptionOf('stockout', 'sku:TEE-BLK-M');
    const path = `/api/v1/exceptions/${e.id}`;
    const ack = await post(operator, `${path}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ changed: true, exception: { status: 'acknowledged', assignee: operator.email } });
    // Idempotent: the same claim again changes nothing.
    const again = await post(operator, `${path}/ack`);
    expect(again.body.changed).toBe(false);
    expect(again.body.exception.version).toBe(ack.body.exception.version);
    const other = await post(operator2, `${path}/ack`);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'claimed' });
    expect(other.body.error.message).toContain(operator.email);

    const assign = await post(operator, `${path}/assign`, { assignee: operator2.email.toUpperCase() });
    expect(assign.body.exception).toMatchObject({ status: 'open', assignee: operator2.email });
    const unknown = await post(operator, `${path}/assign`, { assignee: 'nobody@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_assignee');
    const viewerAssignee = await post(operator, `${path}/assign`, { assignee: viewer.email });
    expect(viewerAssignee.status).toBe(400);

    const badCode = await post(operator2, `${path}/resolve`, { code: 'approve' });
    expect(badCode.status).toBe(400);
    expect(badCode.body.error.code).toBe('invalid_code');
    const resolve = await post(operator2, `${path}/resolve`, { code: 'fixed', note: 'PO expedited' });
    expect(resolve.body.exception).toMatchObject({ status: 'resolved', resolvedBy: operator2.email, resolution: { code: 'fixed', note: 'PO expedited' } });
    expect((await post(operator2, `${path}/resolve`, { code: 'fixed' })).body.changed).toBe(false);
    expect((await post(operator2, `${path}/resolve`, { code: 'duplicate' })).status).toBe(409);

    const reopen = await post(operator, `${path}/reopen`, { note: 'still short' });
    expect(reopen.body.exception).toMatchObject({ status: 'open', resolution: null, assignee: null });
    expect(Date.parse(reopen.body.exception.dueAt)).toBeGreaterThan(Date.now() + 59 * 60_000);

    const trail = (await get(viewer, path)).body.audit.map((a: Json) => `${a.actor ?? a.actorKind}:${a.action}`);
    expect(trail).toEqual([
      'system:exception.open',
      `${operator.email}:exception.ack`,
      `${operator.email}:exception.assign`,
      `${operator2.email}:exception.resolve`,
      `${operator.email}:exception.reopen`,
    ]);
  });

  it('escalates one severity step (supervisors only), once', async () => {
    // The stockout reopened above: high → critical.
    const e = await exceptionOf('stockout', 'sku:TEE-BLK-M');
    expect(e).toMatchObject({ status: 'open', severity: 'high' });
    const path = `/api/v1/exceptions/${e.id}/escalate`;
    expect((await post(operator, path)).status).toBe(403);
    const up = await post(supervisor, path, { note: 'peak' });
    expect(up.status).toBe(200);
    expect(up.body.exception).toMatchObject({ status: 'escalated', severity: 'critical' });
    expect(up.body.exception.escalatedAt).not.toBeNull();
    const twice = await post(supervisor, path);
    expect(twice.body).toMatchObject({ changed: false, exception: { severity: 'critical' } });
  });
});

describe('decisions that act', () => {
  it('approving a fraud review releases the order to allocated; operators may not decide it', async () => {
    const e = await exceptionOf('fraud_review', 'order:F-1');
    const path = `/api/v1/exceptions/${e.id}/resolve`;
    const denied = await post(operator, path, { code: 'approve' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('supervisor');
    const res = await post(supervisor, path, { code: 'approve', note: 'called the customer' });
    expect(res.status).toBe(200);
    expect(res.body.exception).toMatchObject({ status: 'resolved', resolution: { code: 'approve' } });
    expect(res.body.outcome).toMatchObject({ state: 'applied' });
    const o = await get(viewer, '/api/v1/orders/F-1');
    expect(o.body).toMatchObject({ status: 'allocated', held: false });
    expect(o.body.lines[0]).toMatchObject({ reserved: 2 });
    // The release is on the order's timeline as the tower's own event.
    expect(o.body.timeline).toContainEqual(expect.objectContaining({ kind: 'event', type: 'order.hold_released', source: 'tower', state: 'applied' }));
    const reopen = await post(supervisor, `/api/v1/exceptions/${e.id}/reopen`);
    expect(reopen.status).toBe(409);
    expect(reopen.body.error.code).toBe('decided');
  });

  it('rejecting a fraud review cancels the order and frees its units for the backorder', async () => {
    const before = await get(viewer, '/api/v1/orders/W-BIG');
    const e = await exceptionOf('fraud_review', 'order:F-2');
    const res = await post(supervisor, `/api/v1/exceptions/${e.id}/resolve`, { code: 'reject' });
    expect(res.body.outcome).toMatchObject({ state: 'applied' });
    const o = await get(viewer, '/api/v1/orders/F-2');
    expect(o.body.status).toBe('cancelled');
    expect(o.body.lines[0]).toMatchObject({ reserved: 0, cancelled: 1 });
    const big = await get(viewer, '/api/v1/orders/W-BIG');
    expect(big.body.lines[0].reserved).toBe(before.body.lines[0].reserved + 1);
  });

  it('approving a count discrepancy sets the book to the count through the ledger; rejecting keeps it', async () => {
    await send([event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 40 }, { source: 'wms' })]);
    const [book] = await t.db.sql`SELECT on_hand FROM inventory WHERE sku = 'TEE-BLK-M' AND location_id = 'DC-EAST'`;
    const onHand = book!.on_hand as number;
    await send([event('stock.counted', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', countedQty: onHand - 10 }, { source: 'wms' })]);
    const e = await exceptionOf('count_discrepancy', 'sku:TEE-BLK-M@DC-EAST');
    expect(e.status).toBe('open');
    const res = await post(supervisor, `/api/v1/exceptions/${e.id}/resolve`, { code: 'approve' });
    expect(res.body.outcome).toMatchObject({ state: 'applied' });
    const [after] = await t.db.sql`SELECT on_hand FROM inventory WHERE sku = 'TEE-BLK-M' AND location_id = 'DC-EAST'`;
    expect(after!.on_hand).toBe(onHand - 10);
    const [ledger] = await t.db.sql`SELECT coalesce(sum(delta), 0)::int AS total FROM inventory_ledger WHERE sku = 'TEE-BLK-M' AND location_id = 'DC-EAST' AND bucket = 'onHand'`;
    expect(ledger!.total).toBe(onHand - 10);
    const [approval] = await t.db.sql`SELECT delta, reason FROM inventory_ledger WHERE reason = 'count approved'`;
    expect(approval).toMatchObject({ delta: -10 });

    await send([event('stock.counted', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', countedQty: onHand + 50 }, { source: 'wms', occurredAt: new Date(Date.now() + 1000).toISOString() })]);
    const second = (await get(supervisor, '/api/v1/exceptions?type=count_discrepancy')).body.items[0];
    const rejected = await post(supervisor, `/api/v1/exceptions/${second.id}/resolve`, { code: 'reject', note: 'recount scheduled' });
    expect(rejected.body.exception.status).toBe('resolved');
    expect(rejected.body.outcome).toBeUndefined();
    const [kept] = await t.db.sql`SELECT on_hand FROM inventory WHERE sku = 'TEE-BLK-M' AND location_id = 'DC-EAST'`;
    expect(kept!.on_hand).toBe(onHand - 10);
  });

  it('re-applies an invalid event once its master data exists', async () => {
    await send([event('order.created', { orderId: 'NEW-SKU-1', channel: 'web', lines: [{ sku: 'HOODIE-L', qty: 1, unitPrice: 49 }], shipTo: { region: 'east' }, payment: 'authorized' })]);
    const e = await waitFor('invalid_event', async () => (await get(supervisor, '/api/v1/exceptions?type=invalid_event')).body.items[0], 15_000);
    expect(e.details.reason).toContain('HOODIE-L');
    const tooEarly = await post(operator, `/api/v1/exceptions/${e.id}/reapply`);
    // Still unknown: applying again fails again, and says so.
    expect(tooEarly.body.outcome.state === 'invalid' || tooEarly.body.outcome.state === 'pending').toBe(true);
    const again = await waitFor('a new invalid_event', async () => (await get(supervisor, `/api/v1/exceptions?type=invalid_event`)).body.items[0], 15_000);
    await send([event('item.upserted', { sku: 'HOODIE-L', name: 'Hoodie L', unitCost: 20, unitPrice: 49, safetyStock: 0 })]);
    const res = await post(operator, `/api/v1/exceptions/${again.id}/reapply`);
    expect(res.body.exception).toMatchObject({ status: 'resolved', resolution: { code: 'reapplied' } });
    expect(res.body.outcome).toMatchObject({ state: 'applied' });
    const o = await get(viewer, '/api/v1/orders/NEW-SKU-1');
    expect(o.status).toBe(200);
    expect(o.body.status).toBe('backordered');
    expect((await post(operator, `/api/v1/exceptions/${again.id}/reapply`)).body.changed).toBe(false);
    const stockout = await get(viewer, '/api/v1/exceptions?type=stockout&sku=HOODIE-L');
    expect(stockout.body.items).toHaveLength(1);
  }, 40_000);
});

describe('exceptions that clear by themselves', () => {
  it('a held order cancelled by its channel resolves its fraud review as the system', async () => {
    await send([event('order.created', { orderId: 'F-9', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 1, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized', fraudScore: 0.99 })]);
    const e = await exceptionOf('fraud_review', 'order:F-9');
    expect(e.status).toBe('open');
    await send([event('order.cancelled', { orderId: 'F-9', reason: 'customer changed mind' })]);
    const after = (await get(viewer, `/api/v1/exceptions/${e.id}`)).body;
    expect(after.exception).toMatchObject({ status: 'resolved', resolvedBy: 'system', resolution: { code: 'auto_resolved', note: 'order cancelled' } });
    expect(after.audit.map((a: Json) => a.action)).toEqual(['exception.open', 'exception.auto_resolve']);
  });

  it('an oversell exposure clears when the channel lists no more than ATS again', async () => {
    await send([event('channel.stock_snapshot', { channel: 'web', items: [{ sku: 'TEE-BLK-M', listedQty: 500 }] })]);
    const e = await exceptionOf('oversell_exposure', 'channel:web:TEE-BLK-M');
    expect(e).toMatchObject({ status: 'open', severity: 'critical' });
    await send([event('channel.stock_snapshot', { channel: 'web', items: [{ sku: 'TEE-BLK-M', listedQty: 0 }] }, { occurredAt: new Date(Date.now() + 1000).toISOString() })]);
    const after = (await get(viewer, `/api/v1/exceptions/${e.id}`)).body.exception;
    expect(after).toMatchObject({ status: 'resolved', resolution: { code: 'auto_resolved' } });
  });
});

describe('GET /metrics', () => {
  it('exposes unresolved and overdue exceptions per type, and triage actions by result, for alerting', async () => {
    const res = await call(t, 'GET', '/metrics', { cookie: viewer.cookie });
    expect(res.status).toBe(200);
    const unresolved = (await get(viewer, '/api/v1/exceptions?type=payment_failed,stockout,fraud_review&limit=200')).body.items;
    const stockouts = unresolved.filter((e: Json) => e.type === 'stockout').length;
    expect(res.text).toContain(`tower_exceptions_unresolved{type="stockout"} ${stockouts}`);
    expect(res.text).toMatch(/tower_exceptions_overdue\{type="feed_stale"\} 0/);
    expect(res.text).toMatch(/tower_exception_actions_total\{action="ack",result="refused"\} [1-9]/);
    expect(res.text).toMatch(/tower_exception_actions_total\{action="resolve",result="changed"\} [1-9]/);
  });
});
