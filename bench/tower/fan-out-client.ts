/**
 * One of the fan-out phase's socket holders, a process of its own: it opens its share of the dashboard
 * sockets, and between "start" and "stop" (from the parent, over IPC) records how late each overview
 * push arrives and its own event-loop delay. Spreading the sockets over several processes keeps one
 * client's event loop from being mistaken for the API's.
 *
 * Usage (by phases.ts): fork with `--import tsx`, env FANOUT_ORIGIN, FANOUT_COOKIE, FANOUT_SOCKETS.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connected, dashboardSocket } from './load';

export type FanOutMessage =
  | { kind: 'ready' }
  | { kind: 'result'; latencies: number[]; loopP99Ms: number; loopMaxMs: number }
  | { kind: 'error'; message: string };

const send = (m: FanOutMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

async function main(): Promise<void> {
  const origin = process.env.FANOUT_ORIGIN!;
  const cookie = process.env.FANOUT_COOKIE!;
  const count = Number(process.env.FANOUT_SOCKETS);
  const sockets = Array.from({ length: count }, () => dashboardSocket(origin, cookie));
  const latencies: number[] = [];
  let measuring = false;
  for (const s of sockets) {
    s.on('overview.delta', (d: { asOf: string }) => {
      if (measuring) latencies.push(Date.now() - Date.parse(d.asOf));
    });
  }
  for (let i = 0; i < sockets.length; i += 50) await Promise.all(sockets.slice(i, i + 50).map((s) => connected(s, 30_000)));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  process.on('message', async (m: { kind: string }) => {
    if (m.kind === 'start') {
      loop.enable();
      measuring = true;
    } else if (m.kind === 'stop') {
      measuring = false;
      loop.disable();
      for (const s of sockets) s.disconnect();
      await send({ kind: 'result', latencies, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 });
      process.exit(0);
    }
  });
  await send({ kind: 'ready' });
}

main().catch(async (err: unknown) => {
  await send({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
