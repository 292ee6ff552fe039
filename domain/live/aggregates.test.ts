import { describe, expect, it } from 'vitest';
import { buildOverview, diffOverview, liveKeys, liveWrites, overviewKeys, type LiveFact } from './aggregates';
import { bucketIndex } from './histogram';

const NOW = Date.parse('2026-11-27T10:30:30.000Z');

/** Plays writes into an in-memory "Redis" of hashes. */
function play(facts: LiveFact[], nowMs = NOW): Map<string, Record<string, string>> {
  const store = new Map<string, Record<string, string>>();
  for (const w of liveWrites('p', facts, nowMs)) {
    const h = store.get(w.key) ?? {};
    h[w.field] = String(Number(h[w.field] ?? 0) + w.by);
    store.set(w.key, h);
  }
  return store;
}

function overview(store: Map<string, Record<string, string>>, nowMs = NOW, backlog = 0) {
  const k = overviewKeys('p', nowMs);
  const read = (keys: string[]) => keys.map((key) => store.get(key) ?? {});
  return buildOverview({ nowMs, minuteStarts: k.minuteStarts, seconds: read(k.seconds), minutes: read(k.minutes), orderMinutes: read(k.orderMinutes), backlog });
}

describe('live writes', () => {
  it('counts an order by channel in the minute of its event time, units summed', () => {
    const occurred = Date.parse('2026-11-27T10:29:10.000Z');
    const store = play([
      { kind: 'order', occurredAtMs: occurred, channel: 'web', units: 3, count: 1 },
      { kind: 'order', occurredAtMs: occurred + 5_000, channel: 'web', units: 2, count: 1 },
      { kind: 'order', occurredAtMs: occurred, channel: 'mkt-a', units: 1, count: 1 },
    ]);
    expect(store.get(liveKeys('p').orderMinute(Date.parse('2026-11-27T10:29:00.000Z')))).toEqual({
      'o:web': '2', 'u:web': '5', 'o:mkt-a': '1', 'u:mkt-a': '1',
    });
  });

  it('merges grouped facts (as the rebuild sends them) into the same fields as single ones', () => {
    const at = NOW - 5_000;
    const single = play(Array.from({ length: 4 }, () => ({ kind: 'applied' as const, atMs: at, lagMs: 12, count: 1 })));
    const grouped = play([{ kind: 'applied', atMs: at, lagMs: 12, count: 4 }]);
    expect(grouped).toEqual(single);
  });

  it('drops writes for keys that would already have expired, so an old backlog cannot resurrect them', () => {
    const dayOld = NOW - 27 * 3600_000;
    expect(liveWrites('p', [{ kind: 'order', occurredAtMs: dayOld, channel: 'web', units: 1, count: 1 }], NOW)).toEqual([]);
    expect(liveWrites('p', [{ kind: 'applied', atMs: NOW - 3 * 3600_000, lagMs: 5, count: 1 }], NOW)).toEqual([]);
  });
});

describe('overview', () => {
  it('reports throughput over the last 60 complete seconds and lag percentiles from the histogram', () => {
    const facts: LiveFact[] = [];
    for (let i = 0; i < 120; i++) {
      facts.push({ kind: 'accepted', atMs: NOW - 59_000 + (i % 59) * 1000, count: 1 });
      facts.push({ kind: 'applied', atMs: NOW - 59_000 + (i % 59) * 1000, lagMs: i < 100 ? 10 : 400, count: 1 });
    }
    const o = overview(play(facts));
    expect(o.tiles.eventsPerSecond).toBe(2);
    expect(o.tiles.acceptedPerSecond).toBe(2);
    expect(o.tiles.lagP50Ms).toBeGreaterThanOrEqual(10);
    expect(o.tiles.lagP50Ms).toBeLessThanOrEqual(10.5);
    expect(o.tiles.lagP99Ms).toBeGreaterThanOrEqual(400);
    expect(o.tiles.lagP99Ms).toBeLessThanOrEqual(420);
  });

  it('shows null lag, not 0, when nothing was applied', () => {
    const o = overview(new Map());
    expect(o.tiles.lagP50Ms).toBeNull();
    expect(o.tiles.eventsPerSecond).toBe(0);
    expect(o.minutes).toHaveLength(60);
  });

  it('estimates orders per minute over the trailing 60 s from the current and previous minute', () => {
    // Half-way through 10:30: all of 10:30 counts, half of 10:29.
    const store = play([
      { kind: 'order', occurredAtMs: Date.parse('2026-11-27T10:29:20Z'), channel: 'web', units: 10, count: 4 },
      { kind: 'order', occurredAtMs: Date.parse('2026-11-27T10:30:05Z'), channel: 'web', units: 3, count: 3 },
    ]);
    const o = overview(store);
    expect(o.tiles.ordersPerMin).toBe(3 + 4 * 0.5);
    expect(o.tiles.unitsPerMin).toBe(3 + 10 * 0.5);
    expect(o.channels).toEqual(['web']);
    expect(o.minutes.at(-1)).toMatchObject({ t: Date.parse('2026-11-27T10:30:00Z'), orders: { web: 3 }, units: { web: 3 } });
  });

  it('buckets lag with the shared histogram', () => {
    const store = play([{ kind: 'applied', atMs: NOW - 2000, lagMs: 250, count: 1 }]);
    const second = store.get(liveKeys('p').second(Math.floor((NOW - 2000) / 1000)))!;
    expect(second[`lag:${bucketIndex(250)}`]).toBe('1');
  });
});

describe('overview deltas', () => {
  it('sends only the minutes that changed, and nothing when only the clock moved', () => {
    const before = overview(play([{ kind: 'order', occurredAtMs: NOW - 120_000, channel: 'web', units: 1, count: 1 }]));
    const same = overview(play([{ kind: 'order', occurredAtMs: NOW - 120_000, channel: 'web', units: 1, count: 1 }]), NOW + 10);
    expect(diffOverview(before, same)).toBeNull();

    const after = overview(play([
      { kind: 'order', occurredAtMs: NOW - 120_000, channel: 'web', units: 1, count: 1 },
      { kind: 'order', occurredAtMs: NOW - 1_000, channel: 'web', units: 2, count: 1 },
    ]));
    const delta = diffOverview(before, after)!;
    expect(delta.minutes.map((m) => m.t)).toEqual([Date.parse('2026-11-27T10:30:00Z')]);
    expect(delta.tiles.ordersPerMin).toBeGreaterThan(before.tiles.ordersPerMin);
  });

  it('sends everything the first time', () => {
    const o = overview(new Map());
    expect(diffOverview(null, o)!.minutes).toHaveLength(60);
  });
});
