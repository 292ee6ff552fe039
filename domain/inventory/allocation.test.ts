import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, type CandidateLocation, type OrderLineRequest } from './allocation';

const loc = (locationId: string, region: string, priority: number, stock: Record<string, number>): CandidateLocation => ({
  locationId,
  region,
  priority,
  available: new Map(Object.entries(stock)),
});

describe('allocate: the worked example', () => {
  const dcEast = loc('DC-EAST', 'east', 1, { 'TEE-BLK-M': 10, 'MUG-RED': 3 });
  const storeWest = loc('STORE-WEST', 'west', 2, { 'TEE-BLK-M': 4 });

  it('reserves W-1001 whole at DC-EAST', () => {
    const result = allocate({
      lines: [
        { lineNo: 1, sku: 'TEE-BLK-M', qty: 2 },
        { lineNo: 2, sku: 'MUG-RED', qty: 1 },
      ],
      shipToRegion: 'east',
      allowSplit: true,
      locations: [storeWest, dcEast],
    });
    expect(result).toEqual({
      reservations: [
        { lineNo: 1, sku: 'TEE-BLK-M', locationId: 'DC-EAST', qty: 2 },
        { lineNo: 2, sku: 'MUG-RED', locationId: 'DC-EAST', qty: 1 },
      ],
      backordered: [],
      split: false,
    });
  });

  it('backorders all 3 MUG-RED of A-77 when DC-EAST holds 2 and mkt-a does not split', () => {
    const afterW1001 = loc('DC-EAST', 'east', 1, { 'TEE-BLK-M': 8, 'MUG-RED': 2 });
    const result = allocate({
      lines: [{ lineNo: 1, sku: 'MUG-RED', qty: 3 }],
      shipToRegion: 'west',
      allowSplit: false,
      locations: [afterW1001, storeWest],
    });
    expect(result).toEqual({ reservations: [], backordered: [{ lineNo: 1, sku: 'MUG-RED', qty: 3 }], split: false });
  });

  it('reserves W-1002 (west) at STORE-WEST, its region, over the priority-1 DC', () => {
    const afterW1001 = loc('DC-EAST', 'east', 1, { 'TEE-BLK-M': 8, 'MUG-RED': 2 });
    const result = allocate({
      lines: [{ lineNo: 1, sku: 'TEE-BLK-M', qty: 1 }],
      shipToRegion: 'west',
      allowSplit: true,
      locations: [afterW1001, storeWest],
    });
    expect(result.reservations).toEqual([{ lineNo: 1, sku: 'TEE-BLK-M', locationId: 'STORE-WEST', qty: 1 }]);
  });
});

describe('allocate: choosing the one location', () => {
  const one = (locations: CandidateLocation[], lines: OrderLineRequest[] = [{ lineNo: 1, sku: 'A', qty: 2 }]) =>
    allocate({ lines, shipToRegion: 'east', allowSplit: true, locations }).reservations.map((r) => r.locationId);

  it('prefers the ship-to region over a lower priority', () => {
    expect(one([loc('W1', 'west', 1, { A: 50 }), loc('E9', 'east', 9, { A: 2 })])).toEqual(['E9']);
  });

  it('prefers the lower priority over more available', () => {
    expect(one([loc('E2', 'east', 2, { A: 50 }), loc('E1', 'east', 1, { A: 2 })])).toEqual(['E1']);
  });

  it('prefers more available over the locationId', () => {
    expect(one([loc('E-A', 'east', 1, { A: 3 }), loc('E-B', 'east', 1, { A: 9 })])).toEqual(['E-B']);
  });

  it('measures "most available" as the sum over the order’s SKUs', () => {
    const lines = [
      { lineNo: 1, sku: 'A', qty: 1 },
      { lineNo: 2, sku: 'B', qty: 1 },
    ];
    // E-A has more of A (10 vs 6) but less in total (10 + 1 < 6 + 6).
    const locations = [loc('E-A', 'east', 1, { A: 10, B: 1 }), loc('E-B', 'east', 1, { A: 6, B: 6, C: 99 })];
    expect(one(locations, lines)).toEqual(['E-B', 'E-B']);
  });

  it('breaks a full tie by locationId ascending', () => {
    expect(one([loc('E-B', 'east', 1, { A: 5 }), loc('E-A', 'east', 1, { A: 5 })])).toEqual(['E-A']);
  });

  it('only considers locations that can fill the whole order, wherever they are', () => {
    expect(one([loc('E1', 'east', 1, { A: 1 }), loc('W5', 'west', 5, { A: 2 })])).toEqual(['W5']);
  });

  it('counts two lines of one SKU together when deciding a location can fill the order', () => {
    const lines = [
      { lineNo: 1, sku: 'A', qty: 2 },
      { lineNo: 2, sku: 'A', qty: 2 },
    ];
    expect(one([loc('E1', 'east', 1, { A: 3 }), loc('W1', 'west', 1, { A: 4 })], lines)).toEqual(['W1', 'W1']);
  });

  it('prefers one location even when splits are allowed', () => {
    const result = allocate({
      lines: [
        { lineNo: 1, sku: 'A', qty: 1 },
        { lineNo: 2, sku: 'B', qty: 1 },
      ],
      shipToRegion: 'east',
      allowSplit: true,
      locations: [loc('E1', 'east', 1, { A: 5 }), loc('E2', 'east', 1, { B: 5 }), loc('W9', 'west', 9, { A: 1, B: 1 })],
    });
    expect(result.split).toBe(false);
    expect(result.reservations.map((r) => r.locationId)).toEqual(['W9', 'W9']);
  });
});

describe('allocate: splits and backorders', () => {
  it('serves one line from several locations in preference order, backordering the rest', () => {
    const result = allocate({
      lines: [{ lineNo: 1, sku: 'A', qty: 10 }],
      shipToRegion: 'east',
      allowSplit: true,
      locations: [loc('W1', 'west', 1, { A: 4 }), loc('E2', 'east', 2, { A: 3 }), loc('E1', 'east', 1, { A: 2 })],
    });
    expect(result).toEqual({
      reservations: [
        { lineNo: 1, sku: 'A', locationId: 'E1', qty: 2 },
        { lineNo: 1, sku: 'A', locationId: 'E2', qty: 3 },
        { lineNo: 1, sku: 'A', locationId: 'W1', qty: 4 },
      ],
      backordered: [{ lineNo: 1, sku: 'A', qty: 1 }],
      split: true,
    });
  });

  it('ranks per line by the availability of that line’s SKU', () => {
    const result = allocate({
      lines: [
        { lineNo: 1, sku: 'A', qty: 3 },
        { lineNo: 2, sku: 'B', qty: 3 },
      ],
      shipToRegion: 'east',
      allowSplit: true,
      locations: [loc('E-X', 'east', 1, { A: 5, B: 1 }), loc('E-Y', 'east', 1, { A: 1, B: 5 })],
    });
    expect(result.reservations).toEqual([
      { lineNo: 1, sku: 'A', locationId: 'E-X', qty: 3 },
      { lineNo: 2, sku: 'B', locationId: 'E-Y', qty: 3 },
    ]);
    expect(result.split).toBe(true);
  });

  it('lets a later line of the same SKU see what earlier lines took', () => {
    const result = allocate({
      lines: [
        { lineNo: 1, sku: 'A', qty: 3 },
        { lineNo: 2, sku: 'A', qty: 3 },
      ],
      shipToRegion: 'east',
      allowSplit: true,
      locations: [loc('E1', 'east', 1, { A: 4 }), loc('E2', 'east', 2, { A: 1 })],
    });
    expect(result.reservations).toEqual([
      { lineNo: 1, sku: 'A', locationId: 'E1', qty: 3 },
      { lineNo: 2, sku: 'A', locationId: 'E1', qty: 1 },
      { lineNo: 2, sku: 'A', locationId: 'E2', qty: 1 },
    ]);
    expect(result.backordered).toEqual([{ lineNo: 2, sku: 'A', qty: 1 }]);
  });

  it('is not a split when whatever could be reserved sits at one location', () => {
    const result = allocate({
      lines: [{ lineNo: 1, sku: 'A', qty: 5 }],
      shipToRegion: 'east',
      allowSplit: true,
      locations: [loc('E1', 'east', 1, { A: 2 }), loc('E2', 'east', 1, {})],
    });
    expect(result).toEqual({
      reservations: [{ lineNo: 1, sku: 'A', locationId: 'E1', qty: 2 }],
      backordered: [{ lineNo: 1, sku: 'A', qty: 3 }],
      split: false,
    });
  });

  it('without splits backorders every unit of every line when no one location fills the order', () => {
    const result = allocate({
      lines: [
        { lineNo: 1, sku: 'A', qty: 2 },
        { lineNo: 2, sku: 'B', qty: 1 },
      ],
      shipToRegion: 'east',
      allowSplit: false,
      locations: [loc('E1', 'east', 1, { A: 5 }), loc('E2', 'east', 1, { B: 5 })],
    });
    expect(result).toEqual({
      reservations: [],
      backordered: [
        { lineNo: 1, sku: 'A', qty: 2 },
        { lineNo: 2, sku: 'B', qty: 1 },
      ],
      split: false,
    });
  });

  it('backorders everything when no location is passed', () => {
    const result = allocate({ lines: [{ lineNo: 1, sku: 'A', qty: 1 }], shipToRegion: 'east', allowSplit: true, locations: [] });
    expect(result).toEqual({ reservations: [], backordered: [{ lineNo: 1, sku: 'A', qty: 1 }], split: false });
  });

  it('treats negative availability (reserved above on hand) as none', () => {
    const result = allocate({
      lines: [{ lineNo: 1, sku: 'A', qty: 3 }],
      shipToRegion: 'east',
      allowSplit: true,
      locations: [loc('E1', 'east', 1, { A: -2 }), loc('E2', 'east', 2, { A: 2 })],
    });
    expect(result.reservations).toEqual([{ lineNo: 1, sku: 'A', locationId: 'E2', qty: 2 }]);
    expect(result.backordered).toEqual([{ lineNo: 1, sku: 'A', qty: 1 }]);
  });
});

describe('allocate: properties', () => {
  const skus = ['A', 'B', 'C'];
  const location = fc.record({
    region: fc.constantFrom('east', 'west'),
    priority: fc.integer({ min: 1, max: 3 }),
    stock: fc.dictionary(fc.constantFrom(...skus), fc.integer({ min: -2, max: 8 })),
  });
  const order = fc.record({
    locations: fc.array(location, { maxLength: 5 }),
    lines: fc.array(fc.record({ sku: fc.constantFrom(...skus), qty: fc.integer({ min: 1, max: 12 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    shipToRegion: fc.constantFrom('east', 'west'),
    allowSplit: fc.boolean(),
  });

  it('never over-reserves, accounts for every unit, and keeps a no-split order in one place', () => {
    fc.assert(
      fc.property(order, (o) => {
        const locations = o.locations.map((l, i) => loc(`L${i}`, l.region, l.priority, l.stock));
        const lines = o.lines.map((l, i) => ({ lineNo: i + 1, ...l }));
        const result = allocate({ lines, shipToRegion: o.shipToRegion, allowSplit: o.allowSplit, locations });

        for (const l of locations) {
          for (const sku of skus) {
            const reserved = result.reservations
              .filter((r) => r.locationId === l.locationId && r.sku === sku)
              .reduce((s, r) => s + r.qty, 0);
            expect(reserved).toBeLessThanOrEqual(Math.max(0, l.available.get(sku) ?? 0));
          }
        }
        for (const line of lines) {
          const reserved = result.reservations.filter((r) => r.lineNo === line.lineNo).reduce((s, r) => s + r.qty, 0);
          const backordered = result.backordered.filter((b) => b.lineNo === line.lineNo).reduce((s, b) => s + b.qty, 0);
          expect(reserved + backordered).toBe(line.qty);
        }
        for (const r of result.reservations) expect(r.qty).toBeGreaterThan(0);

        const places = new Set(result.reservations.map((r) => r.locationId));
        expect(result.split).toBe(places.size > 1);
        if (!o.allowSplit) {
          expect(places.size).toBeLessThanOrEqual(1);
          if (places.size === 1) expect(result.backordered).toEqual([]);
          else expect(result.backordered.reduce((s, b) => s + b.qty, 0)).toBe(lines.reduce((s, l) => s + l.qty, 0));
        }
      }),
    );
  });
});
