import { describe, expect, it } from 'vitest';
import { defaultDurationsMs, parseDuration, parseScenarios, resolveScenarios, ScenarioError } from './scenarios';
import { buildWorld } from './world';

describe('parseScenarios', () => {
  it('reads the timeline of the brief, with default starts and durations', () => {
    expect(parseScenarios('steady,flash-sale@10m+15m,returns-wave@30m')).toEqual([
      { name: 'steady', startOffsetMs: 0, durationMs: Number.POSITIVE_INFINITY },
      { name: 'flash-sale', startOffsetMs: 600_000, durationMs: 900_000 },
      { name: 'returns-wave', startOffsetMs: 1_800_000, durationMs: defaultDurationsMs['returns-wave'] },
    ]);
  });

  it('reads targets, compound durations and spaces around commas', () => {
    expect(parseScenarios(' marketplace-outage:zalando@1h30m+90s , warehouse-disruption:dc-west+1.5h,flash-sale:SKU-00001/SKU-00002')).toEqual([
      { name: 'marketplace-outage', startOffsetMs: 5_400_000, durationMs: 90_000, target: 'zalando' },
      { name: 'warehouse-disruption', startOffsetMs: 0, durationMs: 5_400_000, target: 'dc-west' },
      { name: 'flash-sale', startOffsetMs: 0, durationMs: defaultDurationsMs['flash-sale'], target: 'SKU-00001/SKU-00002' },
    ]);
  });

  it('allows overlapping windows and an empty timeline', () => {
    expect(parseScenarios('flash-sale@5m,flash-sale@6m,payment-provider-failure@5m')).toHaveLength(3);
    expect(parseScenarios('')).toEqual([]);
    expect(parseScenarios('  ')).toEqual([]);
  });

  it('says what is wrong and where', () => {
    const error = (timeline: string) => {
      try {
        parseScenarios(timeline);
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as Error).message;
      }
      throw new Error(`no error for ${timeline}`);
    };
    expect(error('steady,flash-sal@10m')).toBe('scenario 2 ("flash-sal@10m", column 8): unknown scenario "flash-sal"; expected one of steady, flash-sale, marketplace-outage, payment-provider-failure, warehouse-disruption, returns-wave');
    expect(error('flash-sale@10')).toMatch(/^scenario 1 \("flash-sale@10", column 1\): bad start: "10" is not a duration: use a number with a unit/);
    expect(error('steady,,returns-wave')).toMatch(/^scenario 2 \("", column 8\): empty item/);
    expect(error('returns-wave@5m+0s')).toMatch(/scenario 1 .*: the duration must be more than 0/);
    expect(error('flash sale')).toMatch(/expected name\[:target\]\[@start\]\[\+duration\]/);
    expect(error('returns-wave+10x')).toMatch(/bad duration: "10x"/);
  });
});

describe('parseDuration', () => {
  it('adds up units and refuses bare numbers and junk', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('0.5m')).toBe(30_000);
    expect(() => parseDuration('15')).toThrow(ScenarioError);
    expect(() => parseDuration('15m junk')).toThrow(ScenarioError);
    expect(() => parseDuration('')).toThrow(ScenarioError);
  });
});

describe('resolveScenarios', () => {
  const world = buildWorld({ seed: 1, skuCount: 300 });
  const resolve = (timeline: string) => resolveScenarios({ windows: parseScenarios(timeline), world, startMs: 1_000_000, seed: 1 });

  it('fixes windows to absolute time and picks their targets', () => {
    const [flash, flash2, outage, disruption, failure] = resolve('flash-sale@1m+2m,flash-sale@1m,marketplace-outage,warehouse-disruption,payment-provider-failure');
    expect(flash).toMatchObject({ name: 'flash-sale', startMs: 1_060_000, endMs: 1_180_000, factor: 10 });
    expect(flash!.skus).toHaveLength(3);
    for (const sku of flash!.skus!) expect(world.items[world.itemIndex.get(sku)!]!.rank).toBeGreaterThanOrEqual(5);
    // Two flash sales put different SKUs on promotion.
    expect(flash2!.skus!.some((s) => flash!.skus!.includes(s))).toBe(false);
    expect(outage).toMatchObject({ channel: 'amazon', source: 'mkt-amazon' });
    expect(disruption).toMatchObject({ locationId: 'dc-east', factor: 0.15 });
    expect(failure).toMatchObject({ factor: 0.3 });
  });

  it('refuses targets the world does not have', () => {
    expect(() => resolve('marketplace-outage:ebay')).toThrow(/unknown channel "ebay"/);
    expect(() => resolve('warehouse-disruption:store-bos')).toThrow(/not a location that ships/);
    expect(() => resolve('flash-sale:SKU-99999')).toThrow(/unknown SKU SKU-99999/);
    expect(() => resolve('returns-wave:dc-east')).toThrow(/takes no target/);
  });
});
