import { describe, expect, it } from 'vitest';
import { reallocate, type Backorder, type CandidateLocation } from './allocation';

const loc = (locationId: string, region: string, priority: number, stock: Record<string, number>): CandidateLocation => ({
  locationId,
  region,
  priority,
  available: new Map(Object.entries(stock)),
});

describe('reallocate', () => {
  const backorder = (b: Partial<Backorder> & Pick<Backorder, 'orderId' | 'lines'>): Backorder => ({
    channelPriority: 1,
    occurredAt: '2026-11-27T09:00:00Z',
    allowSplit: true,
    shipToRegion: 'east',
    ...b,
  });

  it('keeps A-77 waiting while no one location holds 3 MUG-RED, and reserves it once one does', () => {
    const a77 = backorder({
      orderId: 'A-77',
      channelPriority: 2,
      allowSplit: false,
      shipToRegion: 'west',
      lines: [{ lineNo: 1, sku: 'MUG-RED', qty: 3 }],
    });
    const twoHere = [loc('DC-EAST', 'east', 1, { 'MUG-RED': 2 }), loc('STORE-WEST', 'west', 2, { 'MUG-RED': 1 })];
    expect(reallocate({ backorders: [a77], locations: twoHere })).toEqual([]);

    const restocked = [loc('DC-EAST', 'east', 1, { 'MUG-RED': 5 }), loc('STORE-WEST', 'west', 2, { 'MUG-RED': 1 })];
    expect(reallocate({ backorders: [a77], locations: restocked })).toEqual([
      { orderId: 'A-77', reservations: [{ lineNo: 1, sku: 'MUG-RED', locationId: 'DC-EAST', qty: 3 }], backordered: [] },
    ]);
  });

  it('completes a partly reserved no-split order only at the location that holds the rest', () => {
    const order = backorder({ orderId: 'M-1', allowSplit: false, onlyLocationId: 'DC-EAST', lines: [{ lineNo: 1, sku: 'TEE', qty: 1 }] });
    const elsewhereOnly = [loc('DC-EAST', 'east', 1, { TEE: 0 }), loc('STORE-EAST', 'east', 2, { TEE: 5 })];
    expect(reallocate({ backorders: [order], locations: elsewhereOnly })).toEqual([]);
    const backHome = [loc('DC-EAST', 'east', 1, { TEE: 1 }), loc('STORE-EAST', 'east', 2, { TEE: 5 })];
    expect(reallocate({ backorders: [order], locations: backHome })).toEqual([
      { orderId: 'M-1', reservations: [{ lineNo: 1, sku: 'TEE', locationId: 'DC-EAST', qty: 1 }], backordered: [] },
    ]);
  });

  it('serves the higher channel priority first, then the oldest order, then orderId', () => {
    const line = [{ lineNo: 1, sku: 'A', qty: 1 }];
    const result = reallocate({
      backorders: [
        backorder({ orderId: 'late-p1', channelPriority: 1, occurredAt: '2026-11-27T11:00:00Z', lines: line }),
        backorder({ orderId: 'early-p2', channelPriority: 2, occurredAt: '2026-11-27T08:00:00Z', lines: line }),
        // 09:30+01:00 is 08:30Z: older than 09:00Z though its text sorts later.
        backorder({ orderId: 'offset-p1', channelPriority: 1, occurredAt: '2026-11-27T09:30:00+01:00', lines: line }),
        backorder({ orderId: 'b-p1', channelPriority: 1, occurredAt: '2026-11-27T09:00:00Z', lines: line }),
        backorder({ orderId: 'a-p1', channelPriority: 1, occurredAt: '2026-11-27T09:00:00.000Z', lines: line }),
      ],
      locations: [loc('E1', 'east', 1, { A: 4 })],
    });
    expect(result.map((r) => r.orderId)).toEqual(['offset-p1', 'a-p1', 'b-p1', 'late-p1']);
  });

  it('lets a split order take what it can and keep the rest backordered', () => {
    const result = reallocate({
      backorders: [backorder({ orderId: 'W-1', lines: [{ lineNo: 1, sku: 'A', qty: 5 }] })],
      locations: [loc('E1', 'east', 1, { A: 2 }), loc('W1', 'west', 1, { A: 1 })],
    });
    expect(result).toEqual([
      {
        orderId: 'W-1',
        reservations: [
          { lineNo: 1, sku: 'A', locationId: 'E1', qty: 2 },
          { lineNo: 1, sku: 'A', locationId: 'W1', qty: 1 },
        ],
        backordered: [{ lineNo: 1, sku: 'A', qty: 2 }],
      },
    ]);
  });

  it('does not let a waiting no-split order block the orders behind it', () => {
    const result = reallocate({
      backorders: [
        backorder({ orderId: 'M-1', channelPriority: 1, allowSplit: false, lines: [{ lineNo: 1, sku: 'A', qty: 4 }] }),
        backorder({ orderId: 'M-2', channelPriority: 2, allowSplit: false, lines: [{ lineNo: 1, sku: 'A', qty: 2 }] }),
      ],
      locations: [loc('E1', 'east', 1, { A: 3 }), loc('E2', 'east', 2, { A: 1 })],
    });
    expect(result).toEqual([
      { orderId: 'M-2', reservations: [{ lineNo: 1, sku: 'A', locationId: 'E1', qty: 2 }], backordered: [] },
    ]);
  });

  it('consumes availability as it goes, so no unit is reserved twice', () => {
    const result = reallocate({
      backorders: [
        backorder({ orderId: 'O-1', occurredAt: '2026-11-27T08:00:00Z', lines: [{ lineNo: 1, sku: 'A', qty: 2 }] }),
        backorder({ orderId: 'O-2', occurredAt: '2026-11-27T09:00:00Z', lines: [{ lineNo: 1, sku: 'A', qty: 2 }] }),
        backorder({
          orderId: 'O-3',
          occurredAt: '2026-11-27T10:00:00Z',
          allowSplit: false,
          lines: [{ lineNo: 1, sku: 'A', qty: 1 }],
        }),
      ],
      locations: [loc('E1', 'east', 1, { A: 3 })],
    });
    expect(result).toEqual([
      { orderId: 'O-1', reservations: [{ lineNo: 1, sku: 'A', locationId: 'E1', qty: 2 }], backordered: [] },
      {
        orderId: 'O-2',
        reservations: [{ lineNo: 1, sku: 'A', locationId: 'E1', qty: 1 }],
        backordered: [{ lineNo: 1, sku: 'A', qty: 1 }],
      },
    ]);
  });

  it('reserves a no-split order with several lines only at one location that holds them all', () => {
    const lines = [
      { lineNo: 1, sku: 'A', qty: 1 },
      { lineNo: 2, sku: 'B', qty: 1 },
    ];
    const apart = [loc('E1', 'east', 1, { A: 1 }), loc('E2', 'east', 1, { B: 1 })];
    expect(reallocate({ backorders: [backorder({ orderId: 'N-1', allowSplit: false, lines })], locations: apart })).toEqual([]);
  });
});
