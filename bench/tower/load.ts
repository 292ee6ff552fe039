import { io as connect, type Socket } from 'socket.io-client';
import type { Sql } from '../../db/connect';
import type { MinuteBucket } from '../../domain/live/overview';
import type { ClientToServerEvents, ServerToClientEvents } from '../../domain/realtime-contract';
import type { RawEvent } from '../../simulator/raw-event';

export type Post = (events: readonly RawEvent[]) => Promise<void>;

/**
 * NDJSON to the ingest API; anything but a 202 accepting every event fails the benchmark. A request
 * that never got an answer (a kept-alive connection the server had just closed) is sent again, as any
 * client would: the events' ids make a repeat a duplicate, never a second effect.
 */
export function poster(origin: string, apiKey: string): Post {
  const send = async (body: string, attempt = 1): Promise<Response> => {
    try {
      return await fetch(`${origin}/api/v1/events`, {
        method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' }, body,
      });
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
      return send(body, attempt + 1);
    }
  };
  return async (events) => {
    const res = await send(events.map((e) => JSON.stringify(e)).join('\n'));
    const text = await res.text();
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 500)}`);
    const body = JSON.parse(text) as { accepted: number; rejected: unknown[] };
    if (body.rejected.length > 0) throw new Error(`ingest rejected events: ${JSON.stringify(body.rejected.slice(0, 3))}`);
  };
}

/** Sends `events` as fast as the tower takes them: `inFlight` requests of `requestSize` at a time, in order of start. */
export async function blast(input: { post: Post; events: readonly RawEvent[]; requestSize: number; inFlight: number; onProgress?: (sent: number) => void }): Promise<void> {
  let next = 0;
  let sent = 0;
  const lane = async () => {
    while (next < input.events.length) {
      const chunk = input.events.slice(next, next + input.requestSize);
      next += chunk.length;
      await input.post(chunk);
      sent += chunk.length;
      input.onProgress?.(sent);
    }
  };
  await Promise.all(Array.from({ length: input.inFlight }, lane));
}

export interface PacedRequest {
  /** Epoch ms when the request was sent. */
  sentAt: number;
  ids: string[];
}

/**
 * Sends at a fixed rate for `seconds`: a request every `tickMs` carrying rate × tick events, by the
 * clock (a slow answer does not slow the schedule; requests overlap instead).
 */
export async function paced(input: { post: Post; next: (count: number) => RawEvent[]; rate: number; seconds: number; tickMs?: number }): Promise<PacedRequest[]> {
  const tickMs = input.tickMs ?? 100;
  const ticks = Math.round((input.seconds * 1000) / tickMs);
  const perTick = input.rate * (tickMs / 1000);
  const requests: PacedRequest[] = [];
  const inFlight: Promise<void>[] = [];
  const started = Date.now();
  let owed = 0;
  for (let i = 0; i < ticks; i++) {
    const wait = started + i * tickMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    owed += perTick;
    const count = Math.floor(owed);
    owed -= count;
    if (count === 0) continue;
    const events = input.next(count);
    requests.push({ sentAt: Date.now(), ids: events.map((e) => e.id) });
    inFlight.push(input.post(events));
  }
  await Promise.all(inFlight);
  return requests;
}

/** Nothing durable waits to be applied, and every applied batch reached Redis. */
export async function pipelineIdle(sql: Sql): Promise<boolean> {
  const [row] = await sql`
    SELECT (SELECT count(*) FROM events WHERE applied_at IS NULL)::int AS unapplied,
           (SELECT count(*) FROM apply_batches WHERE NOT aggregated)::int AS pending`;
  return row!.unapplied === 0 && row!.pending === 0;
}

export async function waitIdle(sql: Sql, timeoutMs: number, everyMs = 50): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pipelineIdle(sql))) {
    if (Date.now() > deadline) throw new Error(`the pipeline was not idle after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Date.now();
}

/** When each event was applied (epoch ms), for the events accepted since `sinceMs`. */
export async function appliedTimes(sql: Sql, sinceMs: number): Promise<Map<string, number>> {
  const rows = await sql`
    SELECT event_id, (extract(epoch from applied_at) * 1000)::float8 AS at FROM events
    WHERE accepted_at >= to_timestamp(${sinceMs / 1000}) AND applied_at IS NOT NULL`;
  return new Map(rows.map((r) => [r.event_id as string, Number(r.at)]));
}

type TowerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function dashboardSocket(origin: string, cookie: string): TowerSocket {
  return connect(origin, { transports: ['websocket'], extraHeaders: { cookie, origin }, forceNew: true, reconnection: false });
}

/**
 * What a dashboard sees: the overview's applied count (Σ of its minute buckets), with when each
 * value arrived, so a POST can be matched with the first push that includes it.
 */
export class AppliedWatcher {
  readonly seen: { at: number; total: number }[] = [];
  #minutes = new Map<number, number>();

  constructor(readonly socket: TowerSocket) {
    const take = (minutes: readonly MinuteBucket[]) => {
      for (const m of minutes) this.#minutes.set(m.t, m.applied);
      let total = 0;
      for (const v of this.#minutes.values()) total += v;
      this.seen.push({ at: Date.now(), total });
    };
    socket.on('overview.snapshot', (s) => take(s.minutes));
    socket.on('overview.delta', (d) => take(d.minutes));
  }

  get total(): number {
    return this.seen.at(-1)?.total ?? 0;
  }

  /** First time the applied total reached `target`, or null. */
  reached(target: number): number | null {
    let lo = 0;
    let hi = this.seen.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seen[mid]!.total >= target) hi = mid;
      else lo = mid + 1;
    }
    return this.seen[lo]?.at ?? null;
  }
}

export async function connected(socket: TowerSocket, timeoutMs = 15_000): Promise<void> {
  if (socket.connected) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a dashboard socket did not connect')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
