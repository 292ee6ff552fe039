import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OverviewDelta, OverviewSnapshot } from '../../domain/live/overview';
import type { ClientToServerEvents, ServerToClientEvents } from '../../domain/realtime-contract';
import { masterData, order } from '../support/events';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

let t: TestTower;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
let key: string;

beforeAll(async () => {
  t = await startTestTower({ PUSH_INTERVAL_MS: '250' });
  key = await t.createApiKey(['web', 'mkt-a']);
  expect((await t.postEvents(key, masterData())).status).toBe(202);
});

afterAll(async () => {
  socket?.disconnect();
  await t?.stop();
});

const ordersNow = (minutes: OverviewSnapshot['minutes'], channel: string) => minutes.reduce((n, m) => n + (m.orders[channel] ?? 0), 0);

it('pushes a snapshot on connect, then the changed aggregate after events are posted', async () => {
  const snapshots: OverviewSnapshot[] = [];
  const deltas: OverviewDelta[] = [];
  socket = connect(t.url, { transports: ['websocket'], extraHeaders: { cookie: t.adminCookie } });
  socket.on('overview.snapshot', (s) => snapshots.push(s));
  socket.on('overview.delta', (d) => deltas.push(d));
  const snapshot = await waitFor('the snapshot', () => snapshots[0]);
  expect(snapshot.minutes).toHaveLength(60);
  expect(ordersNow(snapshot.minutes, 'mkt-a')).toBe(0);

  const res = await t.postEvents(key, [order('E2E-1', 'mkt-a', 3), order('E2E-2', 'mkt-a', 2)].map((e) => ({ ...e, source: 'mkt-a' })));
  expect(res.status).toBe(202);

  const delta = await waitFor('a delta with the two orders', () =>
    deltas.find((d) => d.minutes.some((m) => (m.orders['mkt-a'] ?? 0) === 2 && (m.units['mkt-a'] ?? 0) === 5)),
  );
  expect(delta.channels).toContain('mkt-a');
  expect(delta.tiles.ordersPerMin).toBeGreaterThan(0);
  // Only minutes that changed travel in a delta, not the whole hour.
  expect(delta.minutes.length).toBeLessThan(60);
});

it('coalesces: a burst of requests reaches a browser as at most one message per push interval', async () => {
  const received: number[] = [];
  socket.on('overview.delta', () => received.push(Date.now()));
  const started = Date.now();
  const posts = [];
  for (let i = 0; i < 40; i++) {
    posts.push(t.postEvents(key, [order(`BURST-${i}`, 'web', 1)]));
    await new Promise((r) => setTimeout(r, 25));
  }
  await Promise.all(posts);
  await waitFor('the burst to be applied', async () => {
    const res = await fetch(`${t.url}/api/v1/live/overview`, { headers: { cookie: t.adminCookie } });
    const o = (await res.json()) as OverviewSnapshot;
    return ordersNow(o.minutes, 'web') === 40;
  });
  await new Promise((r) => setTimeout(r, 400));
  const elapsedS = (Date.now() - started) / 1000;
  expect(received.length).toBeGreaterThan(0);
  // 40 requests over about a second: without coalescing there would be ~40+ messages.
  expect(received.length).toBeLessThanOrEqual(Math.ceil(elapsedS * 4) + 1);
  // The server spaces pushes 250 ms apart; on a loaded machine two may reach the client closer together.
  for (let i = 1; i < received.length; i++) expect(received[i]! - received[i - 1]!).toBeGreaterThanOrEqual(100);
});

it('refuses a socket without a session', async () => {
  const anon = connect(t.url, { transports: ['websocket'] });
  const err = await new Promise<Error>((resolve) => anon.on('connect_error', resolve));
  anon.disconnect();
  expect(err.message).toBe('unauthorized');
});
