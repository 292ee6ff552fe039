import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LiveKpis } from '../../domain/kpis/types';
import type { ClientToServerEvents, ServerToClientEvents } from '../../domain/realtime-contract';
import { masterData, order } from '../support/events';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

let t: TestTower;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
let key: string;

beforeAll(async () => {
  t = await startTestTower({ PUSH_INTERVAL_MS: '200' });
  key = await t.createApiKey(['web']);
  expect((await t.postEvents(key, masterData())).status).toBe(202);
});

afterAll(async () => {
  socket?.disconnect();
  await t?.stop();
});

it('pushes kpis.live on connect, then when a figure changed, and nothing while idle', async () => {
  const received: { at: number; kpis: LiveKpis }[] = [];
  socket = connect(t.url, { transports: ['websocket'], extraHeaders: { cookie: t.adminCookie } });
  socket.on('kpis.live', (kpis) => received.push({ at: Date.now(), kpis }));
  await waitFor('the snapshot on connect', () => received[0]);

  expect((await t.postEvents(key, [order('PUSH-1', 'web', 3), order('PUSH-2', 'web', 2)])).status).toBe(202);
  const pushed = await waitFor('a push with the two orders', () => received.find((r) => r.kpis.windows['15m'].orders === 2));
  expect(pushed.kpis.windows['15m']).toMatchObject({ unitsOrdered: 5, backorderedUnits: 5 });
  expect(pushed.kpis.byChannel['15m'].web).toMatchObject({ orders: 2 });

  // Idle: the same figures are not pushed again (a new minute may move the windows' ranges once).
  const count = received.length;
  await new Promise((r) => setTimeout(r, 1500));
  expect(received.length - count).toBeLessThanOrEqual(1);
  // Broadcasts (after the connect snapshot, which is this socket's own) are a push interval apart.
  for (let i = 2; i < received.length; i++) expect(received[i]!.at - received[i - 1]!.at).toBeGreaterThanOrEqual(100);
});
