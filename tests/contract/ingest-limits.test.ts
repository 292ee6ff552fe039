import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTower, type TestTower } from '../support/tower';
import { expectNotStored, expectStored, ingest, toNdjson, uniqueSource, validEvent, type ErrorBody, type IngestResult } from './ingest-support';

/** POST /api/v1/events: malformed and oversized bodies, authentication, source permissions, rate limit. */

let t: TestTower;
let limited: TestTower | undefined;

beforeAll(async () => {
  t = await startTestTower();
});

afterAll(async () => {
  await Promise.all([t?.stop(), limited?.stop()]);
});

async function expectError(res: Response, status: number, code?: string): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toEqual(expect.stringMatching(/\S/));
  expect(body.error.message).toEqual(expect.stringMatching(/\S/));
  if (code) expect(body.error.code).toBe(code);
  return body;
}

describe('400: malformed or empty bodies accept nothing', () => {
  it('refuses malformed JSON with { error: { code, message } }, even when it starts with valid events', async () => {
    const source = uniqueSource('malformed');
    const key = await t.createApiKey([source]);
    const e = validEvent('item.upserted', source);
    const body = `[${JSON.stringify(e)}, {"id": "x",]`;
    await expectError(await t.postEvents(key, body), 400, 'malformed_json');
    await expectNotStored(t, key, [e]);
  });

  it.each([
    ['an empty body', ''],
    ['a body of whitespace', '  \n '],
    ['an empty array', '[]'],
  ])('refuses %s', async (_what, body) => {
    const key = await t.createApiKey([uniqueSource('empty')]);
    await expectError(await t.postEvents(key, body), 400);
  });

  it('refuses NDJSON with only blank lines', async () => {
    const key = await t.createApiKey([uniqueSource('empty-nd')]);
    await expectError(await t.postEvents(key, '\n\n  \n', 'application/x-ndjson'), 400);
  });
});

describe('413: too many events or too many bytes accept nothing', () => {
  it('refuses 5,001 tiny events in a JSON array', async () => {
    const source = uniqueSource('too-many');
    const key = await t.createApiKey([source]);
    const events = Array.from({ length: 5001 }, () => validEvent('order.delivered', source));
    await expectError(await t.postEvents(key, events), 413);
    await expectNotStored(t, key, [events[0]!, events[5000]!]);
  });

  it('refuses 5,001 tiny events as NDJSON', async () => {
    const source = uniqueSource('too-many-nd');
    const key = await t.createApiKey([source]);
    const events = Array.from({ length: 5001 }, () => validEvent('order.delivered', source));
    await expectError(await t.postEvents(key, toNdjson(events), 'application/x-ndjson'), 413);
    await expectNotStored(t, key, [events[0]!, events[5000]!]);
  });

  it('refuses a body over 5 MiB even with few events', async () => {
    const source = uniqueSource('too-big');
    const key = await t.createApiKey([source]);
    const e = validEvent('item.upserted', source);
    const padding = validEvent('order.cancelled', source, { data: { orderId: 'W-1', reason: 'x'.repeat(5 * 1024 * 1024) } });
    const body = JSON.stringify([e, padding]);
    expect(Buffer.byteLength(body)).toBeGreaterThan(5 * 1024 * 1024);
    await expectError(await t.postEvents(key, body), 413);
    await expectNotStored(t, key, [e, padding]);
  });

  it('refuses an NDJSON body over 5 MiB made of many valid lines under the event limit', async () => {
    const source = uniqueSource('too-big-nd');
    const key = await t.createApiKey([source]);
    const lines = Array.from({ length: 30 }, (_, i) => ({ sku: `SKU-${i}`, qty: 1, unitPrice: 1.25 }));
    const events = Array.from({ length: 4000 }, () =>
      validEvent('order.created', source, { data: { orderId: 'W-1', channel: 'web', lines, shipTo: { region: 'east' }, payment: 'pending' } }),
    );
    const body = toNdjson(events);
    expect(Buffer.byteLength(body)).toBeGreaterThan(5 * 1024 * 1024);
    await expectError(await t.postEvents(key, body, 'application/x-ndjson'), 413);
    await expectNotStored(t, key, [events[0]!, events[3999]!]);
  });

  it('still accepts a body just under 5 MiB', async () => {
    const source = uniqueSource('under');
    const key = await t.createApiKey([source]);
    const e = validEvent('order.delivered', source);
    const body = JSON.stringify(e).padEnd(5 * 1024 * 1024 - 16, ' ');
    const { body: result } = await ingest(t, key, body);
    expect(result).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });
});

describe('401: no or unknown credentials', () => {
  const post = (headers: Record<string, string>, body: unknown) =>
    fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it.each([
    ['no Authorization header', {}],
    ['an unknown key', { authorization: 'Bearer ct_00000000_thisKeyWasNeverIssuedByTheTower0000000000000' }],
    ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer without a key', { authorization: 'Bearer' }],
    ['Bearer with two tokens', { authorization: 'Bearer a b' }],
    ['the key without the Bearer scheme', { authorization: 'ct_00000000_abc' }],
  ])('refuses %s with 401 unauthorized and stores nothing', async (_what, headers) => {
    const source = uniqueSource('unauth');
    const key = await t.createApiKey([source]);
    const e = validEvent('order.delivered', source);
    await expectError(await post(headers, e), 401, 'unauthorized');
    await expectNotStored(t, key, [e]);
  });

  it('refuses a revoked key at once', async () => {
    const source = uniqueSource('revoked');
    const key = await t.createApiKey([source]);
    const other = await t.createApiKey([source]);
    const before = validEvent('order.delivered', source);
    expect((await ingest(t, key, before)).body.accepted).toBe(1);

    const list = (await (await fetch(`${t.url}/api/v1/api-keys`, { headers: { cookie: t.adminCookie } })).json()) as {
      apiKeys: { id: string; keyPrefix: string }[];
    };
    const entry = list.apiKeys.find((k) => key.startsWith(`${k.keyPrefix}_`));
    expect(entry).toBeDefined();
    const del = await fetch(`${t.url}/api/v1/api-keys/${entry!.id}`, { method: 'DELETE', headers: { cookie: t.adminCookie, origin: t.url } });
    expect(del.status).toBe(204);

    const after = validEvent('order.delivered', source);
    await expectError(await t.postEvents(key, after), 401, 'unauthorized');
    await expectNotStored(t, other, [after]);
    await expectStored(t, other, { source, id: before.id, type: 'order.delivered' });
  });
});

describe('403: sources a key was not issued for, and people without a key', () => {
  it('refuses the whole request when one event is for another source, accepting nothing of it', async () => {
    const mine = uniqueSource('mine');
    const theirs = uniqueSource('theirs');
    const key = await t.createApiKey([mine]);
    const reader = await t.createApiKey([mine, theirs]);
    const allowed = validEvent('order.delivered', mine);
    const foreign = validEvent('order.delivered', theirs);
    const allowed2 = validEvent('stock.received', mine);

    const body = await expectError(await t.postEvents(key, [allowed, foreign, allowed2]), 403, 'source_not_allowed');
    expect(JSON.stringify(body.error.details)).toContain(foreign.id);
    await expectNotStored(t, reader, [allowed, foreign, allowed2]);
  });

  it('refuses an NDJSON body with a foreign source just the same', async () => {
    const mine = uniqueSource('mine-nd');
    const key = await t.createApiKey([mine]);
    const allowed = validEvent('order.delivered', mine);
    const foreign = validEvent('order.delivered', uniqueSource('theirs-nd'));
    await expectError(await t.postEvents(key, toNdjson([allowed, foreign]), 'application/x-ndjson'), 403, 'source_not_allowed');
    await expectNotStored(t, key, [allowed]);
  });

  it('does not let a key read events of a source it was not issued for', async () => {
    const a = uniqueSource('read-a');
    const b = uniqueSource('read-b');
    const keyA = await t.createApiKey([a]);
    const keyB = await t.createApiKey([b]);
    const e = validEvent('order.delivered', b);
    expect((await ingest(t, keyB, e)).body.accepted).toBe(1);
    const res = await fetch(`${t.url}/api/v1/events/${b}/${e.id}`, { headers: { authorization: `Bearer ${keyA}` } });
    await expectError(res, 403);
  });

  it('refuses a signed-in user posting events (an API key is needed), and stores nothing', async () => {
    const source = uniqueSource('cookie');
    const key = await t.createApiKey([source]);
    const e = validEvent('order.delivered', source);
    const res = await fetch(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: t.adminCookie, origin: t.url },
      body: JSON.stringify(e),
    });
    await expectError(res, 403, 'forbidden');
    await expectNotStored(t, key, [e]);
  });
});

describe('429: per-key rate limit', () => {
  it('answers some of 10 concurrent requests with 429 and Retry-After, and stores exactly the others', async () => {
    limited = await startTestTower({ INGEST_RATE_LIMIT: '3' });
    const source = uniqueSource('rate');
    const key = await limited.createApiKey([source]);
    const events = Array.from({ length: 10 }, () => validEvent('order.delivered', source));
    const responses = await Promise.all(events.map((e) => limited!.postEvents(key, e)));

    const accepted: number[] = [];
    const limitedIdx: number[] = [];
    for (const [i, res] of responses.entries()) {
      if (res.status === 202) {
        expect(((await res.json()) as IngestResult).accepted).toBe(1);
        accepted.push(i);
      } else {
        const body = await expectError(res, 429, 'rate_limited');
        expect(body.error.message).toMatch(/\S/);
        const retryAfter = res.headers.get('retry-after');
        expect(retryAfter).toMatch(/^\d+$/);
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
        limitedIdx.push(i);
      }
    }
    expect(limitedIdx.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length + limitedIdx.length).toBe(10);

    const reader = await limited.createApiKey([source]);
    for (const i of accepted) await expectStored(limited, reader, { source, id: events[i]!.id, type: 'order.delivered' });
    await expectNotStored(limited, reader, limitedIdx.map((i) => events[i]!));
  });

  it('counts per key: another key is not held back by the first one', async () => {
    expect(limited).toBeDefined();
    const source = uniqueSource('rate-other');
    const busy = await limited!.createApiKey([source]);
    const quiet = await limited!.createApiKey([source]);
    await Promise.all(Array.from({ length: 6 }, () => limited!.postEvents(busy, validEvent('order.delivered', source))));
    const e = validEvent('order.delivered', source);
    const res = await limited!.postEvents(quiet, e);
    expect(res.status).toBe(202);
    expect(((await res.json()) as IngestResult).accepted).toBe(1);
  });
});
