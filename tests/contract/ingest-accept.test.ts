import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '../../domain/events/schemas';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';
import {
  expectNotStored,
  expectStored,
  getEvent,
  ingest,
  toNdjson,
  uniqueId,
  uniqueSource,
  validEvent,
  type ErrorBody,
  type IngestResult,
} from './ingest-support';

/** POST /api/v1/events: what is accepted, applied, de-duplicated, and how batches are reported. */

let t: TestTower;

beforeAll(async () => {
  t = await startTestTower();
});

afterAll(async () => {
  await t?.stop();
});

describe('every event type of the contract', () => {
  it('covers all 20 types of the spec', () => {
    expect(eventTypes).toHaveLength(20);
  });

  it.each(eventTypes)('accepts a valid %s and applies it', async (type) => {
    const source = uniqueSource('accept');
    const key = await t.createApiKey([source]);
    const e = validEvent(type, source);

    const { body } = await ingest(t, key, e);
    expect(body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

    const stored = await waitFor(`${type} applied`, async () => {
      const res = await getEvent(t, key, source, e.id);
      if (res.status !== 200) return null;
      const json = (await res.json()) as { appliedAt: string | null };
      return json.appliedAt ? json : null;
    }, 10_000);
    expect(stored).toMatchObject({ source, id: e.id, type });
    expect(Date.parse(stored.appliedAt!)).not.toBeNaN();
  });
});

describe('duplicates: (source, id) is the idempotency key', () => {
  it('answers duplicates:1 for the same (source, id) in a later request, even with a different body, and keeps the first', async () => {
    const source = uniqueSource('dup');
    const key = await t.createApiKey([source]);
    const first = validEvent('item.upserted', source);
    expect((await ingest(t, key, first)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

    const second = validEvent('order.created', source, { id: first.id });
    expect((await ingest(t, key, second)).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    // The stored event is still the first one.
    await expectStored(t, key, { source, id: first.id, type: 'item.upserted' });
  });

  it('counts a repeat inside one request as a duplicate', async () => {
    const source = uniqueSource('dup-in');
    const key = await t.createApiKey([source]);
    const e = validEvent('stock.received', source);
    const other = validEvent('stock.counted', source, { id: e.id });
    expect((await ingest(t, key, [e, e, other])).body).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
    await expectStored(t, key, { source, id: e.id, type: 'stock.received' });
  });

  it('does not treat the same id from another source as a duplicate', async () => {
    const a = uniqueSource('dup-a');
    const b = uniqueSource('dup-b');
    const key = await t.createApiKey([a, b]);
    const id = uniqueId('shared');
    const ea = validEvent('order.delivered', a, { id });
    const eb = validEvent('order.cancelled', b, { id });
    expect((await ingest(t, key, ea)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await ingest(t, key, eb)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    await expectStored(t, key, { source: a, id, type: 'order.delivered' });
    await expectStored(t, key, { source: b, id, type: 'order.cancelled' });
  });

  it('accepts exactly one of 10 racing requests with the same event', async () => {
    const source = uniqueSource('race');
    const key = await t.createApiKey([source]);
    const e = validEvent('order.created', source);
    const results = await Promise.all(Array.from({ length: 10 }, () => ingest(t, key, e)));
    const accepted = results.reduce((n, r) => n + r.body.accepted, 0);
    const duplicates = results.reduce((n, r) => n + r.body.duplicates, 0);
    expect(accepted).toBe(1);
    expect(duplicates).toBe(9);
    const rows = await t.db.sql`SELECT seq FROM events WHERE source = ${source}`;
    expect(rows).toHaveLength(1);
  });
});

describe('mixed batches', () => {
  it('accepts the valid events of a JSON array and reports each invalid one with its index and id', async () => {
    const source = uniqueSource('mixed');
    const key = await t.createApiKey([source]);
    const ok1 = validEvent('item.upserted', source);
    const bad1 = validEvent('stock.received', source, { data: { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 0 } });
    const ok2 = validEvent('stock.adjusted', source);
    const { id: _noId, ...bad2 } = validEvent('order.delivered', source);
    const bad3 = validEvent('refund.issued', source, { data: { orderId: 'W-1001', amount: -1 } });

    const { body } = await ingest(t, key, [ok1, bad1, ok2, bad2, bad3]);
    expect(body.accepted).toBe(2);
    expect(body.duplicates).toBe(0);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 3, 4]);
    expect(body.rejected[0]).toMatchObject({ index: 1, id: bad1.id, errors: [{ path: 'data.qty' }] });
    // An event without an id is reported by index only.
    expect(body.rejected[1]!.id).toBeUndefined();
    expect(body.rejected[1]!.errors.map((e) => e.path)).toEqual(['id']);
    expect(body.rejected[2]).toMatchObject({ index: 4, id: bad3.id, errors: [{ path: 'data.amount' }] });

    await expectStored(t, key, { source, id: ok1.id, type: 'item.upserted' });
    await expectStored(t, key, { source, id: ok2.id, type: 'stock.adjusted' });
    await expectNotStored(t, key, [bad1, bad3]);
  });

  it('handles NDJSON the same way, ignoring blank lines (and CRLF line ends)', async () => {
    const source = uniqueSource('ndjson');
    const key = await t.createApiKey([source]);
    const ok1 = validEvent('location.upserted', source);
    const bad = validEvent('channel.upserted', source, { data: { ...validEventData('channel.upserted'), allocationShare: 2 } });
    const ok2 = validEvent('channel.stock_snapshot', source);
    const ndjson = ['', JSON.stringify(ok1), '   ', '', JSON.stringify(bad) + '\r', '\t', JSON.stringify(ok2), '', ''].join('\n');

    const { body } = await ingest(t, key, ndjson, 'application/x-ndjson');
    expect(body.accepted).toBe(2);
    expect(body.duplicates).toBe(0);
    // Indexes count events, not lines.
    expect(body.rejected).toEqual([{ index: 1, id: bad.id, errors: [{ path: 'data.allocationShare', message: expect.any(String) }] }]);
    await expectStored(t, key, { source, id: ok1.id, type: 'location.upserted' });
    await expectStored(t, key, { source, id: ok2.id, type: 'channel.stock_snapshot' });
    await expectNotStored(t, key, [bad]);
  });

  it('refuses a whole NDJSON body with one malformed line (400) and accepts nothing of it', async () => {
    const source = uniqueSource('ndjson-bad');
    const key = await t.createApiKey([source]);
    const before = validEvent('order.created', source);
    const after = validEvent('order.cancelled', source);
    const body = `${JSON.stringify(before)}\n{"id": "broken", "type": \n${JSON.stringify(after)}\n`;

    const res = await t.postEvents(key, body, 'application/x-ndjson');
    expect(res.status).toBe(400);
    const err = (await res.json()) as ErrorBody;
    expect(err.error.code).toEqual(expect.any(String));
    expect(err.error.message).toMatch(/line 2/);
    await expectNotStored(t, key, [before, after]);
  });

  it('treats a JSON array sent as NDJSON on one line as one (invalid) event, not as a batch', async () => {
    const source = uniqueSource('ndjson-arr');
    const key = await t.createApiKey([source]);
    const a = validEvent('order.delivered', source);
    const b = validEvent('order.delivered', source);
    const { body } = await ingest(t, key, JSON.stringify([a, b]) + '\n' + JSON.stringify(b) + '\n', 'application/x-ndjson');
    expect(body.accepted).toBe(1);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]!.index).toBe(0);
    await expectNotStored(t, key, [a]);
    await expectStored(t, key, { source, id: b.id, type: 'order.delivered' });
  });

  it('accepts an NDJSON batch of exactly 5,000 events (the documented maximum)', async () => {
    const source = uniqueSource('max');
    const key = await t.createApiKey([source]);
    const events = Array.from({ length: 5000 }, () => validEvent('order.payment_authorized', source));
    const res = await t.postEvents(key, toNdjson(events), 'application/x-ndjson');
    expect(res.status).toBe(202);
    expect((await res.json()) as IngestResult).toEqual({ accepted: 5000, duplicates: 0, rejected: [] });
    await expectStored(t, key, { source, id: events[4999]!.id, type: 'order.payment_authorized' });
  });
});

function validEventData(type: Parameters<typeof validEvent>[0]) {
  return validEvent(type, 'x').data;
}
