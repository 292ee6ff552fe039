import { describe, expect, it } from 'vitest';
import type { TowerEvent } from '../../domain/events/validate';
import { createSender, retryAfterMs, SendAborted } from '../../realtime/cli/import/send';

const ev = (n: number): TowerEvent => ({ id: `e${n}`, type: 'stock.received', source: 'erp', occurredAt: '2026-11-27T09:00:00Z', data: { n } });
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const ok = (accepted: number) => json(202, { accepted, duplicates: 0, rejected: [] });

/** A fake fetch answering from a script; records each request's events. */
function fakeTower(answers: ((events: unknown[]) => Response | Error)[]) {
  const requests: { events: unknown[]; headers: Headers; url: string }[] = [];
  const waits: number[] = [];
  const notes: string[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    const events = String(init.body).trim().split('\n').map((l) => JSON.parse(l));
    requests.push({ events, headers: new Headers(init.headers), url });
    const answer = answers.shift();
    if (!answer) throw new Error('unexpected request');
    const res = answer(events);
    if (res instanceof Error) throw res;
    return res;
  }) as typeof globalThis.fetch;
  const send = createSender({
    url: 'http://tower.test/', apiKey: 'ct_key', fetch, maxAttempts: 3,
    sleep: async (ms) => void waits.push(ms), onWait: (m) => notes.push(m),
  });
  return { send, requests, waits, notes };
}

describe('createSender', () => {
  it('posts NDJSON with the bearer key and returns the 202 body', async () => {
    const t = fakeTower([(e) => json(202, { accepted: e.length - 1, duplicates: 1, rejected: [] })]);
    expect(await t.send([ev(1), ev(2)])).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(t.requests[0]).toMatchObject({ url: 'http://tower.test/api/v1/events', events: [ev(1), ev(2)] });
    expect(t.requests[0]!.headers.get('authorization')).toBe('Bearer ct_key');
    expect(t.requests[0]!.headers.get('content-type')).toBe('application/x-ndjson');
  });

  it('waits for Retry-After on 429 and 503, and backs off when the tower is unreachable', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const t = fakeTower([() => json(429, {}, { 'retry-after': '2' }), () => json(503, {}, { 'retry-after': '1' }), () => ok(1)]);
    expect((await t.send([ev(1)])).accepted).toBe(1);
    expect(t.waits).toEqual([2000, 1000]);
    expect(t.notes).toEqual(['the tower answered 429; retrying in 2 s', 'the tower answered 503; retrying in 1 s']);

    const u = fakeTower([() => refused, () => ok(1)]);
    expect((await u.send([ev(1)])).accepted).toBe(1);
    expect(u.notes).toEqual(['cannot reach http://tower.test/ (ECONNREFUSED); retrying in 1 s']);
  });

  it('gives up after its attempts', async () => {
    const t = fakeTower([() => json(503, {}), () => json(503, {}), () => json(503, {})]);
    await expect(t.send([ev(1)])).rejects.toMatchObject({ exitCode: 1, message: 'the tower answered 503; gave up after 3 attempts' });
  });

  it('stops on 401 and 403 with the tower message (exit 2)', async () => {
    const t = fakeTower([() => json(401, { error: { code: 'unauthorized', message: 'sign in or send a valid API key' } })]);
    const err = await t.send([ev(1)]).catch((e) => e);
    expect(err).toBeInstanceOf(SendAborted);
    expect(err).toMatchObject({ exitCode: 2, message: 'the tower refused the API key (401 unauthorized: sign in or send a valid API key)' });

    const f = fakeTower([() => json(403, { error: { code: 'source_not_allowed', message: 'this API key may send only for web' } })]);
    await expect(f.send([ev(1)])).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('source_not_allowed: this API key may send only for web') });
  });

  it('halves a batch the tower finds too large, keeping rejection indexes', async () => {
    const t = fakeTower([
      () => json(413, { error: { code: 'too_many_events', message: 'at most 2' } }),
      (e) => json(202, { accepted: e.length, duplicates: 0, rejected: [] }),
      () => json(202, { accepted: 0, duplicates: 0, rejected: [{ index: 0, errors: [{ path: 'data.qty', message: 'bad' }] }] }),
    ]);
    expect(await t.send([ev(1), ev(2), ev(3)])).toEqual({ accepted: 2, duplicates: 0, rejected: [{ index: 2, errors: [{ path: 'data.qty', message: 'bad' }] }] });
    expect(t.requests.map((r) => r.events.length)).toEqual([3, 2, 1]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
