import type { FieldError, TowerEvent } from '../../../domain/events/validate';

export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; errors: FieldError[] }[];
}

/** The tower refused the import as a whole (key, source, or a request it cannot read): nothing more is sent. */
export class SendAborted extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
    this.name = 'SendAborted';
  }
}

export interface SenderOptions {
  url: string;
  apiKey: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (message: string) => void;
  maxAttempts?: number;
  timeoutMs?: number;
}

export type Send = (events: TowerEvent[]) => Promise<BatchResult>;

/** Below the tower's default of 5,000 events per request, so a batch also stays far under 5 MiB. */
export const MAX_BATCH = 1000;
const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_WAIT_MS = 60_000;

/** `Retry-After` is either seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const backoffMs = (attempt: number) => Math.min(30_000, 500 * 2 ** (attempt - 1));

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (error?.message) return `${error.code}: ${error.message}`;
  } catch {
    // Not the tower's error shape (a proxy page, say): show the start of the text.
  }
  return text.slice(0, 200) || res.statusText;
}

/**
 * Posts NDJSON batches. Every event has a deterministic id, so retrying after a timeout, a dropped
 * connection, a 429 or a 503 can only produce duplicates, never a second effect.
 */
export function createSender(o: SenderOptions): Send {
  const endpoint = `${o.url.replace(/\/+$/, '')}/api/v1/events`;
  const doFetch = o.fetch ?? fetch;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = o.maxAttempts ?? 10;
  const headers = { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/x-ndjson' };

  async function post(body: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      let why: string;
      try {
        res = await doFetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? 60_000) });
        if (!RETRYABLE.has(res.status)) return res;
        why = `the tower answered ${res.status}`;
        await res.body?.cancel().catch(() => {});
      } catch (err) {
        why = `cannot reach ${o.url} (${describe(err)})`;
      }
      if (attempt >= maxAttempts) throw new SendAborted(`${why}; gave up after ${attempt} attempts`, 1);
      const waitMs = Math.min(MAX_WAIT_MS, retryAfterMs(res?.headers.get('retry-after') ?? null) ?? backoffMs(attempt));
      o.onWait?.(`${why}; retrying in ${Math.ceil(waitMs / 1000)} s`);
      await sleep(waitMs);
    }
  }

  const send: Send = async (events) => {
    const res = await post(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    if (res.status === 202) return (await res.json()) as BatchResult;
    if (res.status === 413 && events.length > 1) {
      // The tower may be configured with a lower limit than ours: halve until it fits.
      await res.body?.cancel().catch(() => {});
      const half = Math.ceil(events.length / 2);
      const a = await send(events.slice(0, half));
      const b = await send(events.slice(half));
      return {
        accepted: a.accepted + b.accepted,
        duplicates: a.duplicates + b.duplicates,
        rejected: [...a.rejected, ...b.rejected.map((r) => ({ ...r, index: r.index + half }))],
      };
    }
    const detail = await errorDetail(res);
    if (res.status === 413) return { accepted: 0, duplicates: 0, rejected: [{ index: 0, errors: [{ path: '(root)', message: `too large for one request (${detail})` }] }] };
    if (res.status === 401) throw new SendAborted(`the tower refused the API key (401 ${detail})`, 2);
    if (res.status === 403) throw new SendAborted(`the tower refused this import (403 ${detail})`, 2);
    throw new SendAborted(`the tower answered ${res.status} (${detail})`, 1);
  };
  return send;
}
