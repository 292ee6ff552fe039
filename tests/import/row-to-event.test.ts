import { describe, expect, it } from 'vitest';
import { readHeader, type Layout } from '../../realtime/cli/import/header';
import { findKind } from '../../realtime/cli/import/kinds';
import { columnFor, rowToEvent, type EventContext, type RowResult } from '../../realtime/cli/import/row-to-event';

const now = new Date('2026-11-27T09:00:00.000Z');
const ctx: EventContext = { source: 'erp', occurredAt: now.toISOString(), now, maxFutureSkewMs: 300_000 };

function layout(header: string): Layout {
  const h = readHeader(header.split(','));
  if (!h.ok) throw new Error(h.message);
  return h.layout;
}
const row = (l: Layout, csv: string, line = 2, c = ctx): RowResult => rowToEvent(l, { line, fields: csv.split(',') }, c);
function ok(r: RowResult) {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.event;
}
function problems(r: RowResult) {
  if (r.ok) throw new Error('expected the row to fail');
  return r.problems;
}

const items = layout('sku,name,unitCost,unitPrice,safetyStock');
const locations = layout('locationId,name,kind,region,shipsToCustomers,priority');
const stock = layout('locationId,sku,qty,reference');

describe('readHeader', () => {
  it('tells the kind from the header, in any order and case', () => {
    expect(items.kind.name).toBe('items');
    expect(locations.kind.name).toBe('locations');
    expect(stock.kind.name).toBe('stock');
    const l = layout(' QTY ,SKU,locationid');
    expect(l.kind.name).toBe('stock');
    expect(l.columns.map((c) => [c.column.name, c.index, c.header])).toEqual([
      ['locationId', 2, 'locationid'],
      ['sku', 1, 'SKU'],
      ['qty', 0, 'QTY'],
      ['reference', undefined, 'reference'],
    ]);
  });

  it('refuses headers it cannot place, naming what is missing or unknown', () => {
    expect(readHeader(['foo', 'bar'])).toMatchObject({ ok: false, message: expect.stringContaining('cannot tell the kind') });
    expect(readHeader(['sku', 'name', 'unitCost', 'unitPrice', 'colour'])).toEqual({
      ok: false,
      message: 'header does not fit items (sku,name,unitCost,unitPrice,[safetyStock]): unknown "colour"',
    });
    expect(readHeader(['sku', 'qty'], findKind('stock'))).toMatchObject({ ok: false, message: expect.stringContaining('missing locationId') });
    expect(readHeader(['sku', 'SKU', 'qty', 'locationId'])).toMatchObject({ ok: false, message: 'the header names column "sku" twice' });
  });
});

describe('rowToEvent: mapping', () => {
  it('makes an item.upserted with converted numbers, the source and occurredAt', () => {
    const e = ok(row(items, 'TEE-BLK-M, Black tee M ,6.5,19.99,2'));
    expect(e).toEqual({
      id: expect.stringMatching(/^import:items:[0-9a-f]{64}$/),
      type: 'item.upserted',
      source: 'erp',
      occurredAt: '2026-11-27T09:00:00.000Z',
      data: { sku: 'TEE-BLK-M', name: 'Black tee M', unitCost: 6.5, unitPrice: 19.99, safetyStock: 2 },
    });
  });

  it('converts booleans and lower-cases the location kind', () => {
    for (const [cell, value] of [['true', true], ['YES', true], ['1', true], ['false', false], ['no', false], ['0', false]] as const) {
      expect(ok(row(locations, `DC-EAST,East DC,DC,east,${cell},1`)).data).toEqual({
        locationId: 'DC-EAST', name: 'East DC', kind: 'dc', region: 'east', shipsToCustomers: value, priority: 1,
      });
    }
  });

  it('makes a stock.received, with an optional reference', () => {
    expect(ok(row(stock, 'DC-EAST,TEE-BLK-M,10,PO-1'))).toMatchObject({ type: 'stock.received', data: { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 10, reference: 'PO-1' } });
    expect(ok(row(stock, 'DC-EAST,TEE-BLK-M,10,')).data).toEqual({ locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 10 });
    // A short row leaves its missing trailing cells empty.
    expect(ok(row(stock, 'DC-EAST,TEE-BLK-M,10')).data).toEqual({ locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 10 });
    expect(problems(row(stock, 'DC-EAST,TEE-BLK-M'))).toEqual([{ column: 'qty', message: 'is empty' }]);
  });
});

describe('rowToEvent: ids', () => {
  it('gives the same id to the same row written differently, and another to another row', () => {
    const a = ok(row(items, 'SKU-1,Mug,5,10,0')).id;
    expect(ok(row(items, ' SKU-1 ,Mug,5.0,10.00,', 9)).id).toBe(a);
    expect(ok(row(items, 'SKU-1,Mug,5,10,0', 2, { ...ctx, occurredAt: '2026-11-26T00:00:00Z' })).id).toBe(a);
    expect(ok(row(items, 'SKU-1,Mug,5,11,0')).id).not.toBe(a);
  });

  it('keeps two equal stock rows apart by their line, and stays stable for the same line', () => {
    const first = ok(row(stock, 'DC-EAST,SKU-1,5', 2)).id;
    expect(first).toMatch(/^import:stock:2:[0-9a-f]{64}$/);
    expect(ok(row(stock, 'DC-EAST,SKU-1,5', 3)).id).not.toBe(first);
    expect(ok(row(stock, 'DC-EAST,SKU-1,5', 2)).id).toBe(first);
  });

  it('fits the contract: at most 128 characters', () => {
    expect(ok(row(stock, 'L,S,1', 999_999_999)).id.length).toBeLessThanOrEqual(128);
  });
});

describe('rowToEvent: problems name the CSV column', () => {
  it('reports conversion and contract errors per column, with the header as written', () => {
    const l = layout('SKU,Name,UnitCost,unitPrice,safetyStock');
    expect(problems(row(l, 'bad sku!,,abc,1.999,-1'))).toEqual([
      { column: 'Name', message: 'is empty' },
      { column: 'UnitCost', message: 'must be a number, not "abc"' },
      { column: 'SKU', message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' },
      { column: 'unitPrice', message: 'must have at most 2 decimals' },
      { column: 'safetyStock', message: 'must not be negative' },
    ]);
  });

  it('reports contract rules of locations and stock', () => {
    expect(problems(row(locations, 'L1,Somewhere,warehouse,east,maybe,0'))).toEqual([
      { column: 'shipsToCustomers', message: 'must be true/false, yes/no or 1/0, not "maybe"' },
      { column: 'kind', message: expect.stringContaining('dc') },
      { column: 'priority', message: 'must be greater than 0' },
    ]);
    expect(problems(row(stock, 'DC-EAST,SKU-1,2.5,'))).toEqual([{ column: 'qty', message: 'must be a whole number of units' }]);
    expect(problems(row(stock, 'DC-EAST,SKU-1,0,'))).toEqual([{ column: 'qty', message: 'must be greater than 0' }]);
  });

  it('reports a row with more fields than the header as a whole', () => {
    expect(problems(row(items, 'SKU-1,Tee, black,5,10,0'))).toEqual([
      { column: '(row)', message: 'has 6 fields, the header has 5 (a comma in an unquoted value?)' },
    ]);
  });

  it('blames the flag for envelope errors', () => {
    const future = { ...ctx, occurredAt: '2026-11-27T10:00:00Z' };
    expect(problems(row(stock, 'DC-EAST,SKU-1,5,', 2, future))).toEqual([
      { column: '--occurred-at', message: 'must not be more than 300 s in the future' },
    ]);
  });

  it('maps contract paths to columns', () => {
    const l = layout('sku,NAME,unitCost,unitPrice');
    expect(columnFor(l, 'data.name')).toBe('NAME');
    expect(columnFor(l, 'data.safetyStock')).toBe('safetyStock');
    expect(columnFor(l, 'data.colour')).toBe('colour');
    expect(columnFor(l, 'source')).toBe('--source');
    expect(columnFor(l, '(root)')).toBe('(row)');
  });
});
