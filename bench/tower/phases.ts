import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Sql } from '../../db/connect';
import type { RawEvent } from '../../simulator/raw-event';
import { summarize, type LatencyStats } from '../support/stats';
import type { Fleet, MemorySampler } from './fleet';
import type { FanOutMessage } from './fan-out-client';
import { AppliedWatcher, appliedTimes, connected, dashboardSocket, paced, waitIdle, type Post } from './load';

export interface RateResult {
  rate: number;
  /** The rate was above the sustained maximum measured in the same run: the queue grows while it lasts. */
  aboveSustained: boolean;
  seconds: number;
  events: number;
  /** From the POST being sent to the event's applied_at (committed in PostgreSQL), per event. */
  postToApplied: LatencyStats;
  /** From the POST being sent to a socket.io-client receiving an overview push that counts the event. */
  postToSocket: LatencyStats;
}

/**
 * Events at a fixed rate for a while, one request per 100 ms. Each event's POST-to-applied comes from
 * its own `applied_at`; POST-to-socket is when a dashboard's applied count first covers every event
 * sent up to and including its request (events apply in about the order they arrive).
 */
export async function latencyAtRate(input: {
  sql: Sql; fleet: Fleet; post: Post; next: (count: number) => RawEvent[]; rate: number; seconds: number; sustained: number;
}): Promise<RateResult> {
  const socket = dashboardSocket(input.fleet.origin, input.fleet.adminCookie);
  try {
    const watcher = new AppliedWatcher(socket);
    await connected(socket);
    // The snapshot first, so the baseline is the tower's count before this phase.
    const snapshotAt = Date.now();
    while (watcher.seen.length === 0 && Date.now() - snapshotAt < 10_000) await new Promise((r) => setTimeout(r, 20));
    const base = watcher.total;
    const since = Date.now() - 1000;
    const requests = await paced({ post: input.post, next: input.next, rate: input.rate, seconds: input.seconds });
    await waitIdle(input.sql, 600_000);
    // The last push follows the last commit within a push interval.
    await new Promise((r) => setTimeout(r, 1000));
    const applied = await appliedTimes(input.sql, since);
    const toApplied: number[] = [];
    const toSocket: number[] = [];
    let cumulative = 0;
    for (const r of requests) {
      cumulative += r.ids.length;
      const seenAt = watcher.reached(base + cumulative);
      for (const id of r.ids) {
        const at = applied.get(id);
        if (at !== undefined) toApplied.push(at - r.sentAt);
        if (seenAt !== null) toSocket.push(seenAt - r.sentAt);
      }
    }
    return {
      rate: input.rate, aboveSustained: input.rate > input.sustained, seconds: input.seconds, events: cumulative,
      postToApplied: summarize(toApplied), postToSocket: summarize(toSocket),
    };
  } finally {
    socket.disconnect();
  }
}

export interface FanOutResult {
  sockets: number;
  /** Processes the sockets were spread over (each its own event loop). */
  clientProcesses: number;
  rate: number;
  seconds: number;
  /** Overview pushes received over all sockets. */
  messages: number;
  /** From the push's `asOf` (when the API read the overview) to a socket receiving it. */
  pushLatency: LatencyStats;
  /** RSS of the API process with every socket connected, at the end of the phase. */
  apiRssMb: number | null;
  /**
   * The socket-holding processes' own event-loop delay meanwhile (ms, the worst of them): a push
   * can wait in a client, not in the tower; these say how much of the tail is the clients'.
   */
  clientLoopDelay: { p99: number; max: number };
}

/**
 * Hundreds of dashboards connected while events stream in: how late do their pushes arrive, and what
 * do they cost the API process? The sockets live in `clientProcesses` child processes, so that the
 * load generator here and one busy client do not delay every socket's push at once.
 */
export async function fanOut(input: {
  fleet: Fleet; post: Post; next: (count: number) => RawEvent[]; sockets: number; clientProcesses: number; rate: number; seconds: number; memory: MemorySampler;
}): Promise<FanOutResult> {
  const n = Math.max(1, Math.min(input.clientProcesses, input.sockets));
  const clients = Array.from({ length: n }, (_, i) => {
    const share = Math.floor(input.sockets / n) + (i < input.sockets % n ? 1 : 0);
    return fork(fileURLToPath(new URL('./fan-out-client.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, FANOUT_ORIGIN: input.fleet.origin, FANOUT_COOKIE: input.fleet.adminCookie, FANOUT_SOCKETS: String(share) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  });
  const next = (c: ChildProcess, kind: FanOutMessage['kind']) =>
    new Promise<FanOutMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`a fan-out client exited (${code}) before "${kind}"`));
      c.once('exit', onExit);
      const onMessage = (m: FanOutMessage) => {
        if (m.kind !== kind && m.kind !== 'error') return;
        c.off('message', onMessage);
        c.off('exit', onExit);
        if (m.kind === 'error') reject(new Error(`a fan-out client failed: ${m.message}`));
        else resolve(m);
      };
      c.on('message', onMessage);
    });
  try {
    await Promise.all(clients.map((c) => next(c, 'ready')));
    for (const c of clients) c.send({ kind: 'start' });
    await paced({ post: input.post, next: input.next, rate: input.rate, seconds: input.seconds });
    await new Promise((r) => setTimeout(r, 1000));
    await input.memory.sample();
    const results = await Promise.all(clients.map((c) => {
      const result = next(c, 'result');
      c.send({ kind: 'stop' });
      return result;
    }));
    const latencies: number[] = [];
    let p99 = 0;
    let max = 0;
    for (const r of results) {
      if (r.kind !== 'result') continue;
      for (const l of r.latencies) latencies.push(l);
      p99 = Math.max(p99, r.loopP99Ms);
      max = Math.max(max, r.loopMaxMs);
    }
    return {
      sockets: input.sockets, clientProcesses: n, rate: input.rate, seconds: input.seconds, messages: latencies.length,
      pushLatency: summarize(latencies), apiRssMb: input.memory.lastMb.get('api') ?? null,
      clientLoopDelay: { p99, max },
    };
  } finally {
    for (const c of clients) if (c.exitCode === null) c.kill('SIGKILL');
  }
}
