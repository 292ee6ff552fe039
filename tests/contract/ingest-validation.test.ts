import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventType } from '../../domain/events/schemas';
import { validData } from '../support/events';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';
import { expectNotStored, expectStored, getEvent, ingest, uniqueId, uniqueSource, validEvent, type IngestResult } from './ingest-support';

/** POST /api/v1/events: strict validation with the JSON path of each problem, and never a 500. */

let t: TestTower;
let key: string;
// Known when the tables below are built; the key for it is made once the tower runs.
const source = uniqueSource('validation');

beforeAll(async () => {
  t = await startTestTower();
  key = await t.createApiKey([source]);
});

afterAll(async () => {
  await t?.stop();
});

type Data = Record<string, unknown>;
const LONG_ID = 'A'.repeat(65);
const data = (type: EventType) => structuredClone(validData[type]) as Data & { lines?: Data[]; items?: Data[] };
const withField = (type: EventType, field: string, value: unknown) => ({ ...data(type), [field]: value });
const without = (type: EventType, field: string) => {
  const d = data(type);
  delete d[field];
  return d;
};
const withLine = (type: EventType, field: string, value: unknown, list: 'lines' | 'items' = 'lines') => {
  const d = data(type);
  (d[list] as Data[])[0]![field] = value;
  return d;
};

/** [type, what is wrong, the one JSON path that must be reported, data] */
const invalidBodies: [EventType, string, string, Data][] = [
  ['item.upserted', 'negative unitPrice', 'data.unitPrice', withField('item.upserted', 'unitPrice', -0.01)],
  ['item.upserted', 'unitCost with 3 decimals', 'data.unitCost', withField('item.upserted', 'unitCost', 6.505)],
  ['item.upserted', 'missing name', 'data.name', without('item.upserted', 'name')],
  ['item.upserted', 'unknown field', 'data.foo', withField('item.upserted', 'foo', 1)],
  ['item.upserted', 'negative safetyStock', 'data.safetyStock', withField('item.upserted', 'safetyStock', -1)],
  ['item.upserted', 'money as a string', 'data.unitPrice', withField('item.upserted', 'unitPrice', '19.99')],
  ['location.upserted', 'wrong kind enum', 'data.kind', withField('location.upserted', 'kind', 'warehouse')],
  ['location.upserted', 'shipsToCustomers not a boolean', 'data.shipsToCustomers', withField('location.upserted', 'shipsToCustomers', 'yes')],
  ['location.upserted', 'locationId with a space', 'data.locationId', withField('location.upserted', 'locationId', 'DC EAST')],
  ['location.upserted', 'fractional priority', 'data.priority', withField('location.upserted', 'priority', 1.5)],
  ['channel.upserted', 'allocationShare 2', 'data.allocationShare', withField('channel.upserted', 'allocationShare', 2)],
  ['channel.upserted', 'negative allocationShare', 'data.allocationShare', withField('channel.upserted', 'allocationShare', -0.1)],
  ['channel.upserted', 'wrong kind enum', 'data.kind', withField('channel.upserted', 'kind', 'shop')],
  ['channel.upserted', 'missing allowSplit', 'data.allowSplit', without('channel.upserted', 'allowSplit')],
  ['order.created', 'qty 1.5', 'data.lines.0.qty', withLine('order.created', 'qty', 1.5)],
  ['order.created', 'qty 0', 'data.lines.0.qty', withLine('order.created', 'qty', 0)],
  ['order.created', 'qty -1', 'data.lines.0.qty', withLine('order.created', 'qty', -1)],
  ['order.created', 'negative line unitPrice', 'data.lines.0.unitPrice', withLine('order.created', 'unitPrice', -19.99)],
  ['order.created', 'line unitPrice with 3 decimals', 'data.lines.0.unitPrice', withLine('order.created', 'unitPrice', 19.999)],
  ['order.created', 'fraudScore 1.5', 'data.fraudScore', withField('order.created', 'fraudScore', 1.5)],
  ['order.created', 'wrong payment enum', 'data.payment', withField('order.created', 'payment', 'paid')],
  ['order.created', 'no lines', 'data.lines', withField('order.created', 'lines', [])],
  ['order.created', 'orderId of 65 chars', 'data.orderId', withField('order.created', 'orderId', LONG_ID)],
  ['order.created', 'orderId with a space', 'data.orderId', withField('order.created', 'orderId', 'W 1001')],
  ['order.created', 'promisedShipBy without offset', 'data.promisedShipBy', withField('order.created', 'promisedShipBy', '2026-11-27T09:00:00')],
  ['order.created', 'unknown field in a line', 'data.lines.0.discount', withLine('order.created', 'discount', 1)],
  ['order.created', 'unknown field in shipTo', 'data.shipTo.city', withField('order.created', 'shipTo', { region: 'east', city: 'NYC' })],
  ['order.created', 'missing shipTo', 'data.shipTo', without('order.created', 'shipTo')],
  ['order.payment_authorized', 'missing orderId', 'data.orderId', without('order.payment_authorized', 'orderId')],
  ['order.payment_authorized', 'unknown field', 'data.foo', withField('order.payment_authorized', 'foo', 'bar')],
  ['order.payment_failed', 'reason not a string', 'data.reason', withField('order.payment_failed', 'reason', 42)],
  ['order.cancelled', 'orderId of 65 chars', 'data.orderId', withField('order.cancelled', 'orderId', LONG_ID)],
  ['fulfillment.picked', 'sku with a space', 'data.lines.0.sku', withLine('fulfillment.picked', 'sku', 'TEE BLK')],
  ['fulfillment.picked', 'qty 0', 'data.lines.0.qty', withLine('fulfillment.picked', 'qty', 0)],
  ['fulfillment.short_picked', 'qty 0', 'data.qty', withField('fulfillment.short_picked', 'qty', 0)],
  ['fulfillment.short_picked', 'qty 1.5', 'data.qty', withField('fulfillment.short_picked', 'qty', 1.5)],
  ['fulfillment.shipped', 'missing shipmentId', 'data.shipmentId', without('fulfillment.shipped', 'shipmentId')],
  ['fulfillment.shipped', 'qty -1', 'data.lines.0.qty', withLine('fulfillment.shipped', 'qty', -1)],
  ['order.delivered', 'orderId as a number', 'data.orderId', withField('order.delivered', 'orderId', 1001)],
  ['order.delivered', 'empty orderId', 'data.orderId', withField('order.delivered', 'orderId', '')],
  ['stock.received', 'qty -3', 'data.qty', withField('stock.received', 'qty', -3)],
  ['stock.received', 'qty as a string', 'data.qty', withField('stock.received', 'qty', '10')],
  ['stock.adjusted', 'delta 1.5', 'data.delta', withField('stock.adjusted', 'delta', 1.5)],
  ['stock.adjusted', 'delta 0', 'data.delta', withField('stock.adjusted', 'delta', 0)],
  ['stock.adjusted', 'wrong reason enum', 'data.reason', withField('stock.adjusted', 'reason', 'theft')],
  ['stock.counted', 'negative countedQty', 'data.countedQty', withField('stock.counted', 'countedQty', -1)],
  ['stock.counted', 'fractional countedQty', 'data.countedQty', withField('stock.counted', 'countedQty', 8.5)],
  ['stock.transfer_shipped', 'qty 2.5', 'data.lines.0.qty', withLine('stock.transfer_shipped', 'qty', 2.5)],
  ['stock.transfer_shipped', 'toLocationId with a space', 'data.toLocationId', withField('stock.transfer_shipped', 'toLocationId', 'STORE WEST')],
  ['stock.transfer_received', 'missing lines', 'data.lines', without('stock.transfer_received', 'lines')],
  ['stock.transfer_received', 'transferId of 65 chars', 'data.transferId', withField('stock.transfer_received', 'transferId', LONG_ID)],
  ['channel.stock_snapshot', 'negative listedQty', 'data.items.0.listedQty', withLine('channel.stock_snapshot', 'listedQty', -1, 'items')],
  ['channel.stock_snapshot', 'no items', 'data.items', withField('channel.stock_snapshot', 'items', [])],
  ['return.received', 'unknown field in a line', 'data.lines.0.foo', withLine('return.received', 'foo', 1)],
  ['return.received', 'returnId with a slash', 'data.returnId', withField('return.received', 'returnId', 'R/1')],
  ['return.inspected', 'wrong disposition enum', 'data.lines.0.disposition', withLine('return.inspected', 'disposition', 'trash')],
  ['return.inspected', 'qty 0', 'data.lines.0.qty', withLine('return.inspected', 'qty', 0)],
  ['refund.issued', 'negative amount', 'data.amount', withField('refund.issued', 'amount', -1)],
  ['refund.issued', 'amount with 3 decimals', 'data.amount', withField('refund.issued', 'amount', 10.001)],
  ['refund.issued', 'returnId with a space', 'data.returnId', withField('refund.issued', 'returnId', 'R 1')],
];

async function expectRejected(body: unknown, index: number, id: string | undefined, paths: string[]): Promise<IngestResult> {
  const { body: result } = await ingest(t, key, body);
  expect(result.accepted).toBe(0);
  expect(result.duplicates).toBe(0);
  expect(result.rejected).toHaveLength(1);
  const [r] = result.rejected;
  expect(r!.index).toBe(index);
  expect(r!.id).toBe(id);
  expect([...new Set(r!.errors.map((e) => e.path))].sort()).toEqual([...paths].sort());
  for (const e of r!.errors) expect(e.message).toEqual(expect.stringMatching(/\S/));
  return result;
}

describe('invalid bodies of every event type', () => {
  it('has at least one invalid body for each of the 20 types', () => {
    expect(new Set(invalidBodies.map(([type]) => type)).size).toBe(Object.keys(validData).length);
  });

  it.each(invalidBodies)('rejects %s with %s at %s, and stores nothing', async (type, _what, path, body) => {
    const e = validEvent(type, source, { data: body });
    await expectRejected(e, 0, e.id, [path]);
    await expectNotStored(t, key, [e]);
  });

  it('reports every problem of one event, each with its own path', async () => {
    const d = data('order.created');
    d.lines![0]!.qty = 0;
    d.lines![0]!.unitPrice = -1;
    d.payment = 'paid';
    const e = validEvent('order.created', source, { data: d });
    await expectRejected(e, 0, e.id, ['data.lines.0.qty', 'data.lines.0.unitPrice', 'data.payment']);
  });

  it('names each unknown field with its own JSON path', async () => {
    // The spec asks for "the JSON path of each problem": two unknown fields are two paths.
    const e = validEvent('order.delivered', source, { data: { ...data('order.delivered'), foo: 1, bar: 2 } });
    await expectRejected(e, 0, e.id, ['data.bar', 'data.foo']);
  });
});

describe('envelope', () => {
  const minutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
  const envelopeCases: [string, Record<string, unknown>, string][] = [
    ['unknown type', { type: 'order.updated' }, 'type'],
    ['type of another case', { type: 'Order.Created' }, 'type'],
    ['source with uppercase', { source: 'Shop-Web' }, 'source'],
    ['source of 65 chars', { source: 'a'.repeat(65) }, 'source'],
    ['empty source', { source: '' }, 'source'],
    ['occurredAt without offset', { occurredAt: '2026-11-27T09:00:00' }, 'occurredAt'],
    ['occurredAt not a date', { occurredAt: 'yesterday' }, 'occurredAt'],
    ['occurredAt as epoch millis', { occurredAt: Date.now() }, 'occurredAt'],
    ['occurredAt 10 minutes in the future', { occurredAt: minutes(10) }, 'occurredAt'],
    ['id of 129 chars', { id: 'i'.repeat(129) }, 'id'],
    ['empty id', { id: '' }, 'id'],
    ['unknown top-level field', { foo: 'bar' }, 'foo'],
  ];

  it.each(envelopeCases)('rejects %s at %s', async (_what, over, path) => {
    const e = { ...validEvent('order.delivered', source), ...over };
    await expectRejected(e, 0, typeof e.id === 'string' ? e.id : undefined, [path]);
    if (typeof e.source === 'string' && e.id) {
      const res = await getEvent(t, key, source, String(e.id));
      expect(res.status).toBe(404);
    }
  });

  it('rejects an event without id and reports it by index only', async () => {
    const { id: _id, ...e } = validEvent('order.delivered', source);
    const result = await expectRejected([e], 0, undefined, ['id']);
    expect(result.rejected[0]).not.toHaveProperty('id');
  });

  it('rejects an event without data', async () => {
    const { data: _data, ...e } = validEvent('order.delivered', source);
    await expectRejected(e, 0, e.id, ['data']);
  });

  it('accepts occurredAt 4 minutes in the future and with a non-UTC offset', async () => {
    const soon = validEvent('order.delivered', source, { occurredAt: minutes(4) });
    const offset = validEvent('order.delivered', source, { occurredAt: '2026-11-27T09:00:00.000+05:30' });
    expect((await ingest(t, key, [soon, offset])).body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const stored = (await (await getEvent(t, key, source, offset.id)).json()) as { occurredAt: string };
    expect(stored.occurredAt).toBe('2026-11-27T03:30:00.000Z');
  });

  it('accepts ids of 128 chars and identifiers of 64 chars (the limits themselves)', async () => {
    const e = validEvent('order.delivered', source, { id: uniqueId('x').padEnd(128, 'x'), data: { orderId: 'O'.repeat(64) } });
    expect((await ingest(t, key, e)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    await expectStored(t, key, { source, id: e.id, type: 'order.delivered' });
  });

  it('rejects a NUL character in data, in the id and in a field name (not a 500)', async () => {
    const inName = validEvent('item.upserted', source, { data: { ...data('item.upserted'), name: 'Black\u0000tee' } });
    const inId = validEvent('order.delivered', source, { id: `${uniqueId('nul')}\u0000` });
    const inKey = validEvent('order.delivered', source, { data: { orderId: 'W-1', ['x\u0000']: 1 } });
    const res = await t.postEvents(key, [inName, inId, inKey]);
    expect(res.status).toBe(202);
    const result = (await res.json()) as IngestResult;
    expect(result.accepted).toBe(0);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(result.rejected[0]!.errors.map((e) => e.path)).toEqual(['data.name']);
    expect(result.rejected[1]!.errors.map((e) => e.path)).toEqual(['id']);
    expect(result.rejected[2]!.errors.length).toBeGreaterThan(0);
    await expectNotStored(t, key, [inName]);
  });

  it('rejects an unpaired surrogate (it cannot be stored) instead of failing', async () => {
    const e = validEvent('item.upserted', source, { data: { ...data('item.upserted'), name: 'tee \ud800' } });
    await expectRejected(e, 0, e.id, ['data.name']);
  });
});

describe('never a 500 for anything a client sends', () => {
  const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const env = (over: string) =>
    `{"id":"odd-${Math.random().toString(36).slice(2)}","type":"item.upserted","source":"${source}","occurredAt":"${new Date().toISOString()}",${over}}`;
  const oddBodies: [string, string][] = [
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"str"'],
    ['true', 'true'],
    ['[null]', '[null]'],
    ['[[]]', '[[]]'],
    ['[{}]', '[{}]'],
    ['{}', '{}'],
    ['[1, "a", false, null]', '[1,"a",false,null]'],
    ['an object nested 5,000 deep', deepObject(5_000)],
    ['an object nested 100,000 deep', deepObject(100_000)],
    ['an array nested 100,000 deep', deepArray(100_000)],
    ['data nested 100,000 deep', env(`"data":${deepObject(100_000)}`)],
    ['money of 1e400 (Infinity once parsed)', env('"data":{"sku":"A","name":"n","unitCost":1e400,"unitPrice":-1e400}')],
    ['a 30-digit integer as qty', `{"id":"q30","type":"stock.received","source":"${source}","occurredAt":"2026-11-27T09:00:00Z","data":{"locationId":"L","sku":"A","qty":123456789012345678901234567890}}`],
    ['id as a number', '{"id":12,"type":"order.delivered","source":"x","occurredAt":"2026-11-27T09:00:00Z","data":{"orderId":"W"}}'],
    ['id as an object', '{"id":{"toString":"x"},"type":"order.delivered","source":"x","occurredAt":"2026-11-27T09:00:00Z","data":{}}'],
    ['data.__proto__', '{"data": {"__proto__": {}}}'],
    ['__proto__ at the top', env('"data":{},"__proto__":{"polluted":true}')],
    ['__proto__ in data', env('"data":{"__proto__":{"sku":"A"},"sku":"A","name":"n","unitCost":1,"unitPrice":1}')],
    ['constructor.prototype', env('"data":{"constructor":{"prototype":{"polluted":true}}}')],
    ['type __proto__', '{"id":"p1","type":"__proto__","source":"x","occurredAt":"2026-11-27T09:00:00Z","data":{}}'],
    ['type toString', '{"id":"p2","type":"toString","source":"x","occurredAt":"2026-11-27T09:00:00Z","data":{}}'],
    ['type constructor', '{"id":"p3","type":"constructor","source":"x","occurredAt":"2026-11-27T09:00:00Z","data":{}}'],
    ['type hasOwnProperty', '{"id":"p4","type":"hasOwnProperty","source":"x","occurredAt":"2026-11-27T09:00:00Z","data":{}}'],
    ['type as an array', '{"id":"p5","type":["order.delivered"],"source":"x","occurredAt":"2026-11-27T09:00:00Z","data":{}}'],
    ['a 1 MB string', env(`"data":{"sku":"A","name":"${'n'.repeat(1_000_000)}","unitCost":1,"unitPrice":1}`)],
    ['unicode everywhere', env('"data":{"sku":"Ä","name":"👕","unitCost":1,"unitPrice":1}')],
    ['a lone surrogate key', env('"data":{"\\ud800":1}')],
    ['a BOM before the JSON', '\ufeff{}'],
    ['trailing garbage', '{} x'],
    ['only whitespace', ' \n\t '],
    ['a single bracket', '['],
  ];

  it.each(oddBodies)('answers %s with 202 + rejections or 400', async (_what, body) => {
    const res = await t.postEvents(key, body);
    const text = await res.text();
    expect([202, 400], `${res.status} ${text.slice(0, 300)}`).toContain(res.status);
    const json = JSON.parse(text) as IngestResult & { error?: { code: string } };
    if (res.status === 202) {
      expect(json.accepted).toBe(0);
      expect(json.rejected.length).toBeGreaterThan(0);
    } else {
      expect(json.error?.code).toEqual(expect.any(String));
    }
  });

  const oddHeaders: [string, Record<string, string>, string][] = [
    ['an unknown charset', { 'content-type': 'application/json; charset=klingon' }, '{}'],
    ['an unknown Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'klingon' }, '{}'],
    ['gzip Content-Encoding with a body that is not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, '{}'],
  ];

  it.each(oddHeaders)('answers a body with %s with a 4xx, never a 5xx', async (_what, headers, body) => {
    const res = await fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers }, body });
    const text = await res.text();
    expect(res.status, text).toBeGreaterThanOrEqual(400);
    expect(res.status, text).toBeLessThan(500);
  });

  it('reads a latin1 body and an NDJSON body with a charset parameter like any other', async () => {
    const e = validEvent('item.upserted', source, { data: { ...data('item.upserted'), name: 'Tee caf\u00e9' } });
    const latin1 = await fetch(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json; charset=latin1' },
      body: Buffer.from(JSON.stringify(e), 'latin1'),
    });
    expect(latin1.status).toBe(202);
    expect(((await latin1.json()) as IngestResult).accepted).toBe(1);

    const a = validEvent('order.delivered', source);
    const nd = await t.postEvents(key, `${JSON.stringify(a)}\n{}\n`, 'application/x-ndjson; charset=utf-8');
    expect(nd.status).toBe(202);
    const result = (await nd.json()) as IngestResult;
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([1]);
  });

  it('still serves after all of that', async () => {
    const e = validEvent('order.delivered', source);
    expect((await ingest(t, key, e)).body.accepted).toBe(1);
  });
});

describe('events that pass the schema but exceed what can be stored', () => {
  // The schema sets no upper bound on quantities, priorities or money; the database columns do
  // (integer, numeric(14,2), numeric(8,2)). An accepted event must still be applied (or kept with
  // an apply error), and must never hold back the valid events sent with it.
  const cases: [string, EventType, Data][] = [
    ['order qty of 3,000,000,000 (a safe integer)', 'order.created', withLine('order.created', 'qty', 3_000_000_000)],
    ['item unitCost of 1e15', 'item.upserted', withField('item.upserted', 'unitCost', 1e15)],
    ['location priority of 3,000,000,000', 'location.upserted', withField('location.upserted', 'priority', 3_000_000_000)],
    ['channel slaHours of 10,000,000', 'channel.upserted', withField('channel.upserted', 'slaHours', 10_000_000)],
  ];

  it.each(cases)('%s: either rejected with a path, or accepted and applied together with its batch', async (_what, type, d) => {
    const big = validEvent(type, source, { data: { ...d, ...uniqueKeyFor(type) } });
    const normal = validEvent('order.delivered', source);
    const { body } = await ingest(t, key, [big, normal]);
    if (body.rejected.length > 0) {
      expect(body.rejected[0]!.index).toBe(0);
      expect(body.rejected[0]!.errors[0]!.path).toMatch(/^data\./);
      expect(body.accepted).toBe(1);
    } else {
      expect(body.accepted).toBe(2);
    }
    // Whatever was accepted is applied within a few seconds (the sweeper retries every 200 ms here);
    // the ordinary event sent alongside is checked first.
    const accepted = body.rejected.length > 0 ? [normal] : [normal, big];
    for (const e of accepted) {
      await waitFor(`${e.type} ${e.id} applied`, async () => {
        const res = await getEvent(t, key, source, e.id);
        return res.status === 200 && ((await res.json()) as { appliedAt: string | null }).appliedAt !== null;
      }, 5_000);
    }
  });
});

function uniqueKeyFor(type: EventType): Data {
  const id = uniqueId('BIG');
  if (type === 'order.created') return { orderId: id };
  if (type === 'item.upserted') return { sku: id };
  if (type === 'location.upserted') return { locationId: id };
  return { channel: id };
}

it('keeps a rejected event out of the store so that a later corrected event with the same id is accepted', async () => {
  const bad = validEvent('stock.received', source, { data: { ...data('stock.received'), qty: 0 } });
  await expectRejected(bad, 0, bad.id, ['data.qty']);
  await expectNotStored(t, key, [bad]);
  const fixed = { ...bad, data: data('stock.received') };
  expect((await ingest(t, key, fixed)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  await expectStored(t, key, { source, id: bad.id, type: 'stock.received' });
});
