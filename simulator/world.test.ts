import { describe, expect, it } from 'vitest';
import { createRng } from './random';
import { buildWorld, carries, ZIPF_EXPONENT } from './world';

describe('buildWorld', () => {
  const world = buildWorld({ seed: 5, skuCount: 2000 });

  it('has a long-tail catalogue with plausible prices', () => {
    expect(world.items).toHaveLength(2000);
    expect(new Set(world.items.map((i) => i.sku)).size).toBe(2000);
    const byRank = [...world.items].sort((a, b) => a.rank - b.rank);
    expect(byRank[0]!.weight / byRank[9]!.weight).toBeCloseTo(10 ** ZIPF_EXPONENT, 6);
    expect(byRank.slice(0, 20).reduce((s, i) => s + i.weight, 0)).toBeGreaterThan(0.3);
    expect(world.items.reduce((s, i) => s + i.weight, 0)).toBeCloseTo(1, 9);
    for (const item of world.items) {
      expect(item.unitPrice).toBeGreaterThan(item.unitCost);
      expect(item.unitCost).toBeGreaterThan(0);
      expect(Math.round(item.unitPrice * 100)).toBeCloseTo(item.unitPrice * 100, 6);
    }
    const draws = new Map<number, number>();
    const rng = createRng(1);
    for (let i = 0; i < 20_000; i++) {
      const idx = world.drawItem(rng);
      draws.set(idx, (draws.get(idx) ?? 0) + 1);
    }
    const top = world.items.indexOf(byRank[0]!);
    expect(draws.get(top)! / 20_000).toBeCloseTo(byRank[0]!.weight, 1);
  });

  it('has eight locations in three regions: DCs, a 3PL, stores that ship and one that does not', () => {
    expect(world.locations).toHaveLength(8);
    expect(new Set(world.locations.map((l) => l.region)).size).toBe(3);
    expect(world.locations.filter((l) => l.kind === 'dc').length).toBeGreaterThanOrEqual(1);
    expect(world.locations.filter((l) => l.kind === '3pl')).toHaveLength(1);
    expect(world.locations.some((l) => l.kind === 'store' && l.shipsToCustomers)).toBe(true);
    expect(world.locations.some((l) => l.kind === 'store' && !l.shipsToCustomers)).toBe(true);
    const dc = world.locations.find((l) => l.kind === 'dc')!;
    const store = world.locations.find((l) => l.kind === 'store')!;
    const tail = world.items.find((i) => i.rank === 2000)!;
    expect(carries(dc, tail, 2000)).toBe(true);
    expect(carries(store, tail, 2000)).toBe(false);
  });

  it('has the five channels of the brief, each its own source', () => {
    const kinds = world.channels.map((c) => c.kind).sort();
    expect(kinds).toEqual(['edi', 'marketplace', 'marketplace', 'phone', 'webstore']);
    const web = world.channels.find((c) => c.kind === 'webstore')!;
    expect(web).toMatchObject({ priority: 1, allowSplit: true });
    const markets = world.channels.filter((c) => c.kind === 'marketplace');
    expect(markets.every((m) => m.allocationShare < 1)).toBe(true);
    expect(markets.some((m) => !m.allowSplit)).toBe(true);
    const edi = world.channels.find((c) => c.kind === 'edi')!;
    expect(edi.slaHours).toBeGreaterThan(Math.max(...world.channels.filter((c) => c !== edi).map((c) => c.slaHours)));
    expect(world.channels.reduce((s, c) => s + c.mix, 0)).toBeCloseTo(1, 9);
    expect(new Set(world.sources).size).toBe(world.sources.length);
    for (const source of ['erp', 'shop-web', 'mkt-amazon', 'mkt-zalando', 'edi-b2b', 'phone', 'returns-desk', 'channel-feeds']) expect(world.sources).toContain(source);
    for (const l of world.locations.filter((x) => x.shipsToCustomers)) expect(world.sources).toContain(`wms-${l.locationId}`);
  });

  it('is the same for the same seed and refuses a bad size', () => {
    expect(buildWorld({ seed: 5, skuCount: 2000 }).items).toEqual(world.items);
    expect(buildWorld({ seed: 6, skuCount: 2000 }).items).not.toEqual(world.items);
    expect(() => buildWorld({ seed: 1, skuCount: 2.5 })).toThrow(RangeError);
  });
});
