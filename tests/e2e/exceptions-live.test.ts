import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ExceptionSummary, ExceptionView } from '../../domain/exceptions/view';
import type { ClientToServerEvents, ServerToClientEvents } from '../../domain/realtime-contract';
import { call } from '../security/security-support';
import { event, masterData } from '../support/events';
import { insertException } from '../support/exceptions';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/** Exceptions reach every open dashboard live: new ones, claims by others, escalations to supervisors. */
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
let t: TestTower;
let key: string;
const sockets: Client[] = [];

function watch(cookie: string) {
  const socket: Client = connect(t.url, { transports: ['websocket'], extraHeaders: { cookie } });
  sockets.push(socket);
  const seen = { changed: [] as ExceptionView[], escalated: [] as ExceptionView[], summaries: [] as ExceptionSummary[] };
  socket.on('exceptions.changed', (c) => seen.changed.push(...c.items));
  socket.on('exceptions.escalated', (c) => seen.escalated.push(...c.items));
  socket.on('exceptions.summary', (s) => seen.summaries.push(s));
  return { socket, seen, latest: (id: string) => seen.changed.filter((e) => e.id === id).sort((a, b) => b.version - a.version)[0] };
}

beforeAll(async () => {
  t = await startTestTower({ PUSH_INTERVAL_MS: '100' });
  key = await t.createApiKey(['web', 'wms']);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.stop();
});

it('a second screen sees a claim at once, and a new exception from the engine appears without reload', async () => {
  const alice = await t.createUser('operator');
  const bob = await t.createUser('operator');
  const bobScreen = watch(bob.cookie);
  await waitFor('bob connected', () => bobScreen.socket.connected);
  const id = await insertException(t.db.sql, { type: 'short_pick' });
  await waitFor('the new row on bob\'s screen', () => bobScreen.latest(id));

  const claimedAt = Date.now();
  const res = await call(t, 'POST', `/api/v1/exceptions/${id}/ack`, { cookie: alice.cookie, origin: true });
  expect(res.status).toBe(200);
  const seen = await waitFor('the claim on bob\'s screen', () => (bobScreen.latest(id)?.assignee === alice.email ? bobScreen.latest(id) : null));
  expect(seen).toMatchObject({ status: 'acknowledged', assignee: alice.email, version: res.body.exception.version });
  expect(Date.now() - claimedAt).toBeLessThan(1000);

  // The engine opens a stockout: it is pushed too, with the summary counting it.
  expect((await t.postEvents(key, masterData())).status).toBe(202);
  expect((await t.postEvents(key, [event('order.created', { orderId: 'LIVE-1', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 5, unitPrice: 10 }], shipTo: { region: 'east' }, payment: 'authorized' })])).status).toBe(202);
  const stockout = await waitFor('the stockout pushed', () => bobScreen.seen.changed.find((e) => e.type === 'stockout'));
  expect(stockout).toMatchObject({ subject: 'sku:TEE-BLK-M', orderId: 'LIVE-1', channel: 'web', status: 'open' });
  const summary = await waitFor('a summary counting it', () => bobScreen.seen.summaries.find((s) => (s.byType.stockout?.open ?? 0) === 1));
  expect(summary.byType.short_pick).toMatchObject({ acknowledged: 1 });
  expect(summary.unresolved).toBe(2);
});

it('tells supervisors, and only them, when an exception escalates', async () => {
  const sup = await t.createUser('supervisor');
  const op = await t.createUser('operator');
  const supScreen = watch(sup.cookie);
  const opScreen = watch(op.cookie);
  await waitFor('both connected', () => supScreen.socket.connected && opScreen.socket.connected);
  const id = await insertException(t.db.sql, { type: 'payment_failed', severity: 'medium' });
  const res = await call(t, 'POST', `/api/v1/exceptions/${id}/escalate`, { cookie: sup.cookie, origin: true });
  expect(res.status).toBe(200);
  const alert = await waitFor('the escalation on the supervisor\'s screen', () => supScreen.seen.escalated.find((e) => e.id === id));
  expect(alert).toMatchObject({ status: 'escalated', severity: 'high' });
  await waitFor('the change on the operator\'s screen', () => opScreen.latest(id)?.status === 'escalated');
  expect(opScreen.seen.escalated).toEqual([]);
});
