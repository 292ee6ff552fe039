import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Sql } from '../../db/connect';
import type { RawEvent } from '../../simulator/raw-event';
import { summarize, type LatencyStats } from '../support/stats';
import type { Fleet, MemorySampler } from './fleet';
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
  rate: number;
  seconds: number;
  /** Overview pushes received over all sockets. */
  messages: number;
  /** From the push's `asOf` (when the API read the overview) to a socket receiving it. */
  pushLatency: LatencyStats;
  /** RSS of the API process with every socket connected, at the end of the phase. */
  apiRssMb: number | null;
  /**
   * The benchmark client's own event-loop delay meanwhile (ms): every socket and the load generator
   * share its one thread, so a push can wait in the client, not in the tower.
   */
  clientLoopDelay: { p99: number; max: number };
}

/** Hundreds of dashboards connected while events stream in: how late do their pushes arrive, and what do they cost the API process? */
export async function fanOut(input: {
  fleet: Fleet; post: Post; next: (count: number) => RawEvent[]; sockets: number; rate: number; seconds: number; memory: MemorySampler;
}): Promise<FanOutResult> {
  const sockets = Array.from({ length: input.sockets }, () => dashboardSocket(input.fleet.origin, input.fleet.adminCookie));
  const latencies: number[] = [];
  let measuring = false;
  for (const s of sockets) {
    s.on('overview.delta', (d) => {
      if (measuring) latencies.push(Date.now() - Date.parse(d.asOf));
    });
  }
  try {
    for (let i = 0; i < sockets.length; i += 50) await Promise.all(sockets.slice(i, i + 50).map((s) => connected(s, 30_000)));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    measuring = true;
    await paced({ post: input.post, next: input.next, rate: input.rate, seconds: input.seconds });
    await new Promise((r) => setTimeout(r, 1000));
    measuring = false;
    loop.disable();
    await input.memory.sample();
    return {
      sockets: input.sockets, rate: input.rate, seconds: input.seconds, messages: latencies.length,
      pushLatency: summarize(latencies), apiRssMb: input.memory.lastMb.get('api') ?? null,
      clientLoopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    };
  } finally {
    for (const s of sockets) s.disconnect();
  }
}
